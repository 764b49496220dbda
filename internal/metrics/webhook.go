package metrics

import (
	"net/http"

	"plumb.dev/plumb/internal/webhook"
)

// unknownReceiver is the receiver label of deliveries to a receiver that
// does not exist: the name comes from the URL, so anyone could otherwise
// make series at will.
const unknownReceiver = "(unknown)"

// WebhookReport counts one webhook request as the webhook handler reports
// it; pass it as webhook.Options.Report. The result label is triggered,
// ignored (a ping, not a push, a duplicate, no source concerned),
// unauthorized, invalid, too_large, bad_method, trigger_failed or
// unknown_receiver.
func (m *Metrics) WebhookReport(r webhook.Report) {
	receiver, result := r.Receiver, webhookResult(r.Status)
	if r.Status == http.StatusNotFound {
		receiver = unknownReceiver
	}
	m.WebhookDelivered(receiver, result)
}

func webhookResult(status int) string {
	switch status {
	case http.StatusAccepted:
		return "triggered"
	case http.StatusOK:
		return "ignored"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusBadRequest:
		return "invalid"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusMethodNotAllowed:
		return "bad_method"
	case http.StatusNotFound:
		return "unknown_receiver"
	case http.StatusInternalServerError:
		return "trigger_failed"
	}
	return "other"
}
