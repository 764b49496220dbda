package helm

import (
	"context"
	"os"
	"path/filepath"
	"sync"

	"plumb.dev/plumb/internal/config"
)

// chartStore keeps downloaded chart archives in memory and, with a
// directory, on disk.
type chartStore struct {
	dir string
	mu  sync.Mutex
	mem map[string][]byte
}

func newChartStore(dir string) *chartStore {
	return &chartStore{dir: dir, mem: map[string][]byte{}}
}

// key names an archive: its location, version and (when known) digest.
func (s *chartStore) key(res Resolved) string {
	return digest([]byte(res.Location + "\x00" + res.Version + "\x00" + res.Digest))
}

func (s *chartStore) get(res Resolved) ([]byte, bool) {
	k := s.key(res)
	s.mu.Lock()
	data, ok := s.mem[k]
	s.mu.Unlock()
	if ok || s.dir == "" {
		return data, ok
	}
	data, err := os.ReadFile(filepath.Join(s.dir, k+".tgz"))
	if err != nil {
		return nil, false
	}
	s.mu.Lock()
	s.mem[k] = data
	s.mu.Unlock()
	return data, true
}

func (s *chartStore) has(res Resolved) bool {
	_, ok := s.get(res)
	return ok
}

func (s *chartStore) put(res Resolved, data []byte) {
	k := s.key(res)
	s.mu.Lock()
	s.mem[k] = data
	s.mu.Unlock()
	if s.dir == "" {
		return
	}
	if os.MkdirAll(s.dir, 0o700) == nil {
		tmp := filepath.Join(s.dir, k+".tmp")
		if os.WriteFile(tmp, data, 0o600) == nil {
			_ = os.Rename(tmp, filepath.Join(s.dir, k+".tgz"))
		}
	}
}

// fetch returns the chart archive of a resolution, downloading it once.
func (r *Renderer) fetch(ctx context.Context, spec *config.HelmChart, res Resolved) ([]byte, error) {
	if data, ok := r.charts.get(res); ok {
		return data, nil
	}
	var (
		data []byte
		err  error
	)
	if spec.OCI != "" {
		data, err = r.fetchOCI(ctx, spec, res)
	} else {
		data, err = r.fetchHTTP(ctx, spec, res)
	}
	if err != nil {
		return nil, err
	}
	r.charts.put(res, data)
	return data, nil
}
