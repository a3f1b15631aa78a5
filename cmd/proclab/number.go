package main

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// One number parser reads every count of every command (--n-tasks,
// --n-iters, --repeat, --warmup, --max-procs, --profile-hz, compare's
// lists, calibrate's --n and --rate-tasks). It takes
//
//	1000         plain decimal
//	10_000_000   underscores between digits, as in Go and Python
//	1e6, 2.5e3   scientific notation, when the value is whole
//
// and refuses, with a line that says why, what reads differently in other
// tools: a leading zero (010 is 8 in C and in Go's base-0 parsing, an
// error in Python 3), hex or octal prefixes (0x10, 0o10), a sign (+4),
// fractions (2.5) and unit suffixes (10M, 1k: sizes take those, counts do
// not).
var countSyntax = regexp.MustCompile(`^([0-9]+(?:_[0-9]+)*)(?:\.([0-9]+(?:_[0-9]+)*))?(?:[eE]\+?([0-9]+))?$`)

// countHint is what a count looks like, for error messages.
const countHint = "try 1000, 10_000 or 1e6"

// parseCount reads a count no larger than most (see countSyntax).
func parseCount(s string, most uint64) (uint64, error) {
	t := strings.TrimSpace(s)
	m := countSyntax.FindStringSubmatch(t)
	if m == nil {
		return 0, countSyntaxError(s, t)
	}
	ip, fp, ep := strings.ReplaceAll(m[1], "_", ""), strings.ReplaceAll(m[2], "_", ""), m[3]
	if len(ip) > 1 && ip[0] == '0' {
		return 0, fmt.Errorf("%q has a leading zero; write it without (a leading zero means octal in C and Go, so it is not read at all)", s)
	}
	exp := 0
	if ep != "" {
		e, err := strconv.Atoi(ep)
		if err != nil || e > 400 {
			return 0, fmt.Errorf("%s is too large (at most %d)", s, most)
		}
		exp = e
	}
	digits := strings.TrimRight(ip+fp, "0")
	// value = digits × 10^(exp - len(fp) + zeros trimmed)
	shift := exp - len(fp) + (len(ip) + len(fp) - len(digits))
	if digits == "" {
		return 0, nil
	}
	if shift < 0 {
		return 0, fmt.Errorf("%q is not a whole number (%s)", s, countHint)
	}
	v, _ := new(big.Int).SetString(digits, 10)
	v.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(shift)), nil))
	if !v.IsUint64() || v.Uint64() > most {
		return 0, fmt.Errorf("%s is too large (at most %d)", s, most)
	}
	return v.Uint64(), nil
}

// countSyntaxError says why t (s trimmed) is not a count.
func countSyntaxError(s, t string) error {
	low := strings.ToLower(t)
	switch {
	case t == "":
		return fmt.Errorf("%q is not a whole number (%s)", s, countHint)
	case t[0] == '+':
		return fmt.Errorf("%q: write the number without a sign", s)
	case strings.HasPrefix(low, "0x") || strings.HasPrefix(low, "0o") || strings.HasPrefix(low, "0b"):
		return fmt.Errorf("%q is not a decimal number (hex, octal and binary are not read; %s)", s, countHint)
	case strings.TrimRight(low, "kmgt") != low && countSyntax.MatchString(strings.TrimRight(low, "kmgt")):
		return fmt.Errorf("%q: counts take no unit suffix (%s)", s, countHint)
	}
	return fmt.Errorf("%q is not a whole number (%s)", s, countHint)
}

// parseSigned reads a count that may be negative ("-3"), for the flags
// whose range check names the bound ("--warmup must be 0 or more, got
// -1"): the sign is read here, the range is checked with the other
// figures of the spec.
func parseSigned(s string, most uint64) (int64, error) {
	t := strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(t, "-"); ok {
		v, err := parseCount(rest, most)
		if err != nil {
			return 0, err
		}
		return -int64(v), nil
	}
	v, err := parseCount(t, most)
	return int64(v), err
}

// intValue is a pflag.Value for an int count read by parseCount.
type intValue struct {
	p      *int
	signed bool // "-3" is read, for Validate to name the bound
}

func newInt(p *int, def int, signed bool) *intValue {
	*p = def
	return &intValue{p: p, signed: signed}
}

func (v *intValue) Set(s string) error {
	if v.signed {
		n, err := parseSigned(s, math.MaxInt32)
		if err != nil {
			return err
		}
		*v.p = int(n)
		return nil
	}
	n, err := parseCount(s, math.MaxInt32)
	if err != nil {
		if t := strings.TrimSpace(s); strings.HasPrefix(t, "-") {
			return fmt.Errorf("%s is negative; give a whole number of at least 0", t)
		}
		return err
	}
	*v.p = int(n)
	return nil
}
func (v *intValue) String() string { return strconv.Itoa(*v.p) }
func (v *intValue) Type() string   { return "count" }

// uint64Value is a pflag.Value for a uint64 count read by parseCount.
type uint64Value struct{ p *uint64 }

func newUint64(p *uint64, def uint64) *uint64Value {
	*p = def
	return &uint64Value{p}
}

func (v *uint64Value) Set(s string) error {
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "-") {
		return fmt.Errorf("%s is negative; give a whole number of at least 1", t)
	}
	n, err := parseCount(s, math.MaxUint64)
	if err != nil {
		return err
	}
	*v.p = n
	return nil
}
func (v *uint64Value) String() string { return strconv.FormatUint(*v.p, 10) }
func (v *uint64Value) Type() string   { return "count" }

// floatValue is a pflag.Value for a finite float64: pflag's own takes
// "nan" and "inf", which pass every range check (NaN compares false) and
// then poison the results.
type floatValue struct{ p *float64 }

func newFloat(p *float64, def float64) *floatValue {
	*p = def
	return &floatValue{p}
}

func (v *floatValue) Set(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("%q is not a number (try 0.5 or 2)", s)
	}
	*v.p = f
	return nil
}
func (v *floatValue) String() string { return strconv.FormatFloat(*v.p, 'g', -1, 64) }
func (v *floatValue) Type() string   { return "number" }
