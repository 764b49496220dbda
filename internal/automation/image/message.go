package image

import (
	"fmt"
	"slices"
	"strings"
	"text/template"

	"plumb.dev/plumb/internal/config"
)

// MessageData is what a commit message template gets.
type MessageData struct {
	// Name is the ImageUpdate's name.
	Name string
	// Changes lists every field set, in file order.
	Changes []Change
	// Images lists every image changed once, old → new, sorted.
	Images []ImageChange
	// Files lists the files changed, sorted.
	Files []string
}

// ImageChange is one image moved from Old to New (IMAGE:TAG, or the
// repository for name fields).
type ImageChange struct {
	Policy string
	Image  string
	Old    string
	New    string
	OldTag string
	NewTag string
}

// Message renders an update's commit message over the changes.
func Message(u *config.ImageUpdate, changes []Change) (string, error) {
	text := u.Commit.Message
	if text == "" {
		text = config.DefaultImageUpdateMessage
	}
	t, err := template.New("message").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("ImageUpdate %s: message: %s", u.Name, config.TemplateError(err))
	}
	var b strings.Builder
	if err := t.Execute(&b, dataOf(u.Name, changes)); err != nil {
		return "", fmt.Errorf("ImageUpdate %s: message: %s", u.Name, config.TemplateError(err))
	}
	return b.String(), nil
}

// dataOf builds the template data.
func dataOf(name string, changes []Change) MessageData {
	d := MessageData{Name: name, Changes: changes}
	seen := map[string]bool{}
	for _, c := range changes {
		if !slices.Contains(d.Files, c.File) {
			d.Files = append(d.Files, c.File)
		}
		ic := ImageChange{Policy: c.Policy, Image: c.Image, Old: c.OldRef, New: c.NewRef, OldTag: tagOf(c.OldRef), NewTag: tagOf(c.NewRef)}
		if key := ic.Old + "\x00" + ic.New; !seen[key] {
			seen[key] = true
			d.Images = append(d.Images, ic)
		}
	}
	slices.Sort(d.Files)
	slices.SortFunc(d.Images, func(a, b ImageChange) int { return strings.Compare(a.Old+a.New, b.Old+b.New) })
	return d
}

// tagOf returns the tag of IMAGE:TAG ("" when there is none).
func tagOf(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	slash := strings.LastIndex(ref, "/")
	if colon := strings.LastIndex(ref, ":"); colon > slash {
		return ref[colon+1:]
	}
	return ""
}
