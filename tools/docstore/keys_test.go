package main

import (
	"bytes"
	"math"
	"math/rand"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func randomValue(r *rand.Rand, depth int) any {
	strs := []string{"", "a", "ab", "a\x00", "a\x00b", "b", "é", "Z", "abc"}
	switch r.Intn(11) {
	case 0:
		return nil
	case 1:
		return int32(r.Intn(200) - 100)
	case 2:
		return int64(r.Intn(200) - 100)
	case 3:
		return float64(r.Intn(400)-200) / 4
	case 4:
		return strs[r.Intn(len(strs))]
	case 5:
		return r.Intn(2) == 0
	case 6:
		return primitive.NewDateTimeFromTime(time.Unix(int64(r.Intn(2000)-1000), 0))
	case 7:
		var id primitive.ObjectID
		id[r.Intn(12)] = byte(r.Intn(3))
		return id
	case 8:
		if depth > 1 {
			return "deep"
		}
		return primitive.D{{Key: strs[r.Intn(3)], Value: randomValue(r, depth+1)}}
	case 9:
		if depth > 1 {
			return int32(1)
		}
		return primitive.A{randomValue(r, depth+1), randomValue(r, depth+1)}[:r.Intn(3)]
	default:
		return math.Inf(r.Intn(2)*2 - 1)
	}
}

// The encoded keys must sort exactly as MongoDB orders the values, ascending and descending,
// alone and as parts of compound keys.
func TestKeyOrderMatchesValueOrder(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		a, b := randomValue(r, 0), randomValue(r, 0)
		want := sign(compareValues(a, b))
		if got := sign(bytes.Compare(keyPart(a, false), keyPart(b, false))); got != want {
			t.Fatalf("asc %#v vs %#v: keys order %d, values %d", a, b, got, want)
		}
		if got := sign(bytes.Compare(keyPart(a, true), keyPart(b, true))); got != -want {
			t.Fatalf("desc %#v vs %#v: keys order %d, values %d", a, b, got, -want)
		}
		c, d := randomValue(r, 0), randomValue(r, 0)
		compound := func(x, y any) []byte { return concat(keyPart(x, false), keyPart(y, true)) }
		wantCompound := want
		if wantCompound == 0 {
			wantCompound = -sign(compareValues(c, d))
		}
		if got := sign(bytes.Compare(compound(a, c), compound(b, d))); got != wantCompound {
			t.Fatalf("compound (%#v,%#v) vs (%#v,%#v): %d, want %d", a, c, b, d, got, wantCompound)
		}
	}
}

func TestNumbersCompareAcrossTypes(t *testing.T) {
	if !valuesEqual(int32(3), 3.0) || !valuesEqual(int64(3), int32(3)) {
		t.Fatal("3 (int32, int64, double) must be equal")
	}
	if string(keyPart(int32(3), false)) != string(keyPart(3.0, false)) {
		t.Fatal("equal numbers must have equal keys")
	}
	if compareValues(math.NaN(), math.Inf(-1)) >= 0 {
		t.Fatal("NaN sorts below every number")
	}
	if !valuesEqual(nil, missing) {
		t.Fatal("null and missing are equal for queries")
	}
}
