package auth

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// LoadTLS returns a server TLS config (TLS 1.2 or newer) serving the
// certificate and key in the given PEM files. The pair is read now, so
// that a bad pair fails at start, and read again on the next handshake
// after either file changes, so that renewed certificates are picked up
// without a restart (a renewal that fails to load keeps the old pair).
func LoadTLS(certFile, keyFile string) (*tls.Config, error) {
	kp := &keyPair{certFile: certFile, keyFile: keyFile}
	if err := kp.load(); err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: kp.get}, nil
}

// keyPair is a certificate reloaded when its files change.
type keyPair struct {
	certFile, keyFile string

	mu    sync.Mutex
	cert  *tls.Certificate
	mtime [2]time.Time
}

func (k *keyPair) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if m, err := k.mtimes(); err == nil && m != k.mtime {
		_ = k.loadLocked() // keep serving the old pair if the new one is broken
	}
	return k.cert, nil
}

func (k *keyPair) load() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.loadLocked()
}

func (k *keyPair) loadLocked() error {
	m, err := k.mtimes()
	if err != nil {
		return err
	}
	cert, err := tls.LoadX509KeyPair(k.certFile, k.keyFile)
	if err != nil {
		return fmt.Errorf("load TLS certificate %s and key %s: %w", k.certFile, k.keyFile, err)
	}
	k.cert, k.mtime = &cert, m
	return nil
}

func (k *keyPair) mtimes() ([2]time.Time, error) {
	var m [2]time.Time
	for i, f := range []string{k.certFile, k.keyFile} {
		st, err := os.Stat(f)
		if err != nil {
			return m, fmt.Errorf("TLS: %w", err)
		}
		m[i] = st.ModTime()
	}
	return m, nil
}
