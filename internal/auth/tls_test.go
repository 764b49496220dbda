package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writePair writes a self-signed certificate for 127.0.0.1 named cn and its
// key, returning the certificate.
func writePair(t *testing.T, certFile, keyFile, cn string, mtime time.Time) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(path, typ string, b []byte) {
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	write(certFile, "CERTIFICATE", der)
	write(keyFile, "EC PRIVATE KEY", kder)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// servedCN connects to url trusting cert and returns the served
// certificate's common name.
func servedCN(t *testing.T, url string, cert *x509.Certificate) string {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer cl.CloseIdleConnections()
	resp, err := cl.Get(url)
	if err != nil {
		t.Fatalf("GET over TLS: %v", err)
	}
	defer resp.Body.Close()
	return resp.TLS.PeerCertificates[0].Subject.CommonName
}

// serveTLS serves an empty handler with cfg on 127.0.0.1 until the test
// ends and returns its URL.
func serveTLS(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), TLSConfig: cfg}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { srv.Close() })
	return "https://" + ln.Addr().String()
}

func TestLoadTLSServesAndReloads(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	first := writePair(t, certFile, keyFile, "first", t0)
	cfg, err := LoadTLS(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MinVersion < tls.VersionTLS12 {
		t.Errorf("MinVersion = %x, want TLS 1.2 or newer", cfg.MinVersion)
	}
	url := serveTLS(t, cfg)
	if cn := servedCN(t, url, first); cn != "first" {
		t.Fatalf("served %q, want first", cn)
	}
	// A broken renewal keeps the old pair.
	if err := os.WriteFile(keyFile, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cn := servedCN(t, url, first); cn != "first" {
		t.Fatalf("after a broken renewal served %q, want first", cn)
	}
	second := writePair(t, certFile, keyFile, "second", t0.Add(time.Hour))
	if cn := servedCN(t, url, second); cn != "second" {
		t.Fatalf("after renewal served %q, want second", cn)
	}
}

func TestLoadTLSFails(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	writePair(t, certFile, keyFile, "x", t0)
	other := filepath.Join(dir, "other.key")
	writePair(t, filepath.Join(dir, "other.crt"), other, "y", t0)
	cases := map[string][2]string{
		"missing cert":   {filepath.Join(dir, "nope.crt"), keyFile},
		"missing key":    {certFile, filepath.Join(dir, "nope.key")},
		"mismatched key": {certFile, other},
		"key as cert":    {keyFile, keyFile},
	}
	for name, files := range cases {
		if _, err := LoadTLS(files[0], files[1]); err == nil {
			t.Errorf("%s: LoadTLS succeeded", name)
		}
	}
}
