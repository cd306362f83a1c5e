package gateway_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/sqlstore"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// consoleRig is a rig with the admin API and its console served beside
// it, and a browser-like client: a cookie jar, no redirects followed.
type consoleRig struct {
	*rig
	cred   *adminCred
	api    *httptest.Server
	client *http.Client
	logs   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newSQLRig is newRig on sqlstore's SQLite store, whose usage reports the
// console draws.
func newSQLRig(t *testing.T) *rig {
	t.Helper()
	fc := clock.NewFake(time.Now())
	hs := hubspottest.NewServer(t)
	real := hs.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.deals.read")
	cache, err := secrets.NewCache(secretstest.NewStatic(real))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cache.Close() })
	st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "gateway.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	gw, err := gateway.New(context.Background(), gateway.Config{Store: st, StoreKey: storeKey, Upstream: hs.URL(), Token: cache, Clock: fc})
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
	return &rig{t: t, hs: hs, upstream: real, gw: gw, srv: srv, admin: adm, clock: fc}
}

func newConsoleRig(t *testing.T, cfg gateway.ConsoleConfig) *consoleRig {
	t.Helper()
	r := newSQLRig(t)
	cred := newAdminCred(adminToken)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := gateway.NewAdminHandler(r.admin, cred, gateway.WithGateway(r.gw), gateway.WithAdminLogger(logger), gateway.WithConsole(cfg))
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(h)
	t.Cleanup(api.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &consoleRig{rig: r, cred: cred, api: api, client: client, logs: logs}
}

type page struct {
	status int
	body   string
	header http.Header
}

func (c *consoleRig) get(path string) page {
	c.t.Helper()
	req, err := http.NewRequest("GET", c.api.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.send(req)
}

// post sends a form as a same-origin page of the console would.
func (c *consoleRig) post(path string, form url.Values) page {
	c.t.Helper()
	return c.postFrom(c.api.URL, path, form)
}

func (c *consoleRig) postFrom(origin, path string, form url.Values) page {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.api.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	return c.send(req)
}

func (c *consoleRig) send(req *http.Request) page {
	c.t.Helper()
	resp, err := c.client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return page{resp.StatusCode, string(b), resp.Header}
}

func (c *consoleRig) login() {
	c.t.Helper()
	p := c.post("/console/login", url.Values{"token": {adminToken}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/keys" {
		c.t.Fatalf("login: %d %s", p.status, p.body)
	}
}

var (
	csrfRE  = regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`)
	nonceRE = regexp.MustCompile(`name="nonce" value="([0-9a-f]{32})"`)
	tokenRE = regexp.MustCompile(`<code id="token" class="secret">([^<]+)</code>`)
	keyIDRE = regexp.MustCompile(`<code id="key-id">(key_[0-9a-f]+)</code>`)
)

func match(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s not found in\n%s", re, body)
	}
	return m[1]
}

// csrf returns the session's CSRF token, read from the Keys page.
func (c *consoleRig) csrf() string {
	c.t.Helper()
	return match(c.t, csrfRE, c.get("/console/keys").body)
}

// createKey goes through the New key form, its confirmation and the
// reveal page, and returns the new key's ID and token.
func (c *consoleRig) createKey(form url.Values) (id, token string) {
	c.t.Helper()
	form.Set("csrf", c.csrf())
	rv := c.post("/console/keys/new", form)
	if rv.status != http.StatusOK {
		c.t.Fatalf("review: %d %s", rv.status, rv.body)
	}
	p := c.post("/console/confirm", url.Values{"csrf": {form.Get("csrf")}, "nonce": {match(c.t, nonceRE, rv.body)}})
	if p.status != http.StatusCreated {
		c.t.Fatalf("create: %d %s", p.status, p.body)
	}
	if cc := p.header.Get("Cache-Control"); cc != "no-store" {
		c.t.Errorf("the reveal page's Cache-Control is %q; want no-store", cc)
	}
	return match(c.t, keyIDRE, p.body), match(c.t, tokenRE, p.body)
}

// act confirms and carries out suspend, resume, revoke or rotate on a key.
func (c *consoleRig) act(id, act string, extra url.Values) page {
	c.t.Helper()
	cf := c.get("/console/keys/" + id + "/" + act)
	if cf.status != http.StatusOK {
		c.t.Fatalf("%s confirmation: %d %s", act, cf.status, cf.body)
	}
	form := url.Values{"csrf": {match(c.t, csrfRE, cf.body)}, "nonce": {match(c.t, nonceRE, cf.body)}}
	for k, v := range extra {
		form[k] = v
	}
	return c.post("/console/confirm", form)
}

func TestConsoleLoginLogout(t *testing.T) {
	c := newConsoleRig(t, gateway.ConsoleConfig{})
	for _, path := range []string{"/console/keys", "/console/usage", "/console/audit", "/console/audit/export", "/console/keys/new"} {
		if p := c.get(path); p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/login" {
			t.Errorf("GET %s logged out: %d %q; want a redirect to the login page", path, p.status, p.header.Get("Location"))
		}
	}
	if p := c.get("/"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/keys" {
		t.Errorf("GET /: %d %q", p.status, p.header.Get("Location"))
	}
	lp := c.get("/console/login")
	if lp.status != http.StatusOK || !strings.Contains(lp.body, `type="password"`) {
		t.Fatalf("login page: %d %s", lp.status, lp.body)
	}
	for name, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options":  "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
		"Cache-Control": "no-store",
	} {
		if got := lp.header.Get(name); got != want {
			t.Errorf("%s = %q; want %q", name, got, want)
		}
	}
	css := c.get("/console/static/style.css")
	if css.status != http.StatusOK || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %q", css.status, css.header.Get("Content-Type"))
	}

	// A wrong token, a token from another site: no session.
	for _, tc := range []struct {
		origin, token string
		want          int
	}{
		{c.api.URL, "wrong-admin-token-0123456789", http.StatusUnauthorized},
		{c.api.URL, "", http.StatusUnauthorized},
		{c.api.URL, adminToken + "x", http.StatusUnauthorized},
		{"https://evil.example", adminToken, http.StatusForbidden},
	} {
		p := c.postFrom(tc.origin, "/console/login", url.Values{"token": {tc.token}})
		if p.status != tc.want || p.header.Get("Set-Cookie") != "" {
			t.Errorf("login from %s: %d, cookie %q; want %d and none", tc.origin, p.status, p.header.Get("Set-Cookie"), tc.want)
		}
		if strings.Contains(p.body, adminToken) {
			t.Errorf("login from %s: the answer holds the admin token", tc.origin)
		}
	}
	if c.get("/console/keys").status != http.StatusSeeOther {
		t.Fatal("a failed login gave a session")
	}

	p := c.post("/console/login", url.Values{"token": {adminToken}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", p.status, p.body)
	}
	ck := p.header.Get("Set-Cookie")
	for _, want := range []string{"hubkey_console=", "HttpOnly", "SameSite=Strict", "Path=/console/"} {
		if !strings.Contains(ck, want) {
			t.Errorf("session cookie %q lacks %s", ck, want)
		}
	}
	if strings.Contains(ck, "Secure") {
		t.Errorf("session cookie %q is Secure over plain HTTP", ck)
	}
	if m := regexp.MustCompile(`hubkey_console=([0-9a-f]{64});`).FindStringSubmatch(ck); m == nil {
		t.Errorf("session cookie %q is not a 256-bit random ID", ck)
	}
	if kp := c.get("/console/keys"); kp.status != http.StatusOK || !strings.Contains(kp.body, "No keys yet") {
		t.Fatalf("keys page: %d %s", kp.status, kp.body)
	}
	// The JSON API keeps bearer auth: the session cookie does not open it.
	if p := c.get("/v1/keys"); p.status != http.StatusUnauthorized {
		t.Errorf("GET /v1/keys with the console's cookie: %d; want 401", p.status)
	}

	// Logging out needs the CSRF token, then ends the session.
	if p := c.post("/console/logout", url.Values{}); p.status != http.StatusForbidden {
		t.Errorf("logout without the CSRF token: %d; want 403", p.status)
	}
	if p := c.post("/console/logout", url.Values{"csrf": {c.csrf()}}); p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/login" {
		t.Errorf("logout: %d %q", p.status, p.header.Get("Location"))
	}
	if p := c.get("/console/keys"); p.status != http.StatusSeeOther {
		t.Errorf("keys page after logout: %d; want a redirect to the login page", p.status)
	}
}

func TestConsoleSessionEnds(t *testing.T) {
	c := newConsoleRig(t, gateway.ConsoleConfig{SessionTTL: time.Hour})
	c.login()
	c.clock.Advance(59 * time.Minute)
	if p := c.get("/console/keys"); p.status != http.StatusOK {
		t.Fatalf("keys page within the session: %d", p.status)
	}
	c.clock.Advance(time.Minute)
	if p := c.get("/console/keys"); p.status != http.StatusSeeOther {
		t.Errorf("keys page after the session's TTL: %d; want a redirect to the login page", p.status)
	}

	// A new admin token ends every session.
	c.login()
	c.cred.set("another-admin-token-0123456789")
	if p := c.get("/console/keys"); p.status != http.StatusSeeOther {
		t.Errorf("keys page after the admin token changed: %d; want a redirect to the login page", p.status)
	}
	// A short admin token locks the console, as it locks the API.
	c.cred.set("short")
	if p := c.get("/console/keys"); p.status != http.StatusServiceUnavailable {
		t.Errorf("keys page with a short admin token: %d; want 503", p.status)
	}
	if p := c.post("/console/login", url.Values{"token": {"short"}}); p.status != http.StatusServiceUnavailable {
		t.Errorf("login with a short admin token: %d; want 503", p.status)
	}
}

func TestConsoleLoginThrottled(t *testing.T) {
	c := newConsoleRig(t, gateway.ConsoleConfig{})
	for i := range 10 {
		if p := c.post("/console/login", url.Values{"token": {"guess-0123456789abcdef"}}); p.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d; want 401", i, p.status)
		}
	}
	p := c.post("/console/login", url.Values{"token": {adminToken}})
	if p.status != http.StatusTooManyRequests || p.header.Get("Set-Cookie") != "" || p.header.Get("Retry-After") != "60" {
		t.Fatalf("the right token after 10 wrong ones within a minute: %d %q; want 429 and no session", p.status, p.header.Get("Set-Cookie"))
	}
	c.clock.Advance(time.Minute)
	c.login()
	if p := c.get("/console/keys"); p.status != http.StatusOK {
		t.Errorf("keys page after the lock passed: %d", p.status)
	}
}

func TestConsoleCSRF(t *testing.T) {
	c := newConsoleRig(t, gateway.ConsoleConfig{})
	c.login()
	csrf := c.csrf()
	form := url.Values{"name": {"reader"}, "service": {"billing-sync"}, "scopes": {"crm.objects.contacts.read"}}
	for _, tc := range []struct {
		name, origin, csrf string
	}{
		{"no token", c.api.URL, ""},
		{"wrong token", c.api.URL, strings.Repeat("0", 64)},
		{"right token, another site", "https://evil.example", csrf},
	} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("csrf", tc.csrf)
		if p := c.postFrom(tc.origin, "/console/keys/new", f); p.status != http.StatusForbidden {
			t.Errorf("%s: %d; want 403", tc.name, p.status)
		}
	}
	// Sec-Fetch-Site is checked too.
	req, _ := http.NewRequest("POST", c.api.URL+"/console/keys/new", strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := c.send(req); p.status != http.StatusForbidden {
		t.Errorf("a cross-site POST: %d; want 403", p.status)
	}

	// A change needs its confirmation page: a made-up or reused nonce
	// changes nothing.
	rv := c.post("/console/keys/new", func() url.Values { form.Set("csrf", csrf); return form }())
	nonce := match(t, nonceRE, rv.body)
	if p := c.post("/console/confirm", url.Values{"csrf": {csrf}, "nonce": {strings.Repeat("a", 32)}}); p.status != http.StatusConflict {
		t.Errorf("an unknown nonce: %d; want 409", p.status)
	}
	if p := c.post("/console/confirm", url.Values{"csrf": {"x"}, "nonce": {nonce}}); p.status != http.StatusForbidden {
		t.Errorf("a confirmation without the CSRF token: %d; want 403", p.status)
	}
	if p := c.post("/console/confirm", url.Values{"csrf": {csrf}, "nonce": {nonce}}); p.status != http.StatusCreated {
		t.Fatalf("the confirmation: %d %s", p.status, p.body)
	}
	if p := c.post("/console/confirm", url.Values{"csrf": {csrf}, "nonce": {nonce}}); p.status != http.StatusConflict {
		t.Errorf("the confirmation sent again: %d; want 409", p.status)
	}
	ks, _ := c.admin.Keys(context.Background())
	if len(ks) != 1 {
		t.Errorf("%d keys made; want 1", len(ks))
	}
	// A confirmation expires.
	cf := c.get("/console/keys/" + ks[0].ID + "/revoke")
	c.clock.Advance(16 * time.Minute)
	p := c.post("/console/confirm", url.Values{"csrf": {csrf}, "nonce": {match(t, nonceRE, cf.body)}})
	if k, _ := c.admin.Key(context.Background(), ks[0].ID); p.status != http.StatusConflict || k.Status.String() != "active" {
		t.Errorf("an expired confirmation: %d, key %s; want 409 and the key active", p.status, k.Status)
	}
}

func TestConsoleKeyLifecycle(t *testing.T) {
	c := newConsoleRig(t, gateway.ConsoleConfig{})
	c.login()
	id, token := c.createKey(url.Values{
		"name": {"billing reader"}, "service": {"billing-sync"},
		"scopes": {"crm.objects.contacts.read"}, "allowed_ips": {"127.0.0.1, ::1"}, "expires_in": {"168h"},
	})
	if st, _, _ := c.do("GET", "/crm/v3/objects/contacts", token, "", nil); st != http.StatusOK {
		t.Fatalf("a call with the new key: %d", st)
	}
	if st, _, _ := c.do("GET", "/crm/v3/objects/deals", token, "", nil); st != http.StatusForbidden {
		t.Fatalf("a call outside the key's scopes: %d", st)
	}

	kp := c.get("/console/keys")
	for _, want := range []string{id, "billing reader", "billing-sync", "crm.objects.contacts.read", "127.0.0.1/32, ::1/128", "expires soon", "/console/keys/" + id + "/revoke"} {
		if !strings.Contains(kp.body, want) {
			t.Errorf("the keys page lacks %q", want)
		}
	}
	if !regexp.MustCompile(`<td class="num">2</td>`).MatchString(kp.body) {
		t.Errorf("the keys page does not count 2 calls in the last 24 h:\n%s", kp.body)
	}

	for _, rg := range []string{"", "?range=hour", "?range=day", "?range=week"} {
		up := c.get("/console/usage" + rg)
		if up.status != http.StatusOK || !strings.Contains(up.body, "2 calls, 1 denied") || !strings.Contains(up.body, "<svg") {
			t.Errorf("usage%s: %d, no chart of 2 calls, 1 denied", rg, up.status)
		}
	}
	if up := c.get("/console/usage?range=hour"); !strings.Contains(up.body, "100 requests per 10s, 36000 calls over the last hour") ||
		!strings.Contains(up.body, "In its busiest 2m0s") {
		t.Errorf("the usage page does not state HubSpot's rate budget for the hour")
	}
	if p := c.get("/console/usage?range=year"); p.status != http.StatusBadRequest {
		t.Errorf("usage?range=year: %d; want 400", p.status)
	}

	ap := c.get("/console/audit?key=" + id + "&denied=true")
	if ap.status != http.StatusOK || !strings.Contains(ap.body, "missing scopes") || strings.Contains(ap.body, "<td class=\"num\">200</td>") {
		t.Errorf("audit of denials: %d %s", ap.status, ap.body)
	}
	if p := c.get("/console/audit?status=abc"); p.status != http.StatusBadRequest || !strings.Contains(p.body, "not an HTTP status code") {
		t.Errorf("audit?status=abc: %d", p.status)
	}
	ex := c.get("/console/audit/export?key=" + id + "&status=200&reason=")
	lines := strings.Split(strings.TrimSpace(ex.body), "\n")
	if ex.status != http.StatusOK || ex.header.Get("Content-Type") != "application/x-ndjson" || len(lines) != 1 || !strings.Contains(lines[0], `"status": 200`) && !strings.Contains(lines[0], `"status":200`) {
		t.Errorf("export: %d %q %q", ex.status, ex.header.Get("Content-Type"), ex.body)
	}

	// Suspend, resume, rotate, revoke.
	if p := c.act(id, "suspend", nil); p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Location"), "done=suspend") {
		t.Fatalf("suspend: %d %s", p.status, p.body)
	}
	if st, _, _ := c.do("GET", "/crm/v3/objects/contacts", token, "", nil); st != http.StatusForbidden {
		t.Errorf("a call with a suspended key: %d; want 403", st)
	}
	if p := c.get("/console/keys?done=suspend&key=" + id); !strings.Contains(p.body, "Key "+id+" suspended.") {
		t.Errorf("no flash after suspending")
	}
	if p := c.act(id, "resume", nil); p.status != http.StatusSeeOther {
		t.Fatalf("resume: %d %s", p.status, p.body)
	}
	rp := c.act(id, "rotate", url.Values{"grace": {"0s"}})
	if rp.status != http.StatusCreated {
		t.Fatalf("rotate: %d %s", rp.status, rp.body)
	}
	newID, newToken := match(t, keyIDRE, rp.body), match(t, tokenRE, rp.body)
	if st, _, _ := c.do("GET", "/crm/v3/objects/contacts", newToken, "", nil); st != http.StatusOK {
		t.Errorf("a call with the rotated key: %d", st)
	}
	if p := c.act(newID, "revoke", nil); p.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d %s", p.status, p.body)
	}
	if st, _, _ := c.do("GET", "/crm/v3/objects/contacts", newToken, "", nil); st != http.StatusUnauthorized {
		t.Errorf("a call with a revoked key: %d; want 401", st)
	}
	if p := c.get("/console/keys/" + newID + "/resume"); p.status != http.StatusOK {
		t.Fatalf("resume confirmation of a revoked key: %d", p.status)
	} else if q := c.post("/console/confirm", url.Values{"csrf": {match(t, csrfRE, p.body)}, "nonce": {match(t, nonceRE, p.body)}}); q.status != http.StatusConflict {
		t.Errorf("resuming a revoked key: %d; want 409", q.status)
	}
	for _, path := range []string{"/console/keys/key_0000000000000000/revoke", "/console/keys/" + id + "/delete", "/console/nothing"} {
		if p := c.get(path); p.status != http.StatusNotFound {
			t.Errorf("GET %s: %d; want 404", path, p.status)
		}
	}
	if p := c.post("/console/keys/new", url.Values{"csrf": {c.csrf()}, "name": {"x"}, "service": {"s"}, "scopes": {"crm.nothing"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "not a HubSpot scope") {
		t.Errorf("a bad scope: %d", p.status)
	}
}

func TestConsoleIdleAndExpiring(t *testing.T) {
	c := newConsoleRig(t, gateway.ConsoleConfig{IdleAfter: 48 * time.Hour})
	used := c.create(gateway.KeySpec{Name: "busy", Scopes: []string{"crm.objects.contacts.read"}})
	idle := c.create(gateway.KeySpec{Name: "quiet", Scopes: []string{"crm.objects.contacts.read"}})
	soon := c.create(gateway.KeySpec{Name: "ending", Scopes: []string{"crm.objects.contacts.read"}, ExpiresAt: c.clock.Now().Add(10 * 24 * time.Hour)})
	c.clock.Advance(4 * 24 * time.Hour)
	if st, _, _ := c.do("GET", "/crm/v3/objects/contacts", used.Token.Reveal(), "", nil); st != http.StatusOK {
		t.Fatalf("call: %d", st)
	}
	c.login()
	body := c.get("/console/keys").body
	row := func(id string) string {
		m := regexp.MustCompile(`<tr id="key-` + id + `" class="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no row for %s", id)
		}
		return m[1]
	}
	if got := row(used.Key.ID); got != "status-active" {
		t.Errorf("the used key's row is %q", got)
	}
	if got := row(idle.Key.ID); got != "status-active idle" {
		t.Errorf("the idle key's row is %q", got)
	}
	if got := row(soon.Key.ID); got != "status-active idle soon" {
		t.Errorf("the expiring key's row is %q", got)
	}
	if !strings.Contains(body, "2 idle") || !strings.Contains(body, "unused for 2 days") {
		t.Errorf("the keys page does not count the idle keys")
	}
}

