package image

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// Latest is the newest image a policy chose.
type Latest struct {
	Image string `json:"image"`
	Tag   string `json:"tag"`
}

// Ref is IMAGE:TAG.
func (l Latest) Ref() string { return l.Image + ":" + l.Tag }

// Change is one field set in one file.
type Change struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Marker Marker `json:"marker"`
	// Policy and Image name the policy and its repository.
	Policy string `json:"policy"`
	Image  string `json:"image"`
	// Old and New are the field's values.
	Old string `json:"old"`
	New string `json:"new"`
	// OldRef and NewRef are the references the field stands for:
	// IMAGE:TAG for whole and tag fields, the repository for name fields.
	OldRef string `json:"oldRef"`
	NewRef string `json:"newRef"`
}

// Lookup returns the newest image of a policy; ok is false for a policy
// with no result (unknown, not scanned yet, failing or not allowed).
type Lookup func(policy string) (Latest, bool)

// Marked is a marked scalar found in a file.
type Marked struct {
	Marker Marker
	Line   int
	Value  string
	node   *kyaml.Node
}

// Find returns every marked scalar of a YAML stream, in file order.
func Find(data []byte) ([]Marked, error) {
	dec := kyaml.NewDecoder(bytes.NewReader(data))
	var found []Marked
	for {
		var doc kyaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return found, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parse YAML: %w", err)
		}
		if err := walk(&doc, &found); err != nil {
			return nil, err
		}
	}
}

// walk collects the marked scalars under n: mapping values (the marker on
// the value or its key) and sequence items.
func walk(n *kyaml.Node, found *[]Marked) error {
	switch n.Kind {
	case kyaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind == kyaml.ScalarNode {
				if err := mark(v, v.LineComment+" "+k.LineComment, found); err != nil {
					return err
				}
				continue
			}
			if err := walk(v, found); err != nil {
				return err
			}
		}
	case kyaml.SequenceNode, kyaml.DocumentNode:
		for _, c := range n.Content {
			if c.Kind == kyaml.ScalarNode {
				if err := mark(c, c.LineComment, found); err != nil {
					return err
				}
				continue
			}
			if err := walk(c, found); err != nil {
				return err
			}
		}
	}
	return nil
}

// mark records scalar v when comment holds a marker.
func mark(v *kyaml.Node, comment string, found *[]Marked) error {
	m, ok, err := ParseMarker(comment)
	if err != nil {
		return fmt.Errorf("line %d: %w", v.Line, err)
	}
	if ok {
		*found = append(*found, Marked{Marker: m, Line: v.Line, Value: v.Value, node: v})
	}
	return nil
}

// Set sets every marked field of data whose policy lookup knows, and
// returns the new content and the changes (file names each change).
// Only the bytes of changed values differ between data and the result.
func Set(file string, data []byte, lookup Lookup) ([]byte, []Change, error) {
	var changes []Change
	out, err := SetValues(file, data, func(mk Marked) (string, bool) {
		latest, ok := lookup(mk.Marker.Policy)
		if !ok {
			return "", false
		}
		ch := change(file, mk, latest)
		if ch.New != ch.Old {
			changes = append(changes, ch)
		}
		return ch.New, true
	})
	if err != nil {
		return nil, nil, err
	}
	return out, changes, nil
}

// SetValues sets every marked field for which value returns a new value
// (ok false leaves it), splicing the value into data in the field's own
// style; nothing else changes. value is called in file order.
func SetValues(file string, data []byte, value func(Marked) (string, bool)) ([]byte, error) {
	marked, err := Find(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	type edit struct {
		mk  Marked
		val string
	}
	var edits []edit
	for _, mk := range marked {
		if v, ok := value(mk); ok && v != mk.Value {
			edits = append(edits, edit{mk, v})
		}
	}
	lines := lineStarts(data)
	out := data
	for i := len(edits) - 1; i >= 0; i-- { // from the end, so earlier offsets stay valid
		if out, err = splice(out, lines, edits[i].mk.node, edits[i].val); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, edits[i].mk.Line, err)
		}
	}
	return out, nil
}

