package generate

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// outputsDir holds one JSON file of last good output per AppSet.
func (x *Expander) outputsDir() string { return filepath.Join(x.opts.Dir, "appsets") }

// load reads the last good outputs saved by an earlier run, once. A file
// that cannot be read is ignored (its AppSet simply runs again).
func (x *Expander) load() {
	if x.loaded || x.opts.Dir == "" {
		return
	}
	x.loaded = true
	entries, err := os.ReadDir(x.outputsDir())
	if err != nil {
		return
	}
	for _, e := range entries {
		name, ok := cutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		b, err := os.ReadFile(filepath.Join(x.outputsDir(), e.Name()))
		if err != nil {
			continue
		}
		st := &setState{}
		if json.Unmarshal(b, st) != nil {
			continue
		}
		st.good = true
		x.sets[name] = st
		x.generation++
	}
}

// save writes an AppSet's last good output atomically. A failed write
// is not fatal: the output stays in memory.
func (x *Expander) save(name string, st *setState) {
	if x.opts.Dir == "" {
		return
	}
	b, err := json.Marshal(st)
	if err != nil || os.MkdirAll(x.outputsDir(), 0o700) != nil {
		return
	}
	tmp, err := os.CreateTemp(x.outputsDir(), "."+name+"-*")
	if err != nil {
		return
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err != nil || cerr != nil {
		_ = os.Remove(tmp.Name())
		return
	}
	if os.Rename(tmp.Name(), filepath.Join(x.outputsDir(), name+".json")) != nil {
		_ = os.Remove(tmp.Name())
	}
}

// remove deletes an AppSet's saved output.
func (x *Expander) remove(name string) {
	if x.opts.Dir != "" {
		_ = os.Remove(filepath.Join(x.outputsDir(), name+".json"))
	}
}

func cutSuffix(s, suffix string) (string, bool) {
	if len(s) < len(suffix) || s[len(s)-len(suffix):] != suffix {
		return s, false
	}
	return s[:len(s)-len(suffix)], true
}
