package gateway_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/secrets"
)

// adminCred is an admin credential a test can rotate.
type adminCred struct {
	v atomic.Pointer[secrets.Secret]
}

func newAdminCred(v string) *adminCred {
	c := &adminCred{}
	s := secrets.New(v)
	c.v.Store(&s)
	return c
}

func (c *adminCred) set(v string) { s := secrets.New(v); c.v.Store(&s) }

func (c *adminCred) Get(context.Context) (secrets.Version, error) {
	return secrets.Version{Value: *c.v.Load(), Source: "test"}, nil
}

const adminToken = "test-admin-token-0123456789"

// adminRig is a rig with the admin API served beside it.
type adminRig struct {
	*rig
	cred *adminCred
	api  *httptest.Server
}

func newAdminRig(t *testing.T) *adminRig {
	t.Helper()
	r := newRig(t, nil)
	cred := newAdminCred(adminToken)
	h, err := gateway.NewAdminHandler(r.admin, cred, gateway.WithGateway(r.gw))
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(h)
	t.Cleanup(api.Close)
	return &adminRig{rig: r, cred: cred, api: api}
}

// call sends an admin request with the admin token and returns the status
// and body.
func (a *adminRig) call(method, path, body string) (int, string) {
	a.t.Helper()
	return a.callAs(adminToken, method, path, body)
}

func (a *adminRig) callAs(token, method, path, body string) (int, string) {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.api.URL+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

type issuedBody struct {
	Key struct {
		ID          string   `json:"id"`
		Status      string   `json:"status"`
		Fingerprint string   `json:"fingerprint"`
		Scopes      []string `json:"scopes"`
		AllowedIPs  []string `json:"allowed_ips"`
		RotatedTo   string   `json:"rotated_to"`
		ExpiresAt   string   `json:"expires_at"`
	} `json:"key"`
	Token         string `json:"token"`
	SigningSecret string `json:"signing_secret"`
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decoding %q: %v", body, err)
	}
	return v
}

func TestAdminAPIAuth(t *testing.T) {
	a := newAdminRig(t)
	for _, tok := range []string{"", "wrong", adminToken + "x"} {
		if st, body := a.callAs(tok, "GET", "/v1/keys", ""); st != http.StatusUnauthorized || strings.Contains(body, adminToken) {
			t.Errorf("token %q: %d %s; want 401 without the admin token", tok, st, body)
		}
	}
	if st, body := a.call("GET", "/v1/keys", ""); st != http.StatusOK {
		t.Fatalf("%d %s", st, body)
	}
	// The credential is read per request: a rotated admin token works at
	// once and the old one stops.
	a.cred.set("rotated-admin-token-9876543210")
	if st, _ := a.call("GET", "/v1/keys", ""); st != http.StatusUnauthorized {
		t.Errorf("old admin token after rotation: %d, want 401", st)
	}
	if st, _ := a.callAs("rotated-admin-token-9876543210", "GET", "/v1/keys", ""); st != http.StatusOK {
		t.Errorf("new admin token: %d, want 200", st)
	}
	// No credential, or one too short to be safe: nothing is let in.
	for _, v := range []string{"", "short-token"} {
		a.cred.set(v)
		if st, _ := a.callAs(v, "GET", "/v1/keys", ""); st != http.StatusServiceUnavailable {
			t.Errorf("admin credential %q: %d, want 503", v, st)
		}
	}
}

func TestAdminAPIKeyLifecycle(t *testing.T) {
	a := newAdminRig(t)
	st, body := a.call("POST", "/v1/keys", `{"name":"reader","service":"billing-sync","scopes":["crm.objects.contacts.read"],"allowed_ips":["127.0.0.1"],"limits":{"max":100,"interval":"10s"}}`)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %s", st, body)
	}
	for _, leak := range []string{"token_hash", "TokenHash", "sealed", "Sealed"} {
		if strings.Contains(body, leak) {
			t.Errorf("the create answer shows %s: %s", leak, body)
		}
	}
	iss := decode[issuedBody](t, body)
	if !strings.HasPrefix(iss.Token, gateway.TokenPrefix) || iss.SigningSecret != "" || iss.Key.Status != "active" {
		t.Fatalf("create answer: %+v", iss.Key)
	}
	if got := iss.Key.AllowedIPs; len(got) != 1 || got[0] != "127.0.0.1/32" {
		t.Errorf("allowed_ips = %v", got)
	}

	// The token works through the gateway, and is never shown again.
	if st, _, _ := a.do("GET", "/crm/v3/objects/contacts", iss.Token, "", nil); st != http.StatusOK {
		t.Fatalf("call with the new key: %d", st)
	}
	st, body = a.call("GET", "/v1/keys/"+iss.Key.ID, "")
	if st != http.StatusOK || strings.Contains(body, iss.Token) || strings.Contains(body, "token_hash") {
		t.Fatalf("show: %d %s", st, body)
	}
	if !strings.Contains(body, `"last_used"`) {
		t.Errorf("show has no last_used after a call: %s", body)
	}
	st, body = a.call("GET", "/v1/keys", "")
	if st != http.StatusOK || strings.Contains(body, iss.Token) || !strings.Contains(body, iss.Key.ID) {
		t.Fatalf("list: %d %s", st, body)
	}

	for _, step := range []struct {
		act, want string
		status    int
	}{
		{"suspend", "suspended", 200}, {"resume", "active", 200}, {"revoke", "revoked", 200},
		{"resume", "", 409}, {"suspend", "", 409}, {"rotate", "", 409}, {"revoke", "revoked", 200},
	} {
		st, body := a.call("POST", "/v1/keys/"+iss.Key.ID+"/"+step.act, "")
		if st != step.status || (step.want != "" && !strings.Contains(body, `"status": "`+step.want+`"`)) {
			t.Fatalf("%s: %d %s; want %d %s", step.act, st, body, step.status, step.want)
		}
	}
	if st, _, _ := a.do("GET", "/crm/v3/objects/contacts", iss.Token, "", nil); st != http.StatusUnauthorized {
		t.Errorf("call with the revoked key: %d, want 401", st)
	}
	if st, body := a.call("POST", "/v1/keys/key_0000000000000000/suspend", ""); st != http.StatusNotFound {
		t.Errorf("suspend an unknown key: %d %s", st, body)
	}
}

