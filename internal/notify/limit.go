package notify

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"plumb.dev/plumb/internal/config"
)

// rateLimit allows burst messages at once, refilled evenly over per.
type rateLimit struct {
	burst int
	per   time.Duration
}

// limitOf reads a notifier's rate limit, or the default one.
func limitOf(rl *config.RateLimit) rateLimit {
	if rl == nil || rl.Burst < 1 || rl.Per.Duration <= 0 {
		return rateLimit{burst: config.DefaultRateBurst, per: config.DefaultRatePer}
	}
	return rateLimit{burst: rl.Burst, per: rl.Per.Duration}
}

// String describes the limit, like "10 per 10m".
func (l rateLimit) String() string { return fmt.Sprintf("%d per %s", l.burst, shortDuration(l.per)) }

// shortDuration writes d without zero units: 10m, 1h30m, 45s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// bucket is a token bucket for one app of one notifier.
type bucket struct {
	limit  rateLimit
	tokens float64
	at     time.Time
}

// bucket returns the app's bucket, full when new. The caller holds r.mu.
func (r *route) bucket(app string, now time.Time) *bucket {
	b := r.buckets[app]
	if b == nil {
		b = &bucket{limit: r.limit, tokens: float64(r.limit.burst), at: now}
		r.buckets[app] = b
	}
	return b
}

// refill adds the tokens earned since the bucket was last seen.
func (b *bucket) refill(now time.Time) {
	if elapsed := now.Sub(b.at); elapsed > 0 {
		earned := float64(elapsed) * float64(b.limit.burst) / float64(b.limit.per)
		b.tokens = min(float64(b.limit.burst), b.tokens+earned)
		b.at = now
	}
}

// tokenSlack absorbs float rounding, so that waiting exactly wait(now)
// always earns the token.
const tokenSlack = 1e-9

// take spends a token if there is one.
func (b *bucket) take(now time.Time) bool {
	b.refill(now)
	if b.tokens >= 1-tokenSlack {
		b.tokens = max(b.tokens-1, 0)
		return true
	}
	return false
}

// wait is how long until the bucket holds a token.
func (b *bucket) wait(now time.Time) time.Duration {
	b.refill(now)
	if b.tokens >= 1-tokenSlack {
		return 0
	}
	return time.Duration(math.Ceil((1 - b.tokens) * float64(b.limit.per) / float64(b.limit.burst)))
}

// held is what the rate limit keeps back for one app: the latest message
// and how many came before it.
type held struct {
	latest  Message
	dropped int
}

// add keeps msg as the latest, counting the one it replaces.
func (h *held) add(msg Message) {
	h.latest = msg
	h.dropped++
}

// hold keeps msg back and sends it, with the count of the messages held
// after it, once the bucket has a token again. The caller holds r.mu.
func (r *route) hold(ctx context.Context, msg Message, wait time.Duration) {
	r.held[msg.App] = &held{latest: msg}
	app := msg.App
	// The callback must not block: a fake clock runs it with its lock held.
	r.d.opts.Clock.AfterFunc(wait, func() { go r.release(ctx, app) })
}

// release sends the summary of what was held for app.
func (r *route) release(ctx context.Context, app string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.held[app]
	if h == nil || r.closed || ctx.Err() != nil {
		return
	}
	now := r.d.opts.Clock.Now()
	b := r.bucket(app, now)
	if !b.take(now) {
		r.d.opts.Clock.AfterFunc(b.wait(now), func() { go r.release(ctx, app) })
		return
	}
	delete(r.held, app)
	msg := h.latest
	msg.Suppressed = h.dropped
	msg.Limit = r.limit.String()
	r.enqueue(msg)
}
