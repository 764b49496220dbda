package helm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"

	"plumb.dev/plumb/internal/config"
)

// Resolved is the chart version a constraint resolved to.
type Resolved struct {
	// Location is the repository URL and chart name, or the OCI reference.
	Location string `json:"location"`
	Chart    string `json:"chart"`
	Version  string `json:"version"`
	// URL is where the chart archive is fetched from.
	URL string `json:"url"`
	// Digest is the archive's sha256 when the index gives one.
	Digest string `json:"digest,omitempty"`
	// Stale is set when the repository could not be reached and the last
	// resolution was kept.
	Stale bool `json:"stale,omitempty"`
}

// candidate is one version a repository offers.
type candidate struct {
	version *semver.Version
	url     string
	digest  string
}

// indexEntry is a cached listing of a chart's versions.
type indexEntry struct {
	at    time.Time
	cands []candidate
}

// location identifies a remote chart.
func location(spec *config.HelmChart) string {
	if spec.OCI != "" {
		return spec.OCI
	}
	return strings.TrimSuffix(spec.Repo, "/") + "/" + spec.Chart
}

// Resolve picks the newest version of a remote chart that meets its
// constraint. When the repository cannot be reached, the last resolution
// of the same chart and constraint is returned with Stale set, so that an
// outage keeps the last good render; without one it is an error.
func (r *Renderer) Resolve(ctx context.Context, spec *config.HelmChart) (Resolved, error) {
	loc := location(spec)
	memo := loc + "\x00" + spec.Version
	cands, err := r.listing(ctx, spec, loc)
	if err != nil {
		r.mu.Lock()
		last, ok := r.last[memo]
		r.mu.Unlock()
		if ok && r.charts.has(last) {
			last.Stale = true
			return last, nil
		}
		return Resolved{}, fmt.Errorf("%w (no earlier copy of %s to keep using)", err, loc)
	}
	res, err := pick(cands, spec.Version)
	if err != nil {
		return Resolved{}, fmt.Errorf("%s: %w", loc, err)
	}
	res.Location, res.Chart = loc, chartName(spec)
	r.mu.Lock()
	r.last[memo] = res
	r.mu.Unlock()
	return res, nil
}

// listing returns the chart's versions, from the cache while fresh.
func (r *Renderer) listing(ctx context.Context, spec *config.HelmChart, loc string) ([]candidate, error) {
	r.mu.Lock()
	e, ok := r.indexes[loc]
	r.mu.Unlock()
	if ok && time.Since(e.at) < r.opts.IndexTTL {
		return e.cands, nil
	}
	var (
		cands []candidate
		err   error
	)
	if spec.OCI != "" {
		cands, err = r.ociTags(ctx, spec)
	} else {
		cands, err = r.indexVersions(ctx, spec)
	}
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.indexes[loc] = indexEntry{at: time.Now(), cands: cands}
	r.mu.Unlock()
	return cands, nil
}

// pick returns the newest candidate meeting the constraint ("" is the
// newest stable version).
func pick(cands []candidate, constraint string) (Resolved, error) {
	if constraint == "" {
		constraint = "*"
	}
	c, err := semver.NewConstraint(constraint)
	if err != nil {
		return Resolved{}, fmt.Errorf("version constraint %q: %w", constraint, err)
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].version.GreaterThan(cands[j].version) })
	var seen []string
	for _, cd := range cands {
		if c.Check(cd.version) {
			return Resolved{Version: cd.version.Original(), URL: cd.url, Digest: cd.digest}, nil
		}
		if len(seen) < 5 {
			seen = append(seen, cd.version.Original())
		}
	}
	if len(cands) == 0 {
		return Resolved{}, errors.New("no versions of the chart found")
	}
	return Resolved{}, fmt.Errorf("no version meets %q (newest: %s)", constraint, strings.Join(seen, ", "))
}

// chartName is the chart's name: Chart, or the last element of OCI.
func chartName(spec *config.HelmChart) string {
	if spec.OCI != "" {
		return spec.OCI[strings.LastIndex(spec.OCI, "/")+1:]
	}
	return spec.Chart
}

// credentials reads the username and password files, if any.
func credentials(spec *config.HelmChart) (user, pass string, ok bool, err error) {
	c := spec.Credentials
	if c == nil {
		return "", "", false, nil
	}
	u, err := os.ReadFile(c.UsernameFile)
	if err != nil {
		return "", "", false, fmt.Errorf("chart credentials: read username file: %w", err)
	}
	p, err := os.ReadFile(c.PasswordFile)
	if err != nil {
		return "", "", false, fmt.Errorf("chart credentials: read password file: %w", err)
	}
	return strings.TrimSpace(string(u)), strings.TrimRight(string(p), "\r\n"), true, nil
}
