package helm

import (
	"context"
	"path"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/render"
)

// Name is the renderer's name in the render registry.
const Name = "helm"

// init registers the renderer and lets a Chart.yaml in an app's directory
// select it (after kustomize: a kustomization that holds a chart wins).
func init() {
	render.Register(Name, detected{New(Options{})})
	render.Kinds = append(render.Kinds, render.Kind{Renderer: Name, Markers: []string{"Chart.yaml"}})
}

// detected renders an app directory that is itself a chart (it holds a
// Chart.yaml) when the app sets no helm options: the chart's defaults, the
// directory's base name as release name.
type detected struct{ r *Renderer }

var _ render.Renderer = detected{}

// Render renders the chart at in.Path.
func (d detected) Render(ctx context.Context, in render.Input) ([]*unstructured.Unstructured, error) {
	dir, err := render.CleanPath(in.Path)
	if err != nil {
		return nil, err
	}
	res, err := d.r.Render(ctx, Request{Root: in.Root, AppPath: dir, Namespace: in.Namespace, App: path.Base(dir), Chart: &config.HelmChart{Chart: "."}})
	if err != nil {
		return nil, err
	}
	return res.Objects, nil
}
