package helmtest

import "strings"

// WebChart is the files of a test chart "web" at version: a Deployment
// (replicas, image), a ConfigMap (message, release, namespace, kube
// version), a Service, a CRD in crds/, a pre-install/pre-upgrade hook Job,
// a post-install ConfigMap hook and a test Pod hook, depending on chart
// "cache" from depRepo (a repository URL, oci://…, or file://…; "" for
// none). extra adds ConfigMaps web-extra-N so the chart reaches a size.
func WebChart(version, depRepo string, extra int) map[string]string {
	chart := "apiVersion: v2\nname: web\nversion: " + version + "\n"
	if depRepo != "" {
		chart += "dependencies:\n  - name: cache\n    version: \"~1.0\"\n    repository: \"" + depRepo + "\"\n    condition: cache.enabled\n"
	}
	files := map[string]string{
		"Chart.yaml":             chart,
		"values.yaml":            "replicas: 1\nimage: registry.example/web:1.0\nmessage: hello\nextra: " + itoa(extra) + "\ncache:\n  enabled: true\n",
		"templates/_helpers.tpl": `{{- define "web.name" -}}{{ .Release.Name }}-web{{- end -}}`,
		"templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.name" . }}
  labels: {app: {{ include "web.name" . }}}
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: {{ include "web.name" . }}}}
  template:
    metadata: {labels: {app: {{ include "web.name" . }}}}
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
`,
		"templates/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "web.name" . }}-settings
data:
  message: {{ .Values.message | quote }}
  release: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
  kube: {{ .Capabilities.KubeVersion.Version }}
  monitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}
`,
		"templates/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: {{ include "web.name" . }}
spec:
  selector: {app: {{ include "web.name" . }}}
  ports: [{port: 80}]
`,
		"templates/extra.yaml": `{{- range $i, $e := until (int .Values.extra) }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "web.name" $ }}-extra-{{ $i }}
data:
  index: {{ $i | quote }}
{{- end }}
`,
		"templates/hooks.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "web.name" . }}-migrate
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: {{ .Values.image }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "web.name" . }}-installed
  annotations:
    helm.sh/hook: post-install,post-upgrade
data:
  version: {{ .Chart.Version | quote }}
---
apiVersion: v1
kind: Pod
metadata:
  name: {{ include "web.name" . }}-test
  annotations:
    helm.sh/hook: test
spec:
  containers: [{name: t, image: busybox}]
`,
		"crds/widgets.yaml": `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.plumb.dev
spec:
  group: example.plumb.dev
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`,
	}
	return files
}

// CacheChart is the files of chart "cache" at version: one ConfigMap
// whose data shows the size value it was given.
func CacheChart(version string) map[string]string {
	return map[string]string{
		"Chart.yaml":  "apiVersion: v2\nname: cache\nversion: " + version + "\n",
		"values.yaml": "size: small\n",
		"templates/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cache
data:
  size: {{ .Values.size | quote }}
  version: {{ .Chart.Version | quote }}
`,
	}
}

// Prefixed returns files with dir/ before each path (to lay a chart out
// in a source tree).
func Prefixed(dir string, files map[string]string) map[string]string {
	out := map[string]string{}
	for p, d := range files {
		out[strings.TrimSuffix(dir, "/")+"/"+p] = d
	}
	return out
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	s := ""
	for ; i > 0; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}
