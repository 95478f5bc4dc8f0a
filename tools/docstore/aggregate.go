package main

import (
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
)

// The aggregation support covers what drivers and applications use for counting and summaries:
// a leading $match/$sort/$skip/$limit runs through the planner (indexes apply); then $match,
// $sort, $skip, $limit, $project, $addFields/$set, $unset, $unwind, $group and $count run in
// memory. Expressions are field paths, literals and documents of those.

type stage struct {
	name string
	arg  any
}

func parsePipeline(cmd primitive.D) ([]stage, error) {
	list, isArray := lookup(cmd, "pipeline").(primitive.A)
	if !isArray {
		return nil, errf(codeTypeMismatch, "pipeline must be an array")
	}
	stages := make([]stage, 0, len(list))
	for _, item := range list {
		d, isDoc := item.(primitive.D)
		if !isDoc || len(d) != 1 {
			return nil, errf(codeBadValue, "a pipeline stage must be an object with one field")
		}
		stages = append(stages, stage{d[0].Key, d[0].Value})
	}
	return stages, nil
}

// pushdown takes the leading stages the planner can answer and returns the query and the rest.
func pushdown(stages []stage) (query, []stage, error) {
	q := query{filter: primitive.D{}}
	i := 0
	if i < len(stages) && stages[i].name == "$match" {
		f, isDoc := stages[i].arg.(primitive.D)
		if !isDoc {
			return q, nil, errf(codeBadValue, "$match needs an object")
		}
		q.filter = f
		i++
	}
	if i < len(stages) && stages[i].name == "$sort" {
		spec, err := parseSort(stages[i].arg)
		if err != nil {
			return q, nil, err
		}
		q.sort = spec
		i++
	}
	// $skip then $limit keep their meaning when pushed down together; $limit then $skip does not.
	if i < len(stages) && stages[i].name == "$skip" {
		f, _ := toFloat(stages[i].arg)
		q.skip = int64(f)
		i++
	}
	if i < len(stages) && stages[i].name == "$limit" {
		f, _ := toFloat(stages[i].arg)
		q.limit = int64(f)
		i++
	}
	return q, stages[i:], nil
}

func cmdAggregate(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	name, isString := cmd[0].Value.(string)
	if !isString {
		return nil, notSupported("database-level aggregation")
	}
	stages, err := parsePipeline(cmd)
	if err != nil {
		return nil, err
	}
	q, rest, err := pushdown(stages)
	if err != nil {
		return nil, err
	}
	var docs []primitive.D
	if c := srv.st.collection(db, name); c != nil {
		results, _, err := srv.st.runQuery(c, q)
		if err != nil {
			return nil, err
		}
		docs = make([]primitive.D, len(results))
		for i, r := range results {
			docs[i] = r.doc
		}
	} else if _, err := compileFilter(q.filter); err != nil {
		return nil, err
	}
	for _, st := range rest {
		if docs, err = runStage(st, docs); err != nil {
			return nil, err
		}
	}
	return srv.cursorReply(db+"."+name, docs, cmd)
}

func runStage(st stage, docs []primitive.D) ([]primitive.D, error) {
	switch st.name {
	case "$match":
		f, isDoc := st.arg.(primitive.D)
		if !isDoc {
			return nil, errf(codeBadValue, "$match needs an object")
		}
		m, err := compileFilter(f)
		if err != nil {
			return nil, err
		}
		out := docs[:0:0]
		for _, d := range docs {
			if m(d) {
				out = append(out, d)
			}
		}
		return out, nil
	case "$sort":
		spec, err := parseSort(st.arg)
		if err != nil {
			return nil, err
		}
		list := make([]found, len(docs))
		for i, d := range docs {
			list[i].doc = d
		}
		sortFound(list, spec)
		for i := range list {
			docs[i] = list[i].doc
		}
		return docs, nil
	case "$skip", "$limit":
		f, _ := toFloat(st.arg)
		n := int(f)
		if n > len(docs) {
			n = len(docs)
		}
		if st.name == "$skip" {
			return docs[n:], nil
		}
		return docs[:n], nil
	case "$count":
		field, _ := st.arg.(string)
		return []primitive.D{{{Key: field, Value: int32(len(docs))}}}, nil
	case "$group":
		return group(st.arg, docs)
	case "$project", "$addFields", "$set", "$unset":
		return reshape(st, docs)
	case "$unwind":
		return unwind(st.arg, docs)
	}
	return nil, notSupported("aggregation stage " + st.name)
}

