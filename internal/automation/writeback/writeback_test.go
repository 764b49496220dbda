package writeback_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/automation/writeback"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/gittest"
)

// world is a served repository and a Writer with credentials for it.
type world struct {
	work   *gittest.Repo
	srv    *gittest.Server
	remote writeback.Remote
	w      *writeback.Writer
}

const password = "s3cret-push-token"

func newWorld(t *testing.T) *world {
	t.Helper()
	work := gittest.NewRepo(t)
	work.WriteFile("deploy/app.yaml", "image: app:1.0.0\n")
	work.Commit("initial")
	srv := gittest.Serve(t, work, gittest.WithBasicAuth("bot", password))
	pw := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pw, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	remote := writeback.Remote{URL: srv.URL(), Auth: &config.GitAuth{Username: "bot", PasswordFile: pw}}
	return &world{work: work, srv: srv, remote: remote, w: writeback.New(t.TempDir())}
}

// remoteRev returns the server's commit of branch ("" when missing).
func (wd *world) remoteRev(t *testing.T, branch string) string {
	t.Helper()
	out := wd.work.Git("ls-remote", "origin", "refs/heads/"+branch)
	sha, _, _ := strings.Cut(out, "\t")
	return sha
}

// show returns a file at a revision on the server.
func (wd *world) show(t *testing.T, rev, path string) string {
	t.Helper()
	wd.work.Git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
	return wd.work.Git("show", rev+":"+path)
}

// setImage is an Edit writing tag into deploy/app.yaml.
func setImage(tag string) writeback.Edit {
	return func(_ context.Context, dir, _ string) (string, error) {
		p := filepath.Join(dir, "deploy/app.yaml")
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		next := "image: app:" + tag + "\n"
		if string(b) == next {
			return "", nil
		}
		return "Update app to " + tag, os.WriteFile(p, []byte(next), 0o644)
	}
}

var bot = writeback.Author{Name: "Image Bot", Email: "bot@example.com"}

