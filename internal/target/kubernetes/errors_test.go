package kubernetes

import (
	"errors"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestImmutableFields(t *testing.T) {
	gk := schema.GroupKind{Kind: "Service"}
	tests := []struct {
		name   string
		err    error
		fields []string
		ok     bool
	}{
		{"clusterIP", apierrors.NewInvalid(gk, "web", field.ErrorList{field.Invalid(field.NewPath("spec", "clusterIPs").Index(0), "10.0.0.9", "may not change once set")}), []string{"spec.clusterIPs[0]"}, true},
		{"selector", apierrors.NewInvalid(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "api", field.ErrorList{field.Invalid(field.NewPath("spec", "selector"), "x", "field is immutable")}), []string{"spec.selector"}, true},
		{"other invalid", apierrors.NewInvalid(gk, "web", field.ErrorList{field.Required(field.NewPath("spec", "ports"), "")}), nil, false},
		{"not found", apierrors.NewNotFound(schema.GroupResource{Resource: "services"}, "web"), nil, false},
		{"plain", errors.New("field is immutable"), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields, ok := immutableFields(tt.err)
			if ok != tt.ok || strings.Join(fields, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("immutableFields = %v, %v; want %v, %v", fields, ok, tt.fields, tt.ok)
			}
		})
	}
}

func TestImmutableErrorNamesObjectAndField(t *testing.T) {
	err := &ImmutableError{Object: "Service/web/api", Fields: []string{"spec.clusterIP"}}
	golden(t, "immutable_error.txt", err.Error()+"\n")
}

func TestJoinScrubbed(t *testing.T) {
	s := &Scrubber{values: []string{"topsecret"}}
	imm := &ImmutableError{Object: "Job/n/j", Fields: []string{"spec.template"}}
	err := joinScrubbed(s, []error{nil, errors.New("bad value topsecret"), imm})
	if strings.Contains(err.Error(), "topsecret") {
		t.Errorf("secret leaked: %v", err)
	}
	var ie *ImmutableError
	if !errors.As(err, &ie) {
		t.Errorf("ImmutableError lost its type: %v", err)
	}
	_ = metav1.StatusReasonInvalid
}
