package image_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/automation/image"
	"plumb.dev/plumb/internal/automation/imagetest"
	"plumb.dev/plumb/internal/config"
)

const registryPassword = "reg1stry-pa55"

func TestListTags(t *testing.T) {
	reg := imagetest.Start(t, imagetest.WithBasicAuth("bot", registryPassword))
	reg.Push("team/web", "1.0.0", "1.1.0", "latest")
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	bad := filepath.Join(dir, "bad")
	_ = os.WriteFile(good, []byte(registryPassword+"\n"), 0o600)
	_ = os.WriteFile(bad, []byte("wrong-"+registryPassword), 0o600)
	ctx := context.Background()
	policy := func(pw string) *config.ImagePolicy {
		return &config.ImagePolicy{Name: "web", Image: reg.Image("team/web"), Insecure: true,
			Auth: &config.RegistryAuth{Username: "bot", PasswordFile: pw}}
	}
	tags, err := image.ListTags(ctx, policy(good))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(tags)
	if strings.Join(tags, ",") != "1.0.0,1.1.0,latest" {
		t.Errorf("tags %v", tags)
	}
	if _, err := image.ListTags(ctx, policy(bad)); err == nil || strings.Contains(err.Error(), registryPassword) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := image.ListTags(ctx, policy(filepath.Join(dir, "missing"))); err == nil || !strings.Contains(err.Error(), "read password file") {
		t.Errorf("missing password file: %v", err)
	}
	reg.SetDown(true)
	if _, err := image.ListTags(ctx, policy(good)); err == nil {
		t.Error("registry down: no error")
	}
}