// change computes the new value of a marked field.
func change(file string, mk Marked, l Latest) Change {
	ch := Change{File: file, Line: mk.Line, Marker: mk.Marker, Policy: mk.Marker.Policy, Image: l.Image, Old: mk.Value}
	switch mk.Marker.Field {
	case FieldTag:
		ch.New, ch.OldRef, ch.NewRef = l.Tag, l.Image+":"+mk.Value, l.Ref()
	case FieldName:
		ch.New, ch.OldRef, ch.NewRef = l.Image, mk.Value, l.Image
	default:
		ch.New, ch.OldRef, ch.NewRef = l.Ref(), mk.Value, l.Ref()
	}
	return ch
}

// lineStarts returns the byte offset of each line's start.
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// offset turns a node's 1-based line and column (in characters) into a
// byte offset.
func offset(data []byte, lines []int, line, col int) (int, error) {
	if line < 1 || line > len(lines) || col < 1 {
		return 0, fmt.Errorf("position %d:%d outside the file", line, col)
	}
	off := lines[line-1]
	for range col - 1 {
		if off >= len(data) || data[off] == '\n' {
			return 0, fmt.Errorf("position %d:%d outside the line", line, col)
		}
		_, size := utf8.DecodeRune(data[off:])
		off += size
	}
	return off, nil
}

// splice replaces the scalar token of n in data with value, written in
// the same style.
func splice(data []byte, lines []int, n *kyaml.Node, value string) ([]byte, error) {
	start, err := offset(data, lines, n.Line, n.Column)
	if err != nil {
		return nil, err
	}
	end, token, err := tokenEnd(data, start, n)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(data)+len(value))
	out = append(out, data[:start]...)
	out = append(out, token(value)...)
	return append(out, data[end:]...), nil
}

// tokenEnd finds where n's token ends and how a new value is written in
// its style.
func tokenEnd(data []byte, start int, n *kyaml.Node) (int, func(string) string, error) {
	rest := data[start:]
	switch n.Style {
	case kyaml.DoubleQuotedStyle:
		end := closingQuote(rest, '"')
		if end < 0 {
			return 0, nil, errors.New("cannot find the end of the quoted value")
		}
		return start + end + 1, func(v string) string { return `"` + escapeDouble(v) + `"` }, nil
	case kyaml.SingleQuotedStyle:
		end := closingQuote(rest, '\'')
		if end < 0 {
			return 0, nil, errors.New("cannot find the end of the quoted value")
		}
		return start + end + 1, func(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }, nil
	case 0:
		if !bytes.HasPrefix(rest, []byte(n.Value)) || strings.Contains(n.Value, "\n") {
			return 0, nil, errors.New("the marked value spans lines or is not written as it reads: write it on one line")
		}
		return start + len(n.Value), plainOrQuoted, nil
	default:
		return 0, nil, errors.New("a marked value must be plain or quoted, not a block scalar")
	}
}

// closingQuote returns the index of the quote closing the quoted scalar
// starting at b[0], on the same line, or -1.
func closingQuote(b []byte, q byte) int {
	for i := 1; i < len(b) && b[i] != '\n'; i++ {
		switch {
		case q == '"' && b[i] == '\\':
			i++
		case b[i] == q && q == '\'' && i+1 < len(b) && b[i+1] == '\'':
			i++
		case b[i] == q:
			return i
		}
	}
	return -1
}

// plainOrQuoted writes v plain when it reads back as the same string,
// else double-quoted (a tag like 1.10 would read as a number).
func plainOrQuoted(v string) string {
	var n kyaml.Node
	if err := kyaml.Unmarshal([]byte(v), &n); err == nil && len(n.Content) == 1 {
		if c := n.Content[0]; c.Kind == kyaml.ScalarNode && c.Tag == "!!str" && c.Value == v && c.Style == 0 {
			return v
		}
	}
	return `"` + escapeDouble(v) + `"`
}

func escapeDouble(v string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v)
}
