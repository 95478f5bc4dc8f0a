package main

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
)

// Values are what the driver's bson package decodes a document into: primitive.D for embedded
// documents, primitive.A for arrays, and Go scalars or primitive types for the rest. A field that
// is absent is represented by the missing sentinel, never by nil (nil is BSON null).

type missingValue struct{}

// missing stands for "the field does not exist"; MongoDB sorts and compares it like null.
var missing = missingValue{}

// Type classes in MongoDB's canonical sort order: values of different classes compare by class.
// https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/
const (
	classMinKey    = 1
	classNull      = 5 // null, undefined and missing
	classNumber    = 10
	classString    = 15 // string and symbol
	classObject    = 20
	classArray     = 25
	classBinary    = 30
	classObjectID  = 35
	classBool      = 40
	classDate      = 45
	classTimestamp = 50
	classRegex     = 55
	classCode      = 60
	classMaxKey    = 127
)

func typeClass(v any) int {
	switch v.(type) {
	case primitive.MinKey:
		return classMinKey
	case nil, missingValue, primitive.Undefined:
		return classNull
	case int32, int64, float64, int, primitive.Decimal128:
		return classNumber
	case string, primitive.Symbol:
		return classString
	case primitive.D, bson.M:
		return classObject
	case primitive.A:
		return classArray
	case primitive.Binary:
		return classBinary
	case primitive.ObjectID:
		return classObjectID
	case bool:
		return classBool
	case primitive.DateTime:
		return classDate
	case primitive.Timestamp:
		return classTimestamp
	case primitive.Regex:
		return classRegex
	case primitive.JavaScript, primitive.CodeWithScope:
		return classCode
	case primitive.MaxKey:
		return classMaxKey
	default:
		return classCode
	}
}

// toFloat returns a numeric value as float64 (int64 beyond 2^53 and decimals lose precision,
// which only matters for ordering ties).
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case float64:
		return n, true
	case primitive.Decimal128:
		f, err := decimalToFloat(n)
		return f, err == nil
	}
	return 0, false
}

func decimalToFloat(d primitive.Decimal128) (float64, error) {
	f, err := strconv.ParseFloat(d.String(), 64)
	if err != nil {
		return math.NaN(), err
	}
	return f, nil
}

func stringOf(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case primitive.Symbol:
		return string(s)
	}
	return ""
}

func compareFloats(a, b float64) int {
	// MongoDB orders NaN below every other number.
	switch {
	case math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a):
		return -1
	case math.IsNaN(b):
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareInts(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareValues orders two values as MongoDB does (simple binary collation for strings).
func compareValues(a, b any) int {
	ca, cb := typeClass(a), typeClass(b)
	if ca != cb {
		return compareInts(int64(ca), int64(cb))
	}
	switch ca {
	case classNull, classMinKey, classMaxKey:
		return 0
	case classNumber:
		// Exact for two integers, otherwise through float64.
		ia, aInt := asInt64(a)
		ib, bInt := asInt64(b)
		if aInt && bInt {
			return compareInts(ia, ib)
		}
		fa, _ := toFloat(a)
		fb, _ := toFloat(b)
		return compareFloats(fa, fb)
	case classString:
		return strings.Compare(stringOf(a), stringOf(b))
	case classObject:
		return compareDocs(toD(a), toD(b))
	case classArray:
		x, y := a.(primitive.A), b.(primitive.A)
		for i := 0; i < len(x) && i < len(y); i++ {
			if c := compareValues(x[i], y[i]); c != 0 {
				return c
			}
		}
		return compareInts(int64(len(x)), int64(len(y)))
	case classBinary:
		x, y := a.(primitive.Binary), b.(primitive.Binary)
		if c := compareInts(int64(len(x.Data)), int64(len(y.Data))); c != 0 {
			return c
		}
		if c := compareInts(int64(x.Subtype), int64(y.Subtype)); c != 0 {
			return c
		}
		return bytes.Compare(x.Data, y.Data)
	case classObjectID:
		x, y := a.(primitive.ObjectID), b.(primitive.ObjectID)
		return bytes.Compare(x[:], y[:])
	case classBool:
		x, y := a.(bool), b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case classDate:
		return compareInts(int64(a.(primitive.DateTime)), int64(b.(primitive.DateTime)))
	case classTimestamp:
		x, y := a.(primitive.Timestamp), b.(primitive.Timestamp)
		if c := compareInts(int64(x.T), int64(y.T)); c != 0 {
			return c
		}
		return compareInts(int64(x.I), int64(y.I))
	case classRegex:
		x, y := a.(primitive.Regex), b.(primitive.Regex)
		if c := strings.Compare(x.Pattern, y.Pattern); c != 0 {
			return c
		}
		return strings.Compare(x.Options, y.Options)
	}
	return 0
}

func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}

func compareDocs(a, b primitive.D) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := compareInts(int64(typeClass(a[i].Value)), int64(typeClass(b[i].Value))); c != 0 {
			return c
		}
		if c := strings.Compare(a[i].Key, b[i].Key); c != 0 {
			return c
		}
		if c := compareValues(a[i].Value, b[i].Value); c != 0 {
			return c
		}
	}
	return compareInts(int64(len(a)), int64(len(b)))
}

func toD(v any) primitive.D {
	switch d := v.(type) {
	case primitive.D:
		return d
	case bson.M:
		out := make(primitive.D, 0, len(d))
		for k, val := range d {
			out = append(out, primitive.E{Key: k, Value: val})
		}
		return out
	}
	return nil
}

// valuesEqual is MongoDB equality: same class and comparing equal (1 == 1.0, null == missing).
func valuesEqual(a, b any) bool {
	return typeClass(a) == typeClass(b) && compareValues(a, b) == 0
}

// lookup returns the value at a top-level key of a document, or missing.
func lookup(d primitive.D, key string) any {
	for _, e := range d {
		if e.Key == key {
			return e.Value
		}
	}
	return missing
}
