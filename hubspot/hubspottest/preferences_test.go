package hubspottest_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func TestPreferencesServed(t *testing.T) {
	srv := hubspottest.NewServer(t)
	news := srv.AddSubscriptionType("Newsletter", "Monthly news")
	id, _ := strconv.ParseInt(news, 10, 64)
	tok := srv.NewToken("communication_preferences.read_write")
	path := "/communication-preferences/2026-03/statuses/ada@example.com"
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		message            string
	}{
		{"no channel", "GET", path, nil, 400, `Invalid value "" for query parameter channel`},
		{"not an email", "GET", "/communication-preferences/v4/statuses/ada?channel=EMAIL", nil, 400, "not a valid email address"},
		{"bad state", "POST", path, map[string]any{"channel": "EMAIL", "statusState": "ON", "subscriptionId": id}, 400, `statusState "ON"`},
		{"unknown type", "POST", path, map[string]any{"channel": "EMAIL", "statusState": "SUBSCRIBED", "subscriptionId": 7}, 400, "Subscription 7 does not exist"},
		{"bad legal basis", "POST", path, map[string]any{"channel": "EMAIL", "statusState": "SUBSCRIBED", "subscriptionId": id, "legalBasis": "YES"}, 400, `legalBasis "YES"`},
	} {
		r := call(t, srv, tok, tc.method, tc.path, tc.body)
		if b := r.json(t); r.status != tc.status || b["category"] != "VALIDATION_ERROR" || !strings.Contains(str(b["message"]), tc.message) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	r := call(t, srv, tok, "POST", path, map[string]any{"channel": "EMAIL", "statusState": "SUBSCRIBED", "subscriptionId": id})
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"setStatusSuccessReason":"REQUESTED_CHANGE_OCCURRED"`) || srv.SubscriptionStatus("ADA@example.com", news) != "SUBSCRIBED" {
		t.Fatalf("subscribe: %d %s", r.status, r.body)
	}
	if r := call(t, srv, tok, "POST", path+"/unsubscribe-all?channel=EMAIL", nil); r.status != http.StatusOK || srv.SubscriptionStatus("ada@example.com", news) != "UNSUBSCRIBED" {
		t.Fatalf("unsubscribe all: %d %s", r.status, r.body)
	}
	if r := call(t, srv, tok, "GET", path+"/unsubscribe-all?channel=EMAIL", nil); !strings.Contains(string(r.body), `"status":"UNSUBSCRIBED"`) {
		t.Errorf("unsubscribe-all status: %s", r.body)
	}
	ro := srv.NewToken("communication_preferences.read")
	if r := call(t, srv, ro, "POST", path+"/unsubscribe-all?channel=EMAIL", nil); r.status != http.StatusForbidden || !strings.Contains(string(r.body), "communication_preferences.write") {
		t.Errorf("unsubscribe all with the read scope: %d %s", r.status, r.body)
	}
}