// evaluate computes an expression for a document: "$path", a literal, or a document of those.
func evaluate(expr any, doc primitive.D) (any, error) {
	switch e := expr.(type) {
	case string:
		if strings.HasPrefix(e, "$") {
			if strings.HasPrefix(e, "$$") {
				return nil, notSupported("variable " + e)
			}
			return getPathThroughArrays(doc, e[1:]), nil
		}
		return e, nil
	case primitive.D:
		if len(e) > 0 && strings.HasPrefix(e[0].Key, "$") {
			if e[0].Key == "$literal" {
				return e[0].Value, nil
			}
			return nil, notSupported("expression operator " + e[0].Key)
		}
		out := primitive.D{}
		for _, f := range e {
			v, err := evaluate(f.Value, doc)
			if err != nil {
				return nil, err
			}
			if v != missing {
				out = append(out, primitive.E{Key: f.Key, Value: v})
			}
		}
		return out, nil
	}
	return expr, nil
}

func getPathThroughArrays(doc primitive.D, path string) any {
	values := resolve(doc, path)
	if len(values) == 1 {
		return values[0]
	}
	return primitive.A(values)
}

func group(arg any, docs []primitive.D) ([]primitive.D, error) {
	spec, isDoc := arg.(primitive.D)
	if !isDoc || lookup(spec, "_id") == missing {
		return nil, errf(15955, "a group specification must include an _id")
	}
	type bucket struct {
		id   any
		accs []any
		seen []int
	}
	var order []*bucket
	byKey := map[string]*bucket{}
	var fields []primitive.E
	for _, e := range spec {
		if e.Key == "_id" {
			continue
		}
		acc, isAcc := e.Value.(primitive.D)
		if !isAcc || len(acc) != 1 {
			return nil, errf(40234, "the field '%s' must be an accumulator object", e.Key)
		}
		fields = append(fields, e)
	}
	for _, d := range docs {
		id, err := evaluate(lookup(spec, "_id"), d)
		if err != nil {
			return nil, err
		}
		if id == missing {
			id = nil
		}
		raw, _ := bson.Marshal(primitive.D{{Key: "k", Value: id}})
		b := byKey[string(raw)]
		if b == nil {
			b = &bucket{id: id, accs: make([]any, len(fields)), seen: make([]int, len(fields))}
			byKey[string(raw)] = b
			order = append(order, b)
		}
		for i, f := range fields {
			acc := f.Value.(primitive.D)[0]
			v, err := evaluate(acc.Value, d)
			if err != nil {
				return nil, err
			}
			if b.accs[i], err = accumulate(acc.Key, b.accs[i], v, b.seen[i]); err != nil {
				return nil, err
			}
			b.seen[i]++
		}
	}
	out := make([]primitive.D, 0, len(order))
	for _, b := range order {
		d := primitive.D{{Key: "_id", Value: b.id}}
		for i, f := range fields {
			v := b.accs[i]
			if avg, isAvg := v.(average); isAvg {
				v = avg.sum / float64(avg.n)
			}
			d = append(d, primitive.E{Key: f.Key, Value: v})
		}
		out = append(out, d)
	}
	return out, nil
}

type average struct {
	sum float64
	n   int
}

