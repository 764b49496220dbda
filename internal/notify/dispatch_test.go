package notify

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/engine"
	"plumb.dev/plumb/internal/store"
)

// TestEventNamesMatchEngine keeps the event types a Notifier accepts in
// step with those the engine emits.
func TestEventNamesMatchEngine(t *testing.T) {
	engineEvents := []string{
		engine.EventSyncSucceeded, engine.EventSyncFailed, engine.EventHealthDegraded, engine.EventHealthRecover,
		engine.EventDriftDetected, engine.EventDriftCorrected, engine.EventRollback,
	}
	if got := config.NotifierEvents(); !slices.Equal(got, engineEvents) {
		t.Errorf("config.NotifierEvents() = %v, engine emits %v", got, engineEvents)
	}
	for _, ev := range engineEvents {
		if _, ok := eventKinds[ev]; !ok {
			t.Errorf("no message kind for %s", ev)
		}
		if githubStates[ev] == "" || gitlabStates[ev] == "" {
			t.Errorf("no commit status state for %s", ev)
		}
	}
}

// TestDispatchRules checks which events each notifier's rules select.
func TestDispatchRules(t *testing.T) {
	events := []store.Event{
		event("team-a-web", "sync.failed", "1"),
		event("team-a-api", "sync.succeeded", "2"),
		event("team-b-web", "health.degraded", "3"),
		event("web", "drift.detected", "4"),
		event("web", "app.rollback", "5"),
		event("web", "sync.skipped", "6"),
		event("web", EventDeliveryFailed, "7"),
		{Type: "sync.failed", Message: "8: no app"},
	}
	tests := []struct {
		name string
		opts []func(*config.Notifier)
		want []string
		// last is an app whose sync.failed the rules select.
		last string
	}{
		{"defaults", nil, []string{"1", "2", "3", "4", "5"}, "any"},
		{"events", []func(*config.Notifier){withEvents("sync.failed", "health.degraded")}, []string{"1", "3"}, "any"},
		{"apps", []func(*config.Notifier){withApps("team-a-*")}, []string{"1", "2"}, "team-a-x"},
		{"both", []func(*config.Notifier){withEvents("sync.failed", "drift.detected"), withApps("team-?-web", "web")}, []string{"1", "4"}, "web"},
		{"class", []func(*config.Notifier){withApps("team-[b-z]-*")}, []string{"3"}, "team-z-x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t, okAnswer)
			h := start(t, []*config.Notifier{hook(t, "n", srv.URL, tc.opts...)}, nil, Options{})
			h.send(t, events...)
			var got []string
			for range tc.want {
				got = append(got, delivered(t, srv.next(t)).Text)
			}
			// A last event the rules select: anything selected wrongly
			// would arrive before it.
			h.send(t, event(tc.last, "sync.failed", "end"))
			if m := delivered(t, srv.next(t)); m.Text != "end" {
				got = append(got, m.Text)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("delivered %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDispatchAppContext checks that messages say which commit (author,
// message) and why, looked up for the event's revision.
func TestDispatchAppContext(t *testing.T) {
	srv := newRecorder(t, okAnswer)
	var mu sync.Mutex
	var asked []string
	info := AppInfoFunc(func(_ context.Context, app, rev string) (AppContext, error) {
		mu.Lock()
		asked = append(asked, app+"@"+rev)
		mu.Unlock()
		if app == "broken" {
			return AppContext{}, errors.New("store is down")
		}
		return AppContext{
			Commit: commitOf(sampleRevision), Target: "prod", SourceURL: "https://github.com/acme/web-config",
			Reason: "new revision 1a2b3c4 (Alice Example: Fix the readiness probe)", Link: "https://plumb.example.com/apps/" + app,
		}, nil
	})
	h := start(t, []*config.Notifier{hook(t, "n", srv.URL)}, info, Options{})
	h.send(t, event("web", "sync.failed", "apply failed"))
	m := expect(t, srv, "web", "sync.failed", "apply failed")
	want := Message{
		ID: m.ID, Notifier: "n", Event: "sync.failed", Severity: SeverityError, App: "web",
		Title: "web: sync failed at 1a2b3c4", Text: "apply failed",
		Reason:   "new revision 1a2b3c4 (Alice Example: Fix the readiness probe)",
		Revision: sampleRevision, Commit: commitOf(sampleRevision), Target: "prod",
		Link: "https://plumb.example.com/apps/web", Time: t0,
	}
	m.Commit.Time, want.Commit.Time = m.Commit.Time.UTC(), want.Commit.Time.UTC()
	m.Time = m.Time.UTC()
	if !jsonEqual(t, m, want) {
		t.Errorf("message = %+v\nwant      %+v", m, want)
	}

	// A failed lookup still sends what the event says.
	h.send(t, event("broken", "sync.failed", "apply failed"))
	if m := expect(t, srv, "broken", "sync.failed", "apply failed"); m.Commit.Author != "" || m.Revision != sampleRevision {
		t.Errorf("message after failed lookup = %+v", m)
	}
	// Drift seen by a watcher has no revision: the app's last applied
	// revision is looked up.
	h.send(t, store.Event{App: "web", Type: "drift.detected", Message: "Deployment web drifted"})
	if m := expect(t, srv, "web", "drift.detected", "Deployment web drifted"); m.Revision != sampleRevision || m.Commit.Author != "Alice Example" {
		t.Errorf("drift message revision %q author %q", m.Revision, m.Commit.Author)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"web@" + sampleRevision, "broken@" + sampleRevision, "web@"}; !slices.Equal(asked, want) {
		t.Errorf("AppContext asked for %v, want %v", asked, want)
	}
}

// TestNewMessageOtherRevision checks that a commit of another revision
// is not attributed to the event.
func TestNewMessageOtherRevision(t *testing.T) {
	m := NewMessage(event("web", "sync.failed", "x"), AppContext{Commit: commitOf("ffffffffffffffffffffffffffffffffffffffff")})
	if m.Revision != sampleRevision || m.Commit.Author != "" || m.CommitLine() != "1a2b3c4" {
		t.Errorf("message = %+v, commit line %q", m, m.CommitLine())
	}
	m = NewMessage(store.Event{App: "web", Type: "health.recovered"}, AppContext{})
	if m.Title != "web: health recovered" || m.Severity != SeveritySuccess || m.CommitLine() != "" {
		t.Errorf("message without revision = %+v", m)
	}
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// TestDispatchRetry checks that 5xx answers are retried with doubling
// waits, with the same delivery ID, until one succeeds.
func TestDispatchRetry(t *testing.T) {
	srv := newRecorder(t, answer{status: 500}, answer{status: 502}, okAnswer)
	h := start(t, []*config.Notifier{hook(t, "n", srv.URL)}, nil, Options{Backoff: time.Second})
	h.send(t, event("web", "sync.failed", "boom"))
	first := delivered(t, srv.next(t))
	h.waitWaiters(t, 1)
	h.clock.Step(time.Second)
	if m := delivered(t, srv.next(t)); m.ID != first.ID {
		t.Errorf("retry has delivery ID %s, first try %s", m.ID, first.ID)
	}
	h.waitWaiters(t, 1)
	h.clock.Step(time.Second) // the second wait is 2s
	if n := srv.count(); n != 2 || h.clock.Waiters() != 1 {
		t.Fatalf("after 1s of a 2s wait: %d requests, %d waiters", n, h.clock.Waiters())
	}
	h.clock.Step(time.Second)
	delivered(t, srv.next(t))
	h.send(t, event("web", "sync.succeeded", "fine"))
	expect(t, srv, "web", "sync.succeeded", "fine")
	h.noFailure(t)
}

// TestDispatchRetryAfter checks that a 429's Retry-After is waited for.
func TestDispatchRetryAfter(t *testing.T) {
	srv := newRecorder(t, answer{status: 429, header: map[string]string{"Retry-After": "30"}}, okAnswer)
	h := start(t, []*config.Notifier{hook(t, "n", srv.URL)}, nil, Options{Backoff: time.Second})
	h.send(t, event("web", "sync.failed", "boom"))
	srv.next(t)
	h.waitWaiters(t, 1)
	h.clock.Step(29 * time.Second)
	if n := srv.count(); n != 1 || h.clock.Waiters() != 1 {
		t.Fatalf("after 29s of Retry-After 30: %d requests, %d waiters", n, h.clock.Waiters())
	}
	h.clock.Step(time.Second)
	expect(t, srv, "web", "sync.failed", "boom")
	h.send(t, event("web", "sync.succeeded", "fine"))
	expect(t, srv, "web", "sync.succeeded", "fine")
	h.noFailure(t)
}

// TestDispatchRetryAfterTooLong checks that a wait longer than
// MaxRetryAfter fails the delivery at once.
func TestDispatchRetryAfterTooLong(t *testing.T) {
	srv := newRecorder(t, answer{status: 503, header: map[string]string{"Retry-After": "3600"}})
	h := start(t, []*config.Notifier{hook(t, "n", srv.URL)}, nil, Options{MaxRetryAfter: 10 * time.Minute})
	h.send(t, event("web", "sync.failed", "boom"))
	f := h.failure(t)
	if f.Detail["attempts"] != "1" || f.Detail["status"] != "503" || !strings.Contains(f.Message, "asked to wait 1h0m0s") {
		t.Errorf("failure = %s %v", f.Message, f.Detail)
	}
}

// TestDispatchPermanent checks that a 4xx is not retried and is reported
// as an event naming the notifier, app, event and status.
func TestDispatchPermanent(t *testing.T) {
	srv := newRecorder(t, answer{status: 404, body: "no_service"})
	h := start(t, []*config.Notifier{hook(t, "team-chat", srv.URL)}, nil, Options{})
	h.send(t, event("web", "health.degraded", "Deployment web: 0/2 ready"))
	f := h.failure(t)
	if n := srv.count(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	want := store.Event{
		Time: t0, App: "web", Type: EventDeliveryFailed, Revision: sampleRevision,
		Message: "notifier team-chat (webhook) could not send health.degraded of app web at 1a2b3c4 (1 attempt): webhook: HTTP 404 Not Found: no_service",
		Detail: map[string]string{
			"notifier": "team-chat", "provider": "webhook", "event": "health.degraded",
			"attempts": "1", "status": "404", "delivery": f.Detail["delivery"],
		},
	}
	if !jsonEqual(t, f, want) {
		t.Errorf("failure event = %+v\nwant %+v", f, want)
	}
}

// TestDispatchGiveUp checks that retries stop after MaxAttempts.
func TestDispatchGiveUp(t *testing.T) {
	srv := newRecorder(t, answer{status: 502})
	h := start(t, []*config.Notifier{hook(t, "n", srv.URL)}, nil, Options{MaxAttempts: 3, Backoff: time.Second})
	h.send(t, event("web", "sync.failed", "boom"))
	for _, wait := range []time.Duration{time.Second, 2 * time.Second} {
		srv.next(t)
		h.waitWaiters(t, 1)
		h.clock.Step(wait)
	}
	srv.next(t)
	f := h.failure(t)
	if f.Detail["attempts"] != "3" || f.Detail["status"] != "502" {
		t.Errorf("failure = %s %v", f.Message, f.Detail)
	}
	if n := srv.count(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// TestDispatchNetworkError checks that an unreachable server is retried
// and then reported.
func TestDispatchNetworkError(t *testing.T) {
	srv := newRecorder(t)
	srv.Close()
	h := start(t, []*config.Notifier{hook(t, "n", srv.URL+"/hook")}, nil, Options{MaxAttempts: 2, Backoff: time.Second})
	h.send(t, event("web", "sync.failed", "boom"))
	h.waitWaiters(t, 1)
	h.clock.Step(time.Second)
	f := h.failure(t)
	if f.Detail["attempts"] != "2" || f.Detail["status"] != "" || !strings.Contains(f.Message, "connection refused") {
		t.Errorf("failure = %s %v", f.Message, f.Detail)
	}
}

// TestDispatchDedup checks that a message identical to the previous one
// of the app is dropped within the window, and only then.
func TestDispatchDedup(t *testing.T) {
	srv := newRecorder(t, okAnswer)
	h := start(t, []*config.Notifier{hook(t, "n", srv.URL, withRate(100, time.Minute))}, nil, Options{DedupWindow: 10 * time.Minute})
	failed := event("web", "health.degraded", "0/2 ready")
	recovered := event("web", "health.recovered", "health recovered")
	h.send(t, failed, failed, event("api", "health.degraded", "0/2 ready"), failed, recovered, failed, failed)
	expect(t, srv, "web", "health.degraded", "0/2 ready")
	expect(t, srv, "api", "health.degraded", "0/2 ready")
	expect(t, srv, "web", "health.recovered", "health recovered")
	expect(t, srv, "web", "health.degraded", "0/2 ready") // a state change is never dropped
	h.clock.Step(9 * time.Minute)
	h.send(t, failed)
	h.clock.Step(time.Minute)
	h.send(t, failed) // the window has passed
	expect(t, srv, "web", "health.degraded", "0/2 ready")
	other := failed
	other.Detail = map[string]string{"object": "Deployment/web"}
	h.send(t, other)
	expect(t, srv, "web", "health.degraded", "0/2 ready")
	srv.noMore(t)
	if n := srv.count(); n != 6 {
		t.Errorf("%d requests, want 6", n)
	}
}

// TestDispatchRateLimit checks the token bucket per notifier and app,
// and the one summary sent for what it held back.
func TestDispatchRateLimit(t *testing.T) {
	srv := newRecorder(t, okAnswer)
	h := start(t, []*config.Notifier{hook(t, "n", srv.URL, withRate(2, time.Minute))}, nil, Options{})
	var flapping []store.Event
	for _, s := range []string{"1", "2", "3", "4", "5"} {
		typ := map[bool]string{true: "health.degraded", false: "health.recovered"}[s != "2" && s != "4"]
		flapping = append(flapping, event("web", typ, s))
	}
	h.send(t, append(flapping, event("api", "sync.failed", "other app"))...)
	expect(t, srv, "web", "health.degraded", "1")
	expect(t, srv, "web", "health.recovered", "2")
	expect(t, srv, "api", "sync.failed", "other app")
	h.waitWaiters(t, 1)
	h.clock.Step(29 * time.Second)
	if n := srv.count(); n != 3 {
		t.Fatalf("%d requests before the bucket refilled, want 3", n)
	}
	h.clock.Step(time.Second)
	m := expect(t, srv, "web", "health.degraded", "5")
	if m.Suppressed != 2 || m.Limit != "2 per 1m" {
		t.Errorf("summary suppressed %d limit %q, want 2 and \"2 per 1m\"", m.Suppressed, m.Limit)
	}
	// The summary took the token: the next event waits for one more.
	h.send(t, event("web", "health.recovered", "6"))
	h.waitWaiters(t, 1)
	h.clock.Step(30 * time.Second)
	if m := expect(t, srv, "web", "health.recovered", "6"); m.Suppressed != 0 {
		t.Errorf("a message delayed alone says %d suppressed", m.Suppressed)
	}
	// After a full period the burst is available again.
	h.clock.Step(time.Minute)
	h.send(t, event("web", "sync.failed", "7"), event("web", "sync.failed", "8"))
	expect(t, srv, "web", "sync.failed", "7")
	expect(t, srv, "web", "sync.failed", "8")
	h.noFailure(t)
}

// TestDispatchQueueFull checks that a message finding its notifier's
// queue full is reported, not silently lost.
func TestDispatchQueueFull(t *testing.T) {
	arrived, release := make(chan struct{}, 10), make(chan struct{})
	srv := newRecorder(t)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
	})
	defer close(release)
	h := start(t, []*config.Notifier{hook(t, "n", srv.URL)}, nil, Options{QueueSize: 1})
	h.send(t, event("web", "sync.failed", "1"))
	<-arrived
	h.send(t, event("web", "sync.failed", "2"), event("web", "sync.failed", "3"))
	f := h.failure(t)
	if f.Detail["attempts"] != "0" || !strings.Contains(f.Message, "too many messages waiting") {
		t.Errorf("failure = %s %v", f.Message, f.Detail)
	}
}

// TestDispatchDrain checks that closing the events channel delivers
// what is queued and ends Run.
func TestDispatchDrain(t *testing.T) {
	srv := newRecorder(t, okAnswer)
	d, err := New([]*config.Notifier{hook(t, "n", srv.URL)}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan store.Event, 3)
	for _, s := range []string{"1", "2", "3"} {
		events <- event("web-"+s, "sync.failed", s)
	}
	close(events)
	if err := d.Run(context.Background(), events); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if n := srv.count(); n != 3 {
		t.Errorf("%d requests delivered before Run returned, want 3", n)
	}
}

// TestDispatchNoSecrets runs every provider into failures that could
// leak its secret and checks that no failure event holds one.
func TestDispatchNoSecrets(t *testing.T) {
	secrets := map[string]string{
		"slack":   "services/T01/B02/SlAcK-S3CR3T",
		"teams":   "webhookb2/x/IncomingWebhook/TeAmS-S3CR3T",
		"discord": "api/webhooks/1/DiScOrD-S3CR3T",
		"github":  "ghp_GiThUb-S3CR3T",
		"gitlab":  "glpat-GiTlAb-S3CR3T",
		"hmac":    "HmAc-S3CR3T",
		"query":   "QuErY-S3CR3T",
	}
	echo := newRecorder(t, answer{status: 401, body: "bad credentials", echo: true})
	down := newRecorder(t)
	down.Close()
	var notifiers []*config.Notifier
	for i, base := range []string{echo.URL, down.URL} {
		sfx := []string{"-echo", "-down"}[i]
		tok := func(k string) string { return writeSecret(t, secrets[k]) }
		notifiers = append(notifiers,
			&config.Notifier{Name: "slack" + sfx, Slack: &config.ChatWebhook{WebhookURLFile: writeSecret(t, base+"/"+secrets["slack"])}},
			&config.Notifier{Name: "teams" + sfx, Teams: &config.ChatWebhook{WebhookURLFile: writeSecret(t, base+"/"+secrets["teams"])}},
			&config.Notifier{Name: "discord" + sfx, Discord: &config.ChatWebhook{WebhookURLFile: writeSecret(t, base+"/"+secrets["discord"])}},
			&config.Notifier{Name: "github" + sfx, GitHub: &config.CommitStatus{TokenFile: tok("github"), BaseURL: base}},
			&config.Notifier{Name: "gitlab" + sfx, GitLab: &config.CommitStatus{TokenFile: tok("gitlab"), BaseURL: base}},
			&config.Notifier{Name: "webhook" + sfx, Webhook: &config.SignedWebhook{URL: base + "/hook?token=" + secrets["query"], SecretFile: tok("hmac")}},
		)
	}
	notifiers = append(notifiers, &config.Notifier{Name: "slack-garbled", Slack: &config.ChatWebhook{WebhookURLFile: writeSecret(t, "xoxb "+secrets["slack"])}})
	info := AppInfoFunc(func(context.Context, string, string) (AppContext, error) {
		return AppContext{SourceURL: "https://github.com/acme/web-config"}, nil
	})
	h := start(t, notifiers, info, Options{MaxAttempts: 1})
	h.send(t, event("web", "sync.failed", "boom"))
	var all []byte
	for range notifiers {
		f := h.failure(t)
		b, _ := json.Marshal(f)
		all = append(all, b...)
		all = append(all, '\n')
	}
	for name, s := range secrets {
		if strings.Contains(string(all), s) || strings.Contains(string(all), "S3CR3T") {
			t.Errorf("a failure event holds the %s secret:\n%s", name, all)
			break
		}
	}
	for _, n := range notifiers {
		if !strings.Contains(string(all), "notifier "+n.Name+" ") {
			t.Errorf("no failure event names notifier %s", n.Name)
		}
	}
}

// TestBackoff checks the doubling waits and their cap.
func TestBackoff(t *testing.T) {
	o := Options{Backoff: time.Second, MaxBackoff: 5 * time.Second}
	var got []time.Duration
	for a := 1; a <= 5; a++ {
		got = append(got, backoff(o, a))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	if !slices.Equal(got, want) {
		t.Errorf("backoff = %v, want %v", got, want)
	}
}

// TestNewFromConfig builds a Dispatcher from parsed config documents
// with every provider, and refuses a notifier without one.
func TestNewFromConfig(t *testing.T) {
	doc := `apiVersion: plumb.dev/v1alpha1
kind: Notifier
metadata: {name: NAME}
spec: SPEC
`
	var data []string
	for name, spec := range map[string]string{
		"slack":   "{slack: {webhookURLFile: /etc/plumb/slack}}",
		"teams":   "{teams: {webhookURLFile: /etc/plumb/teams}}",
		"discord": "{discord: {webhookURLFile: /etc/plumb/discord}}",
		"webhook": "{webhook: {url: 'https://hooks.example.com/x', secretFile: /etc/plumb/key}}",
		"github":  "{github: {tokenFile: /etc/plumb/gh}}",
		"gitlab":  "{gitlab: {tokenFile: /etc/plumb/gl, baseURL: 'https://gitlab.example.com'}}",
	} {
		data = append(data, strings.NewReplacer("NAME", name, "SPEC", spec).Replace(doc))
	}
	cfg, err := config.Parse([]config.File{{Name: "notifiers.yaml", Data: []byte(strings.Join(data, "---\n"))}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(cfg.Notifiers, nil, Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	var kinds []string
	for _, r := range d.routes {
		kinds = append(kinds, r.provider+":"+reflect.TypeOf(r.send).Elem().Name())
	}
	want := []string{"discord:Discord", "github:GitHub", "gitlab:GitLab", "slack:Slack", "teams:Teams", "webhook:Webhook"}
	if !slices.Equal(kinds, want) {
		t.Errorf("routes %v, want %v", kinds, want)
	}
	if _, err := New([]*config.Notifier{{Name: "none"}}, nil, Options{}); err == nil || !strings.Contains(err.Error(), "notifier none") {
		t.Errorf("New without provider: %v", err)
	}
}
