package lab

import (
	"fmt"
	"os"
	"strings"
)

type statLine struct {
	pid, ppid int
	state     string
}

// readStat parses /proc/PID/stat (the command name may hold spaces).
func readStat(pid string) (statLine, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return statLine{}, err
	}
	s := string(b)
	var st statLine
	fmt.Sscan(s, &st.pid)
	i := strings.LastIndexByte(s, ')')
	_, err = fmt.Sscan(s[i+2:], &st.state, &st.ppid)
	return st, err
}
