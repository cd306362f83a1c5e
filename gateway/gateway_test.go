package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
	"github.com/hubkey/hubkey/signing"
)

var storeKey = secrets.New("0123456789abcdef0123456789abcdef-test-store-key")

// rig is a gateway in front of hubspottest, with an Admin on its store.
type rig struct {
	t        *testing.T
	hs       *hubspottest.Server
	upstream string // the real token
	store    *memStore
	gw       *gateway.Gateway
	srv      *httptest.Server
	admin    *gateway.Admin
	clock    *clock.Fake
}

func newRig(t *testing.T, mod func(*gateway.Config)) *rig {
	t.Helper()
	// The fake clock starts at the real time, which request signatures
	// carry.
	fc := clock.NewFake(time.Now())
	hs := hubspottest.NewServer(t)
	real := hs.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.deals.read")
	cache, err := secrets.NewCache(secretstest.NewStatic(real))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cache.Close() })
	st := newMemStore()
	cfg := gateway.Config{Store: st, StoreKey: storeKey, Upstream: hs.URL(), Token: cache, Clock: fc}
	if mod != nil {
		mod(&cfg)
	}
	gw, err := gateway.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	adm, err := gateway.NewAdmin(st, storeKey, fc)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, hs: hs, upstream: real, store: st, gw: gw, srv: srv, admin: adm, clock: fc}
}

func (r *rig) create(spec gateway.KeySpec) gateway.Issued {
	r.t.Helper()
	if spec.Name == "" {
		spec.Name = "test key"
	}
	if spec.Service == "" {
		spec.Service = "billing-sync"
	}
	iss, err := r.admin.Create(context.Background(), spec)
	if err != nil {
		r.t.Fatal(err)
	}
	return iss
}

// do sends a raw call to the gateway and returns the status and the
// decoded error body (if any).
func (r *rig) do(method, path, token string, body string, hdr http.Header) (int, map[string]any, http.Header) {
	r.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, r.srv.URL+path, rd)
	if err != nil {
		r.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(b), r.upstream) {
		r.t.Fatalf("the upstream token reached the caller in a %d body", resp.StatusCode)
	}
	for _, vs := range resp.Header {
		for _, v := range vs {
			if strings.Contains(v, r.upstream) {
				r.t.Fatalf("the upstream token reached the caller in a header")
			}
		}
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m, resp.Header
}

func (r *rig) client(tok secrets.Secret, opts ...hubspot.Option) *hubspot.Client {
	r.t.Helper()
	opts = append([]hubspot.Option{hubspot.WithBaseURL(r.srv.URL), hubspot.WithToken(secretstest.NewStatic(tok.Reveal()))}, opts...)
	c, err := hubspot.New(opts...)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { c.Close() })
	return c
}

func TestClientWorksThroughGateway(t *testing.T) {
	r := newRig(t, nil)
	iss := r.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.read", "crm.objects.contacts.write"}})
	c := r.client(iss.Token)
	ctx := context.Background()
	o, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "ada@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Contacts.Get(ctx, o.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Properties["email"] != "ada@example.com" {
		t.Fatalf("email %q", got.Properties["email"])
	}
	if err := r.gw.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	calls := r.store.allCalls()
	if len(calls) != 2 {
		t.Fatalf("%d audited calls, want 2", len(calls))
	}
	c0 := calls[0]
	if c0.KeyID != iss.Key.ID || c0.Service != "billing-sync" || c0.Operation != "crm.objects.create" ||
		c0.Status != 201 || c0.Denial != "" || c0.Upstream != "token" || c0.ClientIP != "127.0.0.1" ||
		c0.Fingerprint != iss.Token.Fingerprint() || c0.BytesIn == 0 || c0.BytesOut == 0 {
		t.Fatalf("audited call %+v", c0)
	}
	if calls[1].Route == "" || strings.Contains(calls[1].Route, o.ID) {
		t.Fatalf("route %q is not the template", calls[1].Route)
	}
	// HubSpot saw the real token, never the gateway key.
	for _, e := range r.hs.Journal() {
		if e.TokenFingerprint == iss.Token.Fingerprint() {
			t.Fatal("the gateway key reached HubSpot")
		}
	}
}

