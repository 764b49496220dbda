package config

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// File is one config file: Name (a path, used in errors) and its content.
type File struct {
	Name string
	Data []byte
}

// Kinds lists the document kinds this build understands, sorted.
func Kinds() []string {
	return []string{"App", "AppSet", "ImagePolicy", "ImageUpdate", "Notifier", "Receiver", "Source", "Target"}
}

// envelope is the part every document shares.
type envelope struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Metadata   *metadata `json:"metadata"`
	Spec       rawNode   `json:"spec"`
}

// metadata names an object.
type metadata struct {
	Name string `json:"name"`
}

// Parse decodes and validates config documents from in-memory files (read
// from a directory or a Git tree), applies defaults and returns the
// config. Files are read in name order; empty documents are skipped. When
// anything is wrong it returns an ErrorList holding every problem found.
func Parse(files []File) (*Config, error) {
	files = slices.Clone(files)
	slices.SortStableFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	p := &parser{}
	for _, f := range files {
		p.file(f)
	}
	p.crossCheck()
	if err := p.errs.err(); err != nil {
		return nil, err
	}
	cfg := p.config()
	cfg.setDefaults()
	return cfg, nil
}

// parser collects the documents and errors of one Parse.
type parser struct {
	errs ErrorList
	docs []*document
}

// file parses every document of one file.
func (p *parser) file(f File) {
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			line, msg := yamlError(err)
			p.errs.add(Pos{File: f.Name, Line: line}, "", "", "invalid YAML: %s", msg)
			return
		}
		p.document(f.Name, &n)
	}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems are the syntax errors yaml.v3 reports from its parser
// (not its scanner), with 0-based line numbers.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
	"found duplicate %YAML directive":        true,
	"found duplicate %TAG directive":         true,
	"did not find expected <stream-start>":   true,
}

// yamlError splits a YAML syntax error into its (1-based) line and
// message.
func yamlError(err error) (int, string) {
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, strings.TrimPrefix(err.Error(), "yaml: ")
	}
	line, _ := strconv.Atoi(m[1])
	if parserProblems[m[2]] {
		line++
	}
	return line, m[2]
}

// document decodes one YAML document into an object.
func (p *parser) document(file string, n *yaml.Node) {
	if n.Kind != yaml.DocumentNode || len(n.Content) == 0 {
		return
	}
	root := resolveAlias(n.Content[0])
	if isNull(root) {
		return
	}
	doc := newDocument(Pos{File: file, Line: root.Line}, &p.errs)
	if root.Kind != yaml.MappingNode {
		doc.errorf("", "a document must be a mapping with apiVersion, kind, metadata and spec, got %s",
			describe(root, true))
		return
	}
	doc.kind, doc.name = peekKindName(root)
	var env envelope
	dec := &decoder{doc: doc}
	dec.decode(root, "", reflect.ValueOf(&env).Elem())
	if !checkEnvelope(doc, &env) {
		return
	}
	doc.obj = decodeSpec(dec, env)
	p.docs = append(p.docs, doc)
}

// peekKindName reads kind and metadata.name before decoding, so that
// errors found while decoding can name the object.
func peekKindName(root *yaml.Node) (kind, name string) {
	kind = scalar(lookup(root, "kind"))
	if md := lookup(root, "metadata"); md != nil {
		name = scalar(lookup(md, "name"))
	}
	return kind, name
}

// lookup returns the value of key in mapping n, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
	if n = resolveAlias(n); n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return resolveAlias(n.Content[i+1])
		}
	}
	return nil
}

// scalar returns the string value of a scalar node, or "".
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		return ""
	}
	return n.Value
}

