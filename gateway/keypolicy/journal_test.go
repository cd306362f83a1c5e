package keypolicy_test

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/hubkey/hubkey/gateway/keypolicy"
)

func TestRedactQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"limit=10&after=5", "limit=10&after=5"},
		{"hapikey=abc&limit=1", "hapikey=REDACTED&limit=1"},
		{"HAPIKEY=abc", "HAPIKEY=REDACTED"},
		{"access_token=a&refresh_token=b&client_secret=c&code=d", "access_token=REDACTED&refresh_token=REDACTED&client_secret=REDACTED&code=REDACTED"},
		{"my_api_key=x&x-amz-signature=y", "my_api_key=REDACTED&x-amz-signature=REDACTED"},
		{"access%5Ftoken=a", "access%5Ftoken=REDACTED"},
		{"properties=email&propertiesWithHistory=x&idProperty=email", "properties=email&propertiesWithHistory=x&idProperty=email"},
		{"flag&token=", "flag&token=REDACTED"},
	}
	for _, tc := range tests {
		if got := keypolicy.RedactQuery(tc.in); got != tc.want {
			t.Errorf("RedactQuery(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/crm/v3/objects/contacts/1", "/crm/v3/objects/contacts/1"},
		{"/oauth/v1/access-tokens/CJSP5qf1", "/oauth/v1/access-tokens/REDACTED"},
		{"/oauth/v1/refresh-tokens/abc-123", "/oauth/v1/refresh-tokens/REDACTED"},
		{"/oauth/v1/refresh-tokens/", "/oauth/v1/refresh-tokens/"},
	}
	for _, tc := range tests {
		if got := keypolicy.RedactPath(tc.in); got != tc.want {
			t.Errorf("RedactPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestJournalBounded(t *testing.T) {
	j := keypolicy.NewJournal(3)
	for i := range 5 {
		j.Record(keypolicy.Entry{Path: fmt.Sprint("/", i), Query: "hapikey=secret"})
	}
	e := j.Entries()
	if len(e) != 3 || e[0].Path != "/2" || e[2].Path != "/4" || j.Total() != 5 {
		t.Fatalf("entries %+v total %d", e, j.Total())
	}
	if e[0].Query != "hapikey=REDACTED" {
		t.Fatalf("Record did not redact: %q", e[0].Query)
	}
	j.Reset()
	if len(j.Entries()) != 0 || j.Total() != 0 {
		t.Fatal("reset")
	}
}

func TestNewEntry(t *testing.T) {
	r := httptest.NewRequest("GET", "/oauth/v1/access-tokens/tok?access_token=x&a=1", nil)
	r.Header.Set("Signature", "sig1=:abc:")
	e := keypolicy.NewEntry(r, t0)
	if e.Path != "/oauth/v1/access-tokens/REDACTED" || e.Query != "access_token=REDACTED&a=1" || !e.Signed || e.Method != "GET" || !e.Time.Equal(t0) || e.RemoteAddr == "" {
		t.Fatalf("entry %+v", e)
	}
}