// TestConsoleNothingSecret visits every page after keys were made and
// used, and finds no token, signing secret, upstream token or admin token
// in any of them, nor in the logs; and it finds names escaped.
func TestConsoleNothingSecret(t *testing.T) {
	c := newConsoleRig(t, gateway.ConsoleConfig{})
	evil := `<script>alert("x")</script>`
	made := c.create(gateway.KeySpec{Name: evil, Service: `svc"><img src=x>`, Scopes: []string{"crm.objects.contacts.read"}, RequireSignature: true})
	if made.SigningSecret.IsZero() {
		t.Fatal("no signing secret")
	}
	c.login()
	id, token := c.createKey(url.Values{"name": {"web"}, "service": {"web"}, "scopes": {"crm.objects.contacts.read"}, "require_signature": {"1"}})
	for _, tok := range []string{made.Token.Reveal(), token} {
		c.do("GET", "/crm/v3/objects/contacts", tok, "", nil)
	}
	c.do("GET", "/crm/v3/objects/contacts", "hkg_not-a-real-token-at-all-0000", "", nil)

	secretsOf := []struct {
		what string
		v    secrets.Secret
	}{
		{"the admin token", secrets.New(adminToken)}, {"the upstream token", secrets.New(c.upstream)},
		{"a key's token", made.Token}, {"a key's signing secret", made.SigningSecret},
		{"the console key's token", secrets.New(token)},
	}
	paths := []string{
		"/console/keys", "/console/keys/new", "/console/usage?range=hour", "/console/usage?range=day",
		"/console/usage?range=week", "/console/audit", "/console/audit?denied=true", "/console/audit/export",
		"/console/keys/" + made.Key.ID + "/rotate", "/console/keys/" + id + "/revoke", "/console/static/style.css",
	}
	for _, path := range paths {
		p := c.get(path)
		if p.status != http.StatusOK {
			t.Errorf("GET %s: %d", path, p.status)
		}
		for _, sc := range secretsOf {
			if strings.Contains(p.body, sc.v.Reveal()) {
				t.Errorf("GET %s holds %s", path, sc.what)
			}
		}
		if strings.Contains(p.body, "<script") || strings.Contains(p.body, `"><img`) {
			t.Errorf("GET %s holds unescaped markup from a key's name or service", path)
		}
	}
	kp := c.get("/console/keys").body
	if !strings.Contains(kp, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("the keys page does not show the escaped name")
	}
	for _, sc := range secretsOf {
		if strings.Contains(c.logs.String(), sc.v.Reveal()) {
			t.Errorf("the logs hold %s", sc.what)
		}
	}
	if !strings.Contains(c.logs.String(), "gateway console: key created") {
		t.Errorf("the logs do not record the key made in the console:\n%s", c.logs.String())
	}
}