func TestAdminAPIRotateWithGrace(t *testing.T) {
	a := newAdminRig(t)
	_, body := a.call("POST", "/v1/keys", `{"name":"writer","service":"sync","scopes":["crm.objects.contacts.write"],"require_signature":true}`)
	old := decode[issuedBody](t, body)
	if !strings.HasPrefix(old.SigningSecret, gateway.SigningSecretPrefix) {
		t.Fatalf("a signing key came without a signing secret: %s", body)
	}
	if st, body := a.call("POST", "/v1/keys/"+old.Key.ID+"/rotate", `{"grace":"ten minutes"}`); st != http.StatusBadRequest || !strings.Contains(body, `"field": "grace"`) {
		t.Fatalf("bad grace: %d %s", st, body)
	}
	st, body := a.call("POST", "/v1/keys/"+old.Key.ID+"/rotate", `{"grace":"10m"}`)
	if st != http.StatusCreated {
		t.Fatalf("rotate: %d %s", st, body)
	}
	nw := decode[issuedBody](t, body)
	if nw.Key.ID == old.Key.ID || nw.Token == old.Token || nw.SigningSecret == "" || nw.SigningSecret == old.SigningSecret {
		t.Fatalf("rotation gave the same key or no secret: %+v", nw.Key)
	}
	_, body = a.call("GET", "/v1/keys/"+old.Key.ID, "")
	oldRec := decode[struct {
		RotatedTo string    `json:"rotated_to"`
		ExpiresAt time.Time `json:"expires_at"`
	}](t, body)
	if d := oldRec.ExpiresAt.Sub(a.clock.Now()); oldRec.RotatedTo != nw.Key.ID || d < 10*time.Minute-time.Millisecond || d > 10*time.Minute {
		t.Errorf("old key after rotation: %+v", oldRec)
	}
}

