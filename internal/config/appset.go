package config

import (
	"fmt"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"
)

// AppSet generates Apps from a template, one per item its generator
// finds: a directory of a source matching a glob, a branch matching a
// glob (preview environments), or an open pull request on GitHub or
// GitLab. For branches and pull requests each item also gets its own
// Source following that branch, and with TargetTemplate its own Target.
//
// A generator that fails (API down, auth refused, fetch failed) keeps the
// Apps it generated last; an App is removed only when its generator,
// working, no longer lists its item (see internal/automation/generate).
type AppSet struct {
	Name      string       `json:"name"`
	Generator AppGenerator `json:"generator"`
	// Template is the App made for each item. Every string field is a Go
	// text/template over the item: {{.name}} (a DNS-label slug), and per
	// generator {{.path}}, {{.branch}}, {{.number}}, {{.sha}},
	// {{.title}}, {{.source}}.
	Template AppTemplate `json:"template"`
	// TargetTemplate, when set, makes a Target per item (its own files
	// root, say); the Template's target then defaults to it.
	TargetTemplate *TargetTemplate `json:"targetTemplate,omitempty"`
	// Interval is how often the generator runs (default 1m).
	Interval Duration `json:"interval,omitzero"`
	Pos      Pos      `json:"-"`
}

// AppGenerator holds exactly one generator.
type AppGenerator struct {
	Directories  *DirectoryGenerator   `json:"directories,omitempty"`
	Branches     *BranchGenerator      `json:"branches,omitempty"`
	PullRequests *PullRequestGenerator `json:"pullRequests,omitempty"`
}

// DirectoryGenerator lists the directories of Source (at its ref) whose
// path matches Glob (path.Match syntax, e.g. "apps/*"), except those
// matching an Exclude glob.
type DirectoryGenerator struct {
	Source  string   `json:"source"`
	Glob    string   `json:"glob"`
	Exclude []string `json:"exclude,omitempty"`
}

// BranchGenerator lists the branches of Source's repository matching Glob
// (e.g. "preview/*").
type BranchGenerator struct {
	Source string `json:"source"`
	Glob   string `json:"glob"`
}

// PullRequestGenerator lists the open pull requests (merge requests) of
// Source's repository on GitHub or GitLab, optionally only those with
// every one of Labels and a head branch matching Branch.
type PullRequestGenerator struct {
	Source string    `json:"source"`
	GitHub *ForgeAPI `json:"github,omitempty"`
	GitLab *ForgeAPI `json:"gitlab,omitempty"`
	Labels []string  `json:"labels,omitempty"`
	Branch string    `json:"branch,omitempty"`
}

// ForgeAPI is how to reach a GitHub or GitLab API: a token file, the API
// location (default derived from the source URL, as for commit status
// notifiers) and the repository (default: the source URL's path).
type ForgeAPI struct {
	TokenFile  string `json:"tokenFile"`
	BaseURL    string `json:"baseURL,omitempty"`
	Repository string `json:"repository,omitempty"`
}

// AppTemplate is the App an AppSet makes per item.
type AppTemplate struct {
	Metadata TemplateMeta    `json:"metadata,omitzero"`
	Spec     AppTemplateSpec `json:"spec"`
}

// TemplateMeta names a generated object (a template; default
// "<appset>-{{.name}}").
type TemplateMeta struct {
	Name string `json:"name,omitempty"`
}

// AppTemplateSpec is an App's spec with templates in its string fields.
type AppTemplateSpec struct {
	Source    string   `json:"source,omitempty"`
	Path      string   `json:"path,omitempty"`
	Target    string   `json:"target,omitempty"`
	Namespace string   `json:"namespace,omitempty"`
	Interval  Duration `json:"interval,omitzero"`
	Timeout   Duration `json:"timeout,omitzero"`
	Prune     bool     `json:"prune,omitempty"`
	SelfHeal  bool     `json:"selfHeal,omitempty"`
	Suspend   bool     `json:"suspend,omitempty"`
	DependsOn []string `json:"dependsOn,omitempty"`
	// Helm, Decryption and Substitute are as in an App (app_render.go).
	Helm       *HelmChart  `json:"helm,omitempty"`
	Decryption *Decryption `json:"decryption,omitempty"`
	Substitute *Substitute `json:"substitute,omitempty"`
}

