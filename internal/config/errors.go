package config

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem found in a config document: where it is, which
// object and field it concerns, and what is wrong.
type Error struct {
	// Pos is the file and line at fault.
	Pos Pos
	// Object names the object, like `App "web"`; empty when the document
	// is not an object at all.
	Object string
	// Field is the field path, like "spec.dependsOn[1]"; empty when the
	// error concerns the whole document.
	Field string
	// Msg says what is wrong and, where possible, how to fix it.
	Msg string
}

// Error formats the error as `file:line: Object: field: message`, leaving
// out empty parts.
func (e *Error) Error() string {
	parts := make([]string, 0, 4)
	for _, s := range []string{e.Pos.String(), e.Object, e.Field, e.Msg} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ": ")
}

// ErrorList is every problem found in a set of config documents, sorted by
// file then line. Parse returns it (as an error) when anything is wrong.
type ErrorList []*Error

// Error joins the errors with newlines.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the single errors, so errors.As finds an *Error.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// sort orders the list by file then line, keeping the order in which
// errors were found for the same line.
func (l ErrorList) sort() {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Pos.File != l[j].Pos.File {
			return l[i].Pos.File < l[j].Pos.File
		}
		return l[i].Pos.Line < l[j].Pos.Line
	})
}

// add appends one error.
func (l *ErrorList) add(pos Pos, object, field, format string, args ...any) {
	*l = append(*l, &Error{Pos: pos, Object: object, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// err returns the list as an error, or nil when it is empty.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	l.sort()
	return l
}
