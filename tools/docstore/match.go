package main

import (
	"math"
	"regexp"
	"strings"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

// matcher reports whether a document satisfies a compiled query filter.
type matcher func(doc primitive.D) bool

// valueTest reports whether one value (reached by a path) satisfies a field condition.
type valueTest func(v any) bool

// compileFilter turns a MongoDB query filter into a matcher, rejecting operators this store does
// not implement (so nothing silently matches the wrong documents).
func compileFilter(filter primitive.D) (matcher, error) {
	var parts []matcher
	for _, e := range filter {
		m, err := compileClause(e.Key, e.Value)
		if err != nil {
			return nil, err
		}
		if m != nil {
			parts = append(parts, m)
		}
	}
	return func(doc primitive.D) bool {
		for _, p := range parts {
			if !p(doc) {
				return false
			}
		}
		return true
	}, nil
}

func compileClause(key string, value any) (matcher, error) {
	switch key {
	case "$and", "$or", "$nor":
		list, ok := value.(primitive.A)
		if !ok || len(list) == 0 {
			return nil, errf(codeBadValue, "%s must be a nonempty array", key)
		}
		subs := make([]matcher, 0, len(list))
		for _, item := range list {
			d, ok := item.(primitive.D)
			if !ok {
				return nil, errf(codeBadValue, "%s entries must be objects", key)
			}
			m, err := compileFilter(d)
			if err != nil {
				return nil, err
			}
			subs = append(subs, m)
		}
		return combine(key, subs), nil
	case "$comment":
		return nil, nil
	}
	if strings.HasPrefix(key, "$") {
		return nil, errf(codeBadValue, "unknown top level operator: %s", key)
	}
	test, err := compileCondition(value)
	if err != nil {
		return nil, err
	}
	return func(doc primitive.D) bool { return testPath(doc, key, test) }, nil
}

func combine(op string, subs []matcher) matcher {
	return func(doc primitive.D) bool {
		for _, m := range subs {
			ok := m(doc)
			switch {
			case op == "$and" && !ok:
				return false
			case op == "$or" && ok:
				return true
			case op == "$nor" && ok:
				return false
			}
		}
		return op != "$or"
	}
}

// testPath applies a condition to the values a path reaches. Negative operators ($ne, $nin, $not)
// are compiled as "no value matches the positive form", so they test the whole set at once.
func testPath(doc primitive.D, path string, test valueTest) bool {
	values := resolve(doc, path)
	if len(values) == 1 {
		return test(values[0])
	}
	// Through an array of documents: a missing field in one element is not "missing" overall.
	for _, v := range values {
		if test(v) {
			return true
		}
	}
	return false
}

func isOperatorDoc(v any) (primitive.D, bool) {
	d, ok := v.(primitive.D)
	if !ok || len(d) == 0 || !strings.HasPrefix(d[0].Key, "$") {
		return nil, false
	}
	return d, true
}

// compileCondition compiles the value of a field clause: a literal (equality) or operators.
func compileCondition(value any) (valueTest, error) {
	ops, ok := isOperatorDoc(value)
	if !ok {
		if re, isRe := value.(primitive.Regex); isRe {
			return compileRegex(re.Pattern, re.Options)
		}
		return equalsTest(value), nil
	}
	var tests []valueTest
	var regexOptions string
	for _, e := range ops {
		if e.Key == "$options" {
			regexOptions, _ = e.Value.(string)
		}
	}
	for _, e := range ops {
		if e.Key == "$options" {
			continue
		}
		t, err := compileOperator(e.Key, e.Value, regexOptions)
		if err != nil {
			return nil, err
		}
		tests = append(tests, t)
	}
	return func(v any) bool {
		for _, t := range tests {
			if !t(v) {
				return false
			}
		}
		return true
	}, nil
}

// anyElement applies a test to a value and, when it is an array, to each of its elements.
func anyElement(v any, test func(any) bool) bool {
	if test(v) {
		return true
	}
	if arr, ok := v.(primitive.A); ok {
		for _, el := range arr {
			if test(el) {
				return true
			}
		}
	}
	return false
}

func equalsTest(target any) valueTest {
	return func(v any) bool {
		return anyElement(v, func(x any) bool { return valuesEqual(x, target) })
	}
}

func compareTest(target any, ok func(c int) bool) valueTest {
	class := typeClass(target)
	return func(v any) bool {
		return anyElement(v, func(x any) bool {
			return typeClass(x) == class && ok(compareValues(x, target))
		})
	}
}

func compileOperator(op string, arg any, regexOptions string) (valueTest, error) {
	switch op {
	case "$eq":
		return equalsTest(arg), nil
	case "$ne":
		eq := equalsTest(arg)
		return func(v any) bool { return !eq(v) }, nil
	case "$gt":
		return compareTest(arg, func(c int) bool { return c > 0 }), nil
	case "$gte":
		return compareTest(arg, func(c int) bool { return c >= 0 }), nil
	case "$lt":
		return compareTest(arg, func(c int) bool { return c < 0 }), nil
	case "$lte":
		return compareTest(arg, func(c int) bool { return c <= 0 }), nil
	case "$in", "$nin":
		list, ok := arg.(primitive.A)
		if !ok {
			return nil, errf(codeBadValue, "%s needs an array", op)
		}
		tests := make([]valueTest, 0, len(list))
		for _, item := range list {
			if re, isRe := item.(primitive.Regex); isRe {
				t, err := compileRegex(re.Pattern, re.Options)
				if err != nil {
					return nil, err
				}
				tests = append(tests, t)
				continue
			}
			tests = append(tests, equalsTest(item))
		}
		in := func(v any) bool {
			for _, t := range tests {
				if t(v) {
					return true
				}
			}
			return false
		}
		if op == "$nin" {
			return func(v any) bool { return !in(v) }, nil
		}
		return in, nil
	case "$exists":
		want := truthy(arg)
		return func(v any) bool { return (v != missing) == want }, nil
	case "$type":
		return compileType(arg)
	case "$size":
		n, ok := asInt64(arg)
		if !ok {
			if f, isF := arg.(float64); isF && f == math.Trunc(f) {
				n, ok = int64(f), true
			}
		}
		if !ok {
			return nil, errf(codeBadValue, "$size needs a number")
		}
		return func(v any) bool {
			arr, isArr := v.(primitive.A)
			return isArr && int64(len(arr)) == n
		}, nil
	case "$all":
		list, ok := arg.(primitive.A)
		if !ok {
			return nil, errf(codeBadValue, "$all needs an array")
		}
		tests := make([]valueTest, len(list))
		for i, item := range list {
			tests[i] = equalsTest(item)
		}
		return func(v any) bool {
			if len(tests) == 0 {
				return false
			}
			for _, t := range tests {
				if !t(v) {
					return false
				}
			}
			return true
		}, nil
	case "$elemMatch":
		return compileElemMatch(arg)
	case "$not":
		var inner valueTest
		var err error
		if re, ok := arg.(primitive.Regex); ok {
			inner, err = compileRegex(re.Pattern, re.Options)
		} else if _, ok := isOperatorDoc(arg); ok {
			inner, err = compileCondition(arg)
		} else {
			return nil, errf(codeBadValue, "$not needs a regex or a document of operators")
		}
		if err != nil {
			return nil, err
		}
		return func(v any) bool { return !inner(v) }, nil
	case "$regex":
		switch p := arg.(type) {
		case string:
			return compileRegex(p, regexOptions)
		case primitive.Regex:
			return compileRegex(p.Pattern, p.Options+regexOptions)
		}
		return nil, errf(codeBadValue, "$regex needs a string")
	case "$mod":
		list, ok := arg.(primitive.A)
		if !ok || len(list) != 2 {
			return nil, errf(codeBadValue, "$mod needs [divisor, remainder]")
		}
		d, _ := toFloat(list[0])
		r, _ := toFloat(list[1])
		if d == 0 {
			return nil, errf(codeBadValue, "$mod divisor cannot be 0")
		}
		return func(v any) bool {
			return anyElement(v, func(x any) bool {
				f, isNum := toFloat(x)
				return isNum && math.Mod(math.Trunc(f), math.Trunc(d)) == math.Trunc(r)
			})
		}, nil
	}
	return nil, errf(codeBadValue, "unknown operator: %s", op)
}

func compileElemMatch(arg any) (valueTest, error) {
	d, ok := arg.(primitive.D)
	if !ok {
		return nil, errf(codeBadValue, "$elemMatch needs an object")
	}
	var elementTest func(any) bool
	if _, isOps := isOperatorDoc(d); isOps && !strings.HasPrefix(d[0].Key, "$and") &&
		!strings.HasPrefix(d[0].Key, "$or") && !strings.HasPrefix(d[0].Key, "$nor") {
		cond, err := compileCondition(d)
		if err != nil {
			return nil, err
		}
		elementTest = func(x any) bool { return cond(x) }
	} else {
		m, err := compileFilter(d)
		if err != nil {
			return nil, err
		}
		elementTest = func(x any) bool {
			sub, isDoc := x.(primitive.D)
			return isDoc && m(sub)
		}
	}
	return func(v any) bool {
		arr, isArr := v.(primitive.A)
		if !isArr {
			return false
		}
		for _, el := range arr {
			if elementTest(el) {
				return true
			}
		}
		return false
	}, nil
}

func compileRegex(pattern, options string) (valueTest, error) {
	flags := ""
	for _, o := range options {
		switch o {
		case 'i', 'm', 's':
			flags += string(o)
		case 'x', 'u':
		default:
			return nil, errf(codeBadValue, "invalid regex option %q", o)
		}
	}
	if flags != "" {
		pattern = "(?" + flags + ")" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, errf(codeBadValue, "invalid regex: %s", err.Error())
	}
	return func(v any) bool {
		return anyElement(v, func(x any) bool {
			s, ok := x.(string)
			return ok && re.MatchString(s)
		})
	}, nil
}

var typeAliases = map[string]int32{
	"double": 1, "string": 2, "object": 3, "array": 4, "binData": 5, "undefined": 6, "objectId": 7,
	"bool": 8, "date": 9, "null": 10, "regex": 11, "javascript": 13, "int": 16, "timestamp": 17,
	"long": 18, "decimal": 19, "minKey": -1, "maxKey": 127,
}

func bsonTypeNumber(v any) int32 {
	switch v.(type) {
	case float64:
		return 1
	case string:
		return 2
	case primitive.D:
		return 3
	case primitive.A:
		return 4
	case primitive.Binary:
		return 5
	case primitive.Undefined:
		return 6
	case primitive.ObjectID:
		return 7
	case bool:
		return 8
	case primitive.DateTime:
		return 9
	case nil:
		return 10
	case primitive.Regex:
		return 11
	case primitive.JavaScript:
		return 13
	case int32:
		return 16
	case primitive.Timestamp:
		return 17
	case int64:
		return 18
	case primitive.Decimal128:
		return 19
	case primitive.MinKey:
		return -1
	case primitive.MaxKey:
		return 127
	}
	return 0
}

func compileType(arg any) (valueTest, error) {
	var wanted []int32
	var numberAlias bool
	add := func(x any) error {
		switch t := x.(type) {
		case string:
			if t == "number" {
				numberAlias = true
				return nil
			}
			n, ok := typeAliases[t]
			if !ok {
				return errf(codeBadValue, "unknown type name alias: %s", t)
			}
			wanted = append(wanted, n)
		default:
			f, ok := toFloat(t)
			if !ok {
				return errf(codeBadValue, "$type needs a type name or number")
			}
			wanted = append(wanted, int32(f))
		}
		return nil
	}
	if list, ok := arg.(primitive.A); ok {
		for _, x := range list {
			if err := add(x); err != nil {
				return nil, err
			}
		}
	} else if err := add(arg); err != nil {
		return nil, err
	}
	return func(v any) bool {
		return anyElement(v, func(x any) bool {
			if x == missing {
				return false
			}
			if numberAlias && typeClass(x) == classNumber {
				return true
			}
			n := bsonTypeNumber(x)
			for _, w := range wanted {
				if w == n {
					return true
				}
			}
			return false
		})
	}, nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case nil, missingValue:
		return false
	}
	if f, ok := toFloat(v); ok {
		return f != 0
	}
	return true
}