// checkEnvelope validates apiVersion, kind and metadata.name; it reports
// whether the spec can be decoded.
func checkEnvelope(doc *document, env *envelope) bool {
	hasVersion := doc.require("apiVersion", env.APIVersion)
	if hasKind := doc.require("kind", env.Kind); !hasVersion || !hasKind {
		return false
	}
	if env.APIVersion != APIVersion {
		doc.errorf("apiVersion", "unknown apiVersion %q: plumb documents have apiVersion %q and kind %s",
			env.APIVersion, APIVersion, orList(Kinds()))
		return false
	}
	if !slices.Contains(Kinds(), env.Kind) {
		hint := ""
		if c := closest(env.Kind, Kinds()); c != "" {
			hint = "did you mean " + strconv.Quote(c) + "? "
		}
		doc.errorf("kind", "unknown kind %q (%sknown kinds: %s)", env.Kind, hint, strings.Join(Kinds(), ", "))
		return false
	}
	if env.Metadata == nil {
		env.Metadata = &metadata{}
	}
	if doc.require("metadata.name", env.Metadata.Name) {
		checkName(doc, "metadata.name", env.Metadata.Name)
	}
	return true
}

// orList writes "a, b or c".
func orList(s []string) string { return listWith(s, " or ") }

// andList writes "a, b and c".
func andList(s []string) string { return listWith(s, " and ") }

// listWith joins s with commas, and last before the last element.
func listWith(s []string, last string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + last + s[len(s)-1]
}

// decodeSpec decodes and validates the spec of a document whose kind is
// known, returning the object.
func decodeSpec(dec *decoder, env envelope) any {
	doc := dec.doc
	pos := doc.pos
	name := env.Metadata.Name
	spec := env.Spec.node
	if spec == nil || isNull(spec) {
		doc.require("spec", "")
		spec = nil
	} else if spec.Kind != yaml.MappingNode {
		dec.wrongType(spec, "spec", "a mapping")
		spec = nil
	}
	switch env.Kind {
	case "Source":
		s := &Source{Name: name, Pos: pos}
		decodeInto(dec, spec, s, validateSource, "name")
		return s
	case "Target":
		t := &Target{Name: name, Pos: pos}
		decodeInto(dec, spec, t, validateTarget, "name", "kind")
		return t
	case "Notifier":
		n := &Notifier{Name: name, Pos: pos}
		decodeInto(dec, spec, n, validateNotifier, "name", "provider")
		return n
	case "Receiver":
		r := &Receiver{Name: name, Pos: pos}
		decodeInto(dec, spec, r, validateReceiver, "name")
		return r
	case "ImagePolicy":
		ip := &ImagePolicy{Name: name, Pos: pos}
		decodeInto(dec, spec, ip, validateImagePolicy, "name")
		return ip
	case "ImageUpdate":
		u := &ImageUpdate{Name: name, Pos: pos}
		decodeInto(dec, spec, u, validateImageUpdate, "name")
		return u
	case "AppSet":
		s := &AppSet{Name: name, Pos: pos}
		decodeInto(dec, spec, s, validateAppSet, "name")
		return s
	default:
		a := &App{Name: name, Pos: pos}
		decodeInto(dec, spec, a, validateApp, "name")
		return a
	}
}

// decodeInto decodes spec into obj and validates it; a missing spec was
// already reported and is not validated further.
func decodeInto[T any](dec *decoder, spec *yaml.Node, obj *T, validate func(*document, *T), skip ...string) {
	if spec == nil {
		return
	}
	dec.decode(spec, "spec", reflect.ValueOf(obj).Elem(), skip...)
	validate(dec.doc, obj)
}

// config assembles the objects, in document order.
func (p *parser) config() *Config {
	cfg := &Config{}
	for _, d := range p.docs {
		switch o := d.obj.(type) {
		case *Source:
			cfg.Sources = append(cfg.Sources, o)
		case *Target:
			cfg.Targets = append(cfg.Targets, o)
		case *App:
			cfg.Apps = append(cfg.Apps, o)
		case *Notifier:
			cfg.Notifiers = append(cfg.Notifiers, o)
		case *Receiver:
			cfg.Receivers = append(cfg.Receivers, o)
		case *ImagePolicy:
			cfg.ImagePolicies = append(cfg.ImagePolicies, o)
		case *ImageUpdate:
			cfg.ImageUpdates = append(cfg.ImageUpdates, o)
		case *AppSet:
			cfg.AppSets = append(cfg.AppSets, o)
		}
	}
	return cfg
}
