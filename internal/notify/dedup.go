package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"time"
)

// sent is the fingerprint of the last message let through for an app,
// and when.
type sent struct {
	fingerprint string
	at          time.Time
}

// duplicate reports whether msg is identical to the last message let
// through for its app within the dedup window, and otherwise remembers
// it. Comparing with the last message only (not every recent one) keeps
// a state change from being dropped: degraded, recovered, degraded again
// are three messages. The caller holds r.mu.
func (r *route) duplicate(msg Message, now time.Time) bool {
	fp := fingerprint(msg)
	if last, ok := r.last[msg.App]; ok && last.fingerprint == fp && now.Sub(last.at) < r.d.opts.DedupWindow {
		return true
	}
	r.last[msg.App] = sent{fingerprint: fp, at: now}
	return false
}

// fingerprint digests what makes two messages the same news.
func fingerprint(msg Message) string {
	h := sha256.New()
	for _, s := range []string{msg.Event, msg.Revision, msg.Text} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, k := range slices.Sorted(maps.Keys(msg.Detail)) {
		h.Write([]byte(k + "=" + msg.Detail[k]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
