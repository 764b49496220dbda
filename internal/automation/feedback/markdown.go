package feedback

import (
	"fmt"
	"strings"

	"plumb.dev/plumb"
)

// maxComment keeps the comment under GitHub's 65536 characters.
const maxComment = 60000

// Markdown renders the comment: a summary table, then each changing or
// failing app's actions with their reasons and diffs.
func (r Report) Markdown() string {
	var b strings.Builder
	changed, failed, same := r.counts()
	fmt.Fprintf(&b, "%s\n### plumb: what merging %s changes\n\n", Marker, shortSHA(r.SHA))
	if changed+failed == 0 {
		fmt.Fprintf(&b, "No app changes (%d checked).\n", same)
		return b.String()
	}
	b.WriteString("| app | result |\n|---|---|\n")
	for _, a := range r.sorted() {
		switch {
		case a.Error != "":
			fmt.Fprintf(&b, "| `%s` | :x: cannot plan |\n", a.App)
		case a.Changes():
			fmt.Fprintf(&b, "| `%s` | %s |\n", a.App, tally(a.Actions))
		}
	}
	if same > 0 {
		fmt.Fprintf(&b, "\n%d other app(s) do not change.\n", same)
	}
	for _, a := range r.sorted() {
		if a.Error == "" && !a.Changes() {
			continue
		}
		section := appSection(a)
		if b.Len()+len(section) > maxComment {
			b.WriteString("\n_The rest is left out: the comment would be too long. Run `plumb diff --local` to see it all._\n")
			break
		}
		b.WriteString(section)
	}
	return b.String()
}

// appSection is one app's details.
func appSection(a AppDiff) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n<details><summary><code>%s</code></summary>\n\n", a.App)
	if a.Error != "" {
		fmt.Fprintf(&b, "```\n%s\n```\n", fence(a.Error))
	}
	for _, x := range a.Actions {
		if !x.Changes() {
			continue
		}
		line := fmt.Sprintf("- **%s** `%s`: %s", x.Type, x.Object, x.Reason)
		if x.Detail != "" {
			line += " (" + x.Detail + ")"
		}
		b.WriteString(line + "\n")
		if x.Diff != "" {
			fmt.Fprintf(&b, "\n```diff\n%s\n```\n\n", fence(strings.TrimRight(x.Diff, "\n")))
		}
	}
	b.WriteString("</details>\n")
	return b.String()
}

// fence keeps text from closing the code block it is in.
func fence(s string) string { return strings.ReplaceAll(s, "```", "` ` `") }

func shortSHA(s string) string {
	if s == "" {
		return "this change"
	}
	return "`" + plumb.Short(s) + "`"
}
