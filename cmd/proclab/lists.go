package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// parseCount reads a positive whole number such as 1000, 1_000_000 or 1e8.
func parseCount(s string) (uint64, error) {
	t := strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	if v, err := strconv.ParseUint(t, 10, 64); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || f != math.Trunc(f) || f >= 1<<63 {
		return 0, fmt.Errorf("%q is not a whole number (try 1000, 1_000_000 or 1e8)", s)
	}
	return uint64(f), nil
}

// parseCounts reads a comma-separated list of counts.
func parseCounts(s string) ([]uint64, error) {
	var out []uint64
	for _, f := range strings.Split(s, ",") {
		v, err := parseCount(f)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// parseInts reads a comma-separated list of counts that fit an int.
func parseInts(s string) ([]int, error) {
	vs, err := parseCounts(s)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(vs))
	for i, v := range vs {
		if v > math.MaxInt32 {
			return nil, fmt.Errorf("%d is too large", v)
		}
		out[i] = int(v)
	}
	return out, nil
}