func TestAdminAPIRefusesBadInput(t *testing.T) {
	a := newAdminRig(t)
	for _, c := range []struct {
		body, field string
	}{
		{`{"name":"n","service":"s","scopes":["crm.objects.contacts.read"],"colour":"red"}`, "colour"},
		{`{"name":"n","service":"s","scopes":"crm.objects.contacts.read"}`, "scopes"},
		{`{"service":"s","scopes":["crm.objects.contacts.read"]}`, "name"},
		{`{"name":"n","scopes":["crm.objects.contacts.read"]}`, "service"},
		{`{"name":"n","service":"s","scopes":[]}`, "scopes"},
		{`{"name":"n","service":"s","scopes":["contacts"]}`, "scopes"},
		{`{"name":"n","service":"s","scopes":["crm.objects.contacts.read"],"allowed_ips":["10.0.0.1/8"]}`, "allowed_ips"},
		{`{"name":"n","service":"s","scopes":["crm.objects.contacts.read"],"allowed_ips":["localhost"]}`, "allowed_ips[0]"},
		{`{"name":"n","service":"s","scopes":["crm.objects.contacts.read"],"expires_at":"tomorrow"}`, "expires_at"},
		{`{"name":"n","service":"s","scopes":["crm.objects.contacts.read"],"expires_at":"2001-01-01T00:00:00Z"}`, "expires_at"},
		{`{"name":"n","service":"s","scopes":["crm.objects.contacts.read"],"limits":{"max":10,"interval":"soon"}}`, "limits.interval"},
		{`{"name":"n","service":"s","scopes":["crm.objects.contacts.read"],"limits":{"max":10}}`, "limits"},
		{`{"name":"n","service":"s","scopes":["crm.objects.contacts.read"]} {}`, ""},
		{`{"name":`, ""},
		{``, ""},
		{`{"name":"` + strings.Repeat("x", 70<<10) + `"}`, ""},
	} {
		st, body := a.call("POST", "/v1/keys", c.body)
		e := decode[struct{ Error, Field string }](t, body)
		if st != http.StatusBadRequest || e.Field != c.field || e.Error == "" {
			t.Errorf("body %.80q: %d %s; want 400 naming field %q", c.body, st, body, c.field)
		}
	}
	// Nothing was written.
	if ks, err := a.admin.Keys(context.Background()); err != nil || len(ks) != 0 {
		t.Fatalf("after refused creates the store holds %d keys (%v)", len(ks), err)
	}
	for _, c := range []struct{ method, path, field string }{
		{"GET", "/v1/audit?status=abc", "status"},
		{"GET", "/v1/audit?from=yesterday", "from"},
		{"GET", "/v1/audit?denied=maybe", "denied"},
		{"GET", "/v1/audit?limit=-1", "limit"},
		{"GET", "/v1/audit?keyid=x", "keyid"},
		{"GET", "/v1/usage?bucket=1ns", "bucket"},
		{"GET", "/v1/usage?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z", "from"},
	} {
		st, body := a.call(c.method, c.path, "")
		e := decode[struct{ Error, Field string }](t, body)
		if st != http.StatusBadRequest || e.Field != c.field {
			t.Errorf("%s %s: %d %s; want 400 naming %q", c.method, c.path, st, body, c.field)
		}
	}
	for _, c := range []struct{ method, path string }{
		{"DELETE", "/v1/keys"}, {"PUT", "/v1/keys/key_x"}, {"GET", "/v1/keys/key_x/revoke"}, {"POST", "/v1/audit"},
	} {
		if st, body := a.call(c.method, c.path, ""); st != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d %s; want 405", c.method, c.path, st, body)
		}
	}
}

func TestAdminAPIAuditAndServices(t *testing.T) {
	a := newAdminRig(t)
	_, body := a.call("POST", "/v1/keys", `{"name":"reader","service":"billing-sync","scopes":["crm.objects.contacts.read"]}`)
	iss := decode[issuedBody](t, body)
	a.do("GET", "/crm/v3/objects/contacts", iss.Token, "", nil)
	a.do("POST", "/crm/v3/objects/contacts", iss.Token, `{"properties":{}}`, nil)

	req, _ := http.NewRequest("GET", a.api.URL+"/v1/audit?key="+iss.Key.ID, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "application/x-ndjson" {
		t.Fatalf("audit: %d %s", resp.StatusCode, ct)
	}
	var lines []map[string]any
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.Contains(sc.Text(), iss.Token) {
			t.Fatal("the audit export holds the token")
		}
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 2 || lines[0]["denial"] != "missing scopes" || lines[1]["status"] != float64(200) || lines[1]["operation"] == "" {
		t.Fatalf("audit lines (newest first): %v", lines)
	}

	st, body := a.call("GET", "/v1/services", "")
	if st != 200 {
		t.Fatalf("services: %d %s", st, body)
	}
	svc := decode[struct {
		Upstreams []struct {
			Upstream string
			Calls    int
			Services []struct {
				Service string
				Keys    []struct {
					KeyID string `json:"key_id"`
					Calls int
				}
			}
		}
	}](t, body)
	if len(svc.Upstreams) != 1 || svc.Upstreams[0].Calls != 1 || len(svc.Upstreams[0].Services) != 1 ||
		svc.Upstreams[0].Services[0].Service != "billing-sync" || svc.Upstreams[0].Services[0].Keys[0].KeyID != iss.Key.ID {
		t.Fatalf("services: %s", body)
	}
}

// brokenCalls is a memStore whose audit trail fails after one call.
type brokenCalls struct{ *memStore }

func (brokenCalls) Calls(context.Context, gateway.CallFilter) iter.Seq2[gateway.Call, error] {
	return func(yield func(gateway.Call, error) bool) {
		if !yield(gateway.Call{Method: "GET", Status: 200}, nil) {
			return
		}
		yield(gateway.Call{}, errors.New("disk on fire"))
	}
}

func TestAdminAPIAuditExportReportsAFailureMidStream(t *testing.T) {
	st := brokenCalls{newMemStore()}
	adm, err := gateway.NewAdmin(st, storeKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := gateway.NewAdminHandler(adm, newAdminCred(adminToken))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/v1/audit", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	lines := strings.Split(strings.TrimSpace(w.Body.String()), "\n")
	if w.Code != 200 || len(lines) != 2 || !strings.HasPrefix(lines[1], `{"error":`) || !strings.Contains(lines[1], "disk on fire") {
		t.Fatalf("%d\n%s", w.Code, w.Body.String())
	}
}
