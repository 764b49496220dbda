package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
)

// static holds the dashboard's files, committed as written (no build).
//
//go:embed assets
var static embed.FS

// contentTypes are the types of the files the dashboard ships; fixed here
// so that answers do not depend on the host's mime tables.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
}

// asset is one embedded file with its validator.
type asset struct {
	body        []byte
	etag        string
	contentType string
}

// assets indexes the embedded files by their path under assets/, once.
var assets = sync.OnceValue(func() map[string]asset {
	out := map[string]asset{}
	_ = fs.WalkDir(static, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			ct = "application/octet-stream"
		}
		out[p[len("assets/"):]] = asset{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, contentType: ct}
		return nil
	})
	out["index.html"] = preloaded(out)
	return out
})

// preloaded returns index.html with a modulepreload link for every module,
// so that the browser fetches them all at once instead of discovering the
// imports one level at a time.
func preloaded(all map[string]asset) asset {
	var links []string
	for name := range all {
		if strings.HasPrefix(name, "js/") && strings.HasSuffix(name, ".js") {
			links = append(links, `<link rel="modulepreload" href="/ui/assets/`+name+`">`)
		}
	}
	sort.Strings(links)
	index := all["index.html"]
	b := bytes.Replace(index.body, []byte("<!--modulepreload-->"), []byte(strings.Join(links, "\n")), 1)
	sum := sha256.Sum256(b)
	return asset{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, contentType: index.contentType}
}

// serveIndex answers every page of the dashboard with index.html; the
// scripts read the path and draw the page.
func serveIndex(w http.ResponseWriter, r *http.Request) {
	serve(w, r, "index.html")
}

// serveAsset answers /ui/assets/{file...}.
func serveAsset(w http.ResponseWriter, r *http.Request) {
	serve(w, r, r.PathValue("file"))
}

// serve writes one embedded file. Browsers revalidate every time
// (no-cache) and get 304 while the ETag holds, so an upgraded binary is
// seen at once and an unchanged one costs no bytes.
func serve(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := assets()[name]
	if !ok {
		notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(a.body)
}
