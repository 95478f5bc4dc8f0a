package main

import (
	"encoding/binary"
	"math"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

// Index keys are byte strings whose bytewise order (SQLite compares BLOBs with memcmp) is
// MongoDB's value order, so one B-tree range scan answers equality, range and sorted queries.
// Each value starts with its type class and is self-delimiting, so compound keys concatenate;
// a descending field has its bytes inverted, which reverses its order and keeps it self-delimiting.
// Numbers are compared as float64, so integers beyond 2^53 may tie (the documents are always
// matched again after the scan, so a tie only costs a little extra reading).

func appendKeyValue(buf []byte, v any) []byte {
	class := typeClass(v)
	buf = append(buf, byte(class))
	switch class {
	case classNumber:
		f, _ := toFloat(v)
		buf = binary.BigEndian.AppendUint64(buf, orderedFloatBits(f))
	case classString:
		buf = appendKeyString(buf, stringOf(v))
	case classObject:
		for _, e := range toD(v) {
			buf = append(buf, byte(typeClass(e.Value)))
			buf = appendKeyString(buf, e.Key)
			buf = appendKeyValue(buf, e.Value)
		}
		buf = append(buf, 0)
	case classArray:
		for _, el := range v.(primitive.A) {
			buf = appendKeyValue(buf, el)
		}
		buf = append(buf, 0)
	case classBinary:
		b := v.(primitive.Binary)
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(b.Data)))
		buf = append(buf, b.Subtype)
		buf = append(buf, b.Data...)
	case classObjectID:
		id := v.(primitive.ObjectID)
		buf = append(buf, id[:]...)
	case classBool:
		if v.(bool) {
			buf = append(buf, 1)
		} else {
			buf = append(buf, 0)
		}
	case classDate:
		buf = binary.BigEndian.AppendUint64(buf, uint64(int64(v.(primitive.DateTime)))^(1<<63))
	case classTimestamp:
		ts := v.(primitive.Timestamp)
		buf = binary.BigEndian.AppendUint32(buf, ts.T)
		buf = binary.BigEndian.AppendUint32(buf, ts.I)
	case classRegex:
		re := v.(primitive.Regex)
		buf = appendKeyString(buf, re.Pattern)
		buf = appendKeyString(buf, re.Options)
	case classCode:
		if js, ok := v.(primitive.JavaScript); ok {
			buf = appendKeyString(buf, string(js))
		}
	}
	return buf
}

// orderedFloatBits maps a float64 to a uint64 with the same order; NaN sorts below everything.
func orderedFloatBits(f float64) uint64 {
	if math.IsNaN(f) {
		return 0
	}
	if f == 0 {
		f = 0 // -0 and 0 are the same key
	}
	bits := math.Float64bits(f)
	if bits&(1<<63) == 0 {
		return bits | 1<<63
	}
	return ^bits
}

// appendKeyString writes the bytes with 0x00 escaped as 0x00 0xFF and ends them with 0x00 0x01,
// so a string sorts before every longer string it prefixes.
func appendKeyString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		buf = append(buf, s[i])
		if s[i] == 0 {
			buf = append(buf, 0xFF)
		}
	}
	return append(buf, 0, 1)
}

// keyPart encodes one index field value, inverted for a descending field.
func keyPart(v any, descending bool) []byte {
	b := appendKeyValue(nil, v)
	if descending {
		for i := range b {
			b[i] = ^b[i]
		}
	}
	return b
}

// idKey is the primary key of a document: its _id encoded like an ascending index value.
func idKey(id any) []byte {
	return appendKeyValue(nil, id)
}

// classBounds returns the smallest and the first-beyond keys of a type class, for open-ended
// ranges ($gt: 5 stops at the end of the numbers, as MongoDB's type bracketing does).
func classBounds(class int) (lo, hi []byte) {
	return []byte{byte(class)}, []byte{byte(class) + 1}
}

// prefixEnd returns the smallest byte string greater than every string starting with p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil // p is all 0xFF: no upper bound
}
