package main

import (
	"bytes"
	"errors"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
)

const defaultBatchSize = 101

func intOption(cmd primitive.D, key string) int64 {
	f, _ := toFloat(lookup(cmd, key))
	return int64(f)
}

func docOption(cmd primitive.D, key string) (primitive.D, error) {
	switch v := lookup(cmd, key).(type) {
	case primitive.D:
		return v, nil
	case missingValue, nil:
		return primitive.D{}, nil
	}
	return nil, errf(codeTypeMismatch, "%s must be an object", key)
}

// cursorReply answers with the first batch and keeps the rest for getMore.
func (srv *server) cursorReply(ns string, docs []primitive.D, cmd primitive.D) (primitive.D, error) {
	raws := make([]bson.Raw, len(docs))
	for i, d := range docs {
		raw, err := bson.Marshal(d)
		if err != nil {
			return nil, err
		}
		raws[i] = raw
	}
	batch := defaultBatchSize
	if c, isDoc := lookup(cmd, "cursor").(primitive.D); isDoc {
		if n := intOption(c, "batchSize"); n > 0 {
			batch = int(n)
		}
	}
	return srv.rawCursorReply(ns, raws, batch, false), nil
}

func (srv *server) rawCursorReply(ns string, docs []bson.Raw, batch int, single bool) primitive.D {
	first, rest := splitBatch(docs, batch)
	var id int64
	if len(rest) > 0 && !single {
		srv.nextCursor++
		id = srv.nextCursor
		srv.cursors[id] = &cursor{ns: ns, docs: rest, lastUsed: time.Now()}
	}
	return ok(primitive.E{Key: "cursor", Value: primitive.D{
		{Key: "firstBatch", Value: rawArray(first)},
		{Key: "id", Value: id},
		{Key: "ns", Value: ns},
	}})
}

// splitBatch takes up to n documents, and fewer when they would exceed the 16 MB reply limit.
func splitBatch(docs []bson.Raw, n int) (batch, rest []bson.Raw) {
	size := 0
	for i, d := range docs {
		if i >= n || (i > 0 && size+len(d) > maxBSONSize-16*1024) {
			return docs[:i], docs[i:]
		}
		size += len(d)
	}
	return docs, nil
}

func rawArray(docs []bson.Raw) primitive.A {
	a := make(primitive.A, len(docs))
	for i, d := range docs {
		a[i] = d
	}
	return a
}

func cmdGetMore(srv *server, _ string, cmd primitive.D) (primitive.D, error) {
	id, _ := asInt64(cmd[0].Value)
	c := srv.cursors[id]
	if c == nil {
		return nil, errf(codeCursorNotFound, "cursor id %d not found", id)
	}
	batch := int(intOption(cmd, "batchSize"))
	if batch <= 0 {
		batch = len(c.docs)
	}
	next, rest := splitBatch(c.docs, batch)
	c.docs, c.lastUsed = rest, time.Now()
	if len(rest) == 0 {
		delete(srv.cursors, id)
		id = 0
	}
	return ok(primitive.E{Key: "cursor", Value: primitive.D{
		{Key: "nextBatch", Value: rawArray(next)},
		{Key: "id", Value: id},
		{Key: "ns", Value: c.ns},
	}}), nil
}

func cmdKillCursors(srv *server, _ string, cmd primitive.D) (primitive.D, error) {
	killed := primitive.A{}
	if ids, isArray := lookup(cmd, "cursors").(primitive.A); isArray {
		for _, v := range ids {
			if id, isInt := asInt64(v); isInt {
				delete(srv.cursors, id)
				killed = append(killed, id)
			}
		}
	}
	return ok(primitive.E{Key: "cursorsKilled", Value: killed}, primitive.E{Key: "cursorsNotFound", Value: primitive.A{}}), nil
}

