package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

// distinct fills every settable number, string and pointer to a number of
// v (a pointer to a struct) with a value no other field has, so that a
// column that reads the wrong field shows.
func distinct(v reflect.Value, next *int64) {
	for i := range v.NumField() {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() {
			continue
		}
		*next += 7
		n := *next
		switch f.Kind() {
		case reflect.Int, reflect.Int32, reflect.Int64:
			f.SetInt(n)
		case reflect.Uint32, reflect.Uint64:
			f.SetUint(uint64(n))
		case reflect.Float64:
			f.SetFloat(float64(n) + 0.5)
		case reflect.String:
			if f.Type() == reflect.TypeOf(results.Method("")) {
				f.SetString(string(results.Spawn))
			} else {
				f.SetString(fmt.Sprintf("text %d, with a comma", n))
			}
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Pointer:
			p := reflect.New(f.Type().Elem())
			switch p.Elem().Kind() {
			case reflect.Int, reflect.Int64:
				p.Elem().SetInt(n)
			case reflect.Bool:
				p.Elem().SetBool(false)
			default:
				continue
			}
			f.Set(p)
		case reflect.Struct:
			distinct(f, next)
		}
	}
}

// flattenJSON turns a JSON object into name → value text, nested objects
// named parent.child, leaving out arrays (tasks, samples).
func flattenJSON(prefix string, obj map[string]any, out map[string]string) {
	for k, v := range obj {
		name := k
		if prefix != "" {
			name = prefix + "." + k
		}
		switch v := v.(type) {
		case map[string]any:
			flattenJSON(name, v, out)
		case []any:
		case nil:
			out[name] = ""
		case json.Number:
			out[name] = v.String()
		case bool:
			out[name] = fmt.Sprint(v)
		case string:
			out[name] = v
		}
	}
}

// Every column of results.csv equals the JSON field it is named after, and
// every field of a run (but its tasks) and of a task (but its live
// samples) has a column: on a task whose every figure is distinct.
func TestCSVColumnsAreTheJSONFields(t *testing.T) {
	var tk results.Task
	n := int64(1000)
	distinct(reflect.ValueOf(&tk).Elem(), &n)
	tk.Samples = nil
	run := results.RunResult{Method: results.Spawn, Round: 3, NTasks: 1, NIters: 123457, ParentRSSBytes: 1 << 20, WallNS: 987653,
		LabRSSBytes: 11, LabAnonBytes: 12, LabVMAs: 13, LabPTEBytes: 14, LabDontForkBytes: 15, Tasks: []results.Task{tk}}
	res := &results.Result{Schema: results.Schema, Runs: []results.RunResult{run}}

	var js bytes.Buffer
	if err := JSON(&js, res); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&js)
	dec.UseNumber()
	var doc struct {
		Runs []map[string]any `json:"runs"`
	}
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	task := doc.Runs[0]["tasks"].([]any)[0].(map[string]any)
	flattenJSON("", doc.Runs[0], want)
	flattenJSON("", task, want)

	var buf bytes.Buffer
	if err := CSV(&buf, res); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv: %v, %d rows", err, len(rows))
	}
	got := map[string]string{}
	for i, name := range rows[0] {
		got[name] = rows[1][i]
	}
	for name, v := range want {
		c, ok := got[name]
		if !ok {
			t.Errorf("no column for JSON field %s", name)
			continue
		}
		if c != v {
			t.Errorf("column %s = %q, JSON %q", name, c, v)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("column %s names no JSON field", name)
		}
	}
	if t.Failed() {
		t.Logf("columns: %s", strings.Join(rows[0], ","))
	}
}

// An unmeasured figure is an empty cell, not a 0: Python's forkserver
// passes no rusage on.
func TestCSVNullIsEmpty(t *testing.T) {
	tk := results.Task{Task: 0, PID: 42, TotalNS: 5}
	res := &results.Result{Schema: results.Schema, Runs: []results.RunResult{{Method: results.PyForkserver, NTasks: 1, Tasks: []results.Task{tk}}}}
	var buf bytes.Buffer
	if err := CSV(&buf, res); err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(&buf).ReadAll()
	for i, name := range rows[0] {
		switch name {
		case "user_ns", "sys_ns", "minflt", "majflt", "nvcsw", "nivcsw", "rusage_maxrss_bytes", "hwm_bytes", "max_rss_bytes", "mem_read_ns":
			if rows[1][i] != "" {
				t.Errorf("%s = %q, want empty (not measured)", name, rows[1][i])
			}
		}
	}
}
