package report

import (
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

// The sampler's line reads true: within the budget it says what was
// skipped to stay within it; over it, it says so; with no child CPU to
// weigh the cost against (thread and Python in-driver methods, or
// children whose CPU the lab did not get) it gives no percentage (it
// printed "0.0% of the children's" and "skipped to stay within 0.5%").
func TestSamplerLine(t *testing.T) {
	for _, c := range []struct {
		s          results.SamplerStats
		want, miss []string
	}{
		{results.SamplerStats{IntervalNS: 1e8, Samples: 3, CPUNS: 400e3, ChildCPUNS: 100e6, Overhead: 0.004, Budget: 0.005, Skipped: 2},
			[]string{"(0.40% of the children's)", "2 skipped to stay within 0.5%"}, []string{"over"}},
		{results.SamplerStats{IntervalNS: 1e8, Samples: 0, CPUNS: 1.2e6, ChildCPUNS: 100e6, Overhead: 0.012, Budget: 0.005, Skipped: 1973},
			[]string{"(1.20% of the children's, over the 0.5% budget)", "1973 skipped for the 0.5% budget"}, []string{"to stay within"}},
		{results.SamplerStats{IntervalNS: 1e8, Samples: 12, CPUNS: 11e6, ChildCPUNS: 0, Overhead: 0, Budget: 0.005, Skipped: 62},
			[]string{"no child process used CPU", "62 skipped for the 0.5% budget"}, []string{"0.0", "to stay within"}},
		{results.SamplerStats{IntervalNS: 1e8, Samples: 9, CPUNS: 11e6, ChildCPUNS: 100e6, Overhead: 0.11},
			[]string{"(11.00% of the children's)"}, []string{"over", "skipped"}},
	} {
		line := samplerLine(&c.s)
		for _, w := range c.want {
			if !strings.Contains(line, w) {
				t.Errorf("%+v: %q lacks %q", c.s, line, w)
			}
		}
		for _, m := range c.miss {
			if strings.Contains(line, m) {
				t.Errorf("%+v: %q says %q", c.s, line, m)
			}
		}
	}
}