// TargetTemplate is the Target an AppSet makes per item.
type TargetTemplate struct {
	Metadata TemplateMeta       `json:"metadata,omitzero"`
	Spec     TargetTemplateSpec `json:"spec"`
}

// TargetTemplateSpec is a Target's spec with templates in its string
// fields.
type TargetTemplateSpec struct {
	Files      *FilesTarget      `json:"files,omitempty"`
	Kubernetes *KubernetesTarget `json:"kubernetes,omitempty"`
}

// The generator kinds.
const (
	GeneratorDirectories  = "directories"
	GeneratorBranches     = "branches"
	GeneratorPullRequests = "pullRequests"
)

// DefaultAppSetInterval is how often a generator runs by default.
const DefaultAppSetInterval = time.Minute

// Kind returns the generator's kind.
func (g AppGenerator) Kind() string {
	switch {
	case g.Directories != nil:
		return GeneratorDirectories
	case g.Branches != nil:
		return GeneratorBranches
	default:
		return GeneratorPullRequests
	}
}

// Source returns the name of the Source the generator reads.
func (g AppGenerator) Source() string {
	switch {
	case g.Directories != nil:
		return g.Directories.Source
	case g.Branches != nil:
		return g.Branches.Source
	case g.PullRequests != nil:
		return g.PullRequests.Source
	}
	return ""
}

// TemplateKeys lists the placeholders a generator kind fills.
func TemplateKeys(kind string) []string {
	switch kind {
	case GeneratorDirectories:
		return []string{"name", "path", "source"}
	case GeneratorBranches:
		return []string{"branch", "name", "source"}
	default:
		return []string{"branch", "name", "number", "sha", "source", "title"}
	}
}

