package main

import (
	"github.com/spf13/pflag"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/results"
)

// forkLabHeap is --fork-lab-heap: what fork children get of the lab's own
// Go heap (lab/labheap.go). It holds lab's InheritLabHeap.
type forkLabHeap struct{ inherit *bool }

func (v forkLabHeap) String() string {
	if v.inherit != nil && *v.inherit {
		return results.ForkLabHeapInherit
	}
	return results.ForkLabHeapDontFork
}

func (v forkLabHeap) Set(s string) error {
	inherit, err := lab.ParseForkLabHeap(s)
	if err != nil {
		return err // pflag names the flag and the value
	}
	*v.inherit = inherit
	return nil
}

func (v forkLabHeap) Type() string { return "string" }

// addForkLabHeapFlag registers --fork-lab-heap on fl, into inherit.
func addForkLabHeapFlag(fl *pflag.FlagSet, inherit *bool) {
	fl.Var(forkLabHeap{inherit}, "fork-lab-heap", "what fork children get of the lab's Go heap and the runtime's memory about it: "+
		"dontfork (MADV_DONTFORK: it is the instrument's, not the parent's; the ballast is always inherited) or inherit (all of the lab, as any fork of a Go program)")
}
