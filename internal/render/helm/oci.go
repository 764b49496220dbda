package helm

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"plumb.dev/plumb/internal/config"
)

// ChartLayerMediaType is the media type of a Helm chart's archive in an
// OCI artifact.
const ChartLayerMediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"

// ociOptions are the registry client options for a chart: the context,
// the renderer's HTTP transport and the chart's credentials.
func (r *Renderer) ociOptions(ctx context.Context, spec *config.HelmChart) ([]remote.Option, error) {
	opts := []remote.Option{remote.WithContext(ctx)}
	if t := r.opts.Client.Transport; t != nil {
		opts = append(opts, remote.WithTransport(t))
	}
	user, pass, ok, err := credentials(spec)
	if err != nil {
		return nil, err
	}
	if ok {
		opts = append(opts, remote.WithAuth(&authn.Basic{Username: user, Password: pass}))
	}
	return opts, nil
}

// ociRepository parses oci://host/path into a repository reference.
func ociRepository(oci string) (name.Repository, error) {
	repo, err := name.NewRepository(strings.TrimPrefix(oci, "oci://"))
	if err != nil {
		return name.Repository{}, fmt.Errorf("oci reference %s: %w", oci, err)
	}
	return repo, nil
}

// ociTags lists the chart's versions: tags that are semver versions (Helm
// writes "+" in versions as "_" in tags).
func (r *Renderer) ociTags(ctx context.Context, spec *config.HelmChart) ([]candidate, error) {
	repo, err := ociRepository(spec.OCI)
	if err != nil {
		return nil, err
	}
	opts, err := r.ociOptions(ctx, spec)
	if err != nil {
		return nil, err
	}
	tags, err := remote.List(repo, opts...)
	if err != nil {
		return nil, fmt.Errorf("oci registry %s unreachable: %w", repo.RegistryStr(), err)
	}
	var out []candidate
	for _, t := range tags {
		v, err := semver.NewVersion(strings.ReplaceAll(t, "_", "+"))
		if err != nil {
			continue
		}
		out = append(out, candidate{version: v, url: repo.Tag(t).String()})
	}
	return out, nil
}

// fetchOCI pulls the chart archive layer of a tagged chart artifact.
func (r *Renderer) fetchOCI(ctx context.Context, spec *config.HelmChart, res Resolved) ([]byte, error) {
	ref, err := name.ParseReference(res.URL)
	if err != nil {
		return nil, fmt.Errorf("oci reference %s: %w", res.URL, err)
	}
	opts, err := r.ociOptions(ctx, spec)
	if err != nil {
		return nil, err
	}
	img, err := remote.Image(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", res.URL, err)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("pull %s: manifest: %w", res.URL, err)
	}
	for _, l := range m.Layers {
		if string(l.MediaType) != ChartLayerMediaType {
			continue
		}
		layer, err := img.LayerByDigest(l.Digest)
		if err != nil {
			return nil, fmt.Errorf("pull %s: %w", res.URL, err)
		}
		rc, err := layer.Compressed()
		if err != nil {
			return nil, fmt.Errorf("pull %s: %w", res.URL, err)
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, maxChart+1))
		if err != nil || len(data) > maxChart {
			return nil, fmt.Errorf("pull %s: chart layer unreadable or larger than %d bytes", res.URL, maxChart)
		}
		return data, nil
	}
	return nil, fmt.Errorf("pull %s: not a Helm chart (no %s layer)", res.URL, ChartLayerMediaType)
}
