package helm

import (
	"context"
	"fmt"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
	releaseutil "helm.sh/helm/v4/pkg/release/v1/util"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	renderyaml "plumb.dev/plumb/internal/render/yaml"
)

// renderChart renders a loaded chart with the user's values.
func renderChart(ctx context.Context, ch *loaded, vals map[string]any, q Request) (Result, error) {
	caps, err := capabilities(q)
	if err != nil {
		return Result{}, err
	}
	c := ch.chart
	if kv := c.Metadata.KubeVersion; kv != "" && !chartutil.IsCompatibleRange(kv, caps.KubeVersion.String()) {
		return Result{}, fmt.Errorf("chart requires kubeVersion %s, which Kubernetes %s does not meet (set helm.kubeVersion)", kv, caps.KubeVersion.Version)
	}
	if err := chartutil.ProcessDependencies(c, vals); err != nil {
		return Result{}, fmt.Errorf("dependencies: %w", err)
	}
	opts := common.ReleaseOptions{Name: q.releaseName(), Namespace: q.Namespace, Revision: 1, IsInstall: true}
	top, err := util.ToRenderValuesWithSchemaValidation(c, vals, opts, caps, false)
	if err != nil {
		return Result{}, fmt.Errorf("values: %w", err)
	}
	var eng engine.Engine
	files, err := eng.RenderWithContext(ctx, c, top)
	if err != nil {
		return Result{}, err
	}
	for name := range files {
		if strings.HasSuffix(name, "NOTES.txt") {
			delete(files, name)
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(files, caps.APIVersions, releaseutil.InstallOrder)
	if err != nil {
		return Result{}, err
	}
	res := Result{Chart: c.Name(), Version: c.Metadata.Version}
	if res.Objects, err = crdObjects(c); err != nil {
		return Result{}, err
	}
	for _, m := range manifests {
		objs, err := renderyaml.Decode(m.Name, []byte(m.Content))
		if err != nil {
			return Result{}, err
		}
		res.Objects = append(res.Objects, objs...)
	}
	if err := addHooks(&res, hooks); err != nil {
		return Result{}, err
	}
	return res, nil
}

// capabilities are Helm's defaults with the app's Kubernetes version and
// extra API versions.
func capabilities(q Request) (*common.Capabilities, error) {
	caps := common.DefaultCapabilities.Copy()
	v := q.Chart.KubeVersion
	if v == "" {
		v = DefaultKubeVersion
	}
	kv, err := common.ParseKubeVersion(v)
	if err != nil {
		return nil, fmt.Errorf("kubeVersion %q: %w", v, err)
	}
	caps.KubeVersion = *kv
	caps.APIVersions = append(append(common.VersionSet{}, caps.APIVersions...), q.Chart.APIVersions...)
	return caps, nil
}

// crdObjects returns the CRDs of the chart's crds/ directories (its
// dependencies' included), which Helm installs before anything else.
func crdObjects(c *chart.Chart) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, crd := range c.CRDObjects() {
		objs, err := renderyaml.Decode(crd.Filename, crd.File.Data)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}
