package csys

import "fmt"

func fmtSscan(s string, state *byte, ppid *int) (int, error) {
	var st string
	n, err := fmt.Sscan(s, &st, ppid)
	if len(st) > 0 {
		*state = st[0]
	}
	return n, err
}
