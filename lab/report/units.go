package report

import (
	"fmt"
	"io"
	"math"
	"time"
)

// dur formats nanoseconds with three significant digits and a unit.
func dur(ns float64) string {
	d := time.Duration(ns)
	switch {
	case ns < 0:
		return "-" + dur(-ns)
	case d < time.Microsecond:
		if ns < 100 && ns != math.Trunc(ns) {
			return sig3(ns) + "ns" // a per-iteration cost: 2.46ns, not 2ns
		}
		return fmt.Sprintf("%.0fns", ns)
	case d < time.Millisecond:
		return sig3(ns/1e3) + "µs"
	case d < time.Second:
		return sig3(ns/1e6) + "ms"
	default:
		return sig3(ns/1e9) + "s"
	}
}

func sig3(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// bytesIEC formats a byte count in binary units.
func bytesIEC(b float64) string {
	const k = 1024
	switch {
	case b < k:
		return fmt.Sprintf("%.0fB", b)
	case b < k*k:
		return sig3(b/k) + "KiB"
	case b < k*k*k:
		return sig3(b/k/k) + "MiB"
	default:
		return sig3(b/k/k/k) + "GiB"
	}
}

// sizeText writes a byte count exactly when it is a whole number of MiB
// or GiB (parent sizes are), else with three significant digits.
func sizeText(b int64) string {
	switch {
	case b >= 1<<30 && b%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", b>>30)
	case b >= 1<<20 && b%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", b>>20)
	}
	return bytesIEC(float64(b))
}

// MaxWarnings is how many warnings a text table prints before it points to
// the JSON, which keeps them all.
const MaxWarnings = 4

// textWarnings prints the first MaxWarnings warnings, one line each.
func textWarnings(w io.Writer, ws []string, width int) {
	for i, warn := range ws {
		if i == MaxWarnings {
			fmt.Fprintln(w, wrap(fmt.Sprintf("warning: ... and %d more (all of them are in the JSON results)", len(ws)-i), width))
			return
		}
		fmt.Fprintln(w, indent(wrap("warning: "+warn, max(width-2, 0)), "", "  "))
	}
}