func accumulate(op string, current, v any, seen int) (any, error) {
	switch op {
	case "$sum", "$count":
		if op == "$count" {
			v = int32(1)
		}
		if current == nil {
			current = int32(0)
		}
		if typeClass(v) != classNumber {
			return current, nil
		}
		return arithmetic(current, v, false), nil
	case "$avg":
		a, _ := current.(average)
		if f, isNum := toFloat(v); isNum {
			a.sum += f
			a.n++
		}
		return a, nil
	case "$min", "$max":
		if v == missing || v == nil {
			return current, nil
		}
		c := compareValues(v, current)
		if current == nil || (op == "$min" && c < 0) || (op == "$max" && c > 0) {
			return v, nil
		}
		return current, nil
	case "$first":
		if seen == 0 {
			return v, nil
		}
		return current, nil
	case "$last":
		return v, nil
	case "$push", "$addToSet":
		list, _ := current.(primitive.A)
		if list == nil {
			list = primitive.A{}
		}
		if v == missing || (op == "$addToSet" && containsValue(list, v)) {
			return list, nil
		}
		return append(list, v), nil
	}
	return nil, notSupported("accumulator " + op)
}

func reshape(st stage, docs []primitive.D) ([]primitive.D, error) {
	if st.name == "$unset" {
		var fields []string
		switch v := st.arg.(type) {
		case string:
			fields = []string{v}
		case primitive.A:
			for _, f := range v {
				s, _ := f.(string)
				fields = append(fields, s)
			}
		}
		for i, d := range docs {
			for _, f := range fields {
				d = unsetPath(d, f)
			}
			docs[i] = d
		}
		return docs, nil
	}
	spec, isDoc := st.arg.(primitive.D)
	if !isDoc {
		return nil, errf(codeBadValue, "%s needs an object", st.name)
	}
	out := make([]primitive.D, len(docs))
	for i, d := range docs {
		if st.name == "$project" && isPlainProjection(spec) {
			p, err := project(d, spec)
			if err != nil {
				return nil, err
			}
			out[i] = p
			continue
		}
		base := cloneDoc(d)
		if st.name == "$project" {
			base = primitive.D{}
			if lookup(spec, "_id") == missing {
				base = append(base, primitive.E{Key: "_id", Value: lookup(d, "_id")})
			}
		}
		for _, f := range spec {
			if st.name == "$project" && (f.Value == false || f.Value == int32(0)) {
				continue
			}
			var v any
			var err error
			if st.name == "$project" && truthy(f.Value) && typeClass(f.Value) == classNumber || f.Value == true {
				v = getPath(d, f.Key)
			} else if v, err = evaluate(f.Value, d); err != nil {
				return nil, err
			}
			if v == missing {
				continue
			}
			if base, err = setPath(base, f.Key, v); err != nil {
				return nil, err
			}
		}
		out[i] = base
	}
	return out, nil
}

func isPlainProjection(spec primitive.D) bool {
	for _, f := range spec {
		if typeClass(f.Value) != classNumber && typeClass(f.Value) != classBool {
			return false
		}
	}
	return true
}

func unwind(arg any, docs []primitive.D) ([]primitive.D, error) {
	path, _ := arg.(string)
	preserve := false
	if d, isDoc := arg.(primitive.D); isDoc {
		path, _ = lookup(d, "path").(string)
		preserve = truthy(lookup(d, "preserveNullAndEmptyArrays"))
	}
	if !strings.HasPrefix(path, "$") {
		return nil, errf(codeBadValue, "$unwind needs a field path")
	}
	path = path[1:]
	var out []primitive.D
	for _, d := range docs {
		v := getPath(d, path)
		arr, isArray := v.(primitive.A)
		switch {
		case isArray && len(arr) > 0:
			for _, el := range arr {
				nd, err := setPath(cloneDoc(d), path, el)
				if err != nil {
					return nil, err
				}
				out = append(out, nd)
			}
		case isArray || v == missing || v == nil:
			if preserve {
				out = append(out, d)
			}
		default:
			out = append(out, d)
		}
	}
	return out, nil
}
