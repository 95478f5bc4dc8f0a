package main

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
)

// Every plan the planner picks must return what reading the whole collection returns: the same
// documents, in the same sort order. Random documents, random indexes, random queries.
func TestPlansReturnWhatAFullScanReturns(t *testing.T) {
	st, err := openStorage(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	r := rand.New(rand.NewSource(7))
	c, _, err := st.ensureCollection("test", "docs")
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range []primitive.D{
		{{Key: "key", Value: primitive.D{{Key: "a", Value: 1}}}},
		{{Key: "key", Value: primitive.D{{Key: "a", Value: 1}, {Key: "b", Value: -1}}}, {Key: "name", Value: "a_b"}},
		{{Key: "key", Value: primitive.D{{Key: "c", Value: -1}}}},
		{{Key: "key", Value: primitive.D{{Key: "tags", Value: 1}}}},
	} {
		ix, err := parseIndexSpec(spec)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.createIndex(c, ix); err != nil {
			t.Fatal(err)
		}
	}
	value := func() any {
		switch r.Intn(7) {
		case 0:
			return nil
		case 1:
			return fmt.Sprintf("s%d", r.Intn(5))
		case 2:
			return float64(r.Intn(10)) / 2
		case 3:
			return missing
		default:
			return int32(r.Intn(10))
		}
	}
	var all []primitive.D
	for i := 0; i < 600; i++ {
		d := primitive.D{{Key: "_id", Value: int32(i)}}
		for _, f := range []string{"a", "b", "c"} {
			if v := value(); v != missing {
				d = append(d, primitive.E{Key: f, Value: v})
			}
		}
		if r.Intn(3) == 0 {
			d = append(d, primitive.E{Key: "tags", Value: primitive.A{fmt.Sprintf("t%d", r.Intn(4)), fmt.Sprintf("t%d", r.Intn(4))}})
		}
		raw, _ := bson.Marshal(d)
		if err := st.putDoc(c, idKey(d[0].Value), nil, d, raw); err != nil {
			t.Fatal(err)
		}
		all = append(all, d)
	}
	condition := func() any {
		v := value()
		if v == missing {
			v = int32(3)
		}
		switch r.Intn(5) {
		case 0:
			return v
		case 1:
			return primitive.D{{Key: "$in", Value: primitive.A{v, value(), int32(r.Intn(10))}}}
		case 2:
			return primitive.D{{Key: []string{"$gt", "$gte"}[r.Intn(2)], Value: v}}
		case 3:
			return primitive.D{{Key: "$gte", Value: int32(r.Intn(5))}, {Key: "$lt", Value: int32(5 + r.Intn(5))}}
		}
		return primitive.D{{Key: "$lte", Value: v}}
	}
	fields := []string{"a", "b", "c", "tags"}
	for i := 0; i < 3000; i++ {
		filter := primitive.D{}
		for _, f := range fields {
			if r.Intn(2) == 0 {
				if f == "tags" {
					filter = append(filter, primitive.E{Key: f, Value: fmt.Sprintf("t%d", r.Intn(4))})
					continue
				}
				filter = append(filter, primitive.E{Key: f, Value: condition()})
			}
		}
		if r.Intn(4) == 0 {
			// A two-branch $or beside the other conditions (each branch on an indexed field).
			filter = append(filter, primitive.E{Key: "$or", Value: primitive.A{
				primitive.D{{Key: fields[r.Intn(3)], Value: condition()}},
				primitive.D{{Key: fields[r.Intn(3)], Value: condition()}},
			}})
		}
		var spec []sortKey
		for _, f := range fields[:3] {
			if r.Intn(3) == 0 {
				spec = append(spec, sortKey{Path: f, Desc: r.Intn(2) == 0})
			}
		}
		q := query{filter: filter, sort: spec, limit: int64(r.Intn(3) * 7), skip: int64(r.Intn(2) * 3)}
		got, _, err := st.runQuery(c, q)
		if err != nil {
			t.Fatal(err)
		}
		want := bruteForce(t, all, q)
		p := choosePlan(c, filter, spec, q.limit)
		if len(got) != len(want) {
			t.Fatalf("query %v sort %v limit %d skip %d (plan index %v): %d results, want %d",
				filter, spec, q.limit, q.skip, planName(p), len(got), len(want))
		}
		for j := range got {
			if len(spec) > 0 && compareBySort(got[j].doc, want[j], spec) != 0 {
				t.Fatalf("query %v sort %v (plan %v): result %d sorts differently: %v vs %v", filter, spec, planName(p), j, got[j].doc, want[j])
			}
		}
		if q.limit == 0 && q.skip == 0 && !sameIDs(got, want) {
			t.Fatalf("query %v (plan %v): different documents", filter, planName(p))
		}
	}
}

func planName(p plan) string {
	if p.collscan {
		return "COLLSCAN"
	}
	if p.ix == nil {
		return "_id_"
	}
	return p.ix.Name
}

func bruteForce(t *testing.T, all []primitive.D, q query) []primitive.D {
	m, err := compileFilter(q.filter)
	if err != nil {
		t.Fatal(err)
	}
	var out []found
	for _, d := range all {
		if m(d) {
			out = append(out, found{doc: d})
		}
	}
	if len(q.sort) > 0 {
		sortFound(out, q.sort)
	}
	docs := make([]primitive.D, 0, len(out))
	for _, f := range out {
		docs = append(docs, f.doc)
	}
	if q.skip > 0 {
		if int(q.skip) >= len(docs) {
			docs = nil
		} else {
			docs = docs[q.skip:]
		}
	}
	if q.limit > 0 && len(docs) > int(q.limit) {
		docs = docs[:q.limit]
	}
	return docs
}

func sameIDs(got []found, want []primitive.D) bool {
	a := make([]int, len(got))
	b := make([]int, len(want))
	for i := range got {
		a[i] = int(lookup(got[i].doc, "_id").(int32))
	}
	for i := range want {
		b[i] = int(lookup(want[i], "_id").(int32))
	}
	sort.Ints(a)
	sort.Ints(b)
	return fmt.Sprint(a) == fmt.Sprint(b)
}
