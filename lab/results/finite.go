package results

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// ClearNonFinite makes every float reachable from v (a pointer to a
// Result, a Calibration, ...) one that JSON can carry: encoding/json
// refuses NaN and ±Inf, and a refusal after a run loses every figure of
// it. A *float64 that is not finite becomes nil (written null: "no
// figure"); a plain float64 becomes 0, since its field has no null. It
// returns where it changed something, as JSON paths (runs[3].tasks[0]...),
// for a warning. Inputs are checked up front (the flags refuse NaN and
// Inf); this is the net under a division by zero nobody foresaw.
func ClearNonFinite(v any) []string {
	var fixed []string
	clearValue(reflect.ValueOf(v), "", &fixed)
	return fixed
}

func clearValue(v reflect.Value, path string, fixed *[]string) {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); (math.IsNaN(f) || math.IsInf(f, 0)) && v.CanSet() {
			v.SetFloat(0)
			*fixed = append(*fixed, path)
		}
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if e := v.Elem(); (e.Kind() == reflect.Float64 || e.Kind() == reflect.Float32) && v.CanSet() {
			if f := e.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
				v.SetZero()
				*fixed = append(*fixed, path)
			}
			return
		}
		clearValue(v.Elem(), path, fixed)
	case reflect.Interface:
		if !v.IsNil() {
			clearValue(v.Elem(), path, fixed)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			p := name
			if path != "" && !sf.Anonymous {
				p = path + "." + name
			} else if sf.Anonymous {
				p = path
			}
			clearValue(v.Field(i), p, fixed)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			clearValue(v.Index(i), path+"["+strconv.Itoa(i)+"]", fixed)
		}
	case reflect.Map:
		// Map elements are not addressable: copy, clear, store back.
		iter := v.MapRange()
		for iter.Next() {
			e := reflect.New(iter.Value().Type()).Elem()
			e.Set(iter.Value())
			n := len(*fixed)
			clearValue(e, path+"["+strconv.Quote(fmt.Sprint(iter.Key().Interface()))+"]", fixed)
			if len(*fixed) > n {
				v.SetMapIndex(iter.Key(), e)
			}
		}
	}
}
