package webhook

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// wantPushes are what each sender's sample push says.
var wantPushes = map[string]Push{
	"github": {Ref: "refs/heads/main", After: "59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5", Repositories: []string{
		"https://github.com/example/site.git", "git@github.com:example/site.git", "git://github.com/example/site.git", "https://github.com/example/site"}},
	"gitlab": {Ref: "refs/heads/prod", After: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", Repositories: []string{
		"https://gitlab.example.com/ops/platform.git", "git@gitlab.example.com:ops/platform.git", "https://gitlab.example.com/ops/platform"}},
	"gitea": {Ref: "refs/heads/main", After: "bffeb74224043ba2feb48d137756c8a9331c449a", Repositories: []string{
		"https://gitea.example.com/example/site.git", "git@gitea.example.com:example/site.git", "https://gitea.example.com/example/site"}},
	"generic": {Ref: "refs/heads/main", After: "0d1f2e3c4b5a69788796a5b4c3d2e1f0a9b8c7d6", Repositories: []string{"https://git.example.com/site.git"}},
}

// TestPush sends each sender's real push payload, signed well, badly and
// not at all, then again with the same delivery ID.
func TestPush(t *testing.T) {
	for _, s := range senders {
		t.Run(s.typ, func(t *testing.T) {
			rec := &recorder{}
			_, url := server(t, rec, Options{})
			body := sample(t, s.sample)
			good := delivery{receiver: s.typ, body: body, key: secret, event: s.pushEvent, id: "d-1"}

			bad := good
			bad.key, bad.id = "not-the-secret", "d-bad"
			expectIgnored(t, rec, url, s, bad, http.StatusUnauthorized, "signature does not match")
			unsigned := good
			unsigned.key, unsigned.id = "", "d-unsigned"
			expectIgnored(t, rec, url, s, unsigned, http.StatusUnauthorized, "missing signature")
			tampered := good
			tampered.body = bytes.Replace(body, []byte("refs/heads/"), []byte("refs/heads/x"), 1)
			tampered.id = "d-tampered"
			if s.typ != "gitlab" { // GitLab sends a token, not a signature of the body
				tampered.header = http.Header{}
				req, _ := http.NewRequest(http.MethodPost, "/", nil)
				s.sign(req, body, secret) // signature of the original body
				for k, v := range req.Header {
					tampered.header[k] = v
				}
				tampered.key = ""
				expectIgnored(t, rec, url, s, tampered, http.StatusUnauthorized, "signature does not match")
			}

			status, ans := post(t, url, s, good)
			if status != http.StatusAccepted || !slices.Equal(ans.Triggered, []string{"site", "platform"}) {
				t.Fatalf("good push: %d %+v, want 202 triggering site and platform", status, ans)
			}
			want := wantPushes[s.typ]
			if s.typ == "forgejo" {
				want = wantPushes["gitea"]
			}
			want.Receiver, want.Type, want.Event, want.Delivery = s.typ, s.typ, s.pushEvent, "d-1"
			calls := rec.take()
			slices.SortFunc(calls, func(a, b call) int { return strings.Compare(a.source, b.source) })
			if len(calls) != 2 || calls[0].source != "platform" || calls[1].source != "site" {
				t.Fatalf("triggered %+v, want platform and site", calls)
			}
			for _, c := range calls {
				if !reflect.DeepEqual(c.push, want) {
					t.Errorf("push to %s:\n got  %+v\n want %+v", c.source, c.push, want)
				}
			}

			expectIgnored(t, rec, url, s, good, http.StatusOK, "duplicate delivery d-1")
		})
	}
}

// expectIgnored sends d and checks the status, that the answer mentions
// why, and that nothing was triggered.
func expectIgnored(t *testing.T, rec *recorder, url string, s sender, d delivery, status int, why string) {
	t.Helper()
	got, ans := post(t, url, s, d)
	if got != status || !strings.Contains(ans.Error+ans.Ignored, why) {
		t.Errorf("status %d %+v, want %d saying %q", got, ans, status, why)
	}
	if calls := rec.take(); len(calls) > 0 {
		t.Errorf("triggered %+v, want nothing", calls)
	}
}

