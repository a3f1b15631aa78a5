package report

import (
	"net/url"
	"strings"
	"unicode"
)

// report.md and results.md quote text the lab recorded (commands, paths,
// warnings, errors, host fields, function names): none of it may become
// Markdown or HTML, and a command shown to be pasted into a shell is
// quoted for one.

// mdText is recorded text as Markdown that shows it as it is: the
// characters that start Markdown or HTML are backslash-escaped (a
// recorded "<script>" is text, not a tag); an underscore inside a word
// (n_tasks) starts nothing and stays as it is.
func mdText(s string) string {
	rs := []rune(s)
	word := func(i int) bool {
		return i >= 0 && i < len(rs) && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i]))
	}
	var b strings.Builder
	for i, r := range rs {
		switch {
		case r == '\n' || r == '\r':
			b.WriteByte(' ')
			continue
		case strings.ContainsRune("\\`*[]<>&|~", r), r == '_' && !(word(i-1) && word(i+1)), r == '#' && i == 0:
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// codeSpan is s as an inline code span: fenced with more backticks than
// any run in s, so s cannot end it.
func codeSpan(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdURL is a relative path as a link destination: each part escaped, so
// a directory named "x)(y" or "a b" stays one link.
func mdURL(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}
