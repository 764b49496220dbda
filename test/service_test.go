package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"plumb.dev/plumb/internal/gittest"
)

// TestServiceLoop: a daemon on TLS with token auth; a push followed by a
// signed GitHub webhook syncs the app at once, Slack is told who changed
// what, DORA records the lead time, and /metrics counts it all.
func TestServiceLoop(t *testing.T) {
	e := newEnv(t)
	e.repo.WriteFile("web/index.html", "v1\n")
	e.push("first")
	slack := newSlackSink(t)
	secrets := t.TempDir()
	hookSecret := writeSecretFile(t, secrets, "gh-secret", "s3cr3t-hook")
	slackURL := writeSecretFile(t, secrets, "slack-url", slack.srv.URL+"/services/T000/B000/XXXX")
	// The source is polled only hourly: the webhook is what brings changes.
	cfg := strings.Replace(baseConfig, "interval: 1s", "interval: 1h", 1) + webApp + fmt.Sprintf(`---
apiVersion: plumb.dev/v1alpha1
kind: Receiver
metadata: {name: gh}
spec: {type: github, secretFile: %q, sources: [site]}
---
apiVersion: plumb.dev/v1alpha1
kind: Notifier
metadata: {name: chat}
spec:
  slack: {webhookURLFile: %q}
  events: [sync.succeeded, sync.failed]
`, hookSecret, slackURL)
	e.writeConfig("plumb.yaml", cfg)

	// Tokens exist before the daemon starts: every call needs one.
	admin := tokenCreate(t, e.state, "ops", "admin")
	cert, key, ca := selfSigned(t)
	addr := freePort(t)
	d := e.start("--listen", addr, "--tls-cert", cert, "--tls-key", key)
	d.addr = "https://" + addr
	waitTLS(t, addr, ca)
	e.fileIs("index.html", "v1\n")

	cli := func(args ...string) (string, int) {
		return d.plumb(append([]string{"--ca-cert", ca, "--token", admin}, args...)...)
	}
	if out, code := d.plumb("--ca-cert", ca, "get", "apps"); code == 0 || !strings.Contains(out, "unauthenticated") {
		t.Fatalf("a call without a token: exit %d\n%s", code, out)
	}
	if out, code := cli("get", "apps"); code != 0 || !strings.Contains(out, "web") {
		t.Fatalf("a call with the admin token: exit %d\n%s", code, out)
	}

	e.repo.WriteFile("web/index.html", "v2\n")
	rev := e.push("Ship v2")
	body := fmt.Sprintf(`{"ref":"refs/heads/main","after":%q,"repository":{"clone_url":%q,"html_url":%q}}`, rev, e.srv.URL(), e.srv.URL())
	if code := sendHook(t, addr, ca, "/hooks/gh", body, "s3cr3t-hook", "delivery-1"); code != http.StatusAccepted {
		t.Fatalf("signed webhook: status %d, want 202", code)
	}
	e.fileIs("index.html", "v2\n")
	if code := sendHook(t, addr, ca, "/hooks/gh", body, "s3cr3t-hook", "delivery-1"); code != http.StatusOK {
		t.Errorf("replayed delivery: status %d, want 200 (ignored)", code)
	}
	if code := sendHook(t, addr, ca, "/hooks/gh", body, "wrong", "delivery-2"); code != http.StatusUnauthorized {
		t.Errorf("bad signature: status %d, want 401", code)
	}

	msg := slack.waitFor(t, "Ship v2")
	for _, want := range []string{"web", rev[:7], gittest.AuthorName, "new revision"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Slack message lacks %q:\n%s", want, msg)
		}
	}
	var report struct {
		Overall struct {
			Deployments int `json:"deployments"`
			LeadTime    struct {
				Samples int `json:"samples"`
			} `json:"leadTime"`
		} `json:"overall"`
	}
	out, code := cli("dora", "-o", "json")
	if code != 0 || json.Unmarshal([]byte(out), &report) != nil || report.Overall.LeadTime.Samples < 1 {
		t.Fatalf("plumb dora: exit %d, lead time not recorded:\n%s", code, out)
	}
	metrics := get(t, addr, ca, admin, "/metrics")
	for _, want := range []string{"plumb_sync_total", "plumb_webhook_deliveries_total", "plumb_app_sync_status{app=\"web\"", "plumb_git_fetch_duration_seconds"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, secret := range []string{"s3cr3t-hook", "XXXX", strings.Split(admin, "_")[2]} {
		if strings.Contains(d.logs.String(), secret) || strings.Contains(metrics, secret) {
			t.Errorf("a secret appeared in the logs or metrics")
		}
	}
}

// slackSink records what an incoming-webhook URL receives.
type slackSink struct {
	srv  *httptest.Server
	mu   sync.Mutex
	msgs []string
}

func newSlackSink(t *testing.T) *slackSink {
	s := &slackSink{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != "/services/T000/B000/XXXX" || r.Header.Get("Content-Type") != "application/json" || !json.Valid(b) {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.msgs = append(s.msgs, string(b))
		s.mu.Unlock()
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *slackSink) waitFor(t *testing.T, text string) string {
	t.Helper()
	var found string
	eventually(t, "a Slack message with "+text, func() (bool, string) {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, m := range s.msgs {
			if strings.Contains(m, text) {
				found = m
				return true, ""
			}
		}
		return false, fmt.Sprint(s.msgs)
	})
	return found
}

func writeSecretFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func tokenCreate(t *testing.T, state, name, role string) string {
	t.Helper()
	out, err := exec.Command(plumbBin, "token", "create", name, "--role", role, "--local", "--state", state, "-o", "json").Output()
	if err != nil {
		t.Fatalf("plumb token create: %v", err)
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(out, &tok); err != nil || !strings.HasPrefix(tok.Token, "plumb_") {
		t.Fatalf("plumb token create output: %v\n%s", err, out)
	}
	return tok.Token
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and returns
// cert, key and CA (the cert itself) paths.
func selfSigned(t *testing.T) (cert, key, ca string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "plumb test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert = writeSecretFile(t, dir, "cert.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	key = writeSecretFile(t, dir, "key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})))
	return cert, key, cert
}

func tlsClient(t *testing.T, ca string) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(mustRead(t, ca)))
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func waitTLS(t *testing.T, addr, ca string) {
	t.Helper()
	c := tlsClient(t, ca)
	eventually(t, "the TLS API", func() (bool, string) {
		resp, err := c.Get("https://" + addr + "/healthz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == 200, resp.Status
	})
}

func sendHook(t *testing.T, addr, ca, path, body, secret, delivery string) int {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	req, _ := http.NewRequest(http.MethodPost, "https://"+addr+path, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-GitHub-Delivery", delivery)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := tlsClient(t, ca).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func get(t *testing.T, addr, ca, token, path string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "https://"+addr+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := tlsClient(t, ca).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s\n%s", path, resp.Status, b)
	}
	return string(b)
}
