package main

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// docTagfocus is every -tagfocus argument of the `go tool pprof` commands
// in doc that read a file named name: the forms the docs tell a user to
// type.
func docTagfocus(t *testing.T, doc, name string) []string {
	t.Helper()
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	arg := regexp.MustCompile(`-tagfocus=('([^']*)'|(\S+))`)
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.Contains(l, "go tool pprof") || !strings.Contains(l, name) {
			continue
		}
		for _, m := range arg.FindAllStringSubmatch(l, -1) {
			out = append(out, m[2]+m[3])
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s shows no -tagfocus for %s", doc, name)
	}
	return out
}

// tagfocusKeeps says whether pprof's -tagfocus=form keeps sample s, for
// the string forms the docs show: key=regexp[,regexp] (any regexp on the
// values of key) and key:regexp[,key:regexp] (each regexp matches some
// key:value of the sample). ok is false for a numeric form.
func tagfocusKeeps(t *testing.T, form string, s *profile.Sample) (keep, ok bool) {
	key, value, restricted := strings.Cut(form, "=")
	if !restricted {
		value = form
	}
	if regexp.MustCompile(`^[0-9.]*[a-z]*(:[0-9.]*[a-z]*)?$`).MatchString(value) && strings.ContainsAny(value, "0123456789") {
		return false, false // a number or a range
	}
	var rxs []*regexp.Regexp
	for _, r := range strings.Split(value, ",") {
		rxs = append(rxs, regexp.MustCompile(r))
	}
	if restricted {
		for _, rx := range rxs {
			for _, v := range s.Label[key] {
				if rx.MatchString(v) {
					return true, true
				}
			}
		}
		return false, true
	}
	for _, rx := range rxs {
		found := false
		for k, vs := range s.Label {
			for _, v := range vs {
				found = found || rx.MatchString(k+":"+v)
			}
		}
		if !found {
			return false, true
		}
	}
	return true, true
}

// checkTagfocusForms runs go tool pprof -tagfocus with every form doc
// shows for name on prof, as a user would: pprof must take it, and the
// samples it keeps must be exactly the ones the form names; for the forms
// in wantSome it must keep some and not all.
func checkTagfocusForms(t *testing.T, prof, doc, name string, wantSome func(form string) bool) {
	t.Helper()
	all := readProfile(t, prof)
	for _, form := range docTagfocus(t, doc, name) {
		cmd := exec.Command("go", "tool", "pprof", "-proto", "-tagfocus="+form, prof)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("go tool pprof -tagfocus=%s: %v\n%s", form, err, stderr.String())
			continue
		}
		kept, err := profile.Parse(&stdout)
		if err != nil {
			t.Errorf("-tagfocus=%s: %v\n%s", form, err, stderr.String())
			continue
		}
		var want int
		numeric := false
		for _, s := range all.Sample {
			keep, ok := tagfocusKeeps(t, form, s)
			numeric = numeric || !ok
			if keep {
				want++
			}
		}
		t.Logf("-tagfocus=%s keeps %d of %d samples", form, len(kept.Sample), len(all.Sample))
		if !numeric && len(kept.Sample) != want {
			t.Errorf("-tagfocus=%s kept %d samples; %d carry the labels it names", form, len(kept.Sample), want)
		}
		if wantSome(form) && (len(kept.Sample) == 0 || len(kept.Sample) == len(all.Sample)) {
			t.Errorf("-tagfocus=%s kept %d of %d samples: it selects nothing here\n%s", form, len(kept.Sample), len(all.Sample), stderr.String())
		}
	}
}
