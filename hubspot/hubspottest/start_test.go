package hubspottest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func TestStartOutsideATest(t *testing.T) {
	srv, err := hubspottest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tok := srv.NewToken(hubspottest.AllScopes...)
	req, _ := http.NewRequest("GET", srv.URL()+"/crm/v3/objects/contacts", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET contacts = %d", resp.StatusCode)
	}

	defer func() {
		v := recover()
		if v == nil || !strings.Contains(v.(string), "unknown scope") {
			t.Fatalf("misuse outside a test should panic naming the problem, got %v", v)
		}
	}()
	srv.NewToken("no.such.scope")
}

func TestStartRejectsBadOptions(t *testing.T) {
	if _, err := hubspottest.Start(hubspottest.WithRateLimit(hubspottest.RateLimit{Max: -1})); err == nil {
		t.Fatal("Start accepted a negative rate limit")
	}
}
