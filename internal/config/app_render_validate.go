package config

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// validateAppRender checks the rendering settings of an App: its Helm
// chart, decryption keys and substitution.
func validateAppRender(d *document, a *App) {
	if a.Helm != nil {
		validateHelm(d, a.Path, a.Helm)
	}
	if a.Decryption != nil {
		validateDecryption(d, a.Decryption)
	}
	if a.Substitute != nil {
		checkRepoPaths(d, a.Path, "spec.substitute.fromFiles", a.Substitute.FromFiles)
	}
}

// validateHelm checks where the chart comes from and its options.
func validateHelm(d *document, appPath string, h *HelmChart) {
	const field = "spec.helm"
	remote := validateChartSource(d, appPath, h)
	switch {
	case h.Version == "":
	case !remote:
		d.errorf(field+".version", "a version applies to charts from a repo or an oci registry; a chart in the source is used as it is at the revision")
	default:
		if _, err := semver.NewConstraint(h.Version); err != nil {
			d.errorf(field+".version", "invalid version constraint %q: %v", truncate(h.Version), err)
		}
	}
	if h.ReleaseName != "" && (len(h.ReleaseName) > 53 || !nameRE.MatchString(h.ReleaseName)) {
		d.errorf(field+".releaseName", "invalid release name %q: use at most 53 lowercase letters, digits and '-', "+
			"starting and ending with a letter or digit", truncate(h.ReleaseName))
	}
	checkRepoPaths(d, appPath, field+".valuesFiles", h.ValuesFiles)
	if h.Credentials != nil {
		if !remote {
			d.errorf(field+".credentials", "credentials apply to charts from a repo or an oci registry")
		}
		checkSecretFile(d, field+".credentials.usernameFile", h.Credentials.UsernameFile)
		checkSecretFile(d, field+".credentials.passwordFile", h.Credentials.PasswordFile)
	}
	if h.KubeVersion != "" {
		if _, err := semver.StrictNewVersion(strings.TrimPrefix(h.KubeVersion, "v")); err != nil {
			d.errorf(field+".kubeVersion", "invalid Kubernetes version %q: want one like \"v1.36.0\"", truncate(h.KubeVersion))
		}
	}
	for i, v := range h.APIVersions {
		f := fmt.Sprintf("%s.apiVersions[%d]", field, i)
		if d.require(f, v) && strings.Count(v, "/") > 2 {
			d.errorf(f, "invalid API version %q: want \"group/version\", \"v1\" or \"group/version/Kind\"", truncate(v))
		}
	}
}

// validateChartSource checks that the chart comes from exactly one place
// and reports whether that place is remote (a repo or an OCI registry).
func validateChartSource(d *document, appPath string, h *HelmChart) bool {
	const field = "spec.helm"
	switch {
	case h.OCI != "" && h.Repo != "":
		d.errorf(field+".oci", "a chart comes from one place: set repo or oci, not both")
	case h.OCI != "":
		if h.Chart != "" {
			d.errorf(field+".chart", "must not be set with oci: the chart's name is the last element of the oci reference")
		}
		checkOCI(d, field+".oci", h.OCI)
	case h.Repo != "":
		if d.require(field+".chart", h.Chart) && strings.ContainsAny(h.Chart, "/ ") {
			d.errorf(field+".chart", "with repo, chart is a chart's name in the repository index, got %q", truncate(h.Chart))
		}
		checkRepoURL(d, field+".repo", h.Repo, h.Credentials != nil)
	default:
		if d.require(field+".chart", h.Chart) {
			checkRepoPath(d, appPath, field+".chart", h.Chart)
		}
		return false
	}
	return true
}

// checkRepoURL validates a chart repository URL. Credentials are never sent
// in the clear except to this host.
func checkRepoURL(d *document, field, raw string, withCredentials bool) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		d.errorf(field, "invalid chart repository URL: want https://host/path")
	case u.Scheme != "https" && u.Scheme != "http":
		d.errorf(field, "chart repository URL must use https (or http), got %s://", u.Scheme)
	case u.User != nil:
		d.errorf(field, "must not hold credentials: use credentials.usernameFile and passwordFile")
	case withCredentials && u.Scheme == "http" && !isLoopbackHost(u.Hostname()):
		d.errorf(field, "credentials are sent only over https (or http to this host)")
	}
}

// checkOCI validates an oci:// chart reference without a tag.
func checkOCI(d *document, field, raw string) {
	rest, ok := strings.CutPrefix(raw, "oci://")
	host, repo, _ := strings.Cut(rest, "/")
	switch {
	case !ok:
		d.errorf(field, "must start with oci://, got %q", truncate(raw))
	case host == "" || repo == "" || strings.HasSuffix(repo, "/"):
		d.errorf(field, "want oci://host/path/chart, got %q", truncate(raw))
	case strings.ContainsAny(repo, "@:"):
		d.errorf(field, "must not name a tag or digest: set version instead")
	case strings.Contains(host, "@"):
		d.errorf(field, "must not hold credentials: use credentials.usernameFile and passwordFile")
	}
}

// validateDecryption requires at least one absolute key file.
func validateDecryption(d *document, dec *Decryption) {
	const field = "spec.decryption.ageKeyFiles"
	if len(dec.AgeKeyFiles) == 0 {
		d.errorf(field, "name at least one file holding an age identity")
	}
	for i, f := range dec.AgeKeyFiles {
		checkSecretFile(d, fmt.Sprintf("%s[%d]", field, i), f)
	}
}

// checkRepoPaths validates files in the source, relative to the app's path.
func checkRepoPaths(d *document, appPath, field string, paths []string) {
	for i, p := range paths {
		f := fmt.Sprintf("%s[%d]", field, i)
		if d.require(f, p) {
			checkRepoPath(d, appPath, f, p)
		}
	}
}

// checkRepoPath validates a path relative to the app's path: it may climb
// out of the app's directory but not out of the source.
func checkRepoPath(d *document, appPath, field, p string) {
	if strings.HasPrefix(p, "/") || strings.Contains(p, "\\") {
		d.errorf(field, "must be a path in the source relative to the app's path, got %q", truncate(p))
		return
	}
	if j := path.Join(appPath, p); j == ".." || strings.HasPrefix(j, "../") {
		d.errorf(field, "must stay inside the source: %q climbs out of it from the app's path", truncate(p))
	}
}

// isLoopbackHost reports whether host names this machine.
func isLoopbackHost(host string) bool {
	return host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1"
}
