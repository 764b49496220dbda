package kubernetes

import (
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// ImmutableError reports a change to fields the API server will not update
// in place. It names the object and the fields.
type ImmutableError struct {
	Object string
	Fields []string
}

func (e *ImmutableError) Error() string {
	return fmt.Sprintf("%s: immutable field %s changed; set annotation %s: \"true\" on the object (or force: true on the target) to delete and recreate it",
		e.Object, joinFields(e.Fields), AnnotationForce)
}

func joinFields(fields []string) string {
	if len(fields) == 0 {
		return "(unknown)"
	}
	return strings.Join(fields, ", ")
}

// immutableMarkers are the phrases the API server uses for fields that
// cannot change in place.
var immutableMarkers = []string{"field is immutable", "may not change once set", "Forbidden: updates to", "is immutable"}

// immutableFields reports whether err rejects a change to immutable fields
// and which ones.
func immutableFields(err error) ([]string, bool) {
	var se apierrors.APIStatus
	if !errors.As(err, &se) || !apierrors.IsInvalid(err) {
		return nil, false
	}
	st := se.Status()
	var fields []string
	if st.Details != nil {
		for _, c := range st.Details.Causes {
			if hasMarker(c.Message) {
				fields = append(fields, c.Field)
			}
		}
	}
	if len(fields) == 0 && !hasMarker(st.Message) {
		return nil, false
	}
	return fields, true
}

func hasMarker(s string) bool {
	for _, m := range immutableMarkers {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// joinScrubbed joins errs, replacing any error whose text holds a Secret
// value by one with the value scrubbed (errors without one keep their type
// for errors.As). Past ten errors it says how many more there were.
func joinScrubbed(s *Scrubber, errs []error) error {
	var out []error
	n := 0
	for _, err := range errs {
		if err == nil {
			continue
		}
		if n++; n > maxErrors {
			continue
		}
		if msg := s.Scrub(err.Error()); msg != err.Error() {
			err = errors.New(msg)
		}
		out = append(out, err)
	}
	if n > maxErrors {
		out = append(out, fmt.Errorf("and %d more errors", n-maxErrors))
	}
	return errors.Join(out...)
}

// maxErrors bounds how many errors one message lists.
const maxErrors = 10