func TestGitLabTagPush(t *testing.T) {
	rec := &recorder{}
	_, url := server(t, rec, Options{})
	s := senderOf(t, "gitlab")
	status, ans := post(t, url, s, delivery{receiver: "gitlab", body: sample(t, "gitlab_tag_push.json"), key: secret, event: "Tag Push Hook", id: "t-1"})
	if status != http.StatusAccepted {
		t.Fatalf("tag push: %d %+v", status, ans)
	}
	calls := rec.take()
	if len(calls) != 2 || calls[0].push.Ref != "refs/tags/v1.0.0" || calls[0].push.After != "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7" {
		t.Fatalf("triggered %+v", calls)
	}
}

// TestNoEffect covers deliveries that are answered but trigger nothing.
func TestNoEffect(t *testing.T) {
	cases := []struct {
		name   string
		sender string
		d      delivery
		status int
		why    string
	}{
		{"github ping", "github", delivery{receiver: "github", body: sample(t, "github_ping.json"), key: secret, event: "ping", id: "p-1"}, http.StatusOK, "ping"},
		{"generic ping", "generic", delivery{receiver: "generic", body: nil, key: secret, event: "ping"}, http.StatusOK, "ping"},
		{"github issues event", "github", delivery{receiver: "github", body: []byte(`{"action":"opened"}`), key: secret, event: "issues"}, http.StatusOK, `event "issues" is not a push`},
		{"gitlab merge request", "gitlab", delivery{receiver: "gitlab", body: []byte(`{"object_kind":"merge_request"}`), key: secret, event: "Merge Request Hook"}, http.StatusOK, "not a push"},
		{"gitea without event", "gitea", delivery{receiver: "gitea", body: sample(t, "gitea_push.json"), key: secret}, http.StatusOK, "not a push"},
		{"unsigned ping", "github", delivery{receiver: "github", body: sample(t, "github_ping.json"), event: "ping"}, http.StatusUnauthorized, "missing signature"},
		{"malformed signature", "github", delivery{receiver: "github", body: []byte(`{}`), event: "push",
			header: http.Header{"X-Hub-Signature-256": {"sha1=abc"}}}, http.StatusUnauthorized, "sha256=<hex"},
		{"unknown receiver", "github", delivery{receiver: "nope", body: []byte(`{}`), key: secret, event: "push"}, http.StatusNotFound, `no receiver "nope"`},
		{"signed garbage", "github", delivery{receiver: "github", body: []byte(`{"ref": 3`), key: secret, event: "push", id: "g-1"}, http.StatusBadRequest, "invalid push payload"},
		{"generic non-JSON", "generic", delivery{receiver: "generic", body: []byte(`ref=main`), key: secret}, http.StatusBadRequest, "invalid push payload"},
		{"gitlab wrong token", "gitlab", delivery{receiver: "gitlab", body: sample(t, "gitlab_push.json"), key: secret + "x", event: "Push Hook"}, http.StatusUnauthorized, "does not match"},
	}
	rec := &recorder{}
	_, url := server(t, rec, Options{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectIgnored(t, rec, url, senderOf(t, tc.sender), tc.d, tc.status, tc.why)
		})
	}
}

