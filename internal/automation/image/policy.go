package image

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/Masterminds/semver/v3"

	"plumb.dev/plumb/internal/config"
)

// Select returns the tag the policy picks from tags: the highest version
// in the semver range, the highest (asc) or lowest (desc) number, or the
// last (asc) or first (desc) in alphabetical order, comparing what the tag
// filter extracts. Ties are broken by the tag itself, so the choice never
// depends on the order the registry lists tags in.
func Select(p *config.ImagePolicy, tags []string) (string, error) {
	cands, err := filter(p.FilterTags, tags)
	if err != nil {
		return "", err
	}
	var best string
	var err2 error
	switch p.Policy.Kind() {
	case config.PolicySemver:
		best, err2 = selectSemver(p.Policy.Semver.Range, cands)
	case config.PolicyNumerical:
		best = selectNumerical(orderOf(p.Policy.Numerical), cands)
	default:
		best = selectAlphabetical(orderOf(p.Policy.Alphabetical), cands)
	}
	if err2 != nil {
		return "", err2
	}
	if best == "" {
		return "", fmt.Errorf("none of the %d tag(s) of %s matches the policy", len(tags), p.Image)
	}
	return best, nil
}

// candidate is a tag and the value the policy compares.
type candidate struct{ tag, value string }

// filter keeps the tags matching the filter's pattern, with the extracted
// value; without a filter every tag is its own value.
func filter(f *config.TagFilter, tags []string) ([]candidate, error) {
	if f == nil {
		out := make([]candidate, len(tags))
		for i, t := range tags {
			out[i] = candidate{t, t}
		}
		return out, nil
	}
	re, err := regexp.Compile(f.Pattern)
	if err != nil {
		return nil, fmt.Errorf("tag filter: %w", err)
	}
	var out []candidate
	for _, t := range tags {
		m := re.FindStringSubmatchIndex(t)
		if m == nil {
			continue
		}
		v := t
		if f.Extract != "" {
			v = string(re.ExpandString(nil, f.Extract, t, m))
		}
		out = append(out, candidate{t, v})
	}
	return out, nil
}

func orderOf(o *config.OrderPolicy) string {
	if o == nil || o.Order == "" {
		return config.OrderAsc
	}
	return o.Order
}

func selectSemver(rng string, cands []candidate) (string, error) {
	c, err := semver.NewConstraint(rng)
	if err != nil {
		return "", fmt.Errorf("semver range %q: %w", rng, err)
	}
	var best *semver.Version
	tag := ""
	for _, cd := range cands {
		v, err := semver.NewVersion(cd.value)
		if err != nil || !c.Check(v) {
			continue
		}
		if best == nil || v.GreaterThan(best) || (v.Equal(best) && cd.tag > tag) {
			best, tag = v, cd.tag
		}
	}
	return tag, nil
}

func selectNumerical(order string, cands []candidate) string {
	tag, found := "", false
	var best float64
	for _, cd := range cands {
		v, err := strconv.ParseFloat(cd.value, 64)
		if err != nil {
			continue
		}
		better := v > best || (v == best && cd.tag > tag)
		if order == config.OrderDesc {
			better = v < best || (v == best && cd.tag > tag)
		}
		if !found || better {
			best, tag, found = v, cd.tag, true
		}
	}
	return tag
}

func selectAlphabetical(order string, cands []candidate) string {
	tag, best, found := "", "", false
	for _, cd := range cands {
		better := cd.value > best || (cd.value == best && cd.tag > tag)
		if order == config.OrderDesc {
			better = cd.value < best || (cd.value == best && cd.tag > tag)
		}
		if !found || better {
			best, tag, found = cd.value, cd.tag, true
		}
	}
	return tag
}
