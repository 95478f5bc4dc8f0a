package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
)

// The store keeps every database in one SQLite file:
//
//	collections(id, db, name)                    one row per collection
//	indexes(id, coll, name, spec, multikey)      secondary indexes (the _id index is the docs table)
//	docs(coll, id, doc)                          documents as BSON, keyed by their encoded _id
//	entries(ix, key, id)                         index entries: encoded key -> document _id
//
// Both docs and entries are WITHOUT ROWID B-trees, so a lookup or a range of an index is one
// B-tree descent and a sequential read, whatever the size of the collection.
const schema = `
CREATE TABLE IF NOT EXISTS collections (id INTEGER PRIMARY KEY, db TEXT NOT NULL, name TEXT NOT NULL, UNIQUE (db, name));
CREATE TABLE IF NOT EXISTS indexes (id INTEGER PRIMARY KEY, coll INTEGER NOT NULL, name TEXT NOT NULL, spec BLOB NOT NULL, multikey INTEGER NOT NULL DEFAULT 0, UNIQUE (coll, name));
CREATE TABLE IF NOT EXISTS docs (coll INTEGER NOT NULL, id BLOB NOT NULL, doc BLOB NOT NULL, PRIMARY KEY (coll, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entries (ix INTEGER NOT NULL, key BLOB NOT NULL, id BLOB NOT NULL, PRIMARY KEY (ix, key, id)) WITHOUT ROWID;
`

type keyField struct {
	Path string
	Desc bool
}

type index struct {
	ID       int64
	Name     string
	Keys     []keyField
	Unique   bool
	Sparse   bool
	Multikey bool
	Spec     primitive.D // as given to createIndexes, for listIndexes
}

type collection struct {
	ID      int64
	DB      string
	Name    string
	Indexes []*index // secondary indexes; the _id index is implicit
}

func (c *collection) ns() string { return c.DB + "." + c.Name }

// storage is the SQLite side of the store. Callers hold the store's lock: one operation at a time
// on one connection, so a write command is atomic and sees its own earlier writes.
type storage struct {
	db    *sqliteDB
	colls map[string]*collection // by "db.name"
	inTx  bool
}

