package leakcheck_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets/secretstest"
	"github.com/hubkey/hubkey/secrets/vault"
)

// A Vault that issues a renewable token (canaryIssued, 1h lease) and then
// fails every renewal with an answer that echoes the token, the AppRole IDs
// and the JWT: the Session's renewal warnings, the record of the token
// given up, its stats and the reads around them carry no canary. Time runs
// on a fake clock, from the login to the token given up.
func TestLeakVaultFailingRenewal(t *testing.T) {
	rec := leakcheck.New()
	type answer struct {
		status int
		mode   string
	}
	answers := []answer{{500, "json"}, {503, "raw"}, {500, "status line"}, {403, "json"}, {403, "status line"}, {400, "json"}}
	for _, a := range answers {
		where := fmt.Sprintf("renew-self %d %s", a.status, a.mode)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/v1/auth/approle/login":
				_ = json.NewEncoder(w).Encode(map[string]any{"auth": map[string]any{
					"client_token": canaryIssued, "lease_duration": 3600, "renewable": true, "policies": []string{"default"}}})
			case "/v1/auth/token/renew-self":
				vaultEchoAnswer(t, w, r, a.status, a.mode)
			default:
				fmt.Fprint(w, `{"data":{"data":{"token":"not-a-canary"},"metadata":{"version":1}}}`)
			}
		}))
		clk := clock.NewFake(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
		approle, _ := vault.NewAppRoleAuth(canaryRoleID, secretstest.NewStatic(canarySecretID))
		s, err := vault.NewSession(vaultClient(t, srv.URL, ""), vault.WithAuth(approle), vault.WithLogger(rec.Logger()), vault.WithClock(clk))
		if err != nil {
			t.Fatal(err)
		}
		kv2, _ := vault.NewKV2(s, "secret", "hubspot", vault.WithField("token"))
		ctx := context.Background()
		deadline := time.Now().Add(20 * time.Second)
		for s.Stats().WatcherEnded == 0 {
			if _, err := kv2.Fetch(ctx); err != nil {
				t.Fatalf("%s: Fetch: %v", where, err)
			}
			for clk.Timers() == 0 && s.Stats().WatcherEnded == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("%s: the token was not given up (stats %+v)", where, s.Stats())
				}
				time.Sleep(time.Millisecond) // polling for the renewer's next timer
			}
			clk.AdvanceToNext()
		}
		rec.Dump(where+" stats", s.Stats())
		s.Close()
		srv.Close()
	}
	rec.Check(t, vaultCanaries...)
	n, size := rec.Outputs()
	t.Logf("failing renewals: %d outputs, %d bytes scanned", n, size)
}
