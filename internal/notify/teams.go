package notify

import (
	"context"
	"net/http"
)

// Teams posts messages to a Microsoft Teams incoming webhook (a Workflows
// webhook or a classic connector) as an Adaptive Card.
type Teams struct {
	url    secretFile
	client *http.Client
}

var _ Provider = (*Teams)(nil)

// NewTeams returns a Teams provider whose webhook URL is read from
// urlFile.
func NewTeams(urlFile string, client *http.Client) *Teams {
	return &Teams{url: secretFile{path: urlFile, what: "Teams webhook URL"}, client: client}
}

// Send posts msg to the webhook.
func (t *Teams) Send(ctx context.Context, msg Message) error {
	u, err := t.url.readURL()
	if err != nil {
		return err
	}
	body, err := encodeJSON(teamsPayload(msg))
	if err != nil {
		return err
	}
	return post(ctx, t.client, request{provider: "teams", url: u, body: body, secrets: []string{u.String()}})
}

// teamsMessage is a message carrying one Adaptive Card attachment.
type teamsMessage struct {
	Type        string            `json:"type"`
	Attachments []teamsAttachment `json:"attachments"`
}

type teamsAttachment struct {
	ContentType string    `json:"contentType"`
	ContentURL  *string   `json:"contentUrl"`
	Content     teamsCard `json:"content"`
}

// teamsCard is an Adaptive Card.
type teamsCard struct {
	Schema  string         `json:"$schema"`
	Type    string         `json:"type"`
	Version string         `json:"version"`
	MSTeams map[string]any `json:"msteams,omitempty"`
	Body    []teamsElement `json:"body"`
	Actions []teamsAction  `json:"actions,omitempty"`
}

// teamsElement is a TextBlock or a FactSet.
type teamsElement struct {
	Type     string      `json:"type"`
	Text     string      `json:"text,omitempty"`
	Weight   string      `json:"weight,omitempty"`
	Size     string      `json:"size,omitempty"`
	Color    string      `json:"color,omitempty"`
	IsSubtle bool        `json:"isSubtle,omitempty"`
	Wrap     bool        `json:"wrap,omitempty"`
	Facts    []teamsFact `json:"facts,omitempty"`
}

type teamsFact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

type teamsAction struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

var teamsColor = map[Severity]string{SeveritySuccess: "Good", SeverityWarning: "Warning", SeverityError: "Attention"}

// teamsPayload renders msg as an Adaptive Card message.
func teamsPayload(msg Message) teamsMessage {
	body := []teamsElement{
		{Type: "TextBlock", Text: msg.Title, Weight: "Bolder", Size: "Medium", Color: teamsColor[msg.Severity], Wrap: true},
	}
	if msg.Text != "" {
		body = append(body, teamsElement{Type: "TextBlock", Text: truncate(msg.Text, 4000), Wrap: true})
	}
	var facts []teamsFact
	for _, f := range msg.facts() {
		facts = append(facts, teamsFact{Title: f.name, Value: f.value})
	}
	if len(facts) > 0 {
		body = append(body, teamsElement{Type: "FactSet", Facts: facts})
	}
	if line := msg.SuppressedLine(); line != "" {
		body = append(body, teamsElement{Type: "TextBlock", Text: line, IsSubtle: true, Wrap: true})
	}
	small := "plumb · " + msg.Event
	if !msg.Time.IsZero() {
		small += " · " + msg.Time.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	body = append(body, teamsElement{Type: "TextBlock", Text: small, IsSubtle: true, Size: "Small", Wrap: true})
	card := teamsCard{
		Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.4",
		MSTeams: map[string]any{"width": "Full"}, Body: body,
	}
	if msg.Link != "" {
		card.Actions = []teamsAction{{Type: "Action.OpenUrl", Title: "Open in plumb", URL: msg.Link}}
	}
	return teamsMessage{Type: "message", Attachments: []teamsAttachment{{
		ContentType: "application/vnd.microsoft.card.adaptive", Content: card,
	}}}
}