func openStorage(dir string, syncFull bool) (*storage, error) {
	db, err := openSQLite(filepath.Join(dir, "docstore.sqlite"))
	if err != nil {
		return nil, err
	}
	sync := "NORMAL"
	if syncFull {
		sync = "FULL"
	}
	// One process owns the file: exclusive locking spares the per-transaction lock calls.
	pragmas := []string{
		"PRAGMA locking_mode=EXCLUSIVE",
		"PRAGMA journal_mode=WAL",
		"PRAGMA synchronous=" + sync,
		"PRAGMA cache_size=-32768",
		"PRAGMA temp_store=MEMORY",
		"PRAGMA mmap_size=0",
	}
	for _, p := range append(pragmas, schema) {
		if err := db.execScript(p); err != nil {
			db.close()
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	s := &storage{db: db, colls: map[string]*collection{}}
	return s, s.loadCatalog()
}

func (s *storage) close() error {
	return s.db.close()
}

// exec runs a statement without rows and returns the rowid it inserted, if any.
func (s *storage) exec(query string, args ...any) (int64, error) {
	return s.db.exec(query, args...)
}

// query runs a statement; the caller reads it with Next/Scan and must Close it.
func (s *storage) query(query string, args ...any) (*sqliteStmt, error) {
	return s.db.statement(query, args...)
}

// inTransaction runs fn in one SQLite transaction (nested calls join the outer one).
func (s *storage) inTransaction(fn func() error) error {
	if s.inTx {
		return fn()
	}
	if _, err := s.exec("BEGIN IMMEDIATE"); err != nil {
		return err
	}
	s.inTx = true
	err := fn()
	s.inTx = false
	if err != nil {
		if _, rbErr := s.exec("ROLLBACK"); rbErr != nil {
			return errors.Join(err, rbErr)
		}
		// The in-memory catalog may hold collections or indexes the rollback undid.
		s.colls = map[string]*collection{}
		return errors.Join(err, s.loadCatalog())
	}
	_, err = s.exec("COMMIT")
	return err
}

func (s *storage) loadCatalog() error {
	rows, err := s.query("SELECT id, db, name FROM collections")
	if err != nil {
		return err
	}
	var list []*collection
	for rows.Next() {
		c := &collection{}
		if err := rows.Scan(&c.ID, &c.DB, &c.Name); err != nil {
			rows.Close()
			return err
		}
		list = append(list, c)
	}
	rows.Close()
	byID := map[int64]*collection{}
	for _, c := range list {
		s.colls[c.ns()] = c
		byID[c.ID] = c
	}
	rows, err = s.query("SELECT id, coll, name, spec, multikey FROM indexes ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, coll int64
		var name string
		var spec []byte
		var multikey bool
		if err := rows.Scan(&id, &coll, &name, &spec, &multikey); err != nil {
			return err
		}
		var d primitive.D
		if err := bson.Unmarshal(spec, &d); err != nil {
			return err
		}
		ix, err := parseIndexSpec(d)
		if err != nil {
			return err
		}
		ix.ID, ix.Multikey = id, multikey
		if c := byID[coll]; c != nil {
			c.Indexes = append(c.Indexes, ix)
		}
	}
	return rows.Err()
}

func (s *storage) collection(db, name string) *collection {
	return s.colls[db+"."+name]
}

// ensureCollection returns the collection, creating it (implicitly, as MongoDB does) if needed.
func (s *storage) ensureCollection(db, name string) (*collection, bool, error) {
	if c := s.collection(db, name); c != nil {
		return c, false, nil
	}
	if err := validateNamespace(db, name); err != nil {
		return nil, false, err
	}
	id, err := s.exec("INSERT INTO collections (db, name) VALUES (?, ?)", db, name)
	if err != nil {
		return nil, false, err
	}
	c := &collection{ID: id, DB: db, Name: name}
	s.colls[c.ns()] = c
	return c, true, nil
}

func validateNamespace(db, name string) error {
	if db == "" || strings.ContainsAny(db, "/\\. \"$") {
		return errf(codeInvalidNamespace, "invalid database name: '%s'", db)
	}
	if name == "" || strings.HasPrefix(name, "system.") || strings.Contains(name, "$") {
		return errf(codeInvalidNamespace, "invalid collection name: '%s'", name)
	}
	return nil
}

func (s *storage) dropCollection(c *collection) error {
	for _, ix := range c.Indexes {
		if _, err := s.exec("DELETE FROM entries WHERE ix = ?", ix.ID); err != nil {
			return err
		}
	}
	for _, q := range []string{"DELETE FROM indexes WHERE coll = ?", "DELETE FROM docs WHERE coll = ?", "DELETE FROM collections WHERE id = ?"} {
		if _, err := s.exec(q, c.ID); err != nil {
			return err
		}
	}
	delete(s.colls, c.ns())
	return nil
}

func (s *storage) collectionsOf(db string) []*collection {
	var out []*collection
	for _, c := range s.colls {
		if c.DB == db {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *storage) databases() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range s.colls {
		if !seen[c.DB] {
			seen[c.DB] = true
			out = append(out, c.DB)
		}
	}
	sort.Strings(out)
	return out
}

// getDoc reads one document by its encoded _id.
func (s *storage) getDoc(c *collection, id []byte) ([]byte, error) {
	rows, err := s.query("SELECT doc FROM docs WHERE coll = ? AND id = ?", c.ID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	var raw []byte
	err = rows.Scan(&raw)
	return raw, err
}

// indexKeys returns the encoded keys a document has in an index (several for a multikey index).
func indexKeys(ix *index, doc primitive.D) (keys [][]byte, multikey bool, err error) {
	parts := make([][]any, len(ix.Keys))
	arrays, allMissing := 0, true
	for i, k := range ix.Keys {
		values, isMulti := indexValues(doc, k.Path)
		if isMulti {
			arrays++
			multikey = true
		}
		for _, v := range values {
			if v != missing {
				allMissing = false
			}
		}
		parts[i] = values
	}
	if arrays > 1 {
		return nil, false, errf(171, "cannot index parallel arrays in index %s", ix.Name)
	}
	if ix.Sparse && allMissing {
		return nil, multikey, nil
	}
	keys = [][]byte{nil}
	for i, values := range parts {
		var next [][]byte
		for _, prefix := range keys {
			for _, v := range values {
				if v == missing {
					v = nil
				}
				next = append(next, append(append([]byte(nil), prefix...), keyPart(v, ix.Keys[i].Desc)...))
			}
		}
		keys = next
	}
	return keys, multikey, nil
}

// putDoc writes a new or changed document and brings its index entries up to date. old is nil
// for an insert. A unique index that already holds one of the new keys for another document
// fails the write with E11000 before anything is written.
func (s *storage) putDoc(c *collection, id []byte, old, doc primitive.D, raw []byte) error {
	type change struct {
		ix       *index
		add, del [][]byte
	}
	changes := make([]change, 0, len(c.Indexes))
	for _, ix := range c.Indexes {
		newKeys, multikey, err := indexKeys(ix, doc)
		if err != nil {
			return err
		}
		var oldKeys [][]byte
		if old != nil {
			if oldKeys, _, err = indexKeys(ix, old); err != nil {
				return err
			}
		}
		add, del := diffKeys(oldKeys, newKeys)
		if ix.Unique {
			for _, k := range add {
				if taken, err := s.keyTaken(ix, k, id); err != nil {
					return err
				} else if taken {
					return duplicateKeyError(c, ix, doc)
				}
			}
		}
		if multikey && !ix.Multikey {
			if _, err := s.exec("UPDATE indexes SET multikey = 1 WHERE id = ?", ix.ID); err != nil {
				return err
			}
			ix.Multikey = true
		}
		changes = append(changes, change{ix, add, del})
	}
	if old == nil {
		if _, err := s.exec("INSERT INTO docs (coll, id, doc) VALUES (?, ?, ?)", c.ID, id, raw); err != nil {
			if isConstraintError(err) {
				return duplicateIDError(c, doc)
			}
			return err
		}
	} else if _, err := s.exec("UPDATE docs SET doc = ? WHERE coll = ? AND id = ?", raw, c.ID, id); err != nil {
		return err
	}
	for _, ch := range changes {
		for _, k := range ch.del {
			if _, err := s.exec("DELETE FROM entries WHERE ix = ? AND key = ? AND id = ?", ch.ix.ID, k, id); err != nil {
				return err
			}
		}
		for _, k := range ch.add {
			if _, err := s.exec("INSERT OR IGNORE INTO entries (ix, key, id) VALUES (?, ?, ?)", ch.ix.ID, k, id); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *storage) keyTaken(ix *index, key, id []byte) (bool, error) {
	rows, err := s.query("SELECT id FROM entries WHERE ix = ? AND key = ? AND id <> ? LIMIT 1", ix.ID, key, id)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	return rows.Next(), rows.Err()
}

func (s *storage) deleteDoc(c *collection, id []byte, doc primitive.D) error {
	for _, ix := range c.Indexes {
		keys, _, err := indexKeys(ix, doc)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := s.exec("DELETE FROM entries WHERE ix = ? AND key = ? AND id = ?", ix.ID, k, id); err != nil {
				return err
			}
		}
	}
	_, err := s.exec("DELETE FROM docs WHERE coll = ? AND id = ?", c.ID, id)
	return err
}

func diffKeys(old, new [][]byte) (add, del [][]byte) {
	in := func(list [][]byte, k []byte) bool {
		for _, x := range list {
			if string(x) == string(k) {
				return true
			}
		}
		return false
	}
	for _, k := range new {
		if !in(old, k) {
			add = append(add, k)
		}
	}
	for _, k := range old {
		if !in(new, k) {
			del = append(del, k)
		}
	}
	return add, del
}

func duplicateKeyError(c *collection, ix *index, doc primitive.D) error {
	pattern := primitive.D{}
	value := primitive.D{}
	var shown []string
	for _, k := range ix.Keys {
		dir := int32(1)
		if k.Desc {
			dir = -1
		}
		pattern = append(pattern, primitive.E{Key: k.Path, Value: dir})
		v := getPath(doc, k.Path)
		if v == missing {
			v = nil
		}
		value = append(value, primitive.E{Key: k.Path, Value: v})
		shown = append(shown, fmt.Sprintf("%s: %s", k.Path, showValue(v)))
	}
	return &commandError{
		Code: codeDuplicateKey,
		Message: fmt.Sprintf("E11000 duplicate key error collection: %s index: %s dup key: { %s }",
			c.ns(), ix.Name, strings.Join(shown, ", ")),
		Extra: []any{"keyPattern", pattern, "keyValue", value},
	}
}

func duplicateIDError(c *collection, doc primitive.D) error {
	id := lookup(doc, "_id")
	return &commandError{
		Code: codeDuplicateKey,
		Message: fmt.Sprintf("E11000 duplicate key error collection: %s index: _id_ dup key: { _id: %s }",
			c.ns(), showValue(id)),
		Extra: []any{"keyPattern", primitive.D{{Key: "_id", Value: int32(1)}}, "keyValue", primitive.D{{Key: "_id", Value: id}}},
	}
}

func showValue(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%v", v)
}