// AppSet returns the app set named name, or nil.
func (c *Config) AppSet(name string) *AppSet {
	for _, s := range c.AppSets {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Equal reports whether s and o define the same app set, ignoring where
// they were declared.
func (s *AppSet) Equal(o *AppSet) bool { return equalIgnoringPos(s, o) }

// Hash returns a stable hex digest of the app set's settings.
func (s *AppSet) Hash() string { return hash(s) }

// setDefaults fills the names, the template's source, target and path and
// the interval.
func (s *AppSet) setDefaults() {
	orDefault(&s.Interval, DefaultAppSetInterval)
	if s.Template.Metadata.Name == "" {
		s.Template.Metadata.Name = s.Name + "-{{.name}}"
	}
	spec := &s.Template.Spec
	if spec.Source == "" {
		spec.Source = "{{.source}}"
	}
	if spec.Path == "" && s.Generator.Directories != nil {
		spec.Path = "{{.path}}"
	}
	if t := s.TargetTemplate; t != nil {
		if t.Metadata.Name == "" {
			t.Metadata.Name = s.Name + "-{{.name}}"
		}
		if spec.Target == "" {
			spec.Target = t.Metadata.Name
		}
	}
}

// validateAppSet checks an AppSet's generator and templates; references
// are checked once every document is read.
func validateAppSet(d *document, s *AppSet) {
	kind := validateGenerator(d, &s.Generator)
	if kind == "" {
		return
	}
	keys := TemplateKeys(kind)
	checkTemplates(d, "spec.template", reflect.ValueOf(&s.Template).Elem(), keys)
	if s.TargetTemplate != nil {
		checkTemplates(d, "spec.targetTemplate", reflect.ValueOf(s.TargetTemplate).Elem(), keys)
		checkTargetTemplate(d, s.TargetTemplate)
	}
	if s.TargetTemplate == nil {
		d.require("spec.template.spec.target", s.Template.Spec.Target)
	}
	if kind != GeneratorDirectories {
		d.require("spec.template.spec.path", s.Template.Spec.Path)
	}
	for i, dep := range s.Template.Spec.DependsOn {
		d.require(fmt.Sprintf("spec.template.spec.dependsOn[%d]", i), dep)
	}
}

// validateGenerator requires exactly one generator, checks it and returns
// its kind ("" when it is unusable).
func validateGenerator(d *document, g *AppGenerator) string {
	kinds := []string{GeneratorDirectories, GeneratorBranches, GeneratorPullRequests}
	var set []string
	for _, k := range kinds {
		if d.has("spec.generator." + k) {
			set = append(set, k)
		}
	}
	switch len(set) {
	case 0:
		d.errorf("spec.generator", "an AppSet needs one generator: %s", orList(kinds))
		return ""
	case 1:
	default:
		d.errorf("spec.generator."+set[1], "an AppSet has exactly one generator, got %s", andList(set))
		return ""
	}
	field := "spec.generator." + set[0]
	d.require(field+".source", g.Source())
	switch set[0] {
	case GeneratorDirectories:
		checkGlob(d, field+".glob", g.Directories.Glob, true)
		for i, x := range g.Directories.Exclude {
			checkGlob(d, fmt.Sprintf("%s.exclude[%d]", field, i), x, true)
		}
	case GeneratorBranches:
		checkGlob(d, field+".glob", g.Branches.Glob, true)
	case GeneratorPullRequests:
		checkPullRequests(d, field, g.PullRequests)
	}
	return set[0]
}

// checkGlob checks a path.Match pattern; required says it must be set.
func checkGlob(d *document, field, glob string, required bool) {
	if required && !d.require(field, glob) || glob == "" {
		return
	}
	if _, err := path.Match(glob, ""); err != nil {
		d.errorf(field, "invalid glob %q: use *, ? and [a-z] (path.Match syntax)", truncate(glob))
		return
	}
	if strings.HasPrefix(glob, "/") {
		d.errorf(field, "must be relative to the repository root, got %q", truncate(glob))
	}
}

// checkPullRequests requires exactly one API and checks it.
func checkPullRequests(d *document, field string, p *PullRequestGenerator) {
	var apis []string
	for _, k := range []string{"github", "gitlab"} {
		if d.has(field + "." + k) {
			apis = append(apis, k)
		}
	}
	switch len(apis) {
	case 0:
		d.errorf(field, "needs one API: github or gitlab")
	case 1:
		api := p.GitHub
		if api == nil {
			api = p.GitLab
		}
		checkForgeAPI(d, field+"."+apis[0], api)
	default:
		d.errorf(field+"."+apis[1], "set github or gitlab, not both")
	}
	for i, l := range p.Labels {
		d.require(fmt.Sprintf("%s.labels[%d]", field, i), l)
	}
	checkGlob(d, field+".branch", p.Branch, false)
}

// checkForgeAPI checks a token file, base URL and repository path.
func checkForgeAPI(d *document, field string, a *ForgeAPI) {
	checkSecretFile(d, field+".tokenFile", a.TokenFile)
	if d.has(field+".baseURL") && d.require(field+".baseURL", a.BaseURL) {
		if msg := checkHTTPURL(a.BaseURL, true); msg != "" {
			d.errorf(field+".baseURL", "%s", msg)
		}
	}
	if a.Repository != "" && (!strings.Contains(a.Repository, "/") || strings.HasPrefix(a.Repository, "/") || strings.HasSuffix(a.Repository, "/")) {
		d.errorf(field+".repository", "want OWNER/REPO (GitHub) or GROUP/PROJECT (GitLab), got %q", truncate(a.Repository))
	}
}

// checkTargetTemplate requires exactly one driver.
func checkTargetTemplate(d *document, t *TargetTemplate) {
	var drivers []string
	for _, k := range []string{"files", "kubernetes"} {
		if d.has("spec.targetTemplate.spec." + k) {
			drivers = append(drivers, k)
		}
	}
	switch {
	case len(drivers) == 0:
		d.errorf("spec.targetTemplate.spec", "a Target needs one driver: files or kubernetes")
	case len(drivers) > 1:
		d.errorf("spec.targetTemplate.spec."+drivers[1], "a Target has exactly one driver, got %s", andList(drivers))
	case t.Spec.Files != nil:
		d.require("spec.targetTemplate.spec.files.root", t.Spec.Files.Root)
	}
}

// checkTemplates parses every string field under v as a template and
// runs it on sample data, reporting syntax errors and unknown keys.
func checkTemplates(d *document, path string, v reflect.Value, keys []string) {
	sample := map[string]string{}
	for _, k := range keys {
		sample[k] = "x"
	}
	walkStrings(path, v, func(field, s string) {
		if _, err := ExpandTemplate(s, sample); err != nil {
			d.errorf(field, "%v (placeholders: %s)", err, strings.Join(keys, ", "))
		}
	})
}

// walkStrings calls fn for every string field under v with its field path.
func walkStrings(path string, v reflect.Value, fn func(field, s string)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkStrings(path, v.Elem(), fn)
		}
	case reflect.String:
		fn(path, v.String())
	case reflect.Slice:
		for i := range v.Len() {
			walkStrings(fmt.Sprintf("%s[%d]", path, i), v.Index(i), fn)
		}
	case reflect.Struct:
		if v.Type() == durationType {
			return
		}
		fields := fieldsOf(v.Type(), nil)
		for _, name := range fields.names {
			walkStrings(join(path, name), v.Field(fields.index[name]), fn)
		}
	}
}

