package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// The command-line reference (docs/cli.md and the man pages in docs/man/)
// is generated from the cobra command tree, so help and docs cannot drift:
// TestDocsAreCurrent fails when they do, and `make docs` writes them anew.

func newDocsCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:           "docs DIR",
		Short:         "Write the command-line reference (DIR/cli.md, DIR/man/*.1) from the commands' own help",
		Hidden:        true,
		Args:          usageArgs(cobra.ExactArgs(1)),
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := referenceDocs(cmd.Root())
			if err != nil {
				return err
			}
			for name, b := range files {
				path := filepath.Join(args[0], filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(path, b, 0o644); err != nil {
					return err
				}
				fmt.Fprintln(stdout, path)
			}
			return nil
		},
	}
}

// manDate is the date the man pages carry: a fixed one, so that the pages
// are the same bytes wherever and whenever they are made.
var manDate = time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)

// referenceDocs renders the reference of every visible command of root:
// "cli.md" (one Markdown file, a section per command) and "man/NAME.1"
// (a man page per command), by their names relative to the docs folder.
func referenceDocs(root *cobra.Command) (map[string][]byte, error) {
	// What Execute adds to the tree, added here too: the docs are of the
	// command as it runs.
	root.InitDefaultHelpFlag()
	root.InitDefaultVersionFlag()
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.DisableAutoGenTag = true
	var cmds []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c != root {
			return
		}
		c.DisableAutoGenTag = true
		cmds = append(cmds, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)

	var md bytes.Buffer
	md.WriteString("# proclab command-line reference\n\n")
	md.WriteString("Generated from the commands' own help by `make docs`; `proclab COMMAND --help` prints the same.\n\n")
	for _, c := range cmds {
		fmt.Fprintf(&md, "- [%s](#%s)\n", c.CommandPath(), anchor(c.CommandPath()))
	}
	md.WriteString("\n")
	link := func(name string) string { // proclab_compare.md -> #proclab-compare
		return "#" + anchor(strings.ReplaceAll(strings.TrimSuffix(name, ".md"), "_", " "))
	}
	for _, c := range cmds {
		var b bytes.Buffer
		if err := doc.GenMarkdownCustom(c, &b, link); err != nil {
			return nil, err
		}
		md.Write(b.Bytes())
		md.WriteString("\n")
	}
	files := map[string][]byte{"cli.md": md.Bytes()}

	header := &doc.GenManHeader{Title: "PROCLAB", Section: "1", Date: &manDate, Source: "proclab", Manual: "proclab manual"}
	for _, c := range cmds {
		var b bytes.Buffer
		h := *header
		h.Title = strings.ToUpper(strings.ReplaceAll(c.CommandPath(), " ", "-"))
		if err := doc.GenMan(c, &h, &b); err != nil {
			return nil, err
		}
		files["man/"+strings.ReplaceAll(c.CommandPath(), " ", "-")+".1"] = b.Bytes()
	}
	if len(files) < 2 {
		return nil, errors.New("docs: no commands")
	}
	return files, nil
}

// anchor is the GitHub-style anchor of a heading.
func anchor(heading string) string {
	return strings.ReplaceAll(strings.ToLower(heading), " ", "-")
}
