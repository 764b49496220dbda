package image

import "testing"

func TestParseMarker(t *testing.T) {
	tests := []struct {
		comment string
		want    Marker
		ok      bool
		err     bool
	}{
		{comment: `# {"$imagepolicy": "app"}`, want: Marker{Policy: "app"}, ok: true},
		{comment: `#{"$imagepolicy":"app:tag"}`, want: Marker{Policy: "app", Field: FieldTag}, ok: true},
		{comment: `# {"$imagepolicy": "app:name"}`, want: Marker{Policy: "app", Field: FieldName}, ok: true},
		{comment: `# {"$imagepolicy": "flux-system:app"}`, want: Marker{Policy: "app"}, ok: true},
		{comment: `# {"$imagepolicy": "flux-system:app:tag"}`, want: Marker{Policy: "app", Field: FieldTag}, ok: true},
		{comment: `# {"$imagepolicy": "ns:app:digest"}`, err: true},
		{comment: `# {"$imagepolicy": "app:"}`, err: true},
		{comment: `# {"$imagepolicy": app}`, err: true},
		{comment: `# just a comment`},
		{comment: ``},
	}
	for _, tc := range tests {
		t.Run(tc.comment, func(t *testing.T) {
			got, ok, err := ParseMarker(tc.comment)
			if (err != nil) != tc.err || ok != tc.ok || got != tc.want {
				t.Errorf("ParseMarker(%q) = %+v, %v, %v; want %+v, %v, error %v", tc.comment, got, ok, err, tc.want, tc.ok, tc.err)
			}
		})
	}
}