// ExpandTemplate executes one template field over an item's values;
// unknown keys are an error.
func ExpandTemplate(text string, values map[string]string) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	t, err := template.New("field").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("invalid template: %s", TemplateError(err))
	}
	var b strings.Builder
	if err := t.Execute(&b, values); err != nil {
		if m := missingKey.FindStringSubmatch(err.Error()); m != nil {
			return "", fmt.Errorf("unknown placeholder {{.%s}}", m[1])
		}
		return "", fmt.Errorf("template: %s", TemplateError(err))
	}
	return b.String(), nil
}

var (
	missingKey     = regexp.MustCompile(`map has no entry for key "([^"]*)"`)
	templatePrefix = regexp.MustCompile(`^template: [^:]*:(\d+:)?(\d+:)? ?`)
)

// TemplateError drops text/template's "template: NAME:LINE:COL: " prefix
// from an error's message.
func TemplateError(err error) string {
	return templatePrefix.ReplaceAllString(err.Error(), "")
}

// ExpandStrings returns a copy of *v with every string field expanded
// over values.
func ExpandStrings[T any](v *T, values map[string]string) (*T, error) {
	out := deepCopy(v)
	var firstErr error
	setStrings("", reflect.ValueOf(out).Elem(), func(field, s string) string {
		x, err := ExpandTemplate(s, values)
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("%s: %w", field, err)
		}
		return x
	})
	return out, firstErr
}

// setStrings replaces every string field under v with fn's answer.
func setStrings(path string, v reflect.Value, fn func(field, s string) string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			setStrings(path, v.Elem(), fn)
		}
	case reflect.String:
		v.SetString(fn(path, v.String()))
	case reflect.Slice:
		for i := range v.Len() {
			setStrings(fmt.Sprintf("%s[%d]", path, i), v.Index(i), fn)
		}
	case reflect.Struct:
		if v.Type() == durationType {
			return
		}
		fields := fieldsOf(v.Type(), nil)
		for _, name := range fields.names {
			setStrings(join(path, name), v.Field(fields.index[name]), fn)
		}
	}
}

// checkAppSetRefs reports a generator's missing Source, and a template
// target without placeholders that names no Target.
func checkAppSetRefs(d *document, s *AppSet, byKind map[string]map[string]*document) {
	field := "spec.generator." + s.Generator.Kind() + ".source"
	checkRef1(d, field, "Source", s.Generator.Source(), byKind["Source"])
	if t := s.Template.Spec.Target; s.TargetTemplate == nil && !strings.Contains(t, "{{") {
		checkRef1(d, "spec.template.spec.target", "Target", t, byKind["Target"])
	}
	if src := s.Template.Spec.Source; src != "" && !strings.Contains(src, "{{") {
		checkRef1(d, "spec.template.spec.source", "Source", src, byKind["Source"])
	}
	for i, dep := range s.Template.Spec.DependsOn {
		if !strings.Contains(dep, "{{") && slices.Index(s.Template.Spec.DependsOn, dep) == i {
			checkRef1(d, fmt.Sprintf("spec.template.spec.dependsOn[%d]", i), "App", dep, byKind["App"])
		}
	}
}

// automationDefaults fills the defaults of image policies, image updates
// and app sets (after the sources', which updates read) and sorts them.
func (c *Config) automationDefaults() {
	for _, p := range c.ImagePolicies {
		p.setDefaults()
	}
	for _, u := range c.ImageUpdates {
		u.setDefaults(c)
	}
	for _, s := range c.AppSets {
		s.setDefaults()
	}
	slices.SortFunc(c.ImagePolicies, func(a, b *ImagePolicy) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(c.ImageUpdates, func(a, b *ImageUpdate) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(c.AppSets, func(a, b *AppSet) int { return strings.Compare(a.Name, b.Name) })
}
