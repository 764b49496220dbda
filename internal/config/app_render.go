package config

// HelmChart renders an app from a Helm chart. The chart comes from exactly
// one place: a directory in the source (Chart alone), a chart repository
// served over HTTP(S) (Repo and Chart, the chart's name in the index), or an
// OCI registry (OCI, the chart's full reference without a tag).
type HelmChart struct {
	// Chart is a directory relative to the app's path (Repo and OCI unset),
	// or a chart name in Repo's index.
	Chart string `json:"chart,omitempty"`
	// Repo is the URL of a chart repository (its index.yaml lives there).
	Repo string `json:"repo,omitempty"`
	// OCI is a chart in an OCI registry, like "oci://registry/charts/web".
	OCI string `json:"oci,omitempty"`
	// Version is a semver constraint ("1.2.3", "~1.2", ">=1.0 <2") for
	// charts from Repo or OCI; empty means the newest stable version.
	Version string `json:"version,omitempty"`
	// ReleaseName is the Helm release name (default: the app's name).
	ReleaseName string `json:"releaseName,omitempty"`
	// ValuesFiles are values files in the source, relative to the app's
	// path, merged in order over the chart's defaults.
	ValuesFiles []string `json:"valuesFiles,omitempty"`
	// Values are merged last, over the values files.
	Values Values `json:"values,omitempty"`
	// Credentials for Repo or OCI, read from files at render time.
	Credentials *HelmCredentials `json:"credentials,omitempty"`
	// KubeVersion is .Capabilities.KubeVersion (default: the version this
	// build of plumb knows).
	KubeVersion string `json:"kubeVersion,omitempty"`
	// APIVersions are added to .Capabilities.APIVersions, like
	// "monitoring.coreos.com/v1" or "monitoring.coreos.com/v1/ServiceMonitor".
	APIVersions []string `json:"apiVersions,omitempty"`
}

// HelmCredentials are basic-auth credentials for a chart repository or an
// OCI registry, each held in a file.
type HelmCredentials struct {
	UsernameFile string `json:"usernameFile"`
	PasswordFile string `json:"passwordFile"`
}

// Values are Helm values: any YAML mapping.
type Values map[string]any

// Decryption names the keys that decrypt an app's SOPS-encrypted files.
// Keys are read only from these files, never from plumb's environment or
// home directory, so one app's key cannot decrypt another app's files.
type Decryption struct {
	// AgeKeyFiles are files holding age identities (AGE-SECRET-KEY-1…),
	// one or more per file, as written by `plumb secrets keygen`.
	AgeKeyFiles []string `json:"ageKeyFiles"`
}

// Substitute replaces ${VAR} and ${VAR:=default} in the rendered objects
// ($${VAR} stays as the literal ${VAR}). Objects annotated
// plumb.dev/substitute: disabled are left as they are.
type Substitute struct {
	// Vars are variables given in the App.
	Vars Vars `json:"vars,omitempty"`
	// FromFiles are files in the source, relative to the app's path, whose
	// variables are read in order (later files win; Vars win over all): a
	// YAML mapping of names to values, or a ConfigMap or Secret whose data
	// become variables. SOPS-encrypted files are decrypted first.
	FromFiles []string `json:"fromFiles,omitempty"`
	// Strict fails the render when a variable without a default is not
	// defined; otherwise it becomes the empty string.
	Strict bool `json:"strict,omitempty"`
}

// Vars are substitution variables by name.
type Vars map[string]string