func TestGenericEmptyBodyTriggers(t *testing.T) {
	rec := &recorder{}
	_, url := server(t, rec, Options{})
	s := senderOf(t, "generic")
	for i := range 2 { // no delivery ID: nothing to deduplicate by
		status, ans := post(t, url, s, delivery{receiver: "generic", key: secret})
		if status != http.StatusAccepted || len(rec.take()) != 2 {
			t.Fatalf("empty generic push %d: %d %+v", i, status, ans)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	rec := &recorder{}
	_, url := server(t, rec, Options{MaxBody: 1024})
	s := senderOf(t, "github")
	big := []byte(`{"ref": "refs/heads/main", "pad": "` + strings.Repeat("x", 2000) + `"}`)
	expectIgnored(t, rec, url, s, delivery{receiver: "github", body: big, key: secret, event: "push", id: "big"}, http.StatusRequestEntityTooLarge, "larger than 1024 bytes")

	// Without a Content-Length (chunked), the limit holds while reading.
	req, err := http.NewRequest(http.MethodPost, url+"/hooks/github", struct{ *bytes.Reader }{bytes.NewReader(big)})
	if err != nil {
		t.Fatal(err)
	}
	s.sign(req, big, secret)
	s.event(req, "push")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || len(rec.take()) > 0 {
		t.Fatalf("chunked oversized body: %d", resp.StatusCode)
	}

	fits := []byte(`{"ref": "refs/heads/main", "pad": "` + strings.Repeat("x", 900) + `"}`)
	if status, ans := post(t, url, s, delivery{receiver: "github", body: fits, key: secret, event: "push", id: "fits"}); status != http.StatusAccepted {
		t.Fatalf("body under the limit: %d %+v", status, ans)
	}
}

func TestFormEncodedGitHubPush(t *testing.T) {
	rec := &recorder{}
	_, url := server(t, rec, Options{})
	body := []byte(neturlEncode(sample(t, "github_push.json")))
	status, ans := post(t, url, senderOf(t, "github"), delivery{receiver: "github", body: body, key: secret, event: "push", id: "f-1",
		header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	if status != http.StatusAccepted {
		t.Fatalf("form-encoded push: %d %+v", status, ans)
	}
	if calls := rec.take(); len(calls) != 2 || calls[0].push.After != wantPushes["github"].After {
		t.Fatalf("triggered %+v", calls)
	}
}

func neturlEncode(payload []byte) string { return url.Values{"payload": {string(payload)}}.Encode() }

// TestTriggerFailure checks that a failed trigger answers 500 with the
// error and that the sender's redelivery is acted on.
func TestTriggerFailure(t *testing.T) {
	rec := &recorder{}
	_, url := server(t, rec, Options{})
	s := senderOf(t, "github")
	d := delivery{receiver: "github", body: sample(t, "github_push.json"), key: secret, event: "push", id: "r-1"}
	rec.setFail("platform")
	status, ans := post(t, url, s, d)
	if status != http.StatusInternalServerError || !slices.Equal(ans.Triggered, []string{"site"}) || !strings.Contains(ans.Errors["platform"], "remote hung up") {
		t.Fatalf("failed trigger: %d %+v", status, ans)
	}
	rec.take()
	rec.setFail()
	if status, ans := post(t, url, s, d); status != http.StatusAccepted || len(rec.take()) != 2 {
		t.Fatalf("redelivery after a failure: %d %+v, want it acted on", status, ans)
	}
}

// TestConcurrentDuplicates sends the same delivery many times at once:
// it triggers once.
func TestConcurrentDuplicates(t *testing.T) {
	rec := &recorder{}
	_, url := server(t, rec, Options{})
	s := senderOf(t, "gitea")
	d := delivery{receiver: "gitea", body: sample(t, "gitea_push.json"), key: secret, event: "push", id: "c-1"}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { post(t, url, s, d) })
	}
	wg.Wait()
	if calls := rec.take(); len(calls) != 2 {
		t.Fatalf("8 concurrent copies triggered %d times, want 2 (one per source)", len(calls))
	}
}

func TestMethodNotAllowed(t *testing.T) {
	_, url := server(t, &recorder{}, Options{})
	resp, err := http.Get(url + "/hooks/github")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d, want 405", resp.StatusCode)
	}
}

func TestReport(t *testing.T) {
	var reports []Report
	var mu sync.Mutex
	rec := &recorder{}
	_, url := server(t, rec, Options{Report: func(r Report) { mu.Lock(); reports = append(reports, r); mu.Unlock() }})
	s := senderOf(t, "github")
	post(t, url, s, delivery{receiver: "github", body: sample(t, "github_push.json"), key: "wrong", event: "push"})
	post(t, url, s, delivery{receiver: "github", body: sample(t, "github_push.json"), key: secret, event: "push", id: "x"})
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 2 || reports[0].Status != 401 || !strings.Contains(reports[0].Err, "does not match") ||
		reports[1].Status != 202 || len(reports[1].Answer.Triggered) != 2 {
		t.Fatalf("reports %+v", reports)
	}
	for _, r := range reports {
		if strings.Contains(fmt.Sprintf("%+v", r), secret) {
			t.Errorf("report holds the secret: %+v", r)
		}
	}
}
