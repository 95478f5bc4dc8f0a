package main

import (
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
)

// parseIndexSpec reads one entry of createIndexes' `indexes`. Options that would change what the
// application can rely on (TTL expiry, partial or special indexes) are refused, not ignored.
func parseIndexSpec(spec primitive.D) (*index, error) {
	ix := &index{Spec: spec}
	for _, e := range spec {
		switch e.Key {
		case "key":
			key, ok := e.Value.(primitive.D)
			if !ok || len(key) == 0 {
				return nil, errf(codeFailedToParse, "index key must be a non-empty object")
			}
			for _, k := range key {
				dir, isNum := toFloat(k.Value)
				if !isNum || (dir != 1 && dir != -1) {
					return nil, notSupported(fmt.Sprintf("index type %v on %s", k.Value, k.Key))
				}
				ix.Keys = append(ix.Keys, keyField{Path: k.Key, Desc: dir < 0})
			}
		case "name":
			ix.Name, _ = e.Value.(string)
		case "unique":
			ix.Unique = truthy(e.Value)
		case "sparse":
			ix.Sparse = truthy(e.Value)
		case "background", "v", "ns":
		case "expireAfterSeconds":
			return nil, notSupported("TTL index (expireAfterSeconds)")
		case "partialFilterExpression":
			return nil, notSupported("partial index (partialFilterExpression)")
		default:
			return nil, notSupported("index option " + e.Key)
		}
	}
	if len(ix.Keys) == 0 {
		return nil, errf(codeFailedToParse, "index spec has no key")
	}
	if ix.Name == "" {
		ix.Name = defaultIndexName(ix.Keys)
	}
	return ix, nil
}

func defaultIndexName(keys []keyField) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		dir := "1"
		if k.Desc {
			dir = "-1"
		}
		parts[i] = k.Path + "_" + dir
	}
	return strings.Join(parts, "_")
}

func sameKeys(a, b []keyField) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// createIndex adds an index and fills it from the documents already stored. An index that exists
// with the same key and options is a no-op, as in MongoDB.
func (s *storage) createIndex(c *collection, ix *index) (created bool, err error) {
	if ix.Name == "_id_" || (len(ix.Keys) == 1 && ix.Keys[0].Path == "_id" && !ix.Keys[0].Desc) {
		return false, nil
	}
	for _, existing := range c.Indexes {
		switch {
		case existing.Name == ix.Name && sameKeys(existing.Keys, ix.Keys):
			if existing.Unique != ix.Unique || existing.Sparse != ix.Sparse {
				return false, errf(codeIndexOptionsConfl, "index %s exists with different options", ix.Name)
			}
			return false, nil
		case existing.Name == ix.Name:
			return false, errf(codeIndexKeySpecsConf, "an index named %s exists with a different key", ix.Name)
		case sameKeys(existing.Keys, ix.Keys) && existing.Unique == ix.Unique && existing.Sparse == ix.Sparse:
			return false, errf(codeIndexOptionsConfl, "index with the same key exists as %s", existing.Name)
		}
	}
	spec, err := bson.Marshal(ix.Spec)
	if err != nil {
		return false, err
	}
	if ix.ID, err = s.exec("INSERT INTO indexes (coll, name, spec) VALUES (?, ?, ?)", c.ID, ix.Name, spec); err != nil {
		return false, err
	}
	err = s.forEachDoc(c, func(id []byte, doc primitive.D) error {
		keys, multikey, err := indexKeys(ix, doc)
		if err != nil {
			return err
		}
		if multikey {
			ix.Multikey = true
		}
		for _, k := range keys {
			if ix.Unique {
				taken, err := s.keyTaken(ix, k, id)
				if err != nil {
					return err
				}
				if taken {
					return duplicateKeyError(c, ix, doc)
				}
			}
			if _, err := s.exec("INSERT OR IGNORE INTO entries (ix, key, id) VALUES (?, ?, ?)", ix.ID, k, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	if ix.Multikey {
		if _, err := s.exec("UPDATE indexes SET multikey = 1 WHERE id = ?", ix.ID); err != nil {
			return false, err
		}
	}
	c.Indexes = append(c.Indexes, ix)
	return true, nil
}

func (s *storage) dropIndex(c *collection, name string) error {
	for i, ix := range c.Indexes {
		if ix.Name != name {
			continue
		}
		if _, err := s.exec("DELETE FROM entries WHERE ix = ?", ix.ID); err != nil {
			return err
		}
		if _, err := s.exec("DELETE FROM indexes WHERE id = ?", ix.ID); err != nil {
			return err
		}
		c.Indexes = append(c.Indexes[:i:i], c.Indexes[i+1:]...)
		return nil
	}
	return errf(codeIndexNotFound, "index not found with name [%s]", name)
}

// forEachDoc visits every document of a collection in _id order, reading in pages so that the
// visitor may write.
func (s *storage) forEachDoc(c *collection, visit func(id []byte, doc primitive.D) error) error {
	var after []byte
	for {
		page, err := s.docPage(c, after, 512)
		if err != nil {
			return err
		}
		for _, r := range page {
			doc, err := decodeDoc(r.raw)
			if err != nil {
				return err
			}
			if err := visit(r.id, doc); err != nil {
				return err
			}
		}
		if len(page) < 512 {
			return nil
		}
		after = page[len(page)-1].id
	}
}

type storedDoc struct {
	id  []byte
	raw []byte
}

func (s *storage) docPage(c *collection, after []byte, limit int) ([]storedDoc, error) {
	rows, err := s.query("SELECT id, doc FROM docs WHERE coll = ? AND id > ? ORDER BY id LIMIT ?", c.ID, orEmpty(after), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedDoc
	for rows.Next() {
		var d storedDoc
		if err := rows.Scan(&d.id, &d.raw); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func orEmpty(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func decodeDoc(raw []byte) (primitive.D, error) {
	var d primitive.D
	err := bson.Unmarshal(raw, &d)
	return d, err
}

func indexDescription(ix *index) primitive.D {
	key := primitive.D{}
	for _, k := range ix.Keys {
		dir := int32(1)
		if k.Desc {
			dir = -1
		}
		key = append(key, primitive.E{Key: k.Path, Value: dir})
	}
	d := primitive.D{{Key: "v", Value: int32(2)}, {Key: "key", Value: key}, {Key: "name", Value: ix.Name}}
	if ix.Unique {
		d = append(d, primitive.E{Key: "unique", Value: true})
	}
	if ix.Sparse {
		d = append(d, primitive.E{Key: "sparse", Value: true})
	}
	return d
}
