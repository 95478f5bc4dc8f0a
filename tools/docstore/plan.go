package main

import (
	"strings"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

// The planner turns the indexable part of a filter (equalities, $in and ranges on top-level
// AND-ed fields) into key intervals of one index, and says whether scanning them yields the
// requested sort order. Everything else in the filter is checked by the matcher on each document
// read, so the plan only decides how much is read, never what matches.

// fieldPreds are the indexable conditions on one field.
type fieldPreds struct {
	points []any // equality / $in values
	rng    *valueRange
}

type valueRange struct {
	lo, hi         any
	hasLo, hasHi   bool
	loIncl, hiIncl bool
}

// sortKey is one field of a sort specification.
type sortKey struct {
	Path string
	Desc bool
}

type interval struct{ lo, hi []byte } // [lo, hi) in key space; hi nil = unbounded

type plan struct {
	ix           *index // nil: the _id order of the docs table
	intervals    []interval
	reverse      bool
	sortProvided bool
	collscan     bool
	// bounded: some condition of the filter limits the key intervals (not only the sort order).
	bounded bool
	// boundedFields: how many leading index fields the intervals constrain.
	boundedFields int
	score   int
	// or holds one plan per branch of a top-level $or (the union of their results is sorted
	// afterwards); empty for an ordinary plan.
	or []plan
}

// maxPoints bounds the intervals one plan may scan (a huge $in reads the collection instead).
const maxPoints = 1000

func indexablePredicates(filter primitive.D) map[string]*fieldPreds {
	preds := map[string]*fieldPreds{}
	var walk func(f primitive.D)
	walk = func(f primitive.D) {
		for _, e := range f {
			if e.Key == "$and" {
				if list, ok := e.Value.(primitive.A); ok {
					for _, item := range list {
						if d, ok := item.(primitive.D); ok {
							walk(d)
						}
					}
				}
				continue
			}
			if strings.HasPrefix(e.Key, "$") {
				continue
			}
			p := preds[e.Key]
			if p == nil {
				p = &fieldPreds{}
			}
			if addPredicates(p, e.Value) {
				preds[e.Key] = p
			}
		}
	}
	walk(filter)
	return preds
}

func indexableValue(v any) bool {
	switch v.(type) {
	case primitive.A, primitive.Regex, missingValue:
		return false
	}
	return true
}

func addPredicates(p *fieldPreds, value any) bool {
	ops, isOps := isOperatorDoc(value)
	if !isOps {
		if !indexableValue(value) {
			return false
		}
		p.points = []any{value}
		return true
	}
	used := false
	for _, op := range ops {
		switch op.Key {
		case "$eq":
			if indexableValue(op.Value) {
				p.points, used = []any{op.Value}, true
			}
		case "$in":
			list, ok := op.Value.(primitive.A)
			if !ok || len(list) > maxPoints || p.points != nil {
				continue
			}
			all := true
			for _, v := range list {
				all = all && indexableValue(v)
			}
			if all {
				p.points, used = append([]any{}, list...), true
			}
		case "$gt", "$gte", "$lt", "$lte":
			if !indexableValue(op.Value) || op.Value == nil {
				continue
			}
			if p.rng == nil {
				p.rng = &valueRange{}
			}
			r := p.rng
			switch op.Key {
			case "$gt", "$gte":
				if !r.hasLo || compareValues(op.Value, r.lo) > 0 {
					r.lo, r.hasLo, r.loIncl = op.Value, true, op.Key == "$gte"
				}
			default:
				if !r.hasHi || compareValues(op.Value, r.hi) < 0 {
					r.hi, r.hasHi, r.hiIncl = op.Value, true, op.Key == "$lte"
				}
			}
			used = true
		}
	}
	if p.rng != nil && p.rng.hasLo && p.rng.hasHi && typeClass(p.rng.lo) != typeClass(p.rng.hi) {
		p.rng.hasHi = false // bracketed by the lower bound's type; the matcher does the rest
	}
	return used
}

func concat(a, b []byte) []byte {
	out := make([]byte, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

// componentRange returns the key interval of keys prefix+component whose component value lies
// in r (for a descending field the inverted encoding reverses the order).
func componentRange(prefix []byte, r *valueRange, desc bool) interval {
	class := 0
	if r.hasLo {
		class = typeClass(r.lo)
	} else {
		class = typeClass(r.hi)
	}
	classStart := []byte{byte(class)}
	if desc {
		classStart[0] = ^classStart[0]
	}
	whole := interval{concat(prefix, classStart), prefixEnd(concat(prefix, classStart))}
	enc := func(v any) []byte { return concat(prefix, keyPart(v, desc)) }
	out := whole
	if !desc {
		if r.hasLo {
			if r.loIncl {
				out.lo = enc(r.lo)
			} else {
				out.lo = prefixEnd(enc(r.lo))
			}
		}
		if r.hasHi {
			if r.hiIncl {
				out.hi = prefixEnd(enc(r.hi))
			} else {
				out.hi = enc(r.hi)
			}
		}
		return out
	}
	if r.hasHi {
		if r.hiIncl {
			out.lo = enc(r.hi)
		} else {
			out.lo = prefixEnd(enc(r.hi))
		}
	}
	if r.hasLo {
		if r.loIncl {
			out.hi = prefixEnd(enc(r.lo))
		} else {
			out.hi = enc(r.lo)
		}
	}
	return out
}

// planFor builds the plan of one index (keys; nil index = the _id order) for the predicates.
func planFor(ix *index, keys []keyField, unique bool, preds map[string]*fieldPreds, sortSpec []sortKey, multikey bool) plan {
	p := plan{ix: ix}
	prefixes := [][]byte{{}}
	eqFields := map[string]bool{}    // fields bounded by equality or $in
	fixedFields := map[string]bool{} // fields with a single value: constant in the output
	used := 0
	var rangeIntervals []interval
	for _, k := range keys {
		fp := preds[k.Path]
		if fp == nil {
			break
		}
		if fp.points != nil && len(prefixes)*len(fp.points) <= maxPoints {
			points := dedupe(fp.points)
			var next [][]byte
			for _, pre := range prefixes {
				for _, v := range points {
					next = append(next, concat(pre, keyPart(v, k.Desc)))
				}
			}
			prefixes = next
			eqFields[k.Path] = true
			fixedFields[k.Path] = len(points) == 1
			used++
			continue
		}
		if fp.rng != nil && !multikey {
			for _, pre := range prefixes {
				rangeIntervals = append(rangeIntervals, componentRange(pre, fp.rng, k.Desc))
			}
			used++
		}
		break
	}
	if rangeIntervals != nil {
		p.intervals = rangeIntervals
	} else {
		for _, pre := range prefixes {
			p.intervals = append(p.intervals, interval{pre, prefixEnd(pre)})
		}
	}
	if len(prefixes) == 1 && len(prefixes[0]) == 0 && rangeIntervals == nil {
		p.intervals = []interval{{[]byte{}, nil}}
	}

	// The scan is in sort order when the sort fields (minus fields fixed by equality) follow the
	// index fields after the equality prefix, all in the index's direction or all reversed.
	remaining := make([]sortKey, 0, len(sortSpec))
	for _, s := range sortSpec {
		if !fixedFields[s.Path] {
			remaining = append(remaining, s)
		}
	}
	p.sortProvided = len(remaining) == 0
	if !p.sortProvided && len(p.intervals) == 1 && !multikey {
		start := 0
		for start < len(keys) && fixedFields[keys[start].Path] {
			start++
		}
		if start+len(remaining) <= len(keys) {
			forward, backward := true, true
			for i, s := range remaining {
				k := keys[start+i]
				if k.Path != s.Path {
					forward, backward = false, false
					break
				}
				forward = forward && k.Desc == s.Desc
				backward = backward && k.Desc != s.Desc
			}
			p.sortProvided = forward || backward
			p.reverse = backward && !forward
		}
	}

	p.bounded = used > 0
	p.boundedFields = used
	p.score = used * 4
	if unique && used == len(keys) && len(eqFields) == len(keys) {
		p.score += 100
	}
	if p.sortProvided && len(remaining) > 0 {
		p.score++
	}
	return p
}

var idKeyFields = []keyField{{Path: "_id"}}

// choosePlan picks the index that reads the fewest entries for a filter and sort, preferring
// (in order) a unique point lookup, more equality fields, a range, and a scan already in sort
// order; with nothing indexable it reads the whole collection.
func choosePlan(c *collection, filter primitive.D, sortSpec []sortKey, limit int64) plan {
	preds := indexablePredicates(filter)
	best := planFor(nil, idKeyFields, true, preds, sortSpec, false)
	for _, ix := range c.Indexes {
		if ix.Sparse {
			continue // a sparse index misses documents without the field
		}
		candidate := planFor(ix, ix.Keys, ix.Unique, preds, sortSpec, ix.Multikey)
		if candidate.score > best.score ||
			(candidate.score == best.score && candidate.score > 0 && len(candidate.intervals) < len(best.intervals)) {
			best = candidate
		}
	}
	if !best.bounded {
		if or, ok := orPlan(c, filter, sortSpec, limit); ok {
			return or
		}
		// Nothing bounds the scan. An index that yields the sort order is still read in that order
		// (a limit stops it early, and nothing is sorted in memory); otherwise everything is read.
		if best.sortProvided && len(sortSpec) > 0 {
			return best
		}
		best.collscan = true
	}
	return best
}

// orPlan answers a filter with a top-level $or by one index scan per branch (each branch ANDed
// with the filter's other conditions), when every branch has one; MongoDB's OR stage. Keyset
// pagination (`createdAt < c OR (createdAt = c AND _id < id)`) is the query that needs it.
func orPlan(c *collection, filter primitive.D, sortSpec []sortKey, limit int64) (plan, bool) {
	var branches primitive.A
	others := primitive.D{}
	for _, e := range filter {
		if e.Key == "$or" {
			if list, ok := e.Value.(primitive.A); ok && branches == nil {
				branches = list
				continue
			}
		}
		others = append(others, e)
	}
	if len(branches) == 0 {
		return plan{}, false
	}
	p := plan{bounded: true}
	for _, b := range branches {
		branch, ok := b.(primitive.D)
		if !ok {
			return plan{}, false
		}
		sub := choosePlan(c, append(append(primitive.D{}, others...), branch...), sortSpec, limit)
		if sub.collscan || len(sub.or) > 0 {
			return plan{}, false
		}
		p.or = append(p.or, sub)
	}
	return p, true
}
