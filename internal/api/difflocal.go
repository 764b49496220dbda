package api

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"plumb.dev/plumb/internal/source/dir"
)

// Limits on a directory uploaded for a local diff.
const (
	maxLocalBytes = 64 << 20 // uncompressed
	maxLocalFiles = 20000
)

// handleDiffLocal plans the app against a repository checkout sent as a
// tar (optionally gzipped) body: what merging it would change.
func (s *Server) handleDiffLocal(w http.ResponseWriter, r *http.Request) {
	name, err := s.lookupName(r)
	if err != nil {
		writeError(w, err)
		return
	}
	tmp, err := os.MkdirTemp("", "plumb-diff-local-")
	if err != nil {
		writeError(w, err)
		return
	}
	defer os.RemoveAll(tmp)
	if err := untar(http.MaxBytesReader(w, r.Body, maxLocalBytes), tmp); err != nil {
		writeError(w, fmt.Errorf("%w: the body must be a tar or tar.gz of the repository: %v", errBadRequest, err))
		return
	}
	src, err := dir.New(r.Context(), tmp)
	if err != nil {
		writeError(w, err)
		return
	}
	plan, err := s.engine.DiffLocal(r.Context(), name, src)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, Diff{App: name, Revision: "local", Actions: plan.Actions, Changes: plan.HasChanges()})
}

// untar extracts regular files, directories and symlinks into dst; no entry
// can land outside it (os.Root), and sizes and counts are bounded.
func untar(body io.Reader, dst string) error {
	br := bufio.NewReader(body)
	var rd io.Reader = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return err
		}
		rd = gz
	}
	root, err := os.OpenRoot(dst)
	if err != nil {
		return err
	}
	defer root.Close()
	tr := tar.NewReader(io.LimitReader(rd, maxLocalBytes))
	n := 0
	for ; ; n++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if n >= maxLocalFiles {
			return fmt.Errorf("more than %d entries", maxLocalFiles)
		}
		if err := extract(root, h, tr); err != nil {
			return fmt.Errorf("%s: %w", h.Name, err)
		}
	}
	if n == 0 {
		return errors.New("empty archive")
	}
	return nil
}

func extract(root *os.Root, h *tar.Header, r io.Reader) error {
	name := path.Clean(strings.TrimPrefix(h.Name, "/"))
	if name == "." || name == ".." || strings.HasPrefix(name, "../") {
		return errors.New("path leaves the archive")
	}
	name = filepath.FromSlash(name)
	switch h.Typeflag {
	case tar.TypeDir:
		return root.MkdirAll(name, 0o755)
	case tar.TypeReg:
		if err := root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		f, err := root.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode).Perm())
		if err != nil {
			return err
		}
		_, err = io.Copy(f, r)
		return errors.Join(err, f.Close())
	case tar.TypeSymlink:
		if err := root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		return root.Symlink(h.Linkname, name)
	}
	return nil // other entry kinds are ignored
}
