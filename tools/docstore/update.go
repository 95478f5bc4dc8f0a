package main

import (
	"math"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

func isOperatorUpdate(u primitive.D) bool {
	return len(u) > 0 && strings.HasPrefix(u[0].Key, "$")
}

// applyUpdate returns the document after an update document (operators or a replacement).
// inserting is true when the document is being created by an upsert ($setOnInsert applies).
func applyUpdate(doc primitive.D, update primitive.D, inserting bool) (primitive.D, error) {
	id := lookup(doc, "_id")
	if !isOperatorUpdate(update) {
		for _, e := range update {
			if strings.HasPrefix(e.Key, "$") {
				return nil, errf(codeFailedToParse, "a replacement document cannot contain operator %s", e.Key)
			}
		}
		out := primitive.D{}
		if id != missing {
			out = append(out, primitive.E{Key: "_id", Value: id})
		}
		for _, e := range update {
			if e.Key == "_id" {
				if id != missing && !valuesEqual(e.Value, id) {
					return nil, errf(codeImmutableField, "the (immutable) field '_id' was found to have been altered")
				}
				if id == missing {
					out = append(out, e)
				}
				continue
			}
			out = append(out, e)
		}
		return out, nil
	}
	out := cloneDoc(doc)
	for _, op := range update {
		fields, ok := op.Value.(primitive.D)
		if !ok {
			return nil, errf(codeFailedToParse, "modifier %s needs an object", op.Key)
		}
		for _, f := range fields {
			if f.Key == "_id" || strings.HasPrefix(f.Key, "_id.") {
				if op.Key == "$setOnInsert" && inserting || op.Key == "$set" && valuesEqual(getPath(out, "_id"), f.Value) {
					if op.Key == "$setOnInsert" && id == missing {
						out = append(primitive.D{{Key: "_id", Value: f.Value}}, out...)
					}
					continue
				}
				return nil, errf(codeImmutableField, "performing an update on the path '_id' would modify the immutable field '_id'")
			}
			var err error
			out, err = applyOperator(out, op.Key, f.Key, f.Value, inserting)
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func applyOperator(doc primitive.D, op, path string, arg any, inserting bool) (primitive.D, error) {
	current := getPath(doc, path)
	switch op {
	case "$set":
		return setPath(doc, path, cloneValue(arg))
	case "$setOnInsert":
		if !inserting {
			return doc, nil
		}
		return setPath(doc, path, cloneValue(arg))
	case "$unset":
		return unsetPath(doc, path), nil
	case "$inc", "$mul":
		if typeClass(arg) != classNumber {
			return nil, errf(codeTypeMismatch, "cannot %s with non-numeric argument", op)
		}
		if current == missing {
			if op == "$mul" {
				return setPath(doc, path, zeroLike(arg))
			}
			return setPath(doc, path, arg)
		}
		if typeClass(current) != classNumber {
			return nil, errf(codeTypeMismatch, "cannot apply %s to a value of non-numeric type", op)
		}
		return setPath(doc, path, arithmetic(current, arg, op == "$mul"))
	case "$min", "$max":
		c := compareValues(arg, current)
		if current == missing || (op == "$min" && c < 0) || (op == "$max" && c > 0) {
			return setPath(doc, path, cloneValue(arg))
		}
		return doc, nil
	case "$currentDate":
		return setPath(doc, path, primitive.NewDateTimeFromTime(time.Now()))
	case "$rename":
		to, ok := arg.(string)
		if !ok {
			return nil, errf(codeBadValue, "$rename target must be a string")
		}
		if current == missing {
			return doc, nil
		}
		return setPath(unsetPath(doc, path), to, current)
	case "$push", "$addToSet":
		return pushValues(doc, op, path, current, arg)
	case "$pull", "$pullAll":
		return pullValues(doc, op, path, current, arg)
	case "$pop":
		arr, ok := current.(primitive.A)
		if current == missing {
			return doc, nil
		}
		if !ok {
			return nil, errf(codeTypeMismatch, "$pop needs an array")
		}
		if len(arr) == 0 {
			return doc, nil
		}
		if f, _ := toFloat(arg); f < 0 {
			return setPath(doc, path, append(primitive.A{}, arr[1:]...))
		}
		return setPath(doc, path, append(primitive.A{}, arr[:len(arr)-1]...))
	}
	return nil, errf(codeFailedToParse, "unknown modifier: %s", op)
}

func pushValues(doc primitive.D, op, path string, current, arg any) (primitive.D, error) {
	var arr primitive.A
	switch c := current.(type) {
	case missingValue:
	case primitive.A:
		arr = append(primitive.A{}, c...)
	default:
		return nil, errf(codeTypeMismatch, "%s needs an array at '%s'", op, path)
	}
	items := primitive.A{arg}
	slice, position := int64(math.MaxInt64), int64(-1)
	if mods, ok := arg.(primitive.D); ok && len(mods) > 0 && mods[0].Key == "$each" {
		items = nil
		for _, m := range mods {
			switch m.Key {
			case "$each":
				list, ok := m.Value.(primitive.A)
				if !ok {
					return nil, errf(codeBadValue, "$each needs an array")
				}
				items = list
			case "$slice":
				n, _ := toFloat(m.Value)
				slice = int64(n)
			case "$position":
				n, _ := toFloat(m.Value)
				position = int64(n)
			default:
				return nil, notSupported(op + " modifier " + m.Key)
			}
		}
	}
	for _, item := range items {
		if op == "$addToSet" && containsValue(arr, item) {
			continue
		}
		if position >= 0 && position < int64(len(arr)) {
			arr = append(arr[:position], append(primitive.A{cloneValue(item)}, arr[position:]...)...)
			position++
			continue
		}
		arr = append(arr, cloneValue(item))
	}
	if slice != math.MaxInt64 {
		switch {
		case slice >= 0 && slice < int64(len(arr)):
			arr = arr[:slice]
		case slice < 0 && -slice < int64(len(arr)):
			arr = arr[int64(len(arr))+slice:]
		}
	}
	if arr == nil {
		arr = primitive.A{}
	}
	return setPath(doc, path, arr)
}

func pullValues(doc primitive.D, op, path string, current, arg any) (primitive.D, error) {
	arr, ok := current.(primitive.A)
	if current == missing {
		return doc, nil
	}
	if !ok {
		return nil, errf(codeBadValue, "cannot apply %s to a non-array value", op)
	}
	var remove func(any) bool
	if op == "$pullAll" {
		list, ok := arg.(primitive.A)
		if !ok {
			return nil, errf(codeBadValue, "$pullAll needs an array")
		}
		remove = func(x any) bool { return containsValue(list, x) }
	} else if cond, isDoc := arg.(primitive.D); isDoc {
		var test func(any) bool
		if _, isOps := isOperatorDoc(cond); isOps {
			t, err := compileCondition(cond)
			if err != nil {
				return nil, err
			}
			test = func(x any) bool { return t(x) }
		} else {
			m, err := compileFilter(cond)
			if err != nil {
				return nil, err
			}
			test = func(x any) bool { d, ok := x.(primitive.D); return ok && m(d) }
		}
		remove = test
	} else {
		remove = func(x any) bool { return valuesEqual(x, arg) }
	}
	kept := primitive.A{}
	for _, x := range arr {
		if !remove(x) {
			kept = append(kept, x)
		}
	}
	return setPath(doc, path, kept)
}

func containsValue(arr primitive.A, v any) bool {
	for _, x := range arr {
		if valuesEqual(x, v) {
			return true
		}
	}
	return false
}

func zeroLike(v any) any {
	switch v.(type) {
	case int32:
		return int32(0)
	case int64:
		return int64(0)
	}
	return float64(0)
}

// arithmetic adds or multiplies keeping MongoDB's result types: int32 unless it overflows, then
// int64; any double makes a double.
func arithmetic(a, b any, multiply bool) any {
	ai, aInt := asInt64(a)
	bi, bInt := asInt64(b)
	if aInt && bInt {
		var r int64
		if multiply {
			r = ai * bi
		} else {
			r = ai + bi
		}
		_, a32 := a.(int32)
		_, b32 := b.(int32)
		if a32 && b32 && r >= math.MinInt32 && r <= math.MaxInt32 {
			return int32(r)
		}
		return r
	}
	af, _ := toFloat(a)
	bf, _ := toFloat(b)
	if multiply {
		return af * bf
	}
	return af + bf
}

func cloneDoc(d primitive.D) primitive.D {
	out := make(primitive.D, len(d))
	for i, e := range d {
		out[i] = primitive.E{Key: e.Key, Value: cloneValue(e.Value)}
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case primitive.D:
		return cloneDoc(x)
	case primitive.A:
		out := make(primitive.A, len(x))
		for i, el := range x {
			out[i] = cloneValue(el)
		}
		return out
	}
	return v
}

// upsertSeed is the document an upsert starts from: the filter's equality conditions on fields.
func upsertSeed(filter primitive.D) (primitive.D, error) {
	seed := primitive.D{}
	var walk func(f primitive.D) error
	walk = func(f primitive.D) error {
		for _, e := range f {
			if e.Key == "$and" {
				if list, ok := e.Value.(primitive.A); ok {
					for _, item := range list {
						if d, ok := item.(primitive.D); ok {
							if err := walk(d); err != nil {
								return err
							}
						}
					}
				}
				continue
			}
			if strings.HasPrefix(e.Key, "$") {
				continue
			}
			value := e.Value
			if ops, isOps := isOperatorDoc(value); isOps {
				eq := lookup(ops, "$eq")
				if eq == missing {
					continue
				}
				value = eq
			}
			var err error
			if seed, err = setPath(seed, e.Key, cloneValue(value)); err != nil {
				return err
			}
		}
		return nil
	}
	return seed, walk(filter)
}
