package main

import (
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

// resolve returns the values a dotted path reaches in a document, as MongoDB's query language sees
// them: an array met on the way is traversed element by element (and a numeric part may index it).
// The leaf value is returned as it is, arrays included; a path that reaches nothing yields missing.
func resolve(v any, path string) []any {
	return resolveParts(v, strings.Split(path, "."))
}

func resolveParts(v any, parts []string) []any {
	if len(parts) == 0 {
		return []any{v}
	}
	head, rest := parts[0], parts[1:]
	switch x := v.(type) {
	case primitive.D:
		return resolveParts(lookup(x, head), rest)
	case primitive.A:
		var out []any
		if i, err := strconv.Atoi(head); err == nil && i >= 0 {
			if i < len(x) {
				out = append(out, resolveParts(x[i], rest)...)
			}
		}
		for _, el := range x {
			if d, ok := el.(primitive.D); ok {
				for _, found := range resolveParts(d, parts) {
					if found != missing {
						out = append(out, found)
					}
				}
			}
		}
		if len(out) == 0 {
			return []any{missing}
		}
		return out
	}
	return []any{missing}
}

// indexValues returns the values a document contributes to one index field: like resolve, with
// leaf arrays expanded into their elements (a multikey index has one entry per element). An empty
// array is indexed as undefined, as MongoDB does, so that the document still has an entry.
func indexValues(doc primitive.D, path string) (values []any, multikey bool) {
	for _, v := range resolve(doc, path) {
		arr, ok := v.(primitive.A)
		if !ok {
			values = append(values, v)
			continue
		}
		multikey = true
		if len(arr) == 0 {
			values = append(values, primitive.Undefined{})
			continue
		}
		values = append(values, arr...)
	}
	// A path through an array of documents also makes the index multikey.
	if len(values) > 1 {
		multikey = true
	}
	return dedupe(values), multikey
}

func dedupe(values []any) []any {
	if len(values) < 2 {
		return values
	}
	out := values[:0:0]
	for _, v := range values {
		dup := false
		for _, seen := range out {
			if typeClass(seen) == typeClass(v) && compareValues(seen, v) == 0 {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

// getPath returns the value at a dotted path through embedded documents only (no array
// traversal), for update operators and projections.
func getPath(doc primitive.D, path string) any {
	var cur any = doc
	for _, part := range strings.Split(path, ".") {
		switch x := cur.(type) {
		case primitive.D:
			cur = lookup(x, part)
		case primitive.A:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return missing
			}
			cur = x[i]
		default:
			return missing
		}
	}
	return cur
}

// setPath sets a dotted path, creating embedded documents on the way; it returns the new document
// or an error when the path crosses a scalar.
func setPath(doc primitive.D, path string, value any) (primitive.D, error) {
	parts := strings.Split(path, ".")
	out, err := setIn(doc, parts, value, path)
	if err != nil {
		return nil, err
	}
	return out.(primitive.D), nil
}

func setIn(container any, parts []string, value any, path string) (any, error) {
	head, rest := parts[0], parts[1:]
	switch x := container.(type) {
	case primitive.D:
		for i := range x {
			if x[i].Key == head {
				if len(rest) == 0 {
					x[i].Value = value
					return x, nil
				}
				child := x[i].Value
				if child == nil || child == missing {
					child = primitive.D{}
				}
				updated, err := setIn(child, rest, value, path)
				if err != nil {
					return nil, err
				}
				x[i].Value = updated
				return x, nil
			}
		}
		if len(rest) == 0 {
			return append(x, primitive.E{Key: head, Value: value}), nil
		}
		child, err := setIn(primitive.D{}, rest, value, path)
		if err != nil {
			return nil, err
		}
		return append(x, primitive.E{Key: head, Value: child}), nil
	case primitive.A:
		i, err := strconv.Atoi(head)
		if err != nil || i < 0 {
			return nil, errf(codeBadValue, "cannot create field '%s' in array for path '%s'", head, path)
		}
		for len(x) <= i {
			x = append(x, nil)
		}
		if len(rest) == 0 {
			x[i] = value
			return x, nil
		}
		child := x[i]
		if child == nil {
			child = primitive.D{}
		}
		updated, err := setIn(child, rest, value, path)
		if err != nil {
			return nil, err
		}
		x[i] = updated
		return x, nil
	}
	return nil, errf(codePathNotViable, "cannot create field '%s' in a non-document for path '%s'", head, path)
}

// unsetPath removes a dotted path if it exists (array elements become null, as in MongoDB).
func unsetPath(doc primitive.D, path string) primitive.D {
	parts := strings.Split(path, ".")
	out, _ := unsetIn(doc, parts).(primitive.D)
	return out
}

func unsetIn(container any, parts []string) any {
	head, rest := parts[0], parts[1:]
	switch x := container.(type) {
	case primitive.D:
		for i := range x {
			if x[i].Key != head {
				continue
			}
			if len(rest) == 0 {
				return append(x[:i:i], x[i+1:]...)
			}
			x[i].Value = unsetIn(x[i].Value, rest)
			return x
		}
	case primitive.A:
		i, err := strconv.Atoi(head)
		if err != nil || i < 0 || i >= len(x) {
			return x
		}
		if len(rest) == 0 {
			x[i] = nil
			return x
		}
		x[i] = unsetIn(x[i], rest)
		return x
	}
	return container
}
