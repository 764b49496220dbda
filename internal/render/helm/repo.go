package helm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/Masterminds/semver/v3"
	"sigs.k8s.io/yaml"

	"plumb.dev/plumb/internal/config"
)

// maxIndex and maxChart bound what is read from a repository.
const (
	maxIndex = 64 << 20
	maxChart = 32 << 20
)

// index is the part of a repository's index.yaml plumb reads.
type index struct {
	Entries map[string][]struct {
		Version string   `json:"version"`
		URLs    []string `json:"urls"`
		Digest  string   `json:"digest"`
	} `json:"entries"`
}

// indexVersions reads the chart's versions from the repository index.
func (r *Renderer) indexVersions(ctx context.Context, spec *config.HelmChart) ([]candidate, error) {
	base := strings.TrimSuffix(spec.Repo, "/") + "/"
	data, err := r.get(ctx, spec, base+"index.yaml", maxIndex)
	if err != nil {
		return nil, fmt.Errorf("chart repository %s unreachable: %w", spec.Repo, err)
	}
	var idx index
	if err := yaml.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("chart repository %s: invalid index.yaml: %w", spec.Repo, err)
	}
	entries, ok := idx.Entries[spec.Chart]
	if !ok {
		return nil, fmt.Errorf("chart repository %s has no chart %q", spec.Repo, spec.Chart)
	}
	var out []candidate
	for _, e := range entries {
		v, err := semver.NewVersion(e.Version)
		if err != nil || len(e.URLs) == 0 {
			continue
		}
		u, err := resolveURL(base, e.URLs[0])
		if err != nil {
			continue
		}
		out = append(out, candidate{version: v, url: u, digest: e.Digest})
	}
	return out, nil
}

// resolveURL resolves a chart URL of an index against the repository.
func resolveURL(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u, err := b.Parse(ref)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// get fetches a URL, sending the chart's credentials only to the
// repository's own host.
func (r *Renderer) get(ctx context.Context, spec *config.HelmChart, rawURL string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	if user, pass, ok, err := credentials(spec); err != nil {
		return nil, err
	} else if ok && sameHost(spec.Repo, rawURL) {
		req.SetBasicAuth(user, pass)
	}
	resp, err := r.opts.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", redactURL(rawURL), resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", redactURL(rawURL), err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("GET %s: larger than %d bytes", redactURL(rawURL), max)
	}
	return data, nil
}

// fetchHTTP downloads a chart archive and checks its digest.
func (r *Renderer) fetchHTTP(ctx context.Context, spec *config.HelmChart, res Resolved) ([]byte, error) {
	data, err := r.get(ctx, spec, res.URL, maxChart)
	if err != nil {
		return nil, fmt.Errorf("download %s %s: %w", res.Chart, res.Version, err)
	}
	if res.Digest != "" {
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != strings.TrimPrefix(res.Digest, "sha256:") {
			return nil, fmt.Errorf("download %s %s: digest %s does not match the index's %s", res.Chart, res.Version, got, res.Digest)
		}
	}
	return data, nil
}

func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host == ub.Host
}

// redactURL drops any userinfo and query from a URL for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}
