package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
)

// ImagePolicy follows a container image repository and picks its newest
// tag by a policy: the highest version in a semver range, the highest (or
// lowest) number, or the last (or first) tag in alphabetical order. Tags
// may first be filtered by a regular expression, which can also extract
// the part of the tag the policy compares (e.g. a timestamp). Manifests
// name the policy in a comment marker on the field to update:
//
//	image: registry.example/app:1.0.0 # {"$imagepolicy": "app"}
//
// Registry credentials are only ever read from files.
type ImagePolicy struct {
	Name string `json:"name"`
	// Image is the repository, like "ghcr.io/org/app" or
	// "registry.example:5000/app", without a tag or digest.
	Image string `json:"image"`
	// Policy says how the newest tag is chosen.
	Policy TagPolicy `json:"policy"`
	// FilterTags keeps only the tags matching Pattern; Extract (like
	// "$ts") is what the policy compares instead of the whole tag.
	FilterTags *TagFilter `json:"filterTags,omitempty"`
	// Auth holds the registry credentials (default: anonymous).
	Auth *RegistryAuth `json:"auth,omitempty"`
	// Insecure talks to the registry over plain HTTP.
	Insecure bool `json:"insecure,omitempty"`
	// Interval is how often the registry is scanned (default 5m).
	Interval Duration `json:"interval,omitzero"`
	Pos      Pos      `json:"-"`
}

// TagPolicy holds exactly one policy.
type TagPolicy struct {
	Semver       *SemverPolicy `json:"semver,omitempty"`
	Numerical    *OrderPolicy  `json:"numerical,omitempty"`
	Alphabetical *OrderPolicy  `json:"alphabetical,omitempty"`
}

// SemverPolicy picks the highest version in Range (a Masterminds/semver
// constraint like ">=1.0.0 <2.0.0").
type SemverPolicy struct {
	Range string `json:"range"`
}

// OrderPolicy picks the last tag in Order: "asc" (default) picks the
// highest number or the last tag alphabetically, "desc" the lowest or
// first.
type OrderPolicy struct {
	Order string `json:"order,omitempty"`
}

// TagFilter filters tags by a regular expression (Go syntax) and
// optionally extracts the compared value with a template of its groups.
type TagFilter struct {
	Pattern string `json:"pattern"`
	Extract string `json:"extract,omitempty"`
}

// RegistryAuth names files holding registry credentials: a username (or
// usernameFile) with a passwordFile, or a bearer tokenFile.
type RegistryAuth struct {
	Username     string `json:"username,omitempty"`
	UsernameFile string `json:"usernameFile,omitempty"`
	PasswordFile string `json:"passwordFile,omitempty"`
	TokenFile    string `json:"tokenFile,omitempty"`
}

// The policy kinds and orders.
const (
	PolicySemver       = "semver"
	PolicyNumerical    = "numerical"
	PolicyAlphabetical = "alphabetical"
	OrderAsc           = "asc"
	OrderDesc          = "desc"
)

// DefaultImageInterval is how often an ImagePolicy scans by default.
const DefaultImageInterval = 5 * time.Minute

// Kind returns the policy's kind: semver, numerical or alphabetical.
func (p TagPolicy) Kind() string {
	switch {
	case p.Semver != nil:
		return PolicySemver
	case p.Numerical != nil:
		return PolicyNumerical
	default:
		return PolicyAlphabetical
	}
}

