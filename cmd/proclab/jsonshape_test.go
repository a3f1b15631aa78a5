package main

import (
	"fmt"
	"strings"
	"testing"
)

// jsonKinds checks that obj (a decoded JSON object) has each key with a
// value of the kind given: "string" (non-empty), "number", "positive"
// (a number > 0), "bool", "object", "array", "null", or several joined by
// "|" ("number|null"). A missing key and a null where a value is required
// both fail: a contract is about values, not only names.
func jsonKinds(t *testing.T, where string, obj map[string]any, kinds map[string]string) {
	t.Helper()
	for k, want := range kinds {
		v, ok := obj[k]
		if !ok {
			t.Errorf("%s lacks %q", where, k)
			continue
		}
		if got := jsonKind(v); !kindOK(got, v, want) {
			t.Errorf("%s: %q is %s %v, want %s", where, k, got, v, want)
		}
	}
}

func jsonKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func kindOK(got string, v any, want string) bool {
	for _, w := range strings.Split(want, "|") {
		switch {
		case w == "string" && got == "string":
			if v.(string) != "" {
				return true
			}
		case w == "positive" && got == "number":
			if v.(float64) > 0 {
				return true
			}
		case w == got:
			return true
		}
	}
	return false
}

// The checker itself must reject what the contract tests rely on it to.
func TestJSONKinds(t *testing.T) {
	obj := map[string]any{"s": "x", "e": "", "n": 1.0, "z": 0.0, "b": true, "o": map[string]any{}, "a": []any{}, "null": nil}
	for _, tc := range []struct {
		key, want string
		ok        bool
	}{
		{"s", "string", true}, {"e", "string", false}, {"n", "number", true}, {"n", "positive", true},
		{"z", "positive", false}, {"z", "number", true}, {"null", "number", false}, {"null", "number|null", true},
		{"b", "bool", true}, {"o", "object", true}, {"o", "array", false}, {"a", "array", true}, {"s", "number", false},
	} {
		if got := kindOK(jsonKind(obj[tc.key]), obj[tc.key], tc.want); got != tc.ok {
			t.Errorf("%q as %s: %v, want %v", tc.key, tc.want, got, tc.ok)
		}
	}
}
