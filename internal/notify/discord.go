package notify

import (
	"context"
	"net/http"
	"time"
)

// Discord posts messages to a Discord webhook: the title as content and
// the details in an embed. Mentions in commit messages or errors never
// ping anyone.
type Discord struct {
	url    secretFile
	client *http.Client
}

var _ Provider = (*Discord)(nil)

// NewDiscord returns a Discord provider whose webhook URL is read from
// urlFile.
func NewDiscord(urlFile string, client *http.Client) *Discord {
	return &Discord{url: secretFile{path: urlFile, what: "Discord webhook URL"}, client: client}
}

// Send posts msg to the webhook.
func (d *Discord) Send(ctx context.Context, msg Message) error {
	u, err := d.url.readURL()
	if err != nil {
		return err
	}
	body, err := encodeJSON(discordPayload(msg))
	if err != nil {
		return err
	}
	return post(ctx, d.client, request{provider: "discord", url: u, body: body, secrets: []string{u.String()}})
}

// discordMessage is the body of an execute-webhook request.
type discordMessage struct {
	Username        string          `json:"username"`
	Content         string          `json:"content"`
	Embeds          []discordEmbed  `json:"embeds"`
	AllowedMentions discordMentions `json:"allowed_mentions"`
}

type discordEmbed struct {
	Title       string         `json:"title"`
	URL         string         `json:"url,omitempty"`
	Description string         `json:"description,omitempty"`
	Color       int            `json:"color"`
	Fields      []discordField `json:"fields,omitempty"`
	Footer      discordFooter  `json:"footer"`
	Timestamp   string         `json:"timestamp,omitempty"`
}

type discordField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline"`
}

type discordFooter struct {
	Text string `json:"text"`
}

// discordMentions with an empty Parse list disables every mention.
type discordMentions struct {
	Parse []string `json:"parse"`
}

// Discord's limits.
const (
	discordContentMax     = 2000
	discordTitleMax       = 256
	discordDescriptionMax = 4096
	discordFieldMax       = 1024
)

var discordColor = map[Severity]int{SeveritySuccess: 0x2EB67D, SeverityWarning: 0xECB22E, SeverityError: 0xE01E5A}

// discordPayload renders msg as a webhook message.
func discordPayload(msg Message) discordMessage {
	embed := discordEmbed{
		Title: truncate(msg.What(), discordTitleMax), URL: msg.Link,
		Description: truncate(msg.Text, discordDescriptionMax), Color: discordColor[msg.Severity],
		Footer: discordFooter{Text: "plumb · " + msg.Event},
	}
	if !msg.Time.IsZero() {
		embed.Timestamp = msg.Time.UTC().Format(time.RFC3339)
	}
	for _, f := range msg.facts() {
		embed.Fields = append(embed.Fields, discordField{Name: f.name, Value: truncate(f.value, discordFieldMax), Inline: f.name != "Why"})
	}
	if line := msg.SuppressedLine(); line != "" {
		embed.Fields = append(embed.Fields, discordField{Name: "Rate limit", Value: truncate(line, discordFieldMax)})
	}
	return discordMessage{
		Username: "plumb", Content: truncate(msg.Title, discordContentMax),
		Embeds: []discordEmbed{embed}, AllowedMentions: discordMentions{Parse: []string{}},
	}
}
