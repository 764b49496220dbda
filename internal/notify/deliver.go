package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// errQueueFull fails a message that finds its notifier's queue full.
var errQueueFull = errors.New("too many messages waiting for this notifier; message dropped")

// deliver sends msg, retrying temporary failures with exponential
// backoff (longer when the server asks with Retry-After), and reports a
// message that could not be delivered. Nothing is reported when ctx ends.
func (r *route) deliver(ctx context.Context, msg Message) {
	o := r.d.opts
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, o.Timeout)
		err := r.send.Send(actx, msg)
		cancel()
		if err == nil || ctx.Err() != nil {
			return
		}
		if !Retryable(err) || attempt >= o.MaxAttempts {
			r.report(msg, attempt, err)
			return
		}
		wait := backoff(o, attempt)
		if ra := retryAfter(err); ra > o.MaxRetryAfter {
			r.report(msg, attempt, fmt.Errorf("%w (the server asked to wait %s, longer than %s)", err, ra, o.MaxRetryAfter))
			return
		} else if ra > wait {
			wait = ra
		}
		select {
		case <-ctx.Done():
			return
		case <-o.Clock.After(wait):
		}
	}
}

// backoff is the wait after the given failed attempt: Backoff doubled
// for each attempt before, at most MaxBackoff.
func backoff(o Options, attempt int) time.Duration {
	d := o.Backoff
	for i := 1; i < attempt && d < o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, o.MaxBackoff)
}

// report hands a delivery failure to OnFailure as an event. err comes
// from a provider, which keeps secrets out of it.
func (r *route) report(msg Message, attempts int, err error) {
	what := fmt.Sprintf("notifier %s (%s) could not send %s of app %s", r.name, r.provider, msg.Event, msg.App)
	if msg.Revision != "" {
		what += " at " + plumb.Short(msg.Revision)
	}
	if attempts > 0 {
		what += fmt.Sprintf(" (%d %s)", attempts, plural(attempts, "attempt", "attempts"))
	}
	detail := map[string]string{
		"notifier": r.name, "provider": r.provider, "event": msg.Event,
		"delivery": msg.ID, "attempts": strconv.Itoa(attempts),
	}
	var he *HTTPError
	if errors.As(err, &he) {
		detail["status"] = strconv.Itoa(he.Status)
	}
	r.d.opts.OnFailure(store.Event{
		Time: r.d.opts.Clock.Now(), App: msg.App, Type: EventDeliveryFailed, Revision: msg.Revision,
		Message: what + ": " + err.Error(), Detail: detail,
	})
}
