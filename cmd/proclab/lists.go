package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/results"
)

// List flags (--method; compare's --n-iters and --n-tasks; calibrate's
// --method and --rate-tasks) take their values three ways, in any mix:
//
//	--n-iters 1000,10000          a comma list
//	--n-iters 1000 --n-iters 1e4  repeated: the values accumulate
//	--n-iters 1000 10000          space-separated, as the tutorial prints
//	                              its commands (see foldListArgs)
//
// Given at all, a list flag replaces its default.

// listValue is a pflag.Value that holds a list.
type listValue interface {
	pflag.Value
	// isItem reports whether a bare word after the flag's value is one
	// more item of the list (foldListArgs).
	isItem(word string) bool
}

// countList is a list of counts, each read by parseCount.
type countList struct {
	p    *[]uint64
	most uint64
	set  bool // given on the command line: the first Set drops the default
}

func newCountList(p *[]uint64, def []uint64, most uint64) *countList {
	*p = def
	return &countList{p: p, most: most}
}

func (v *countList) Set(s string) error {
	if !v.set {
		*v.p, v.set = nil, true
	}
	for _, f := range strings.Split(s, ",") {
		n, err := parseCount(f, v.most)
		if err != nil {
			return err
		}
		*v.p = append(*v.p, n)
	}
	return nil
}

func (v *countList) String() string {
	var parts []string
	for _, n := range *v.p {
		parts = append(parts, strconv.FormatUint(n, 10))
	}
	return strings.Join(parts, ",")
}

func (v *countList) Type() string { return "counts" }

// isItem: a count starts with a digit (a subcommand name or a path
// such as ./dir does not).
func (v *countList) isItem(w string) bool { return w != "" && w[0] >= '0' && w[0] <= '9' }

// ints is the list as ints (the list's most keeps them in range).
func (v *countList) ints() []int {
	out := make([]int, len(*v.p))
	for i, n := range *v.p {
		out[i] = int(n)
	}
	return out
}

// methodList is a list of start methods, or "all". A method named twice
// is refused, not merged: each method is one row of the results, and
// more rounds of one are asked for with --repeat.
type methodList struct {
	p   *[]results.Method
	all bool
	set bool
}

func newMethodList(p *[]results.Method, def ...results.Method) *methodList {
	*p = def
	return &methodList{p: p}
}

func (v *methodList) Set(s string) error {
	if !v.set {
		*v.p, v.set = nil, true
	}
	for _, f := range strings.Split(s, ",") {
		name := strings.TrimSpace(f)
		if name == "all" || v.all {
			if v.all || len(*v.p) > 0 || strings.Contains(s, ",") {
				return fmt.Errorf("all stands alone: it already names every method")
			}
			*v.p, v.all = lab.AllMethods(), true
			continue
		}
		ms, err := lab.ParseMethods(name)
		if err != nil {
			return err
		}
		for _, m := range *v.p {
			if m == ms[0] {
				return fmt.Errorf("%s is named twice; name each method once (each is one row of the results; --repeat gives more rounds)", m)
			}
		}
		*v.p = append(*v.p, ms[0])
	}
	return nil
}

func (v *methodList) String() string {
	if v.all {
		return "all"
	}
	var parts []string
	for _, m := range *v.p {
		parts = append(parts, string(m))
	}
	return strings.Join(parts, ",")
}

func (v *methodList) Type() string { return "methods" }

func (v *methodList) isItem(w string) bool {
	return w == "all" || results.Method(w).Valid()
}

// foldListArgs rewrites space-separated list values as repeated flags,
// before cobra parses: "compare --n_iters 1000 10000 --n_tasks 1 2" becomes
// "compare --n_iters 1000 --n-iters=10000 --n_tasks 1 --n-tasks=2". It
// reads the flags of the command the arguments name (so it knows which
// flags take a value and which are lists), and folds a bare word only if
// it directly follows a list flag's value (or an item already folded) and
// reads as an item of that list: a count starts with a digit, a method is
// a method's name. Subcommand names, paths and anything after "--" are
// never folded.
func foldListArgs(root *cobra.Command, args []string) []string {
	cmd := root
	out := make([]string, 0, len(args))
	bare := false // a bare word (subcommand or argument) was seen
	for i := 0; i < len(args); i++ {
		a := args[i]
		out = append(out, a)
		if a == "--" {
			return append(out, args[i+1:]...)
		}
		if !strings.HasPrefix(a, "--") {
			if !strings.HasPrefix(a, "-") && !bare {
				bare = true
				if sub, _, err := root.Find([]string{a}); err == nil && sub != root {
					cmd = sub
				}
			}
			continue
		}
		name, _, hasValue := strings.Cut(a[2:], "=")
		f := cmd.Flags().Lookup(name) // Lookup applies the command's normalize func (n_iters -> n-iters)
		if f == nil {
			continue
		}
		if !hasValue && f.NoOptDefVal == "" {
			if i+1 >= len(args) {
				continue
			}
			i++
			out = append(out, args[i])
		}
		lv, ok := f.Value.(listValue)
		if !ok {
			continue
		}
		for i+1 < len(args) && lv.isItem(args[i+1]) {
			i++
			out = append(out, "--"+f.Name+"="+args[i])
		}
	}
	return out
}