func TestCommitPushesToBranch(t *testing.T) {
	wd := newWorld(t)
	ctx := context.Background()
	before := wd.remoteRev(t, "main")
	res, err := wd.w.Commit(ctx, wd.remote, writeback.Change{Branch: "main", Author: bot, Edit: setImage("1.1.0")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Revision == "" || res.Revision != wd.remoteRev(t, "main") || res.Base != before || res.Attempts != 1 {
		t.Fatalf("result %+v, remote main %s", res, wd.remoteRev(t, "main"))
	}
	if len(res.Files) != 1 || res.Files[0] != "deploy/app.yaml" {
		t.Errorf("files %v", res.Files)
	}
	if got := wd.show(t, res.Revision, "deploy/app.yaml"); got != "image: app:1.1.0" {
		t.Errorf("pushed file %q", got)
	}
	log := wd.work.Git("log", "-1", "--format=%an <%ae>|%cn|%s|%P", res.Revision)
	if log != "Image Bot <bot@example.com>|Image Bot|Update app to 1.1.0|"+before {
		t.Errorf("commit %q", log)
	}
	// A dry run commits locally and pushes nothing.
	dry, err := wd.w.Commit(ctx, wd.remote, writeback.Change{Branch: "main", Author: bot, Edit: setImage("7.0.0"), DryRun: true})
	if err != nil || !dry.DryRun || dry.Revision == "" || wd.remoteRev(t, "main") != res.Revision {
		t.Fatalf("dry run %+v, %v", dry, err)
	}
	// Nothing to change: no commit.
	res, err = wd.w.Commit(ctx, wd.remote, writeback.Change{Branch: "main", Author: bot, Edit: setImage("1.1.0")})
	if err != nil || res.Revision != "" {
		t.Fatalf("second commit %+v, %v", res, err)
	}
}

func TestCommitRetriesOnRace(t *testing.T) {
	wd := newWorld(t)
	ctx := context.Background()
	calls := 0
	var competing string
	edit := func(ctx context.Context, dir, base string) (string, error) {
		calls++
		if calls == 1 { // someone pushes while we edit
			wd.work.WriteFile("README.md", "someone else\n")
			competing = wd.work.Commit("competing change")
			wd.work.Push()
		}
		return setImage("2.0.0")(ctx, dir, base)
	}
	res, err := wd.w.Commit(ctx, wd.remote, writeback.Change{Branch: "main", Author: bot, Edit: edit})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 || res.Attempts != 2 || res.Base != competing {
		t.Fatalf("calls %d, result %+v, competing %s", calls, res, competing)
	}
	wd.work.Git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
	if parent := wd.work.Git("log", "-1", "--format=%P", wd.remoteRev(t, "main")); parent != competing {
		t.Errorf("update's parent %s, want the competing commit %s", parent, competing)
	}
	if got := wd.show(t, "origin/main", "README.md"); got != "someone else" {
		t.Errorf("competing change lost: %q", got)
	}
}

func TestCommitToPushBranch(t *testing.T) {
	wd := newWorld(t)
	ctx := context.Background()
	ch := writeback.Change{Branch: "main", PushBranch: "image-updates", Author: bot, Edit: setImage("1.2.0")}
	res, err := wd.w.Commit(ctx, wd.remote, ch)
	if err != nil {
		t.Fatal(err)
	}
	main := wd.remoteRev(t, "main")
	if res.Revision != wd.remoteRev(t, "image-updates") || res.Base != main {
		t.Fatalf("result %+v, main %s", res, main)
	}
	again, err := wd.w.Commit(ctx, wd.remote, ch)
	if err != nil || !again.UpToDate || again.Revision != res.Revision {
		t.Fatalf("second run %+v, %v: want the branch left as it is", again, err)
	}
	// main moves on: the push branch is reset onto it with the change.
	wd.work.WriteFile("README.md", "moved\n")
	moved := wd.work.Commit("main moves")
	wd.work.Git("push", "-q", "origin", "main")
	third, err := wd.w.Commit(ctx, wd.remote, ch)
	if err != nil || third.Base != moved || third.Revision == res.Revision {
		t.Fatalf("after main moved: %+v, %v", third, err)
	}
	wd.work.Git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
	if wd.work.Git("log", "-1", "--format=%P", third.Revision) != moved {
		t.Errorf("push branch not based on the new main")
	}
}

func TestCommitFailures(t *testing.T) {
	wd := newWorld(t)
	ctx := context.Background()
	before := wd.remoteRev(t, "main")

	// An edit that fails half-way pushes nothing.
	half := func(_ context.Context, dir, _ string) (string, error) {
		_ = os.WriteFile(filepath.Join(dir, "deploy/app.yaml"), []byte("image: app:half\n"), 0o644)
		return "", errors.New("registry went away")
	}
	if _, err := wd.w.Commit(ctx, wd.remote, writeback.Change{Branch: "main", Author: bot, Edit: half}); err == nil || !strings.Contains(err.Error(), "registry went away") {
		t.Fatalf("half edit: %v", err)
	}
	// A wrong password is an error without the password.
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, []byte("wrong-"+password), 0o600); err != nil {
		t.Fatal(err)
	}
	remote := writeback.Remote{URL: wd.srv.URL(), Auth: &config.GitAuth{Username: "bot", PasswordFile: bad}}
	_, err := wd.w.Commit(ctx, remote, writeback.Change{Branch: "main", Author: bot, Edit: setImage("9.9.9")})
	if err == nil || strings.Contains(err.Error(), password) {
		t.Fatalf("wrong password: %v", err)
	}
	// A missing branch is an error.
	if _, err := wd.w.Commit(ctx, wd.remote, writeback.Change{Branch: "nope", Author: bot, Edit: setImage("9.9.9")}); err == nil {
		t.Fatal("missing branch: no error")
	}
	if after := wd.remoteRev(t, "main"); after != before {
		t.Errorf("a failed change moved main from %s to %s", before, after)
	}
	out := wd.work.Git("ls-remote", "origin")
	if strings.Count(out, "\n") != 1 {
		t.Errorf("remote refs after failures:\n%s", out)
	}
}

func TestRead(t *testing.T) {
	wd := newWorld(t)
	ctx := context.Background()
	first := wd.remoteRev(t, "main")
	wd.work.WriteFile("deploy/app.yaml", "image: app:3.0.0\n")
	wd.work.Commit("three")
	wd.work.Push()
	c, files, err := wd.w.Read(ctx, wd.remote, first[:8], "deploy")
	if err != nil {
		t.Fatal(err)
	}
	if c.Revision != first || len(files) != 1 || string(files[0].Data) != "image: app:1.0.0\n" || files[0].Path != "app.yaml" {
		t.Fatalf("read %s: %+v", c.Revision, files)
	}
}
