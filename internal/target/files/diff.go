package files

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"unicode/utf8"

	"github.com/pmezard/go-difflib/difflib"
)

// Limits of the diffs put into actions.
const (
	// MaxDiffInput is the largest file (either side) diffed line by line.
	MaxDiffInput = 256 << 10
	// MaxDiff caps the size of one action's diff.
	MaxDiff = 64 << 10
)

// side is one side of a diff: a file's content and mode, or nothing.
type side struct {
	present bool
	mode    fs.FileMode
	data    []byte
}

func liveSide(l live) side { return side{present: l.exists, mode: l.mode, data: l.data} }

func wantSide(s state, data []byte) side { return side{present: true, mode: s.mode, data: data} }

// unifiedDiff renders a readable diff from a (live) to b (desired) for the
// file name: a unified diff for text, one line for binary, too large or
// special files, and the mode change first, git-style.
func unifiedDiff(name string, a, b side) string {
	var out strings.Builder
	from, to := "live/"+name, "desired/"+name
	if !a.present {
		from = "/dev/null"
	}
	if !b.present {
		to = "/dev/null"
	}
	if a.present && b.present && a.mode != b.mode && a.mode.IsRegular() && b.mode.IsRegular() {
		fmt.Fprintf(&out, "old mode %04o\nnew mode %04o\n", a.mode, b.mode)
	}
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", from, to)
	at, bt := a.text(), b.text()
	switch {
	case bytes.Equal(at, bt) && a.mode.Type() == b.mode.Type():
	case a.special() || b.special():
		fmt.Fprintf(&out, "%s replaced by %s\n", describe(a), describe(b))
	case isBinary(at) || isBinary(bt):
		fmt.Fprintf(&out, "binary file differs (%d bytes → %d bytes)\n", len(at), len(bt))
	case len(at) > MaxDiffInput || len(bt) > MaxDiffInput:
		fmt.Fprintf(&out, "file too large to diff (%d bytes → %d bytes)\n", len(at), len(bt))
	default:
		out.WriteString(lineDiff(at, bt))
	}
	return capDiff(out.String())
}

// text is what the diff compares: the content, or "symlink to T" for a link.
func (s side) text() []byte {
	if s.present && s.mode&fs.ModeSymlink != 0 {
		return []byte("symlink to " + string(s.data) + "\n")
	}
	return s.data
}

// special reports a side that is neither absent, regular nor a symlink.
func (s side) special() bool {
	return s.present && s.mode.Type()&^fs.ModeSymlink != 0
}

func describe(s side) string {
	if !s.present {
		return "nothing"
	}
	return kindName(s.mode)
}

// isBinary reports data that is not text: a NUL byte early on, or not UTF-8.
func isBinary(data []byte) bool {
	head := data[:min(len(data), 8000)]
	return bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(data)
}

// lineDiff returns the hunks of a unified diff (3 lines of context) of a and
// b, marking a last line without a newline as git does.
func lineDiff(a, b []byte) string {
	d := difflib.UnifiedDiff{A: splitLines(a), B: splitLines(b), FromFile: "a", ToFile: "b", Context: 3}
	s, err := difflib.GetUnifiedDiffString(d)
	if err != nil {
		return fmt.Sprintf("diff failed: %v\n", err)
	}
	// Drop difflib's own ---/+++ header; the caller wrote one.
	for range 2 {
		if _, rest, ok := strings.Cut(s, "\n"); ok {
			s = rest
		}
	}
	return s
}

// splitLines splits text into lines that keep their "\n"; a last line
// without one carries git's marker, so "a" and "a\n" differ.
func splitLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	lines := strings.SplitAfter(string(b), "\n")
	last := len(lines) - 1
	if lines[last] == "" {
		return lines[:last]
	}
	lines[last] += "\n\\ No newline at end of file\n"
	return lines
}

// capDiff cuts a diff at MaxDiff bytes, on a line boundary.
func capDiff(s string) string {
	if len(s) <= MaxDiff {
		return s
	}
	cut := strings.LastIndexByte(s[:MaxDiff], '\n') + 1
	return s[:cut] + fmt.Sprintf("... diff truncated (%d more bytes)\n", len(s)-cut)
}