func TestDenials(t *testing.T) {
	r := newRig(t, nil)
	reader := r.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.read"}})
	elsewhere := r.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.read"}, AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	tests := []struct {
		name, method, path, token, body string
		status                          int
		category, sub                   string
	}{
		{"no key", "GET", "/crm/v3/objects/contacts", "", "", 401, "INVALID_AUTHENTICATION", ""},
		{"not a gateway key", "GET", "/crm/v3/objects/contacts", "pat-na1-00000000-0000-0000-0000-000000000000", "", 401, "INVALID_AUTHENTICATION", ""},
		{"unknown well-formed key", "GET", "/crm/v3/objects/contacts", wellFormedUnknown(t), "", 401, "INVALID_AUTHENTICATION", ""},
		{"missing scope", "POST", "/crm/v3/objects/contacts", reader.Token.Reveal(), `{"properties":{}}`, 403, "MISSING_SCOPES", ""},
		{"scope of another object", "GET", "/crm/v3/objects/deals", reader.Token.Reveal(), "", 403, "MISSING_SCOPES", ""},
		{"outside the IP list", "GET", "/crm/v3/objects/contacts", elsewhere.Token.Reveal(), "", 403, "FORBIDDEN", "IP_NOT_ALLOWED"},
		{"unknown operation", "GET", "/not/a/hubspot/path", reader.Token.Reveal(), "", 403, "FORBIDDEN", "UNKNOWN_OPERATION"},
		{"OAuth token endpoint", "POST", "/oauth/v1/token", reader.Token.Reveal(), "", 403, "FORBIDDEN", "OPERATION_NOT_SERVED"},
		// Dot segments could take a call checked as a contact read elsewhere
		// once HubSpot (or a proxy) cleans the path: refused.
		{"dot segments", "GET", "/crm/v3/objects/contacts/%2e%2e/%2e%2e/%2e%2e/settings/v3/users", reader.Token.Reveal(), "", 403, "FORBIDDEN", "UNKNOWN_OPERATION"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, body, _ := r.do(tc.method, tc.path, tc.token, tc.body, nil)
			if st != tc.status || body["category"] != tc.category || (tc.sub != "" && body["subCategory"] != tc.sub) {
				t.Fatalf("got %d %v, want %d %s %s", st, body, tc.status, tc.category, tc.sub)
			}
			if body["correlationId"] == "" || body["status"] != "error" {
				t.Fatalf("not HubSpot's error body: %v", body)
			}
		})
	}
	// The refusal names the scope that would do.
	_, body, _ := r.do("POST", "/crm/v3/objects/contacts", reader.Token.Reveal(), `{"properties":{}}`, nil)
	b, _ := json.Marshal(body)
	if !strings.Contains(string(b), "crm.objects.contacts.write") {
		t.Fatalf("refusal does not name the scope: %s", b)
	}
	if err := r.gw.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range r.store.allCalls() {
		if c.Denial == "" || c.Status == 0 {
			t.Fatalf("denied call audited as %+v", c)
		}
	}
}

