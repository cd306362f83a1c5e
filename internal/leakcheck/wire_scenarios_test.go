package leakcheck_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// wireScenarioEcho answers with status and a body, headers and error
// fields that repeat the request's Authorization header and query string.
func wireScenarioEcho(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		echo := r.Header.Get("Authorization") + " " + r.URL.RawQuery
		esc := clientScenarioEscaped(echo)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", echo)
		w.Header().Set("Location", "https://example.com/?"+r.URL.RawQuery)
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"status":"error","category":"VALIDATION_ERROR","message":"you sent %s","echo":"%s",
			"context":{"echo":["%s"]},"errors":[{"message":"%s"}],"policyName":"SECONDLY"}`, esc, esc, esc, esc)
	}
}

// Client.Do, for calls the catalogue knows and calls it does not, in
// numbered and dated paths, with the bearer token and the developer key:
// a server that echoes the credential in any answer, 2xx or not, puts it
// in no error, decoded answer, dump or log line; and paths Do refuses are
// never quoted back.
func TestLeakHubSpotClientDo(t *testing.T) {
	rec := leakcheck.New()
	ctx := context.Background()
	for _, status := range []int{http.StatusOK, http.StatusMultiStatus, http.StatusBadRequest, http.StatusUnauthorized,
		http.StatusNotFound, http.StatusTooManyRequests, http.StatusBadGateway} {
		srv := httptest.NewServer(wireScenarioEcho(status))
		c := newClient(t, rec, srv.URL+"/gw", secretstest.NewStatic(canaryToken),
			hubspot.WithDeveloperKey(secretstest.NewStatic(clientScenarioDevKey)),
			hubspot.WithAPIVersion("2026-03"), hubspot.WithRateLimit(hubspot.RateLimit{}))
		for _, call := range [][2]string{
			{"GET", "/crm/v3/objects/contacts/1"},
			{"GET", "/crm/objects/2026-03/contacts/1"},
			{"POST", "/crm/objects/2026-03/contacts/search"},
			{"DELETE", "/crm/v3/objects/contacts/1"},
			{"GET", "/webhooks/v3/7/settings"},
			{"GET", "/app-webhooks/2025-09/7/subscriptions"},
			{"GET", "/marketing/v3/emails"},
			{"POST", "/marketing/v3/emails/search"},
		} {
			where := fmt.Sprintf("%d %s %s", status, call[0], call[1])
			var out map[string]any
			var in any
			if call[0] == "POST" {
				in = map[string]string{"q": "x"}
			}
			err := c.Do(ctx, call[0], call[1], url.Values{"after": {"1"}}, in, &out)
			rec.Err(where, err)
			rec.Dump(where+" out", out)
			if b, merr := json.Marshal(out); merr == nil {
				rec.Add(where+" out json", string(b))
			}
			if status/100 != 2 && err == nil {
				t.Errorf("%s: no error", where)
			}
			if status == http.StatusOK && err == nil && !strings.Contains(fmt.Sprint(out), "you sent") {
				t.Errorf("%s: the answer was not decoded (else this scenario proves nothing): %v", where, out)
			}
		}
		// The typed methods, in the dated version.
		_, err := c.Contacts.Get(ctx, "1", nil)
		rec.Err(fmt.Sprintf("%d typed get", status), err)
		_, err = c.Webhooks.GetSettings(ctx, 7)
		rec.Err(fmt.Sprintf("%d typed webhook settings", status), err)
		srv.Close()
	}
	// Paths Do refuses, holding the canary: the errors name what is wrong.
	c := newClient(t, rec, "https://api.hubapi.com", secretstest.NewStatic(canaryToken))
	for _, p := range []string{
		"/oauth/v1/refresh-tokens/" + canaryToken + "?x=1",
		"https://evil.example/" + canaryToken,
		"/oauth/v1/access-tokens/" + canaryToken + "/..",
		"/oauth/v1/access-tokens/" + canaryToken + "%zz",
		"/oauth/v1/access-tokens/" + canaryToken + " ",
	} {
		rec.Err("refused path", c.Do(ctx, "GET", p, nil, nil, nil))
	}
	rec.Check(t, canaryToken, clientScenarioDevKey)
}
