package main

import (
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

// nsCounters are the per-collection figures of the `top` command (counts and microseconds).
type nsCounters struct {
	total, queries, getmore, insert, update, remove, commands counter
}

type counter struct{ count, micros int64 }

func (c *counter) add(d time.Duration) {
	c.count++
	c.micros += d.Microseconds()
}

func (c counter) doc() primitive.D {
	return primitive.D{{Key: "time", Value: c.micros}, {Key: "count", Value: c.count}}
}

// count records a command in the `top` figures of the collection it names.
func (srv *server) count(db, name string, cmd primitive.D, d time.Duration) {
	coll, _ := cmd[0].Value.(string)
	if name == "getMore" {
		coll, _ = lookup(cmd, "collection").(string)
	}
	if coll == "" {
		return
	}
	ns := db + "." + coll
	c := srv.top[ns]
	if c == nil {
		c = &nsCounters{}
		srv.top[ns] = c
	}
	c.total.add(d)
	switch name {
	case "find", "count", "distinct", "aggregate":
		c.queries.add(d)
	case "getMore":
		c.getmore.add(d)
	case "insert":
		c.insert.add(d)
	case "update":
		c.update.add(d)
	case "delete":
		c.remove.add(d)
	default:
		c.commands.add(d)
	}
}

func cmdTop(srv *server, _ string, _ primitive.D) (primitive.D, error) {
	totals := primitive.D{{Key: "note", Value: "all times in microseconds"}}
	for ns, c := range srv.top {
		totals = append(totals, primitive.E{Key: ns, Value: primitive.D{
			{Key: "total", Value: c.total.doc()},
			{Key: "readLock", Value: c.queries.doc()},
			{Key: "writeLock", Value: counter{c.insert.count + c.update.count + c.remove.count + c.commands.count,
				c.insert.micros + c.update.micros + c.remove.micros + c.commands.micros}.doc()},
			{Key: "queries", Value: c.queries.doc()},
			{Key: "getmore", Value: c.getmore.doc()},
			{Key: "insert", Value: c.insert.doc()},
			{Key: "update", Value: c.update.doc()},
			{Key: "remove", Value: c.remove.doc()},
			{Key: "commands", Value: c.commands.doc()},
		}})
	}
	return ok(primitive.E{Key: "totals", Value: totals}), nil
}

func cmdServerStatus(srv *server, _ string, _ primitive.D) (primitive.D, error) {
	var query, insert, update, remove, getmore, command int64
	for _, c := range srv.top {
		query += c.queries.count
		insert += c.insert.count
		update += c.update.count
		remove += c.remove.count
		getmore += c.getmore.count
		command += c.commands.count
	}
	return ok(
		primitive.E{Key: "version", Value: storeVersion},
		primitive.E{Key: "process", Value: "docstore"},
		primitive.E{Key: "uptime", Value: time.Since(srv.started).Seconds()},
		primitive.E{Key: "connections", Value: primitive.D{{Key: "current", Value: int32(srv.connections.Load())}}},
		primitive.E{Key: "opcounters", Value: primitive.D{
			{Key: "insert", Value: insert}, {Key: "query", Value: query}, {Key: "update", Value: update},
			{Key: "delete", Value: remove}, {Key: "getmore", Value: getmore}, {Key: "command", Value: command},
		}},
	), nil
}

func cmdListDatabases(srv *server, _ string, cmd primitive.D) (primitive.D, error) {
	list := primitive.A{}
	for _, db := range srv.st.databases() {
		list = append(list, primitive.D{{Key: "name", Value: db}, {Key: "sizeOnDisk", Value: int64(0)}, {Key: "empty", Value: false}})
	}
	if truthy(lookup(cmd, "nameOnly")) {
		for i, d := range list {
			list[i] = primitive.D{d.(primitive.D)[0]}
		}
	}
	return ok(primitive.E{Key: "databases", Value: list}, primitive.E{Key: "totalSize", Value: int64(0)}), nil
}

func cmdDropDatabase(srv *server, db string, _ primitive.D) (primitive.D, error) {
	err := srv.st.inTransaction(func() error {
		for _, c := range srv.st.collectionsOf(db) {
			if err := srv.st.dropCollection(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ok(primitive.E{Key: "dropped", Value: db}), nil
}

func collName(cmd primitive.D) (string, error) {
	name, isString := cmd[0].Value.(string)
	if !isString || name == "" {
		return "", errf(codeInvalidNamespace, "collection name must be a non-empty string")
	}
	return name, nil
}

func cmdCreate(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	name, err := collName(cmd)
	if err != nil {
		return nil, err
	}
	for _, opt := range []string{"capped", "timeseries", "viewOn", "validator", "clusteredIndex"} {
		if v := lookup(cmd, opt); v != missing && truthy(v) {
			return nil, notSupported("create option " + opt)
		}
	}
	if srv.st.collection(db, name) != nil {
		return nil, errf(codeNamespaceExists, "Collection %s.%s already exists.", db, name)
	}
	err = srv.st.inTransaction(func() error {
		_, _, err := srv.st.ensureCollection(db, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ok(), nil
}

func cmdDrop(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	name, err := collName(cmd)
	if err != nil {
		return nil, err
	}
	c := srv.st.collection(db, name)
	if c == nil {
		return nil, errf(codeNamespaceNotFound, "ns not found")
	}
	if err := srv.st.inTransaction(func() error { return srv.st.dropCollection(c) }); err != nil {
		return nil, err
	}
	return ok(primitive.E{Key: "ns", Value: c.ns()}, primitive.E{Key: "nIndexesWas", Value: int32(len(c.Indexes) + 1)}), nil
}

func idIndexDescription() primitive.D {
	return primitive.D{{Key: "v", Value: int32(2)}, {Key: "key", Value: primitive.D{{Key: "_id", Value: int32(1)}}}, {Key: "name", Value: "_id_"}}
}

func cmdListCollections(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	var match matcher = func(primitive.D) bool { return true }
	if f, isDoc := lookup(cmd, "filter").(primitive.D); isDoc {
		m, err := compileFilter(f)
		if err != nil {
			return nil, err
		}
		match = m
	}
	var docs []primitive.D
	for _, c := range srv.st.collectionsOf(db) {
		d := primitive.D{
			{Key: "name", Value: c.Name}, {Key: "type", Value: "collection"}, {Key: "options", Value: primitive.D{}},
			{Key: "info", Value: primitive.D{{Key: "readOnly", Value: false}}}, {Key: "idIndex", Value: idIndexDescription()},
		}
		if match(d) {
			if truthy(lookup(cmd, "nameOnly")) {
				d = d[:2]
			}
			docs = append(docs, d)
		}
	}
	return srv.cursorReply(db+".$cmd.listCollections", docs, cmd)
}

func cmdCreateIndexes(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	name, err := collName(cmd)
	if err != nil {
		return nil, err
	}
	specs, isArray := lookup(cmd, "indexes").(primitive.A)
	if !isArray || len(specs) == 0 {
		return nil, errf(codeBadValue, "indexes must be a non-empty array")
	}
	var before, after int
	var createdColl bool
	err = srv.st.inTransaction(func() error {
		c, created, err := srv.st.ensureCollection(db, name)
		if err != nil {
			return err
		}
		createdColl = created
		before = len(c.Indexes) + 1
		for _, s := range specs {
			spec, isDoc := s.(primitive.D)
			if !isDoc {
				return errf(codeBadValue, "index spec must be an object")
			}
			ix, err := parseIndexSpec(spec)
			if err != nil {
				return err
			}
			if _, err := srv.st.createIndex(c, ix); err != nil {
				return err
			}
		}
		after = len(c.Indexes) + 1
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ok(
		primitive.E{Key: "numIndexesBefore", Value: int32(before)},
		primitive.E{Key: "numIndexesAfter", Value: int32(after)},
		primitive.E{Key: "createdCollectionAutomatically", Value: createdColl},
	), nil
}

func cmdListIndexes(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	name, err := collName(cmd)
	if err != nil {
		return nil, err
	}
	c := srv.st.collection(db, name)
	if c == nil {
		return nil, errf(codeNamespaceNotFound, "ns does not exist: %s.%s", db, name)
	}
	docs := []primitive.D{idIndexDescription()}
	for _, ix := range c.Indexes {
		docs = append(docs, indexDescription(ix))
	}
	return srv.cursorReply(c.ns(), docs, cmd)
}

func cmdDropIndexes(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	name, err := collName(cmd)
	if err != nil {
		return nil, err
	}
	c := srv.st.collection(db, name)
	if c == nil {
		return nil, errf(codeNamespaceNotFound, "ns not found %s.%s", db, name)
	}
	was := len(c.Indexes) + 1
	var names []string
	switch v := lookup(cmd, "index").(type) {
	case string:
		if v == "*" {
			for _, ix := range c.Indexes {
				names = append(names, ix.Name)
			}
		} else {
			names = []string{v}
		}
	case primitive.A:
		for _, n := range v {
			if s, isString := n.(string); isString {
				names = append(names, s)
			}
		}
	case primitive.D:
		ix, err := parseIndexSpec(primitive.D{{Key: "key", Value: v}})
		if err != nil {
			return nil, err
		}
		names = []string{defaultIndexName(ix.Keys)}
		for _, existing := range c.Indexes {
			if sameKeys(existing.Keys, ix.Keys) {
				names = []string{existing.Name}
			}
		}
	default:
		return nil, errf(codeBadValue, "index must be a name, '*', a list of names or a key")
	}
	err = srv.st.inTransaction(func() error {
		for _, n := range names {
			if n == "_id_" {
				return errf(72, "cannot drop _id index")
			}
			if err := srv.st.dropIndex(c, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ok(primitive.E{Key: "nIndexesWas", Value: int32(was)}), nil
}

func (srv *server) countDocs(c *collection) (int64, error) {
	rows, err := srv.st.query("SELECT count(*) FROM docs WHERE coll = ?", c.ID)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		err = rows.Scan(&n)
	}
	return n, err
}

func cmdDBStats(srv *server, db string, _ primitive.D) (primitive.D, error) {
	var objects int64
	colls := srv.st.collectionsOf(db)
	indexes := 0
	for _, c := range colls {
		n, err := srv.countDocs(c)
		if err != nil {
			return nil, err
		}
		objects += n
		indexes += len(c.Indexes) + 1
	}
	return ok(
		primitive.E{Key: "db", Value: db},
		primitive.E{Key: "collections", Value: int32(len(colls))},
		primitive.E{Key: "objects", Value: objects},
		primitive.E{Key: "indexes", Value: int32(indexes)},
	), nil
}

func cmdCollStats(srv *server, db string, cmd primitive.D) (primitive.D, error) {
	name, err := collName(cmd)
	if err != nil {
		return nil, err
	}
	c := srv.st.collection(db, name)
	if c == nil {
		return nil, errf(codeNamespaceNotFound, "ns not found")
	}
	n, err := srv.countDocs(c)
	if err != nil {
		return nil, err
	}
	return ok(
		primitive.E{Key: "ns", Value: c.ns()},
		primitive.E{Key: "count", Value: n},
		primitive.E{Key: "nindexes", Value: int32(len(c.Indexes) + 1)},
	), nil
}