// findQuery reads filter, sort, skip and limit from a find-like command.
func findQuery(cmd primitive.D, filterKey string) (query, error) {
	filter, err := docOption(cmd, filterKey)
	if err != nil {
		return query{}, err
	}
	sortSpec, err := parseSort(lookup(cmd, "sort"))
	if err != nil {
		return query{}, err
	}
	limit := intOption(cmd, "limit")
	if limit < 0 {
		limit = -limit
	}
	if c, isDoc := lookup(cmd, "collation").(primitive.D); isDoc && lookup(c, "locale") != "simple" {
		return query{}, notSupported("collation")
	}
	return query{filter: filter, sort: sortSpec, skip: intOption(cmd, "skip"), limit: limit}, nil
}

func cmdFind(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	name, err := collName(cmd)
	if err != nil {
		return nil, err
	}
	q, err := findQuery(cmd, "filter")
	if err != nil {
		return nil, err
	}
	projection, err := docOption(cmd, "projection")
	if err != nil {
		return nil, err
	}
	ns := db + "." + name
	c := srv.st.collection(db, name)
	if c == nil {
		if _, err := compileFilter(q.filter); err != nil {
			return nil, err
		}
		return srv.rawCursorReply(ns, nil, defaultBatchSize, true), nil
	}
	results, _, err := srv.st.runQuery(c, q)
	if err != nil {
		return nil, err
	}
	docs, err := projectAll(results, projection)
	if err != nil {
		return nil, err
	}
	batch := defaultBatchSize
	if n := intOption(cmd, "batchSize"); n > 0 {
		batch = int(n)
	}
	single := truthy(lookup(cmd, "singleBatch")) || intOption(cmd, "limit") < 0
	return srv.rawCursorReply(ns, docs, batch, single), nil
}