func wellFormedUnknown(t *testing.T) string {
	// A key made by another gateway's store: the right shape, no record.
	adm, err := gateway.NewAdmin(newMemStore(), storeKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	iss, err := adm.Create(context.Background(), gateway.KeySpec{Name: "x", Service: "x", Scopes: []string{"crm.objects.contacts.read"}})
	if err != nil {
		t.Fatal(err)
	}
	return iss.Token.Reveal()
}

func TestLifecycleTakesEffectOnNextRequest(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	iss := r.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.read"}})
	tok := iss.Token.Reveal()
	get := func() int { st, _, _ := r.do("GET", "/crm/v3/objects/contacts", tok, "", nil); return st }
	if st := get(); st != 200 {
		t.Fatalf("active key: %d", st)
	}
	if _, err := r.admin.Suspend(ctx, iss.Key.ID); err != nil {
		t.Fatal(err)
	}
	if st, body, _ := r.do("GET", "/crm/v3/objects/contacts", tok, "", nil); st != 403 || body["subCategory"] != "KEY_SUSPENDED" {
		t.Fatalf("suspended key: %d %v", st, body)
	}
	if _, err := r.admin.Resume(ctx, iss.Key.ID); err != nil {
		t.Fatal(err)
	}
	if st := get(); st != 200 {
		t.Fatalf("resumed key: %d", st)
	}
	if _, err := r.admin.Revoke(ctx, iss.Key.ID); err != nil {
		t.Fatal(err)
	}
	if st := get(); st != 401 {
		t.Fatalf("revoked key: %d", st)
	}
	if _, err := r.admin.Resume(ctx, iss.Key.ID); err == nil {
		t.Fatal("a revoked key was resumed")
	}
	if _, err := r.admin.Rotate(ctx, iss.Key.ID, time.Hour); err == nil {
		t.Fatal("a revoked key was rotated")
	}
}

func TestRotationGrace(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	old := r.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.read"}})
	nw, err := r.admin.Rotate(ctx, old.Key.ID, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if nw.Key.Lineage != old.Key.Lineage || nw.Key.Service != old.Key.Service || nw.Token.Equal(old.Token) {
		t.Fatalf("rotated key %+v", nw.Key)
	}
	for _, tok := range []secrets.Secret{old.Token, nw.Token} {
		if st, _, _ := r.do("GET", "/crm/v3/objects/contacts", tok.Reveal(), "", nil); st != 200 {
			t.Fatalf("during the grace period: %d", st)
		}
	}
	r.clock.Advance(10*time.Minute + time.Second)
	if st, _, _ := r.do("GET", "/crm/v3/objects/contacts", old.Token.Reveal(), "", nil); st != 401 {
		t.Fatalf("old key after the grace period: %d", st)
	}
	if st, _, _ := r.do("GET", "/crm/v3/objects/contacts", nw.Token.Reveal(), "", nil); st != 200 {
		t.Fatalf("new key after the grace period: %d", st)
	}
	k, err := r.admin.Key(ctx, old.Key.ID)
	if err != nil || k.RotatedTo != nw.Key.ID {
		t.Fatalf("old record %+v, %v", k, err)
	}
}

func TestSignatureRequiredOnSensitiveCalls(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	writer := r.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.read", "crm.objects.contacts.write"}, RequireSignature: true})
	other := r.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.write"}, RequireSignature: true})
	if writer.SigningSecret.IsZero() || !strings.HasPrefix(writer.SigningSecret.Reveal(), gateway.SigningSecretPrefix) {
		t.Fatal("no signing secret issued")
	}
	unsigned := r.client(writer.Token)
	o, err := unsigned.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "a@example.com"}})
	if err != nil {
		t.Fatalf("an ordinary call needs no signature: %v", err)
	}
	var he *hubspot.Error
	if err := unsigned.Contacts.Archive(ctx, o.ID); !errors.As(err, &he) || he.StatusCode != 403 || he.SubCategory != "SIGNATURE_REQUIRED" {
		t.Fatalf("unsigned delete: %v", err)
	}
	// Signed with another key's secret: refused.
	wrong, err := signing.NewSigner(signing.StaticKey(other.SigningSecret), writer.Key.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.client(writer.Token, hubspot.WithSigner(wrong, nil)).Contacts.Archive(ctx, o.ID); !errors.As(err, &he) || he.SubCategory != "SIGNATURE_INVALID" {
		t.Fatalf("delete signed with the wrong secret: %v", err)
	}
	// Another key's ID and secret, presented with this key's token.
	borrowed, err := signing.NewSigner(signing.StaticKey(other.SigningSecret), other.Key.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.client(writer.Token, hubspot.WithSigner(borrowed, nil)).Contacts.Archive(ctx, o.ID); !errors.As(err, &he) || he.SubCategory != "SIGNATURE_INVALID" {
		t.Fatalf("delete signed for another key: %v", err)
	}
	right, err := signing.NewSigner(signing.StaticKey(writer.SigningSecret), writer.Key.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.client(writer.Token, hubspot.WithSigner(right, nil)).Contacts.Archive(ctx, o.ID); err != nil {
		t.Fatalf("signed delete: %v", err)
	}
	if err := r.gw.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	for _, c := range r.store.allCalls() {
		if c.Operation == "crm.objects.archive" {
			outcomes = append(outcomes, c.Signature)
		}
	}
	if strings.Join(outcomes, ",") != "missing,invalid,invalid,valid" {
		t.Fatalf("signature outcomes %v", outcomes)
	}
}

func TestTrustedProxies(t *testing.T) {
	r := newRig(t, func(c *gateway.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	iss := r.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.read"}, AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}})
	tok := iss.Token.Reveal()
	xff := func(v string) http.Header { return http.Header{"X-Forwarded-For": {v}} }
	if st, _, _ := r.do("GET", "/crm/v3/objects/contacts", tok, "", xff("10.1.2.3")); st != 200 {
		t.Fatalf("allowed client behind a trusted proxy: %d", st)
	}
	// A client cannot claim an address by sending the header itself: the
	// last untrusted hop counts.
	if st, _, _ := r.do("GET", "/crm/v3/objects/contacts", tok, "", xff("10.1.2.3, 192.0.2.7")); st != 403 {
		t.Fatalf("spoofed X-Forwarded-For: %d", st)
	}
	// Without trusted proxies, the header is ignored.
	r2 := newRig(t, nil)
	iss2 := r2.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.read"}, AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}})
	if st, _, _ := r2.do("GET", "/crm/v3/objects/contacts", iss2.Token.Reveal(), "", xff("10.1.2.3")); st != 403 {
		t.Fatalf("X-Forwarded-For believed from an untrusted peer: %d", st)
	}
}

func TestUpstreamTokenScrubbedFromEchoes(t *testing.T) {
	const real = "pat-na1-11111111-2222-3333-4444-555555555555"
	for _, status := range []int{200, 400, 500} {
		echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Echo", r.Header.Get("Authorization"))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			// The token raw, quoted and in a long body that a reader may
			// cut anywhere.
			_, _ = io.WriteString(w, `{"message":"bad token `+tok+`","echo":"`+strings.Repeat("x", 70000)+tok+`"}`)
		}))
		cache, err := secrets.NewCache(secretstest.NewStatic(real))
		if err != nil {
			t.Fatal(err)
		}
		st := newMemStore()
		gw, err := gateway.New(context.Background(), gateway.Config{Store: st, StoreKey: storeKey, Upstream: echo.URL, Token: cache})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(gw)
		adm, _ := gateway.NewAdmin(st, storeKey, nil)
		iss, err := adm.Create(context.Background(), gateway.KeySpec{Name: "n", Service: "s", Scopes: []string{"crm.objects.contacts.read"}})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", srv.URL+"/crm/v3/objects/contacts", nil)
		req.Header.Set("Authorization", "Bearer "+iss.Token.Reveal())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != status || strings.Contains(string(b), real) || strings.Contains(resp.Header.Get("X-Echo"), real) {
			t.Fatalf("status %d: the upstream token was echoed to the caller", status)
		}
		if !strings.Contains(string(b), secrets.Redacted) {
			t.Fatalf("status %d: body %.80q... not redacted", status, b)
		}
		srv.Close()
		gw.Close()
		cache.Close()
		echo.Close()
	}
}

func TestInvalidKeyFloodDoesNotHoldUpValidCalls(t *testing.T) {
	r := newRig(t, func(c *gateway.Config) { c.AuditQueue = 4 })
	// The audit writer gets stuck in its first write: once it holds a
	// batch, the queue fills with refusals, which are then dropped.
	gate := make(chan struct{})
	r.store.appendGate = gate
	iss := r.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.read"}})
	bad := wellFormedUnknown(t)
	// A batch (512) and the queue (4) fill within 517 refusals, whatever
	// the writer's pace.
	for i := 0; r.gw.Stats().AuditDropped == 0; i++ {
		if i == 2000 {
			t.Fatal("no refusal was dropped from a full queue")
		}
		if st, _, _ := r.do("GET", "/crm/v3/objects/contacts", bad, "", nil); st != 401 {
			t.Fatalf("bad key: %d", st)
		}
	}
	// The writer moves again: the valid call goes through.
	close(gate)
	if st, _, _ := r.do("GET", "/crm/v3/objects/contacts", iss.Token.Reveal(), "", nil); st != 200 {
		t.Fatalf("valid key during a flood: %d", st)
	}
}

func TestAdminRefusesBadInput(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	future := r.clock.Now().Add(time.Hour)
	bad := []struct {
		spec gateway.KeySpec
		want string
	}{
		{gateway.KeySpec{Service: "s", Scopes: []string{"crm.objects.contacts.read"}}, "name is required"},
		{gateway.KeySpec{Name: "n", Scopes: []string{"crm.objects.contacts.read"}}, "service is required"},
		{gateway.KeySpec{Name: "n", Service: "s"}, "at least one scope"},
		{gateway.KeySpec{Name: "n", Service: "s", Scopes: []string{"crm.objects.contacts.reed"}}, `("crm.objects.contacts.reed") is not a HubSpot scope`},
		{gateway.KeySpec{Name: "n", Service: "s", Scopes: []string{"crm.objects.contacts.read", "crm.objects.contacts.read"}}, "listed twice"},
		{gateway.KeySpec{Name: "n", Service: "s", Scopes: []string{"crm.objects.contacts.read"}, AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.1.2.3/8")}}, "did you mean 10.0.0.0/8"},
		{gateway.KeySpec{Name: "n", Service: "s", Scopes: []string{"crm.objects.contacts.read"}, ExpiresAt: r.clock.Now().Add(-time.Second)}, "not in the future"},
		{gateway.KeySpec{Name: "n", Service: "s", Scopes: []string{"crm.objects.contacts.read"}, Limits: keypolicy.Limits{Max: 5}}, ""},
		{gateway.KeySpec{Name: " n", Service: "s", Scopes: []string{"crm.objects.contacts.read"}, ExpiresAt: future}, "surrounding space"},
	}
	for _, b := range bad {
		_, err := r.admin.Create(ctx, b.spec)
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("Create(%+v) = %v, want an error containing %q", b.spec, err, b.want)
		}
	}
	ks, _ := r.admin.Keys(ctx)
	if len(ks) != 0 {
		t.Fatalf("%d keys written by refused creates", len(ks))
	}
	if _, err := r.admin.Suspend(ctx, "key_nope"); !errors.Is(err, gateway.ErrKeyNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
	if _, err := r.admin.Rotate(ctx, "key_nope", -time.Second); err == nil {
		t.Fatal("negative grace accepted")
	}
}

func TestSignedCallCannotBeReplayed(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	w := r.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.write"}, RequireSignature: true})
	o, err := r.client(w.Token).Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "b@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := signing.NewSigner(signing.StaticKey(w.SigningSecret), w.Key.ID)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("DELETE", r.srv.URL+"/crm/v3/objects/contacts/"+o.ID, nil)
	req.Header.Set("Authorization", "Bearer "+w.Token.Reveal())
	if err := signer.Sign(req); err != nil {
		t.Fatal(err)
	}
	hdr := req.Header.Clone()
	hdr.Del("Authorization")
	if st, body, _ := r.do("DELETE", "/crm/v3/objects/contacts/"+o.ID, w.Token.Reveal(), "", hdr); st != 204 {
		t.Fatalf("signed delete: %d %v", st, body)
	}
	st, body, _ := r.do("DELETE", "/crm/v3/objects/contacts/"+o.ID, w.Token.Reveal(), "", hdr)
	if st != 403 || body["subCategory"] != "SIGNATURE_INVALID" {
		t.Fatalf("replayed delete: %d %v", st, body)
	}
	if msg, _ := body["message"].(string); !strings.Contains(msg, "replay") {
		t.Fatalf("the refusal does not say why: %q", msg)
	}
}

func TestKeyLimitsAndExpiry(t *testing.T) {
	r := newRig(t, nil)
	limited := r.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.read"}, Limits: keypolicy.Limits{Max: 2, Interval: 10 * time.Second}})
	for i := range 2 {
		if st, _, _ := r.do("GET", "/crm/v3/objects/contacts", limited.Token.Reveal(), "", nil); st != 200 {
			t.Fatalf("call %d within the key's limit: %d", i, st)
		}
	}
	st, body, hdr := r.do("GET", "/crm/v3/objects/contacts", limited.Token.Reveal(), "", nil)
	if st != 429 || body["category"] != "RATE_LIMITS" || body["policyName"] != "TEN_SECONDLY_ROLLING" || hdr.Get("Retry-After") == "" {
		t.Fatalf("call past the key's limit: %d %v Retry-After=%q", st, body, hdr.Get("Retry-After"))
	}
	r.clock.Advance(10 * time.Second)
	if st, _, _ := r.do("GET", "/crm/v3/objects/contacts", limited.Token.Reveal(), "", nil); st != 200 {
		t.Fatalf("after the window: %d", st)
	}

	expiring := r.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.read"}, ExpiresAt: r.clock.Now().Add(time.Hour)})
	if st, _, _ := r.do("GET", "/crm/v3/objects/contacts", expiring.Token.Reveal(), "", nil); st != 200 {
		t.Fatalf("before expiry: %d", st)
	}
	r.clock.Advance(time.Hour)
	if st, body, _ := r.do("GET", "/crm/v3/objects/contacts", expiring.Token.Reveal(), "", nil); st != 401 || body["category"] != "INVALID_AUTHENTICATION" {
		t.Fatalf("after expiry: %d %v", st, body)
	}
	if err := r.gw.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	var denials []string
	for _, c := range r.store.allCalls() {
		if c.Denial != "" {
			denials = append(denials, c.Denial)
		}
	}
	if strings.Join(denials, ",") != "rate limited,key expired" {
		t.Fatalf("denials audited as %q", denials)
	}
}

// Two replicas on one store share the replay cache: a signed call one
// accepted is refused by the other.
func TestSignedCallCannotBeReplayedToAnotherReplica(t *testing.T) {
	const public = "https://gateway.example.test"
	r := newRig(t, func(c *gateway.Config) { c.PublicURL = public })
	cache, err := secrets.NewCache(secretstest.NewStatic(r.upstream))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cache.Close() })
	gw2, err := gateway.New(context.Background(), gateway.Config{Store: r.store, StoreKey: storeKey, Upstream: r.hs.URL(),
		Token: cache, Clock: r.clock, PublicURL: public})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw2.Close() })
	srv2 := httptest.NewServer(gw2)
	t.Cleanup(srv2.Close)

	ctx := context.Background()
	w := r.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.write"}, RequireSignature: true})
	o, err := r.client(w.Token).Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "c@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := signing.NewSigner(signing.StaticKey(w.SigningSecret), w.Key.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Signed for the address callers use, in front of both replicas.
	signed, _ := http.NewRequest("DELETE", public+"/crm/v3/objects/contacts/"+o.ID, nil)
	if err := signer.Sign(signed); err != nil {
		t.Fatal(err)
	}
	send := func(base string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("DELETE", base+"/crm/v3/objects/contacts/"+o.ID, nil)
		req.Header = signed.Header.Clone()
		req.Header.Set("Authorization", "Bearer "+w.Token.Reveal())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, body := send(r.srv.URL); st != 204 {
		t.Fatalf("signed delete through the first replica: %d %s", st, body)
	}
	st, body := send(srv2.URL)
	if st != 403 || !strings.Contains(body, "SIGNATURE_INVALID") || !strings.Contains(body, "replay") {
		t.Fatalf("the same signed delete through the second replica: %d %s", st, body)
	}
}

