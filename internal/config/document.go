package config

import (
	"fmt"
	"strings"
)

// document is one object being decoded: its kind and name, where it
// starts, the line of every field it sets, and the errors found in it.
type document struct {
	kind  string
	name  string
	pos   Pos
	lines map[string]int
	// failed holds the fields that already have a decoding error, so
	// that validation does not report them again.
	failed map[string]bool
	errs   *ErrorList
	// obj is the decoded *Source, *Target, *App, *Notifier, *Receiver,
	// *ImagePolicy, *ImageUpdate or *AppSet; nil when
	// the document is not a known object.
	obj any
}

func newDocument(pos Pos, errs *ErrorList) *document {
	return &document{pos: pos, lines: map[string]int{}, failed: map[string]bool{}, errs: errs}
}

// object names the document in errors, like `App "web"`.
func (d *document) object() string {
	switch {
	case d.kind == "":
		return ""
	case d.name == "":
		return d.kind
	default:
		return fmt.Sprintf("%s %q", d.kind, d.name)
	}
}

// has reports whether the document sets field (even to null).
func (d *document) has(field string) bool {
	_, ok := d.lines[field]
	return ok
}

// at returns the position of field, or of its nearest parent that the
// document sets, or of the document itself.
func (d *document) at(field string) Pos {
	for field != "" {
		if line, ok := d.lines[field]; ok {
			return Pos{File: d.pos.File, Line: line}
		}
		field = parentField(field)
	}
	return d.pos
}

// errorf records an error about field, at the field's line, unless
// decoding the field (or a field holding it) already failed: one mistake
// gives one error.
func (d *document) errorf(field, format string, args ...any) {
	if d.decodeFailed(field) {
		return
	}
	d.errs.add(d.at(field), d.object(), field, format, args...)
}

// decodeFailed reports whether decoding field or a parent of it failed.
func (d *document) decodeFailed(field string) bool {
	for ; field != ""; field = parentField(field) {
		if d.failed[field] {
			return true
		}
	}
	return false
}

// parentField strips the last element of a field path:
// "spec.dependsOn[1]" becomes "spec.dependsOn", "spec.git" becomes "spec".
func parentField(field string) string {
	i := strings.LastIndexAny(field, ".[")
	if i < 0 {
		return ""
	}
	return field[:i]
}

// join appends a field name to a path.
func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// require reports whether a required field has a value, recording an
// error when it is missing or empty (unless decoding it already failed).
func (d *document) require(field, value string) bool {
	switch {
	case value != "":
		return true
	case d.has(field):
		d.errorf(field, "must not be empty")
	default:
		d.errorf(field, "required field missing")
	}
	return false
}
