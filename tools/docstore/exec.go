package main

import (
	"sort"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

type query struct {
	filter primitive.D
	sort   []sortKey
	skip   int64
	limit  int64 // 0 = no limit
}

type found struct {
	id  []byte
	raw []byte
	doc primitive.D
}

type queryStats struct {
	plan         plan
	keysExamined int64
	docsExamined int64
}

// unbounded is above every key: no encoded key starts with 0xFF.
var unbounded = []byte{0xFF}

const scanPage = 256

// runQuery returns the documents matching q in q's order, after skip and limit.
func (s *storage) runQuery(c *collection, q query) ([]found, queryStats, error) {
	match, err := compileFilter(q.filter)
	if err != nil {
		return nil, queryStats{}, err
	}
	p := choosePlan(c, q.filter, q.sort, q.limit)
	stats := queryStats{plan: p}
	var out []found
	seen := map[string]bool{}
	branches := []plan{p}
	if len(p.or) > 0 {
		branches = p.or
	}
	for _, branch := range branches {
		if err := s.scanPlan(c, branch, q, len(p.or) > 0, match, seen, &stats, &out); err != nil {
			return nil, stats, err
		}
	}
	if (!p.sortProvided || len(p.or) > 0) && len(q.sort) > 0 {
		sortFound(out, q.sort)
	}
	if q.skip > 0 {
		if q.skip >= int64(len(out)) {
			out = nil
		} else {
			out = out[q.skip:]
		}
	}
	if q.limit > 0 && int64(len(out)) > q.limit {
		out = out[:q.limit]
	}
	return out, stats, nil
}

// scanPlan reads one plan's intervals and appends the matching documents to out. A plan that
// yields the sort order stops once skip+limit documents of its own matched (for a branch of an OR
// plan, the union's first skip+limit are among its branches' first skip+limit).
func (s *storage) scanPlan(c *collection, p plan, q query, union bool, match matcher, seen map[string]bool,
	stats *queryStats, out *[]found) error {
	matched := 0
	enough := func() bool {
		return p.sortProvided && q.limit > 0 && int64(matched) >= q.skip+q.limit
	}
	dedupe := union || (p.ix != nil && (p.ix.Multikey || len(p.intervals) > 1))
	visit := func(id, raw []byte) (bool, error) {
		if dedupe {
			if seen[string(id)] {
				return true, nil
			}
			seen[string(id)] = true
		}
		stats.docsExamined++
		doc, err := decodeDoc(raw)
		if err != nil {
			return false, err
		}
		if match(doc) {
			*out = append(*out, found{id: id, raw: raw, doc: doc})
			matched++
		}
		return !enough(), nil
	}
	intervals := p.intervals
	if p.reverse {
		intervals = make([]interval, len(p.intervals))
		for i, iv := range p.intervals {
			intervals[len(p.intervals)-1-i] = iv
		}
	}
	for _, iv := range intervals {
		more, err := s.scanInterval(c, p, iv, stats, visit)
		if err != nil {
			return err
		}
		if !more {
			break
		}
	}
	return nil
}

// scanInterval reads one key interval page by page, in the plan's direction, until visit says
// stop. It reports whether the caller should go on with the next interval.
func (s *storage) scanInterval(c *collection, p plan, iv interval, stats *queryStats,
	visit func(id, raw []byte) (bool, error)) (bool, error) {
	hi := iv.hi
	if hi == nil {
		hi = unbounded
	}
	var lastKey, lastID []byte
	for {
		rows, err := s.scanPage(c, p, iv.lo, hi, lastKey, lastID)
		if err != nil {
			return false, err
		}
		n := 0
		for rows.Next() {
			n++
			var key, id, raw []byte
			if p.ix != nil {
				err = rows.Scan(&key, &id, &raw)
			} else {
				err = rows.Scan(&id, &raw)
				key = id
			}
			if err != nil {
				rows.Close()
				return false, err
			}
			stats.keysExamined++
			lastKey, lastID = key, id
			more, err := visit(id, raw)
			if err != nil || !more {
				rows.Close()
				return false, err
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return false, err
		}
		if n < scanPage {
			return true, nil
		}
	}
}

type rowsLike interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

func (s *storage) scanPage(c *collection, p plan, lo, hi, lastKey, lastID []byte) (rowsLike, error) {
	first := lastKey == nil
	if p.ix == nil {
		switch {
		case first && !p.reverse:
			return s.query("SELECT id, doc FROM docs WHERE coll = ? AND id >= ? AND id < ? ORDER BY id LIMIT ?", c.ID, lo, hi, scanPage)
		case first:
			return s.query("SELECT id, doc FROM docs WHERE coll = ? AND id >= ? AND id < ? ORDER BY id DESC LIMIT ?", c.ID, lo, hi, scanPage)
		case !p.reverse:
			return s.query("SELECT id, doc FROM docs WHERE coll = ? AND id > ? AND id < ? ORDER BY id LIMIT ?", c.ID, lastKey, hi, scanPage)
		default:
			return s.query("SELECT id, doc FROM docs WHERE coll = ? AND id >= ? AND id < ? ORDER BY id DESC LIMIT ?", c.ID, lo, lastKey, scanPage)
		}
	}
	const sel = "SELECT e.key, e.id, d.doc FROM entries e JOIN docs d ON d.coll = ? AND d.id = e.id WHERE e.ix = ? AND e.key >= ? AND e.key < ?"
	switch {
	case first && !p.reverse:
		return s.query(sel+" ORDER BY e.key, e.id LIMIT ?", c.ID, p.ix.ID, lo, hi, scanPage)
	case first:
		return s.query(sel+" ORDER BY e.key DESC, e.id DESC LIMIT ?", c.ID, p.ix.ID, lo, hi, scanPage)
	case !p.reverse:
		return s.query(sel+" AND (e.key > ? OR (e.key = ? AND e.id > ?)) ORDER BY e.key, e.id LIMIT ?",
			c.ID, p.ix.ID, lo, hi, lastKey, lastKey, lastID, scanPage)
	default:
		return s.query(sel+" AND (e.key < ? OR (e.key = ? AND e.id < ?)) ORDER BY e.key DESC, e.id DESC LIMIT ?",
			c.ID, p.ix.ID, lo, hi, lastKey, lastKey, lastID, scanPage)
	}
}

// sortValue is the value a document sorts by for one key: for an array, its smallest element
// ascending and its largest descending, as MongoDB does.
func sortValue(doc primitive.D, k sortKey) any {
	var best any = missing
	first := true
	for _, v := range resolve(doc, k.Path) {
		candidates := []any{v}
		if arr, ok := v.(primitive.A); ok && len(arr) > 0 {
			candidates = arr
		}
		for _, x := range candidates {
			if first {
				best, first = x, false
				continue
			}
			c := compareValues(x, best)
			if (!k.Desc && c < 0) || (k.Desc && c > 0) {
				best = x
			}
		}
	}
	return best
}

func compareBySort(a, b primitive.D, spec []sortKey) int {
	for _, k := range spec {
		c := compareValues(sortValue(a, k), sortValue(b, k))
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func sortFound(list []found, spec []sortKey) {
	sort.SliceStable(list, func(i, j int) bool { return compareBySort(list[i].doc, list[j].doc, spec) < 0 })
}

func parseSort(v any) ([]sortKey, error) {
	if v == nil || v == missing {
		return nil, nil
	}
	d, ok := v.(primitive.D)
	if !ok {
		return nil, errf(codeBadValue, "sort must be an object")
	}
	spec := make([]sortKey, 0, len(d))
	for _, e := range d {
		dir, isNum := toFloat(e.Value)
		if !isNum || (dir != 1 && dir != -1) {
			return nil, notSupported("sort value " + showValue(e.Value) + " for " + e.Key)
		}
		spec = append(spec, sortKey{Path: e.Key, Desc: dir < 0})
	}
	return spec, nil
}
