package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

// TestWhoami answers with the principal the authenticator found, and calls
// the caller local only when the request carried no credential at all.
func TestWhoami(t *testing.T) {
	cases := []struct {
		name   string
		p      Principal
		header string
		cookie bool
		want   Identity
	}{
		{name: "bearer operator for some apps", p: Principal{Name: "ci", Role: RoleOperator, Apps: []string{"team-a-*"}},
			header: "Bearer plumb_x", want: Identity{Name: "ci", Role: "operator", Apps: []string{"team-a-*"}}},
		{name: "session cookie viewer", p: Principal{Name: "ann", Role: RoleViewer}, cookie: true,
			want: Identity{Name: "ann", Role: "viewer"}},
		{name: "no credential: the local admin", p: Principal{Name: "local", Role: RoleAdmin},
			want: Identity{Name: "local", Role: "admin", Local: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/api/v1/whoami", nil)
			if c.header != "" {
				r.Header.Set("Authorization", c.header)
			}
			if c.cookie {
				r.AddCookie(&http.Cookie{Name: SessionCookie, Value: "plumb_x"})
			}
			r = r.WithContext(context.WithValue(r.Context(), principalKey{}, c.p))
			w := httptest.NewRecorder()
			(&Server{}).handleWhoami(w, r)
			var got Identity
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusOK {
				t.Fatalf("status %d, body %s: %v", w.Code, w.Body, err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}
