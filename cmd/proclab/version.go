package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/proclab/proclab/lab"
)

// newVersionCmd is `proclab version`; `proclab --version` prints the same.
func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:           "version",
		Short:         "Print proclab's version, VCS revision and Go toolchain",
		Args:          usageArgs(cobra.NoArgs),
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(stdout, lab.VersionLine())
			return err
		},
	}
}
