// Scratch: overhead and rate of hot-loop profiling (not committed).
package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"

	"github.com/proclab/proclab/lab"
)

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func main() {
	rounds, _ := strconv.Atoi(os.Args[1])
	iters, _ := strconv.ParseUint(os.Args[2], 10, 64)
	hzs := []int{0, 100, 250}
	methods := []lab.Method{lab.Fork, lab.Spawn, lab.Thread, lab.Single}
	cpu := map[string][]float64{}
	rate := map[string][]float64{}
	for r := 0; r < rounds; r++ {
		for _, hz := range hzs {
			res, err := lab.Run(context.Background(), lab.Spec{Methods: methods, NTasks: 2, NIters: iters, Repeat: 1, ProfileHz: hz})
			if err != nil {
				panic(err)
			}
			for _, run := range res.Runs {
				for _, t := range run.Tasks {
					k := fmt.Sprintf("%s/%d", run.Method, hz)
					c := float64(t.UserNS+t.SysNS) / 1e6
					cpu[k] = append(cpu[k], c)
					if t.Profile != nil {
						rate[k] = append(rate[k], float64(len(t.Profile.PCs))/(c/1e3))
					}
				}
			}
		}
	}
	fmt.Printf("%-8s %12s %12s %12s %9s %9s %10s %10s\n", "method", "cpu hz=0", "cpu hz=100", "cpu hz=250", "100/0", "250/0", "rate@100", "rate@250")
	for _, m := range methods {
		c0, c1, c2 := median(cpu[fmt.Sprintf("%s/0", m)]), median(cpu[fmt.Sprintf("%s/100", m)]), median(cpu[fmt.Sprintf("%s/250", m)])
		fmt.Printf("%-8s %10.1fms %10.1fms %10.1fms %9.4f %9.4f %10.1f %10.1f\n", m, c0, c1, c2, c1/c0, c2/c0,
			median(rate[fmt.Sprintf("%s/100", m)]), median(rate[fmt.Sprintf("%s/250", m)]))
	}
	fmt.Printf("(%d rounds x 2 tasks per cell, %d iterations per task, medians)\n", rounds, iters)
}
