package signing

import (
	"net/http"
	"testing"
)

// The deprecated DefaultPolicy still signs what it did, until it goes.
func TestDeprecatedDefaultPolicy(t *testing.T) {
	p := DefaultPolicy()
	if len(p.Rules()) != len(DefaultRules) {
		t.Fatalf("%d rules", len(p.Rules()))
	}
	for call, want := range map[[2]string]bool{
		{"DELETE", "/crm/v3/objects/contacts/1"}:           true,
		{"POST", "/crm/v3/objects/contacts/gdpr-delete"}:   true,
		{"POST", "/marketing/v4/email/single-send"}:        true,
		{"GET", "/crm/v3/objects/contacts/1"}:              false,
		{"POST", "/crm/v3/objects/contacts/batch/upsert"}:  false,
		{"PATCH", "/settings/v3/users/5"}:                  true,
		{"POST", "/crm/v3/objects/contacts/batch/archive"}: true,
	} {
		r, _ := http.NewRequest(call[0], "https://api.hubapi.com"+call[1], nil)
		if got := p.Sensitive(r); got != want {
			t.Errorf("%s %s: %v, want %v", call[0], call[1], got, want)
		}
	}
}
