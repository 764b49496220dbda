package notify

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// chatCase is one chat provider under test.
type chatCase struct {
	name string
	path string
	make func(urlFile string) Provider
	// check asserts provider-specific fields of the body.
	check func(t *testing.T, body map[string]any)
}

var chatCases = []chatCase{
	{
		name: "slack", path: "/services/T0001/B0002/sl4ckT0k3nXYZ",
		make: func(f string) Provider { return NewSlack(f, http.DefaultClient) },
		check: func(t *testing.T, body map[string]any) {
			if body["text"] != "web: sync failed at 1a2b3c4" {
				t.Errorf("text = %q", body["text"])
			}
			blocks := body["blocks"].([]any)
			header := blocks[0].(map[string]any)
			if header["type"] != "header" || header["text"].(map[string]any)["type"] != "plain_text" {
				t.Errorf("first block = %v, want a plain_text header", header)
			}
			section := blocks[1].(map[string]any)["text"].(map[string]any)
			if !strings.Contains(section["text"].(string), "&lt;image&gt; must be pinned &amp; signed") {
				t.Errorf("section text not mrkdwn-escaped: %q", section["text"])
			}
		},
	},
	{
		name: "teams", path: "/webhookb2/abc@def/IncomingWebhook/t34msT0k3n/xyz",
		make: func(f string) Provider { return NewTeams(f, http.DefaultClient) },
		check: func(t *testing.T, body map[string]any) {
			if body["type"] != "message" {
				t.Errorf("type = %v, want message", body["type"])
			}
			att := body["attachments"].([]any)[0].(map[string]any)
			if att["contentType"] != "application/vnd.microsoft.card.adaptive" {
				t.Errorf("contentType = %v", att["contentType"])
			}
			if v, ok := att["contentUrl"]; !ok || v != nil {
				t.Errorf("contentUrl = %v, %v; want null", v, ok)
			}
			card := att["content"].(map[string]any)
			if card["type"] != "AdaptiveCard" || card["version"] != "1.4" {
				t.Errorf("card type/version = %v/%v", card["type"], card["version"])
			}
		},
	},
	{
		name: "discord", path: "/api/webhooks/1234567890/d1sc0rdT0k3n",
		make: func(f string) Provider { return NewDiscord(f, http.DefaultClient) },
		check: func(t *testing.T, body map[string]any) {
			if body["content"] != "web: sync failed at 1a2b3c4" {
				t.Errorf("content = %q", body["content"])
			}
			parse := body["allowed_mentions"].(map[string]any)["parse"].([]any)
			if len(parse) != 0 {
				t.Errorf("allowed_mentions.parse = %v, want [] (no pings)", parse)
			}
			embed := body["embeds"].([]any)[0].(map[string]any)
			if embed["color"] != float64(0xE01E5A) || embed["timestamp"] != "2025-03-14T09:26:53Z" {
				t.Errorf("embed color/timestamp = %v/%v", embed["color"], embed["timestamp"])
			}
		},
	},
}

// TestChatProviders checks the exact request each chat webhook gets.
func TestChatProviders(t *testing.T) {
	for _, tc := range chatCases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t, answer{status: http.StatusOK, body: "ok"})
			p := tc.make(writeSecret(t, srv.URL+tc.path))
			if err := p.Send(context.Background(), sampleMessage()); err != nil {
				t.Fatalf("Send: %v", err)
			}
			req := srv.next(t)
			if req.Method != http.MethodPost || req.RequestURI != tc.path {
				t.Errorf("request = %s %s, want POST %s", req.Method, req.RequestURI, tc.path)
			}
			if ct := req.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			tc.check(t, decode(t, req.Body))
			checkGolden(t, tc.name+".json", req.Body)
		})
	}
}

// TestChatSummary checks how each chat provider shows a rate-limit
// summary.
func TestChatSummary(t *testing.T) {
	msg := sampleMessage()
	msg.Suppressed, msg.Limit = 3, "5 per 10m"
	want := "3 more events for web suppressed by the rate limit (5 per 10m); this is the latest."
	for _, tc := range chatCases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t)
			if err := tc.make(writeSecret(t, srv.URL+tc.path)).Send(context.Background(), msg); err != nil {
				t.Fatal(err)
			}
			if body := string(srv.next(t).Body); !strings.Contains(body, want) {
				t.Errorf("body lacks %q:\n%s", want, body)
			}
		})
	}
}

// TestChatMinimal checks a message with only what an event says: no
// empty fields are sent.
func TestChatMinimal(t *testing.T) {
	msg := Message{ID: "d", Event: "drift.detected", Severity: SeverityWarning, App: "web", Title: "web: drift detected", Text: "Deployment web drifted"}
	for _, tc := range chatCases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t)
			if err := tc.make(writeSecret(t, srv.URL+tc.path)).Send(context.Background(), msg); err != nil {
				t.Fatal(err)
			}
			body := string(srv.next(t).Body)
			for _, absent := range []string{"Commit", "Target", "Why", "Open in plumb", `""`} {
				if strings.Contains(body, absent) {
					t.Errorf("body holds %q:\n%s", absent, body)
				}
			}
		})
	}
}

// TestChatLimits checks that long texts are cut to each service's limits.
func TestChatLimits(t *testing.T) {
	msg := sampleMessage()
	msg.Text = strings.Repeat("x", 10000)
	msg.Title = "web: " + strings.Repeat("y", 3000)
	msg.Reason = strings.Repeat("z", 3000)
	s := slackPayload(msg)
	if n := len([]rune(s.Blocks[0].Text.Text)); n > slackHeaderMax {
		t.Errorf("slack header has %d characters", n)
	}
	if n := len([]rune(s.Blocks[1].Text.Text)); n > slackSectionMax {
		t.Errorf("slack section has %d characters", n)
	}
	if i := slices.IndexFunc(s.Blocks[2].Fields, func(f slackText) bool { return len([]rune(f.Text)) > slackFieldMax }); i >= 0 {
		t.Errorf("slack field %d too long", i)
	}
	d := discordPayload(msg)
	if len([]rune(d.Content)) > discordContentMax || len([]rune(d.Embeds[0].Description)) > discordDescriptionMax {
		t.Errorf("discord content/description too long: %d/%d", len([]rune(d.Content)), len([]rune(d.Embeds[0].Description)))
	}
	for _, f := range d.Embeds[0].Fields {
		if len([]rune(f.Value)) > discordFieldMax {
			t.Errorf("discord field %s has %d characters", f.Name, len([]rune(f.Value)))
		}
	}
}
