package notify

import (
	"context"
	"net/http"
	"strings"
)

// Slack posts messages to a Slack incoming webhook: a fallback text for
// notifications and Block Kit blocks for the channel.
type Slack struct {
	url    secretFile
	client *http.Client
}

var _ Provider = (*Slack)(nil)

// NewSlack returns a Slack provider whose webhook URL is read from
// urlFile.
func NewSlack(urlFile string, client *http.Client) *Slack {
	return &Slack{url: secretFile{path: urlFile, what: "Slack webhook URL"}, client: client}
}

// Send posts msg to the webhook.
func (s *Slack) Send(ctx context.Context, msg Message) error {
	u, err := s.url.readURL()
	if err != nil {
		return err
	}
	body, err := encodeJSON(slackPayload(msg))
	if err != nil {
		return err
	}
	return post(ctx, s.client, request{provider: "slack", url: u, body: body, secrets: []string{u.String()}})
}

// slackMessage is the body of an incoming webhook request.
type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

// slackBlock is a header, section or context block.
type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

// slackText is a plain_text or mrkdwn text object.
type slackText struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

// Slack's limits on text objects.
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
	slackFieldMax   = 2000
)

var slackEmoji = map[Severity]string{
	SeveritySuccess: ":white_check_mark:", SeverityWarning: ":warning:", SeverityError: ":x:",
}

// slackPayload renders msg as an incoming webhook message.
func slackPayload(msg Message) slackMessage {
	header := slackEmoji[msg.Severity] + " " + msg.Title
	blocks := []slackBlock{
		{Type: "header", Text: &slackText{Type: "plain_text", Text: truncate(header, slackHeaderMax), Emoji: true}},
	}
	if msg.Text != "" {
		blocks = append(blocks, slackSection(slackEscape(msg.Text)))
	}
	var fields []slackText
	for _, f := range msg.facts() {
		fields = append(fields, slackText{Type: "mrkdwn", Text: truncate("*"+f.name+"*\n"+slackEscape(f.value), slackFieldMax)})
	}
	if len(fields) > 0 {
		blocks = append(blocks, slackBlock{Type: "section", Fields: fields})
	}
	if line := msg.SuppressedLine(); line != "" {
		blocks = append(blocks, slackSection(":mute: "+slackEscape(line)))
	}
	return slackMessage{Text: slackEscape(msg.Title), Blocks: append(blocks, slackContext(msg))}
}

// slackSection is a section block of mrkdwn text.
func slackSection(text string) slackBlock {
	return slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: truncate(text, slackSectionMax)}}
}

// slackContext is the small print: event type, time and link.
func slackContext(msg Message) slackBlock {
	parts := []string{"plumb", "`" + msg.Event + "`"}
	if !msg.Time.IsZero() {
		parts = append(parts, msg.Time.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	if msg.Link != "" {
		parts = append(parts, "<"+slackEscape(msg.Link)+"|Open in plumb>")
	}
	return slackBlock{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: strings.Join(parts, " · ")}}}
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace
