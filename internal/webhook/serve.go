package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Answer is the body of every answer but errors: what was done with the
// delivery.
type Answer struct {
	Receiver string `json:"receiver"`
	Event    string `json:"event,omitempty"`
	Delivery string `json:"delivery,omitempty"`
	// Triggered lists the sources triggered, in config order.
	Triggered []string `json:"triggered,omitempty"`
	// Ignored says why nothing was triggered.
	Ignored string `json:"ignored,omitempty"`
	// Errors holds, per source, why its trigger failed.
	Errors map[string]string `json:"errors,omitempty"`
}

// errorBody is the body of an error answer.
type errorBody struct {
	Error string `json:"error"`
}

// ServeHTTP takes one delivery for the receiver named by the path
// (/hooks/{receiver}).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := receiverName(r)
	status, ans, err := h.serve(w, r, name)
	if h.opts.Report != nil {
		rep := Report{Receiver: name, Status: status, Answer: ans}
		if err != nil {
			rep.Err = err.Error()
		}
		h.opts.Report(rep)
	}
	if err != nil {
		write(w, status, errorBody{Error: err.Error()})
		return
	}
	write(w, status, ans)
}

// receiverName reads {receiver} from the mux pattern, or the last path
// element when the handler is mounted without a pattern.
func receiverName(r *http.Request) string {
	if v := r.PathValue("receiver"); v != "" {
		return v
	}
	return r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
}

// serve checks and acts on a delivery, returning the status and answer
// (or the error) to send.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, name string) (int, Answer, error) {
	ans := Answer{Receiver: name}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return http.StatusMethodNotAllowed, ans, errors.New("webhooks are POSTed")
	}
	rc := h.lookup(name)
	if rc == nil {
		return http.StatusNotFound, ans, fmt.Errorf("no receiver %q", name)
	}
	body, status, err := h.read(w, r)
	if err != nil {
		return status, ans, err
	}
	if err := rc.kind.verify(r.Header, body, rc.secret); err != nil {
		return http.StatusUnauthorized, ans, err
	}
	var kind eventKind
	ans.Event, kind = rc.kind.event(r.Header)
	ans.Delivery = rc.kind.delivery(r.Header)
	switch kind {
	case kindPing:
		ans.Ignored = "ping: the receiver is reachable and the signature checks out"
		return http.StatusOK, ans, nil
	case kindOther:
		ans.Ignored = fmt.Sprintf("event %q is not a push", ans.Event)
		return http.StatusOK, ans, nil
	}
	return h.push(r, rc, body, ans)
}

// read reads the body, up to the size limit.
func (h *Handler) read(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	tooLarge := fmt.Errorf("body larger than %d bytes", h.opts.MaxBody)
	if r.ContentLength > h.opts.MaxBody {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.opts.MaxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("read body: %w", err)
	}
	return body, 0, nil
}

// push parses a verified push and triggers the receiver's sources, once
// per delivery ID.
func (h *Handler) push(r *http.Request, rc *receiver, body []byte, ans Answer) (int, Answer, error) {
	push, err := rc.kind.parse(r.Header, body)
	if err != nil {
		return http.StatusBadRequest, ans, err
	}
	push.Receiver, push.Type, push.Event, push.Delivery = rc.cfg.Name, rc.cfg.Type, ans.Event, ans.Delivery
	key := rc.cfg.Name + "\x00" + ans.Delivery
	if ans.Delivery != "" && !h.seen.add(key) {
		ans.Ignored = "duplicate delivery " + ans.Delivery
		return http.StatusOK, ans, nil
	}
	ans.Errors = h.fire(r.Context(), rc.cfg.Sources, push)
	for _, s := range rc.cfg.Sources {
		if _, failed := ans.Errors[s]; !failed {
			ans.Triggered = append(ans.Triggered, s)
		}
	}
	if len(ans.Errors) > 0 {
		if ans.Delivery != "" {
			h.seen.forget(key) // let the sender's redelivery try again
		}
		return http.StatusInternalServerError, ans, nil
	}
	return http.StatusAccepted, ans, nil
}

// fire triggers every source at once and returns the errors by source.
// The triggers outlive the request, bounded by TriggerTimeout.
func (h *Handler) fire(ctx context.Context, sources []string, push Push) map[string]string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.opts.TriggerTimeout)
	defer cancel()
	errs := make([]error, len(sources))
	var wg sync.WaitGroup
	for i, s := range sources {
		wg.Go(func() { errs[i] = h.trigger.Trigger(ctx, s, push) })
	}
	wg.Wait()
	var out map[string]string
	for i, err := range errs {
		if err != nil {
			if out == nil {
				out = map[string]string{}
			}
			out[sources[i]] = err.Error()
		}
	}
	return out
}

func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
