package token

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func issue(t *testing.T, s Spec) (Token, string) {
	t.Helper()
	tok, plain, err := Issue(s, t0, "admin")
	if err != nil {
		t.Fatalf("Issue(%+v): %v", s, err)
	}
	return tok, plain
}

func TestIssueParseVerify(t *testing.T) {
	tok, plain := issue(t, Spec{Name: "ci", Role: RoleOperator, Apps: []string{"team-a-*"}, TTL: time.Hour})
	id, secret, err := Parse(plain)
	if err != nil {
		t.Fatalf("Parse(issued token): %v", err)
	}
	if id != tok.ID || !strings.HasPrefix(plain, Prefix+id+"_") {
		t.Errorf("token %q does not carry ID %q", plain, tok.ID)
	}
	if len(secret) < 43 { // 32 bytes of entropy at 6 bits a character at least
		t.Errorf("secret has %d characters, want >= 43", len(secret))
	}
	if !tok.Verify(secret) {
		t.Error("Verify(own secret) = false")
	}
	if tok.Hash == secret || strings.Contains(tok.Hash, secret) {
		t.Error("record holds the secret")
	}
	other := []byte(secret)
	other[0] ^= 1
	if tok.Verify(string(other)) {
		t.Error("Verify(other secret) = true")
	}
	if want := t0.Add(time.Hour); !tok.ExpiresAt.Equal(want) || tok.CreatedBy != "admin" || !tok.CreatedAt.Equal(t0) {
		t.Errorf("times/creator = %v %v %q", tok.CreatedAt, tok.ExpiresAt, tok.CreatedBy)
	}
}

func TestIssueIsRandom(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, plain := issue(t, Spec{Name: "x", Role: RoleViewer})
		if seen[tok.ID] || seen[plain] {
			t.Fatalf("token or ID repeated after %d issues", len(seen)/2)
		}
		seen[tok.ID], seen[plain] = true, true
	}
}

func TestParseRejects(t *testing.T) {
	_, good := issue(t, Spec{Name: "x", Role: RoleViewer})
	cases := map[string]string{
		"empty":          "",
		"no prefix":      strings.TrimPrefix(good, Prefix),
		"other prefix":   "ghp_" + strings.TrimPrefix(good, Prefix),
		"no separator":   strings.Replace(good, "_", "", 2),
		"short secret":   good[:len(good)-1],
		"long secret":    good + "a",
		"upper case":     strings.ToUpper(good[:6]) + good[6:],
		"bad character":  good[:len(good)-1] + "1",
		"extra part":     good + "_abc",
		"jwt":            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig",
		"trailing space": good + " ",
	}
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := Parse(s)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse = %v, want ErrMalformed", err)
			}
			if s != "" && strings.Contains(err.Error(), s) {
				t.Errorf("error %q echoes the token", err)
			}
		})
	}
}

func TestState(t *testing.T) {
	cases := []struct {
		name string
		tok  Token
		at   time.Time
		want State
	}{
		{"no expiry", Token{}, t0.Add(1000 * time.Hour), StateActive},
		{"before expiry", Token{ExpiresAt: t0}, t0.Add(-time.Nanosecond), StateActive},
		{"at expiry", Token{ExpiresAt: t0}, t0, StateExpired},
		{"revoked", Token{RevokedAt: t0}, t0.Add(-time.Hour), StateRevoked},
		{"revoked and expired", Token{RevokedAt: t0, ExpiresAt: t0}, t0.Add(time.Hour), StateRevoked},
	}
	for _, tc := range cases {
		if got := tc.tok.State(tc.at); got != tc.want {
			t.Errorf("%s: State = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestSpecValidate(t *testing.T) {
	cases := []struct {
		name string
		spec Spec
		want []string // substrings of the error; none for a valid spec
	}{
		{"minimal", Spec{Name: "ci", Role: RoleViewer}, nil},
		{"full", Spec{Name: "deploy-bot@team.a", Role: RoleAdmin, Apps: []string{"team-a-*", "web"}, TTL: time.Hour}, nil},
		{"empty name", Spec{Role: RoleViewer}, []string{`invalid token name ""`}},
		{"name with space", Spec{Name: "a b", Role: RoleViewer}, []string{"invalid token name"}},
		{"long name", Spec{Name: strings.Repeat("a", 64), Role: RoleViewer}, []string{"invalid token name"}},
		{"reserved name", Spec{Name: "local", Role: RoleViewer}, []string{"reserved"}},
		{"bad role", Spec{Name: "ci", Role: "root"}, []string{`invalid role "root": want viewer, operator, admin`}},
		{"bad glob", Spec{Name: "ci", Role: RoleViewer, Apps: []string{"team-[a"}}, []string{`invalid app glob "team-[a"`}},
		{"empty glob", Spec{Name: "ci", Role: RoleViewer, Apps: []string{""}}, []string{"must not be empty"}},
		{"negative ttl", Spec{Name: "ci", Role: RoleViewer, TTL: -time.Second}, []string{"must not be negative"}},
		{"everything wrong", Spec{Name: "", Role: "", Apps: []string{"["}, TTL: -1}, []string{"name", "role", "glob", "negative"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.spec.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate = nil, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if _, _, ierr := Issue(tc.spec, t0, "x"); ierr == nil {
				t.Error("Issue accepted an invalid spec")
			}
		})
	}
}

func TestJSONHasNoHash(t *testing.T) {
	tok, _ := issue(t, Spec{Name: "ci", Role: RoleViewer})
	b, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), tok.Hash) || strings.Contains(string(b), `"hash"`) {
		t.Errorf("JSON %s holds the hash", b)
	}
}