func projectAll(results []found, projection primitive.D) ([]bson.Raw, error) {
	out := make([]bson.Raw, len(results))
	if len(projection) == 0 {
		for i, r := range results {
			out[i] = r.raw
		}
		return out, nil
	}
	for i, r := range results {
		d, err := project(r.doc, projection)
		if err != nil {
			return nil, err
		}
		if out[i], err = bson.Marshal(d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// project applies an inclusion or exclusion projection (dotted paths allowed, _id included
// unless excluded).
func project(doc primitive.D, projection primitive.D) (primitive.D, error) {
	inclusion, idIncluded := false, true
	var fields []string
	for _, e := range projection {
		if _, isDoc := e.Value.(primitive.D); isDoc || strings.HasPrefix(e.Key, "$") {
			return nil, notSupported("projection operator on " + e.Key)
		}
		on := truthy(e.Value)
		if e.Key == "_id" {
			idIncluded = on
			continue
		}
		if on {
			inclusion = true
		}
		fields = append(fields, e.Key)
	}
	if !inclusion {
		out := cloneDoc(doc)
		for _, f := range fields {
			out = unsetPath(out, f)
		}
		if !idIncluded {
			out = unsetPath(out, "_id")
		}
		return out, nil
	}
	out := primitive.D{}
	if idIncluded {
		if id := lookup(doc, "_id"); id != missing {
			out = append(out, primitive.E{Key: "_id", Value: id})
		}
	}
	for _, f := range fields {
		if v := getPath(doc, f); v != missing {
			var err error
			if out, err = setPath(out, f, v); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// writeError is one entry of a write command's writeErrors.
func writeError(index int, err error) (primitive.D, error) {
	var ce *commandError
	if !errors.As(err, &ce) {
		return nil, err // not the client's fault: fail the whole command
	}
	d := primitive.D{{Key: "index", Value: int32(index)}, {Key: "code", Value: int32(ce.Code)}, {Key: "errmsg", Value: ce.Message}}
	for i := 0; i+1 < len(ce.Extra); i += 2 {
		d = append(d, primitive.E{Key: ce.Extra[i].(string), Value: ce.Extra[i+1]})
	}
	return d, nil
}

func prepareNewDoc(doc primitive.D) (primitive.D, []byte, []byte, error) {
	for _, e := range doc {
		if strings.HasPrefix(e.Key, "$") {
			return nil, nil, nil, errf(codeBadValue, "field names cannot start with $: %s", e.Key)
		}
	}
	id := lookup(doc, "_id")
	if id == missing {
		id = primitive.NewObjectID()
		doc = append(primitive.D{{Key: "_id", Value: id}}, doc...)
	}
	if _, isArray := id.(primitive.A); isArray {
		return nil, nil, nil, errf(codeBadValue, "can't use an array for _id")
	}
	if _, isRegex := id.(primitive.Regex); isRegex {
		return nil, nil, nil, errf(codeBadValue, "can't use a regex for _id")
	}
	raw, err := bson.Marshal(doc)
	if err != nil {
		return nil, nil, nil, errf(codeBadValue, "%s", err.Error())
	}
	if len(raw) > maxBSONSize {
		return nil, nil, nil, errf(10334, "document is larger than the maximum size %d", maxBSONSize)
	}
	return doc, idKey(id), raw, nil
}

func cmdInsert(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	name, err := collName(cmd)
	if err != nil {
		return nil, err
	}
	docs, _ := lookup(cmd, "documents").(primitive.A)
	ordered := lookup(cmd, "ordered") != false
	var n int32
	writeErrors := primitive.A{}
	err = srv.st.inTransaction(func() error {
		c, _, err := srv.st.ensureCollection(db, name)
		if err != nil {
			return err
		}
		for i, item := range docs {
			doc, isDoc := item.(primitive.D)
			if !isDoc {
				return errf(codeBadValue, "documents must be objects")
			}
			doc, id, raw, err := prepareNewDoc(doc)
			if err == nil {
				err = srv.st.putDoc(c, id, nil, doc, raw)
			}
			if err != nil {
				we, fatal := writeError(i, err)
				if fatal != nil {
					return fatal
				}
				writeErrors = append(writeErrors, we)
				if ordered {
					break
				}
				continue
			}
			n++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	reply := ok(primitive.E{Key: "n", Value: n})
	if len(writeErrors) > 0 {
		reply = append(reply, primitive.E{Key: "writeErrors", Value: writeErrors})
	}
	return reply, nil
}

type updateSpec struct {
	filter primitive.D
	update primitive.D
	upsert bool
	multi  bool
	sort   []sortKey
}

type updateResult struct {
	matched, modified int
	upsertedID        any
	before, after     primitive.D // the last document changed (for findAndModify)
}

// applyOne runs one update statement: the matched documents change in place (their _id stays),
// or, with upsert and no match, a new document is made from the filter's equalities.
func (srv *server) applyOne(c *collection, u updateSpec) (updateResult, error) {
	var res updateResult
	for _, e := range u.update {
		if fields, isDoc := e.Value.(primitive.D); isDoc {
			for _, f := range fields {
				if strings.Contains(f.Key, ".$") {
					return res, notSupported("positional update operator in " + f.Key)
				}
			}
		}
	}
	limit := int64(1)
	if u.multi {
		limit = 0
	}
	matched, _, err := srv.st.runQuery(c, query{filter: u.filter, sort: u.sort, limit: limit})
	if err != nil {
		return res, err
	}
	for _, m := range matched {
		updated, err := applyUpdate(m.doc, u.update, false)
		if err != nil {
			return res, err
		}
		raw, err := bson.Marshal(updated)
		if err != nil {
			return res, err
		}
		res.matched++
		res.before, res.after = m.doc, updated
		if bytes.Equal(raw, m.raw) {
			continue
		}
		if len(raw) > maxBSONSize {
			return res, errf(10334, "document is larger than the maximum size")
		}
		if err := srv.st.putDoc(c, m.id, m.doc, updated, raw); err != nil {
			return res, err
		}
		res.modified++
	}
	if len(matched) > 0 || !u.upsert {
		return res, nil
	}
	seed, err := upsertSeed(u.filter)
	if err != nil {
		return res, err
	}
	created, err := applyUpdate(seed, u.update, true)
	if err != nil {
		return res, err
	}
	if !isOperatorUpdate(u.update) {
		if id := lookup(seed, "_id"); id != missing && lookup(created, "_id") == missing {
			created = append(primitive.D{{Key: "_id", Value: id}}, created...)
		}
	}
	created, id, raw, err := prepareNewDoc(created)
	if err != nil {
		return res, err
	}
	if err := srv.st.putDoc(c, id, nil, created, raw); err != nil {
		return res, err
	}
	res.upsertedID, res.after = lookup(created, "_id"), created
	return res, nil
}

func cmdUpdate(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	name, err := collName(cmd)
	if err != nil {
		return nil, err
	}
	statements, _ := lookup(cmd, "updates").(primitive.A)
	ordered := lookup(cmd, "ordered") != false
	var n, modified int32
	writeErrors, upserted := primitive.A{}, primitive.A{}
	err = srv.st.inTransaction(func() error {
		c, _, err := srv.st.ensureCollection(db, name)
		if err != nil {
			return err
		}
		for i, item := range statements {
			st, isDoc := item.(primitive.D)
			if !isDoc {
				return errf(codeBadValue, "updates must be objects")
			}
			spec, err := parseUpdateStatement(st)
			var res updateResult
			if err == nil {
				res, err = srv.applyOne(c, spec)
			}
			if err != nil {
				we, fatal := writeError(i, err)
				if fatal != nil {
					return fatal
				}
				writeErrors = append(writeErrors, we)
				if ordered {
					break
				}
				continue
			}
			n += int32(res.matched)
			modified += int32(res.modified)
			if res.upsertedID != nil {
				n++
				upserted = append(upserted, primitive.D{{Key: "index", Value: int32(i)}, {Key: "_id", Value: res.upsertedID}})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	reply := ok(primitive.E{Key: "n", Value: n}, primitive.E{Key: "nModified", Value: modified})
	if len(upserted) > 0 {
		reply = append(reply, primitive.E{Key: "upserted", Value: upserted})
	}
	if len(writeErrors) > 0 {
		reply = append(reply, primitive.E{Key: "writeErrors", Value: writeErrors})
	}
	return reply, nil
}

func parseUpdateStatement(st primitive.D) (updateSpec, error) {
	filter, err := docOption(st, "q")
	if err != nil {
		return updateSpec{}, err
	}
	if _, isArray := lookup(st, "u").(primitive.A); isArray {
		return updateSpec{}, notSupported("pipeline update")
	}
	update, err := docOption(st, "u")
	if err != nil {
		return updateSpec{}, err
	}
	if lookup(st, "arrayFilters") != missing {
		return updateSpec{}, notSupported("arrayFilters")
	}
	spec := updateSpec{filter: filter, update: update, upsert: truthy(lookup(st, "upsert")), multi: truthy(lookup(st, "multi"))}
	if spec.multi && !isOperatorUpdate(update) && len(update) > 0 {
		return spec, errf(codeFailedToParse, "multi update is not supported for replacement-style update")
	}
	return spec, nil
}

func cmdDelete(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	name, err := collName(cmd)
	if err != nil {
		return nil, err
	}
	statements, _ := lookup(cmd, "deletes").(primitive.A)
	var n int32
	c := srv.st.collection(db, name)
	err = srv.st.inTransaction(func() error {
		for _, item := range statements {
			st, isDoc := item.(primitive.D)
			if !isDoc {
				return errf(codeBadValue, "deletes must be objects")
			}
			filter, err := docOption(st, "q")
			if err != nil {
				return err
			}
			if c == nil {
				if _, err := compileFilter(filter); err != nil {
					return err
				}
				continue
			}
			matched, _, err := srv.st.runQuery(c, query{filter: filter, limit: intOption(st, "limit")})
			if err != nil {
				return err
			}
			for _, m := range matched {
				if err := srv.st.deleteDoc(c, m.id, m.doc); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ok(primitive.E{Key: "n", Value: n}), nil
}

func cmdFindAndModify(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	name, err := collName(cmd)
	if err != nil {
		return nil, err
	}
	q, err := findQuery(cmd, "query")
	if err != nil {
		return nil, err
	}
	fields, err := docOption(cmd, "fields")
	if err != nil {
		return nil, err
	}
	remove, returnNew := truthy(lookup(cmd, "remove")), truthy(lookup(cmd, "new"))
	var value any
	lastError := primitive.D{}
	err = srv.st.inTransaction(func() error {
		c, _, err := srv.st.ensureCollection(db, name)
		if err != nil {
			return err
		}
		if remove {
			matched, _, err := srv.st.runQuery(c, query{filter: q.filter, sort: q.sort, limit: 1})
			if err != nil || len(matched) == 0 {
				lastError = primitive.D{{Key: "n", Value: int32(0)}}
				return err
			}
			lastError = primitive.D{{Key: "n", Value: int32(1)}}
			value = matched[0].doc
			return srv.st.deleteDoc(c, matched[0].id, matched[0].doc)
		}
		update, err := docOption(cmd, "update")
		if err != nil {
			return err
		}
		res, err := srv.applyOne(c, updateSpec{filter: q.filter, update: update, upsert: truthy(lookup(cmd, "upsert")), sort: q.sort})
		if err != nil {
			return err
		}
		lastError = primitive.D{{Key: "n", Value: int32(res.matched)}, {Key: "updatedExisting", Value: res.matched > 0}}
		if res.upsertedID != nil {
			lastError = primitive.D{{Key: "n", Value: int32(1)}, {Key: "updatedExisting", Value: false}, {Key: "upserted", Value: res.upsertedID}}
		}
		switch {
		case returnNew && res.after != nil:
			value = res.after
		case !returnNew && res.upsertedID == nil && res.before != nil:
			value = res.before
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if d, isDoc := value.(primitive.D); isDoc && len(fields) > 0 {
		if value, err = project(d, fields); err != nil {
			return nil, err
		}
	}
	return ok(primitive.E{Key: "lastErrorObject", Value: lastError}, primitive.E{Key: "value", Value: value}), nil
}

func cmdCount(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	name, err := collName(cmd)
	if err != nil {
		return nil, err
	}
	q, err := findQuery(cmd, "query")
	if err != nil {
		return nil, err
	}
	c := srv.st.collection(db, name)
	if c == nil {
		return ok(primitive.E{Key: "n", Value: int32(0)}), nil
	}
	if len(q.filter) == 0 && q.skip == 0 && q.limit == 0 {
		n, err := srv.countDocs(c)
		return ok(primitive.E{Key: "n", Value: int32(n)}), err
	}
	results, _, err := srv.st.runQuery(c, q)
	if err != nil {
		return nil, err
	}
	return ok(primitive.E{Key: "n", Value: int32(len(results))}), nil
}

func cmdDistinct(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	name, err := collName(cmd)
	if err != nil {
		return nil, err
	}
	key, isString := lookup(cmd, "key").(string)
	if !isString {
		return nil, errf(codeBadValue, "distinct needs a key")
	}
	q, err := findQuery(cmd, "query")
	if err != nil {
		return nil, err
	}
	values := primitive.A{}
	if c := srv.st.collection(db, name); c != nil {
		results, _, err := srv.st.runQuery(c, q)
		if err != nil {
			return nil, err
		}
		for _, r := range results {
			vals, _ := indexValues(r.doc, key)
			for _, v := range vals {
				if v != missing && !containsValue(values, v) {
					values = append(values, v)
				}
			}
		}
	}
	return ok(primitive.E{Key: "values", Value: values}), nil
}
