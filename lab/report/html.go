package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// LabHTML writes report.html: report.md (Lab) rendered to HTML, with each
// figure inlined (its SVG, or its PNG as a data URL where there is no
// SVG), so the one file carries everything it shows. file reads a file of
// the report by its path relative to the report (the caller does the I/O).
func LabHTML(w io.Writer, lr LabReport, file func(rel string) ([]byte, error)) error {
	var md bytes.Buffer
	if err := Lab(&md, lr); err != nil {
		return err
	}
	var body bytes.Buffer
	// Hard wraps: report.md puts each sentence on a line of its own.
	gm := goldmark.New(goldmark.WithExtensions(extension.Table), goldmark.WithRendererOptions(gmhtml.WithHardWraps()),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()))
	// Anchors as report.md's links (GitHub's) name them.
	if err := gm.Convert(md.Bytes(), &body, parser.WithContext(parser.NewContext(parser.WithIDs(&htmlIDs{})))); err != nil {
		return fmt.Errorf("report.html: %w", err)
	}
	inlined := imgTag.ReplaceAllFunc(body.Bytes(), func(tag []byte) []byte {
		m := imgTag.FindSubmatch(tag)
		src, alt := html.UnescapeString(string(m[1])), string(m[2])
		if svg, err := file(strings.TrimSuffix(src, path.Ext(src)) + ".svg"); err == nil {
			if i := bytes.Index(svg, []byte("<svg")); i >= 0 {
				return []byte(fmt.Sprintf(`<figure role="img" aria-label="%s">%s</figure>`, alt, svg[i:]))
			}
		}
		if png, err := file(src); err == nil {
			return []byte(fmt.Sprintf(`<img src="data:image/png;base64,%s" alt="%s">`, base64.StdEncoding.EncodeToString(png), alt))
		}
		return tag
	})
	// Tables scroll sideways in a wrapper of their own (the page never
	// clips one); the fastest row (its method in bold) is marked.
	inlined = bytes.ReplaceAll(inlined, []byte("<table>"), []byte(`<div class="table-wrap"><table>`))
	inlined = bytes.ReplaceAll(inlined, []byte("</table>"), []byte("</table></div>"))
	inlined = fastestRow.ReplaceAll(inlined, []byte(`<tr class="fastest">$1`))
	fmt.Fprintf(w, htmlHead, html.EscapeString(lr.Title))
	if _, err := w.Write(inlined); err != nil {
		return err
	}
	_, err := io.WriteString(w, "</main>\n</body>\n</html>\n")
	return err
}

// htmlIDs gives report.html's headings the anchors report.md links to.
type htmlIDs struct{ slugs }

func (s *htmlIDs) Generate(value []byte, _ ast.NodeKind) []byte { return []byte(s.id(string(value))) }
func (s *htmlIDs) Put(value []byte)                             { s.id(string(value)) }

var fastestRow = regexp.MustCompile(`<tr>(\s*<td[^>]*><strong>)`)

var imgTag = regexp.MustCompile(`<img src="([^"]+)" alt="([^"]*)"\s*/?>`)

const htmlHead = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; color: #1b1b1b; background: #fff; margin: 0; }
main { max-width: 80rem; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
@media (max-width: 600px) { main { padding: 1rem .8rem 3rem; } }
h1 { font-size: 1.7rem; border-bottom: 2px solid #ddd; padding-bottom: .3rem; }
h2 { font-size: 1.35rem; margin-top: 2.2rem; border-bottom: 1px solid #eee; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
.table-wrap { overflow-x: auto; max-width: 100%%; margin: .8rem 0; }
table { border-collapse: collapse; font-size: .85rem; }
th, td { border: 1px solid #d6d6d6; padding: .2rem .45rem; text-align: left; white-space: nowrap; }
th { background: #f4f4f4; }
td { font-variant-numeric: tabular-nums; }
tr.fastest td { background: #e8f5e9; }
tr.fastest td:first-child::after { content: " (fastest)"; font-weight: normal; color: #2e7d32; font-size: .85em; }
p, li { overflow-wrap: anywhere; }
pre { background: #f7f7f7; border: 1px solid #e4e4e4; padding: .6rem .8rem; overflow-x: auto; font-size: .82rem; line-height: 1.35; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9em; }
figure { margin: 1rem 0; }
figure svg, img { max-width: 100%%; height: auto; }
</style>
</head>
<body>
<main>
`