// memBudget is a hubspot.Budget in memory, shared by the gateways of a
// test as PostgreSQL shares pgbudget's: a rolling window per key, on the
// test's clock.
type memBudget struct {
	clk  *clock.Fake
	mu   sync.Mutex
	sent map[string][]time.Time
}

func (b *memBudget) Reserve(_ context.Context, key string, limit int, window, maxWait time.Duration) (time.Duration, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clk.Now()
	if b.sent == nil {
		b.sent = map[string][]time.Time{}
	}
	ts := b.sent[key]
	for len(ts) > 0 && !ts[0].After(now.Add(-window)) {
		ts = ts[1:]
	}
	b.sent[key] = ts
	if len(ts) < limit {
		b.sent[key] = append(ts, now)
		return 0, nil
	}
	wait := ts[len(ts)-limit].Add(window).Sub(now)
	if wait > maxWait {
		return wait, nil // takes nothing
	}
	b.sent[key] = append(ts, now.Add(wait))
	return wait, nil
}

// Behind two replicas sharing a budget, a key makes its limit's calls,
// not twice them: each replica's own count sees only its share.
func TestKeyLimitSharedByReplicas(t *testing.T) {
	var budget *memBudget
	r := newRig(t, func(c *gateway.Config) {
		budget = &memBudget{clk: c.Clock.(*clock.Fake)}
		c.SharedBudget = hubspot.SharedBudget{Budget: budget, Replicas: 2}
	})
	cache, err := secrets.NewCache(secretstest.NewStatic(r.upstream))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cache.Close() })
	gw2, err := gateway.New(context.Background(), gateway.Config{Store: r.store, StoreKey: storeKey, Upstream: r.hs.URL(),
		Token: cache, Clock: r.clock, SharedBudget: hubspot.SharedBudget{Budget: budget, Replicas: 2}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw2.Close() })
	srv2 := httptest.NewServer(gw2)
	t.Cleanup(srv2.Close)

	k := r.create(gateway.KeySpec{Scopes: []string{"crm.objects.contacts.read"}, Limits: keypolicy.Limits{Max: 3, Interval: 10 * time.Second}})
	get := func(base string) (int, http.Header) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+"/crm/v3/objects/contacts", nil)
		req.Header.Set("Authorization", "Bearer "+k.Token.Reveal())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	for i, base := range []string{r.srv.URL, r.srv.URL, srv2.URL} {
		if st, _ := get(base); st != 200 {
			t.Fatalf("call %d within the key's limit: %d", i, st)
		}
	}
	st, hdr := get(srv2.URL) // the second replica's own count is 1 of 3
	if st != 429 || hdr.Get("Retry-After") == "" {
		t.Fatalf("the key's fourth call in its window, through the other replica: %d, Retry-After %q", st, hdr.Get("Retry-After"))
	}
	r.clock.Advance(10 * time.Second)
	if st, _ := get(srv2.URL); st != 200 {
		t.Fatalf("after the window: %d", st)
	}
}
