package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
)

// TestWebhook checks the body, headers and signature of a webhook
// request, verifying the HMAC on the receiving side.
func TestWebhook(t *testing.T) {
	const key = "hm4c-k3y-0f-the-receiver"
	srv := newRecorder(t, answer{status: http.StatusNoContent})
	w, err := NewWebhook(srv.URL+"/hooks/plumb?team=a", writeSecret(t, key), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Send(context.Background(), sampleMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	req := srv.next(t)
	if req.Method != http.MethodPost || req.RequestURI != "/hooks/plumb?team=a" {
		t.Errorf("request = %s %s", req.Method, req.RequestURI)
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(req.Body)
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); req.Header.Get(HeaderSignature) != want {
		t.Errorf("%s = %q, want %q", HeaderSignature, req.Header.Get(HeaderSignature), want)
	}
	if !Verify([]byte(key), req.Body, req.Header.Get(HeaderSignature)) {
		t.Error("Verify rejects the signature")
	}
	if Verify([]byte("other key"), req.Body, req.Header.Get(HeaderSignature)) {
		t.Error("Verify accepts the signature with another key")
	}
	for h, want := range map[string]string{
		HeaderEvent: "sync.failed", HeaderDelivery: "delivery-1",
		"Content-Type": "application/json", "User-Agent": userAgent,
	} {
		if got := req.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	body := decode(t, req.Body)
	commit := body["commit"].(map[string]any)
	if body["app"] != "web" || body["revision"] != sampleRevision || commit["author"] != "Alice Example" {
		t.Errorf("body app/revision/author = %v/%v/%v", body["app"], body["revision"], commit["author"])
	}
	if _, ok := body["SourceURL"]; ok {
		t.Error("body holds the source URL")
	}
	checkGolden(t, "webhook.json", req.Body)
}

func TestWebhookVerifyMalformed(t *testing.T) {
	for _, sig := range []string{"", "sha1=00", "sha256=zz", "sha256="} {
		if Verify([]byte("k"), []byte("{}"), sig) {
			t.Errorf("Verify(%q) = true", sig)
		}
	}
}

// TestWebhookBadURL checks that a bad URL is refused without echoing it.
func TestWebhookBadURL(t *testing.T) {
	for _, raw := range []string{"ftp://h/s3cr3t", "https:///s3cr3t", "://s3cr3t"} {
		_, err := NewWebhook(raw, "/k", http.DefaultClient)
		if err == nil || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("NewWebhook(%q) = %v, want an error without the URL", raw, err)
		}
	}
}
