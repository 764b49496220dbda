package auth

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"plumb.dev/plumb/internal/api"
)

// fixed is an authenticator with a fixed answer.
type fixed struct {
	p     api.Principal
	err   error
	calls *int
}

func (f fixed) Authenticate(*http.Request) (api.Principal, error) {
	*f.calls++
	return f.p, f.err
}

func TestChain(t *testing.T) {
	noCred := fmt.Errorf("%w: nothing here", ErrNoCredential)
	revoked := fmt.Errorf("%w: token x was revoked", api.ErrUnauthenticated)
	alice := api.Principal{Name: "alice", Role: api.RoleViewer}
	bob := api.Principal{Name: "bob", Role: api.RoleAdmin}
	cases := []struct {
		name      string
		answers   []fixed
		want      api.Principal
		wantErr   error
		wantCalls []int
	}{
		{"first knows the caller", []fixed{{p: alice}, {p: bob}}, alice, nil, []int{1, 0}},
		{"first has no credential", []fixed{{err: noCred}, {p: bob}}, bob, nil, []int{1, 1}},
		{"a failure stops the chain", []fixed{{err: revoked}, {p: bob}}, api.Principal{}, revoked, []int{1, 0}},
		{"nobody knows: first error", []fixed{{err: noCred}, {err: ErrNoCredential}}, api.Principal{}, noCred, []int{1, 1}},
		{"empty chain", nil, api.Principal{}, ErrNoCredential, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := make([]int, len(tc.answers))
			var c Chain
			for i, f := range tc.answers {
				f.calls = &calls[i]
				c = append(c, f)
			}
			p, err := c.Authenticate(request(""))
			if tc.wantErr != nil && (p.Name != "" || !errors.Is(err, tc.wantErr)) || tc.wantErr == nil && err != nil {
				t.Fatalf("Authenticate = %+v, %v; want %+v, %v", p, err, tc.want, tc.wantErr)
			}
			if tc.wantErr == nil && p.Name != tc.want.Name {
				t.Fatalf("principal %+v, want %+v", p, tc.want)
			}
			for i := range calls {
				if calls[i] != tc.wantCalls[i] {
					t.Errorf("authenticator %d called %d times, want %d", i, calls[i], tc.wantCalls[i])
				}
			}
		})
	}
}
