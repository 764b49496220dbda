package notify

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"plumb.dev/plumb"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// recorded is one request a recorder received.
type recorded struct {
	Method     string
	RequestURI string
	Header     http.Header
	Body       []byte
}

// answer is how a recorder answers one request.
type answer struct {
	status int
	header map[string]string
	body   string
	// echo appends the request's URI, headers and body to the answer, as
	// careless servers do in error pages.
	echo bool
}

// recorder is an HTTP server on 127.0.0.1 that records every request and
// answers with its scripted answers in turn (the last one repeats; 200
// when there are none).
type recorder struct {
	*httptest.Server
	reqs    chan recorded
	mu      sync.Mutex
	answers []answer
	n       int
}

func newRecorder(t *testing.T, answers ...answer) *recorder {
	t.Helper()
	r := &recorder{reqs: make(chan recorded, 100), answers: answers}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	a := answer{status: http.StatusOK}
	if len(r.answers) > 0 {
		a = r.answers[min(r.n, len(r.answers)-1)]
	}
	r.n++
	r.mu.Unlock()
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
	if a.echo {
		_, _ = fmt.Fprintf(w, " %s %v %s", req.RequestURI, req.Header, body)
	}
	r.reqs <- recorded{Method: req.Method, RequestURI: req.RequestURI, Header: req.Header.Clone(), Body: body}
}

// next returns the next request, failing the test when none comes.
func (r *recorder) next(t *testing.T) recorded {
	t.Helper()
	select {
	case req := <-r.reqs:
		return req
	case <-time.After(10 * time.Second):
		t.Fatal("no request arrived")
		return recorded{}
	}
}

// count returns how many requests the recorder answered.
func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// noMore fails the test if a request is waiting to be read.
func (r *recorder) noMore(t *testing.T) {
	t.Helper()
	select {
	case req := <-r.reqs:
		t.Fatalf("unexpected request %s %s: %s", req.Method, req.RequestURI, req.Body)
	default:
	}
}

// writeSecret writes content to a file in a temp dir and returns its path.
func writeSecret(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(content+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// decode unmarshals a JSON body into a generic value.
func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, body)
	}
	return v
}

// checkGolden compares an indented form of the JSON body with
// testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, body, "", "  "); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	b.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if b.String() != string(want) {
		t.Errorf("%s differs (run go test -update to accept):\n--- got\n%s--- want\n%s", path, b.String(), want)
	}
}

const sampleRevision = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"

// sampleMessage is a failed sync with every field set.
func sampleMessage() Message {
	return Message{
		ID: "delivery-1", Notifier: "team-chat", Event: "sync.failed", Severity: SeverityError, App: "web",
		Title:     "web: sync failed at 1a2b3c4",
		Text:      "apply web at 1a2b3c4: Deployment web: admission webhook denied the request: <image> must be pinned & signed",
		Reason:    "new revision 1a2b3c4 (Alice Example: Fix the readiness probe)",
		Revision:  sampleRevision,
		Commit:    commitOf(sampleRevision),
		Target:    "prod",
		SourceURL: "https://github.com/acme/web-config.git",
		Link:      "https://plumb.example.com/apps/web",
		Time:      time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC),
	}
}

// commitOf is the sample commit's metadata at rev.
func commitOf(rev string) plumb.Commit {
	return plumb.Commit{
		Revision: rev, Author: "Alice Example", Email: "alice@example.com",
		Message: "Fix the readiness probe\n\nThe probe hit / instead of /healthz.",
		Time:    time.Date(2025, 3, 14, 9, 20, 0, 0, time.UTC),
	}
}
