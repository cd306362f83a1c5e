package otelhubspot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/sqlstore"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// The gateway's calls and denials are counted by key, service, operation
// and reason, and its tokens appear in no attribute.
func TestGatewayCalls(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	hs := hubspottest.NewServer(t)
	real, err := secrets.NewCache(secretstest.NewStatic(hs.NewToken("crm.objects.contacts.read")))
	if err != nil {
		t.Fatal(err)
	}
	defer real.Close()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "gw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	storeKey := secrets.New("a store key of at least thirty-two bytes, for tests")
	gw, err := gateway.New(ctx, gateway.Config{Store: st, StoreKey: storeKey, Upstream: hs.URL(), Token: real, OnCall: r.tel.GatewayCalls()})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	srv := httptest.NewServer(gw)
	defer srv.Close()
	adm, err := gateway.NewAdmin(st, storeKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	iss, err := adm.Create(ctx, gateway.KeySpec{Name: "reader", Service: "reports", Scopes: []string{"crm.objects.contacts.read"}})
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, tok string) {
		req, _ := http.NewRequest(method, srv.URL+"/crm/v3/objects/contacts", strings.NewReader(`{"properties":{}}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	call("GET", iss.Token.Reveal())
	call("GET", iss.Token.Reveal())
	call("POST", iss.Token.Reveal()) // no write scope
	call("GET", "hkgw_not-a-key")
	if err := gw.FlushAudit(ctx); err != nil { // OnCall has run for every call once they are audited
		t.Fatal(err)
	}

	key := attribute.String("hubkey.gateway.key", iss.Key.ID)
	if n := r.sum(t, "hubkey.gateway.calls", key, attribute.String("hubkey.gateway.denial", "none"), attribute.String("hubspot.operation", "crm.objects.list")); n != 2 {
		t.Errorf("%v allowed reads counted, want 2", n)
	}
	if n := r.sum(t, "hubkey.gateway.calls", key, attribute.String("hubkey.gateway.denial", "missing scopes"), attribute.Int("http.response.status_code", 403)); n != 1 {
		t.Errorf("%v refused writes counted, want 1", n)
	}
	if n := r.sum(t, "hubkey.gateway.calls", attribute.String("hubkey.gateway.key", "unknown"), attribute.String("hubkey.gateway.denial", "unknown token")); n != 1 {
		t.Errorf("%v unknown-key calls counted, want 1", n)
	}
	if n := r.sum(t, "hubkey.gateway.duration", attribute.String("hubkey.gateway.service", "reports")); n != 3 {
		t.Errorf("%v durations of the service's calls, want 3", n)
	}
	for _, name := range []string{"hubkey.gateway.calls", "hubkey.gateway.duration"} {
		for _, p := range r.points(t, name) {
			for _, kv := range p.attrs.ToSlice() {
				if v := kv.Value.String(); strings.Contains(v, iss.Token.Reveal()) || strings.Contains(v, "hkgw_") {
					t.Fatalf("%s carries a token in %s", name, kv.Key)
				}
			}
		}
	}
}
