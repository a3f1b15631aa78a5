package lab

import (
	"github.com/proclab/proclab/lab/results"
	"strings"
)

// methodAliases are names users type for a method (other tools' names,
// the C call, Python's spelling).
var methodAliases = map[string]results.Method{
	"posix_spawn": results.Spawn, "posix-spawn": results.Spawn, "posixspawn": results.Spawn,
	"forkexec": results.ForkExec, "fork_exec": results.ForkExec, "fork+exec": results.ForkExec, "execve": results.ForkExec,
	"os/exec": results.Exec, "osexec": results.Exec, "goroutine": results.Thread, "threads": results.Thread, "goroutines": results.Thread,
	"sequential": results.Single, "serial": results.Single,
	"py_fork": results.PyFork, "py_spawn": results.PySpawn, "py_forkserver": results.PyForkserver,
	"python-fork": results.PyFork, "python-spawn": results.PySpawn, "python-forkserver": results.PyForkserver,
}

// SuggestMethod is the method a mistyped name most likely meant, or "".
func SuggestMethod(name string) results.Method {
	if m, ok := methodAliases[strings.ToLower(name)]; ok {
		return m
	}
	var names []string
	for _, m := range results.KnownMethods() {
		names = append(names, string(m))
	}
	return results.Method(Nearest(strings.ToLower(name), names))
}

// Nearest is the candidate closest to word: within an edit distance of 2
// (or a third of word's length, if longer), or one that word is a prefix
// of or extends by one letter; "" if none is that close.
func Nearest(word string, candidates []string) string {
	best, bestD := "", len(word)/3+1
	bestD = max(bestD, 2)
	for _, c := range candidates {
		d := editDistance(word, c)
		if len(word) >= 3 && (strings.HasPrefix(c, word) || strings.HasPrefix(word, c) && len(word)-len(c) <= 1) {
			d = min(d, 1)
		}
		if d < bestD || d == bestD && best == "" {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
