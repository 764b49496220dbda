package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Webhook posts every message as JSON (the Message's fields) to a URL,
// signed so that the receiver can check it came from plumb: the header
// X-Plumb-Signature holds "sha256=" and the hex HMAC-SHA256 of the body
// keyed with the secret. X-Plumb-Event holds the event type and
// X-Plumb-Delivery the message ID, the same on every retry.
type Webhook struct {
	url    *url.URL
	secret secretFile
	client *http.Client
}

var _ Provider = (*Webhook)(nil)

// The headers a Webhook sets.
const (
	HeaderSignature = "X-Plumb-Signature"
	HeaderEvent     = "X-Plumb-Event"
	HeaderDelivery  = "X-Plumb-Delivery"
)

// NewWebhook returns a Webhook provider posting to rawURL, signing with
// the key read from keyFile. Its error never holds the URL.
func NewWebhook(rawURL, keyFile string, client *http.Client) (*Webhook, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("webhook URL is not an http:// or https:// URL")
	}
	return &Webhook{url: u, secret: secretFile{path: keyFile, what: "webhook secret"}, client: client}, nil
}

// Send posts msg, signed.
func (w *Webhook) Send(ctx context.Context, msg Message) error {
	key, err := w.secret.read()
	if err != nil {
		return err
	}
	body, err := encodeJSON(msg)
	if err != nil {
		return err
	}
	h := http.Header{}
	h.Set(HeaderSignature, Sign([]byte(key), body))
	h.Set(HeaderEvent, msg.Event)
	h.Set(HeaderDelivery, msg.ID)
	return post(ctx, w.client, request{provider: "webhook", url: w.url, header: h, body: body, secrets: []string{key, w.url.String()}})
}

// Sign returns the X-Plumb-Signature value of body: "sha256=" and the hex
// HMAC-SHA256 of body keyed with key.
func Sign(key, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature is the X-Plumb-Signature of body for
// key, comparing in constant time. Receivers written in Go can use it.
func Verify(key, body []byte, signature string) bool {
	hexSum, ok := strings.CutPrefix(signature, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}
