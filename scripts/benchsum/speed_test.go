package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRateJSONMedians(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, row := range []string{
		`{"method":"fork","tasks":10,"max_procs":2,"tasks_per_s":1000,"floor_tasks_per_s":2000,"ratio":0.5}`,
		`{"method":"fork","tasks":10,"max_procs":2,"tasks_per_s":3000,"floor_tasks_per_s":3000,"ratio":1}`,
		`{"method":"fork","tasks":10,"max_procs":2,"tasks_per_s":2000,"floor_tasks_per_s":2500,"ratio":0.8}`,
	} {
		p := filepath.Join(dir, "r"+string(rune('0'+i))+".json")
		os.WriteFile(p, []byte(`{"schema":"proclab/rate/v1","rates":[{"method":"spawn","tasks_per_s":9},`+row+`]}`), 0o644)
		files = append(files, p)
	}
	var out bytes.Buffer
	if err := benchsum(&out, append([]string{"ratejson", "fork"}, files...)); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != "2000 2500 0.80" {
		t.Errorf("ratejson %q, want the medians 2000 2500 0.80 (the spawn rows left out)", got)
	}
	if err := benchsum(&out, []string{"ratejson", "exec", files[0]}); err == nil {
		t.Error("no exec row: no error")
	}
}

func TestForkFiguresOfResults(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.json")
	os.WriteFile(p, []byte(`{"runs":[
		{"method":"fork","lab_anon_bytes":2097152,"lab_dontfork_bytes":1048576,"lab_vmas":60,"tasks":[{"task":0,"exit_code":0,"checksum_ok":true,"total_ns":500000,"startup_ns":200000}]},
		{"method":"fork","lab_anon_bytes":4194304,"lab_dontfork_bytes":2097152,"lab_vmas":70,"tasks":[{"task":0,"exit_code":0,"checksum_ok":true,"total_ns":700000,"startup_ns":300000}]},
		{"method":"fork","lab_anon_bytes":3145728,"lab_vmas":80,"tasks":[{"task":0,"exit_code":0,"checksum_ok":true,"total_ns":600000,"startup_ns":250000}]},
		{"method":"spawn","lab_anon_bytes":1,"lab_vmas":1,"tasks":[{"task":0,"exit_code":0,"checksum_ok":true,"total_ns":9,"startup_ns":9}]}]}`), 0o644)
	var out bytes.Buffer
	if err := benchsum(&out, []string{"fork", p}); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != "600 250 3.0 70 2.0" {
		t.Errorf("fork %q, want 600 250 3.0 70 2.0", got)
	}
}
