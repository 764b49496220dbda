package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"plumb.dev/plumb/internal/config"
)

// secret is every test receiver's secret, as written to its file (with
// the trailing newline editors add).
const secret = "s3cr3t-webhook-key-3f1c9a"

// sender signs and labels requests like one kind of Git host.
type sender struct {
	typ       string
	sample    string // testdata file of a real push payload
	pushEvent string
	sign      func(r *http.Request, body []byte, key string)
	event     func(r *http.Request, name string)
	delivery  func(r *http.Request, id string)
}

func hmacHex(key string, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func setter(name string) func(*http.Request, string) {
	return func(r *http.Request, v string) { r.Header.Set(name, v) }
}

var senders = []sender{
	{typ: "github", sample: "github_push.json", pushEvent: "push",
		sign: func(r *http.Request, b []byte, k string) {
			r.Header.Set("X-Hub-Signature-256", "sha256="+hmacHex(k, b))
		},
		event: setter("X-GitHub-Event"), delivery: setter("X-GitHub-Delivery")},
	{typ: "gitlab", sample: "gitlab_push.json", pushEvent: "Push Hook",
		sign:  func(r *http.Request, _ []byte, k string) { r.Header.Set("X-Gitlab-Token", k) },
		event: setter("X-Gitlab-Event"), delivery: setter("X-Gitlab-Event-UUID")},
	{typ: "gitea", sample: "gitea_push.json", pushEvent: "push",
		sign:  func(r *http.Request, b []byte, k string) { r.Header.Set("X-Gitea-Signature", hmacHex(k, b)) },
		event: setter("X-Gitea-Event"), delivery: setter("X-Gitea-Delivery")},
	{typ: "forgejo", sample: "gitea_push.json", pushEvent: "push",
		sign:  func(r *http.Request, b []byte, k string) { r.Header.Set("X-Forgejo-Signature", hmacHex(k, b)) },
		event: setter("X-Forgejo-Event"), delivery: setter("X-Forgejo-Delivery")},
	{typ: "generic", sample: "generic_push.json", pushEvent: "push",
		sign:  func(r *http.Request, b []byte, k string) { r.Header.Set("X-Plumb-Signature", "sha256="+hmacHex(k, b)) },
		event: setter("X-Plumb-Event"), delivery: setter("X-Plumb-Delivery")},
}

func senderOf(t *testing.T, typ string) sender {
	t.Helper()
	for _, s := range senders {
		if s.typ == typ {
			return s
		}
	}
	t.Fatalf("no sender %s", typ)
	return sender{}
}

// call is one trigger.
type call struct {
	source string
	push   Push
}

// recorder is a Triggerer that records calls and fails the sources in
// fail.
type recorder struct {
	mu    sync.Mutex
	calls []call
	fail  map[string]bool
}

func (r *recorder) Trigger(_ context.Context, source string, push Push) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call{source, push})
	if r.fail[source] {
		return errors.New("fetch " + source + ": remote hung up")
	}
	return nil
}

func (r *recorder) setFail(sources ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = map[string]bool{}
	for _, s := range sources {
		r.fail[s] = true
	}
}

// take returns and clears the calls so far.
func (r *recorder) take() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

// writeSecret writes content to a file in dir and returns its path.
func writeSecret(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// receivers returns one receiver per sender type, named after it, each
// for sources site and platform.
func receivers(t *testing.T) []*config.Receiver {
	t.Helper()
	file := writeSecret(t, t.TempDir(), "secret", secret+"\n")
	var out []*config.Receiver
	for _, s := range senders {
		out = append(out, &config.Receiver{Name: s.typ, Type: s.typ, SecretFile: file, Sources: []string{"site", "platform"}})
	}
	return out
}

// server serves a handler for receivers(t) and returns its URL.
func server(t *testing.T, rec *recorder, opts Options) (*Handler, string) {
	t.Helper()
	h, err := New(receivers(t), rec, opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return h, srv.URL
}

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// delivery is one request to send.
type delivery struct {
	receiver string
	body     []byte
	key      string // signing key; "" leaves the request unsigned
	event    string
	id       string
	header   http.Header
}

// answer is a decoded answer.
type answer struct {
	Answer
	Error string `json:"error"`
}

// post sends d and returns the status and answer.
func post(t *testing.T, url string, s sender, d delivery) (int, answer) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/hooks/"+d.receiver, bytes.NewReader(d.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range d.header {
		req.Header[k] = v
	}
	if d.key != "" {
		s.sign(req, d.body, d.key)
	}
	if d.event != "" {
		s.event(req, d.event)
	}
	if d.id != "" {
		s.delivery(req, d.id)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), strings.TrimSpace(secret)) {
		t.Errorf("answer holds the secret: %s", b)
	}
	var a answer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("answer %q: %v", b, err)
	}
	return resp.StatusCode, a
}
