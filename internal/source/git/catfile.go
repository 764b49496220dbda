package git

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"plumb.dev/plumb"
)

// catFiles reads the contents of entries through one git cat-file --batch
// process and calls fn for each, in order.
func (r *Repo) catFiles(ctx context.Context, entries []entry, fn func(plumb.File) error) error {
	if len(entries) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	x := r.command(ctx, cmd{args: []string{"cat-file", "--batch"}, mirror: true})
	stdin, err := x.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := x.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr strings.Builder
	x.Stderr = &stderr
	if err := x.Start(); err != nil {
		return fmt.Errorf("git cat-file: %w", err)
	}
	go writeOIDs(stdin, entries)
	rerr := readObjects(bufio.NewReaderSize(stdout, 64<<10), entries, fn)
	if rerr != nil {
		cancel()
	}
	werr := x.Wait()
	if rerr != nil {
		return rerr
	}
	if werr != nil {
		return &gitError{Sub: "cat-file", Err: werr, Stderr: trimStderr(stderr.String())}
	}
	return nil
}

// writeOIDs feeds the object IDs to cat-file; it runs beside the reader so
// that neither pipe fills up.
func writeOIDs(w io.WriteCloser, entries []entry) {
	bw := bufio.NewWriter(w)
	for _, e := range entries {
		if _, err := bw.WriteString(e.oid + "\n"); err != nil {
			break
		}
	}
	_ = bw.Flush()
	_ = w.Close()
}

// readObjects reads one "<oid> <type> <size>\n<data>\n" record per entry.
func readObjects(br *bufio.Reader, entries []entry, fn func(plumb.File) error) error {
	for _, e := range entries {
		header, err := br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("git cat-file: read header of %s: %w", e.path, err)
		}
		fields := strings.Fields(header)
		if len(fields) != 3 || fields[0] != e.oid {
			return fmt.Errorf("git cat-file: object %s of %s: %s", e.oid, e.path, strings.TrimSpace(header))
		}
		size, err := strconv.Atoi(fields[2])
		if err != nil {
			return fmt.Errorf("git cat-file: size of %s: %w", e.path, err)
		}
		data := make([]byte, size+1)
		if _, err := io.ReadFull(br, data); err != nil {
			return fmt.Errorf("git cat-file: read %s: %w", e.path, err)
		}
		if err := fn(plumb.File{Path: e.path, Mode: e.mode, Data: data[:size:size]}); err != nil {
			return err
		}
	}
	return nil
}
