package main

import (
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

// cmdExplain answers `explain` for find, count, distinct, update, delete, findAndModify and
// aggregate in MongoDB's shape (queryPlanner.winningPlan with COLLSCAN / IXSCAN / FETCH / SORT /
// LIMIT stages, and executionStats), so one test helper can check that a query uses an index on
// this store and on MongoDB alike.
func cmdExplain(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	inner, isDoc := cmd[0].Value.(primitive.D)
	if !isDoc || len(inner) == 0 {
		return nil, errf(codeBadValue, "explain needs a command object")
	}
	name, _ := inner[0].Value.(string)
	verbosity, _ := lookup(cmd, "verbosity").(string)
	var q query
	var err error
	wrap := ""
	switch inner[0].Key {
	case "find":
		q, err = findQuery(inner, "filter")
	case "count":
		q, err = findQuery(inner, "query")
		wrap = "COUNT"
	case "distinct":
		q, err = findQuery(inner, "query")
		wrap = "DISTINCT"
	case "findAndModify", "findandmodify":
		q, err = findQuery(inner, "query")
		q.limit = 1
		wrap = "UPDATE"
		if truthy(lookup(inner, "remove")) {
			wrap = "DELETE"
		}
	case "update", "delete":
		list, _ := lookup(inner, inner[0].Key+"s").(primitive.A)
		if len(list) != 1 {
			return nil, errf(codeBadValue, "explain of %s needs exactly one statement", inner[0].Key)
		}
		st, _ := list[0].(primitive.D)
		q, err = findQuery(st, "q")
		if inner[0].Key == "update" && !truthy(lookup(st, "multi")) || inner[0].Key == "delete" && intOption(st, "limit") == 1 {
			q.limit = 1
		}
		wrap = "UPDATE"
		if inner[0].Key == "delete" {
			wrap = "DELETE"
		}
	case "aggregate":
		stages, perr := parsePipeline(inner)
		if perr != nil {
			return nil, perr
		}
		q, _, err = pushdown(stages)
	default:
		return nil, notSupported("explain of " + inner[0].Key)
	}
	if err != nil {
		return nil, err
	}
	ns := db + "." + name
	c := srv.st.collection(db, name)
	if c == nil {
		c = &collection{DB: db, Name: name} // no documents, no indexes
	}
	p := choosePlan(c, q.filter, q.sort, q.limit)
	winning := planStages(p, q)
	if wrap != "" {
		winning = primitive.D{{Key: "stage", Value: wrap}, {Key: "inputStage", Value: winning}}
	}
	reply := primitive.D{
		{Key: "explainVersion", Value: "1"},
		{Key: "queryPlanner", Value: primitive.D{
			{Key: "namespace", Value: ns},
			{Key: "parsedQuery", Value: q.filter},
			{Key: "winningPlan", Value: winning},
			{Key: "rejectedPlans", Value: primitive.A{}},
		}},
	}
	if verbosity != "queryPlanner" && c.ID != 0 {
		start := time.Now()
		results, stats, err := srv.st.runQuery(c, q)
		if err != nil {
			return nil, err
		}
		reply = append(reply, primitive.E{Key: "executionStats", Value: primitive.D{
			{Key: "executionSuccess", Value: true},
			{Key: "nReturned", Value: int32(len(results))},
			{Key: "executionTimeMillis", Value: int32(time.Since(start).Milliseconds())},
			{Key: "totalKeysExamined", Value: int32(stats.keysExamined)},
			{Key: "totalDocsExamined", Value: int32(stats.docsExamined)},
			{Key: "executionStages", Value: winning},
		}})
	}
	reply = append(reply, primitive.E{Key: "command", Value: inner})
	return ok(reply...), nil
}

func planStages(p plan, q query) primitive.D {
	s := scanStages(p, q)
	if len(q.sort) > 0 && (!p.sortProvided || len(p.or) > 0) {
		pattern := primitive.D{}
		for _, k := range q.sort {
			dir := int32(1)
			if k.Desc {
				dir = -1
			}
			pattern = append(pattern, primitive.E{Key: k.Path, Value: dir})
		}
		// Branches that each yield the order, cut at skip+limit, are merged (SORT_MERGE);
		// otherwise everything that matched is sorted in memory (SORT).
		stage := "SORT"
		if len(p.or) > 0 && q.limit > 0 && allSorted(p.or) {
			stage = "SORT_MERGE"
		}
		s = primitive.D{{Key: "stage", Value: stage}, {Key: "sortPattern", Value: pattern}, {Key: "inputStage", Value: s}}
	}
	if q.skip > 0 {
		s = primitive.D{{Key: "stage", Value: "SKIP"}, {Key: "skipAmount", Value: q.skip}, {Key: "inputStage", Value: s}}
	}
	if q.limit > 0 {
		s = primitive.D{{Key: "stage", Value: "LIMIT"}, {Key: "limitAmount", Value: q.limit}, {Key: "inputStage", Value: s}}
	}
	return s
}

func allSorted(plans []plan) bool {
	for _, p := range plans {
		if !p.sortProvided {
			return false
		}
	}
	return true
}

// scanStages describes how a plan reads: COLLSCAN, FETCH over IXSCAN, or OR of those.
func scanStages(p plan, q query) primitive.D {
	var s primitive.D
	switch {
	case len(p.or) > 0:
		inputs := primitive.A{}
		for _, branch := range p.or {
			inputs = append(inputs, scanStages(branch, q))
		}
		return primitive.D{{Key: "stage", Value: "OR"}, {Key: "inputStages", Value: inputs}}
	case p.collscan:
		s = primitive.D{{Key: "stage", Value: "COLLSCAN"}, {Key: "filter", Value: q.filter}, {Key: "direction", Value: "forward"}}
	default:
		name, keys, unique, multikey := "_id_", idKeyFields, true, false
		if p.ix != nil {
			name, keys, unique, multikey = p.ix.Name, p.ix.Keys, p.ix.Unique, p.ix.Multikey
		}
		pattern := primitive.D{}
		for _, k := range keys {
			dir := int32(1)
			if k.Desc {
				dir = -1
			}
			pattern = append(pattern, primitive.E{Key: k.Path, Value: dir})
		}
		direction := "forward"
		if p.reverse {
			direction = "backward"
		}
		// MongoDB's notation for a field the scan does not narrow; narrowed fields are summarised.
		bounds := primitive.D{}
		for i, k := range keys {
			b := "[MinKey, MaxKey]"
			if i < p.boundedFields {
				b = "(bounded)"
			}
			bounds = append(bounds, primitive.E{Key: k.Path, Value: primitive.A{b}})
		}
		s = primitive.D{{Key: "stage", Value: "FETCH"}, {Key: "filter", Value: q.filter}, {Key: "inputStage", Value: primitive.D{
			{Key: "stage", Value: "IXSCAN"},
			{Key: "keyPattern", Value: pattern},
			{Key: "indexBounds", Value: bounds},
			{Key: "indexName", Value: name},
			{Key: "isMultiKey", Value: multikey},
			{Key: "isUnique", Value: unique},
			{Key: "direction", Value: direction},
			{Key: "keyIntervals", Value: int32(len(p.intervals))},
		}}}
	}
	return s
}