// ImagePolicy returns the image policy named name, or nil.
func (c *Config) ImagePolicy(name string) *ImagePolicy {
	for _, p := range c.ImagePolicies {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Equal reports whether p and o define the same policy, ignoring where
// they were declared.
func (p *ImagePolicy) Equal(o *ImagePolicy) bool { return equalIgnoringPos(p, o) }

// setDefaults fills the interval and the order of order policies.
func (p *ImagePolicy) setDefaults() {
	orDefault(&p.Interval, DefaultImageInterval)
	for _, o := range []*OrderPolicy{p.Policy.Numerical, p.Policy.Alphabetical} {
		if o != nil && o.Order == "" {
			o.Order = OrderAsc
		}
	}
}

// imageRE matches a repository reference: an optional registry host (with
// port), then lowercase path components; no tag, no digest.
var imageRE = regexp.MustCompile(`^([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$`)

// validateImagePolicy checks an ImagePolicy's own fields.
func validateImagePolicy(d *document, p *ImagePolicy) {
	if d.require("spec.image", p.Image) && !imageRE.MatchString(p.Image) {
		d.errorf("spec.image", "invalid image repository %q: want HOST[:PORT]/PATH or PATH in lowercase, without a tag or digest", truncate(p.Image))
	}
	validateTagPolicy(d, &p.Policy)
	if p.FilterTags != nil {
		checkTagFilter(d, p.FilterTags)
	}
	if p.Auth != nil {
		checkRegistryAuth(d, p.Auth)
	}
}

// validateTagPolicy requires exactly one policy and checks it.
func validateTagPolicy(d *document, p *TagPolicy) {
	kinds := []string{PolicySemver, PolicyNumerical, PolicyAlphabetical}
	var set []string
	for _, k := range kinds {
		if d.has("spec.policy." + k) {
			set = append(set, k)
		}
	}
	switch len(set) {
	case 0:
		d.errorf("spec.policy", "an ImagePolicy needs one policy: %s", orList(kinds))
		return
	case 1:
	default:
		d.errorf("spec.policy."+set[1], "an ImagePolicy has exactly one policy, got %s", andList(set))
		return
	}
	switch set[0] {
	case PolicySemver:
		if d.require("spec.policy.semver.range", p.Semver.Range) {
			if _, err := semver.NewConstraint(p.Semver.Range); err != nil {
				d.errorf("spec.policy.semver.range", "invalid semver range %q: %v", truncate(p.Semver.Range), err)
			}
		}
	case PolicyNumerical:
		checkOrder(d, "spec.policy.numerical.order", p.Numerical.Order)
	case PolicyAlphabetical:
		checkOrder(d, "spec.policy.alphabetical.order", p.Alphabetical.Order)
	}
}

// checkOrder accepts "", asc and desc.
func checkOrder(d *document, field, order string) {
	if order != "" && order != OrderAsc && order != OrderDesc {
		d.errorf(field, "unknown order %q (want asc or desc)", truncate(order))
	}
}

// extractRef matches $name, ${name} and $1 in an extract template.
var extractRef = regexp.MustCompile(`\$\{?([a-zA-Z0-9_]+)\}?`)

// checkTagFilter compiles the pattern and checks that Extract names its
// groups.
func checkTagFilter(d *document, f *TagFilter) {
	if !d.require("spec.filterTags.pattern", f.Pattern) {
		return
	}
	re, err := regexp.Compile(f.Pattern)
	if err != nil {
		d.errorf("spec.filterTags.pattern", "invalid regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		return
	}
	if d.has("spec.filterTags.extract") && !d.require("spec.filterTags.extract", f.Extract) {
		return
	}
	for _, m := range extractRef.FindAllStringSubmatch(f.Extract, -1) {
		if !hasGroup(re, m[1]) {
			d.errorf("spec.filterTags.extract", "%q names no group of the pattern", m[0])
		}
	}
}

// hasGroup reports whether re has the numbered or named group g.
func hasGroup(re *regexp.Regexp, g string) bool {
	var n int
	if _, err := fmt.Sscanf(g, "%d", &n); err == nil && fmt.Sprint(n) == g {
		return n <= re.NumSubexp()
	}
	return slices.Contains(re.SubexpNames(), g)
}

// checkRegistryAuth requires absolute credential files and one way to
// authenticate.
func checkRegistryAuth(d *document, a *RegistryAuth) {
	const field = "spec.auth"
	for _, f := range []struct{ key, path string }{
		{"usernameFile", a.UsernameFile}, {"passwordFile", a.PasswordFile}, {"tokenFile", a.TokenFile},
	} {
		checkAbs(d, field+"."+f.key, f.path)
	}
	switch {
	case a.Username != "" && a.UsernameFile != "":
		d.errorf(field+".usernameFile", "set username or usernameFile, not both")
	case a.TokenFile != "" && (a.PasswordFile != "" || a.Username != "" || a.UsernameFile != ""):
		d.errorf(field+".tokenFile", "set tokenFile, or a username with passwordFile, not both")
	case a.TokenFile == "" && a.PasswordFile == "":
		d.errorf(field, "needs passwordFile (with username or usernameFile) or tokenFile")
	}
}
