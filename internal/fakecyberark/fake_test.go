package fakecyberark

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
)

func start(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	for _, err := range []error{
		s.AddOAuthClient("client", "client-secret"),
		s.AddUser("CyberArk", "user", "user-password"),
		s.Grant("client", "Safe", true),
		s.Grant("user", "Safe", true),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

type answer struct {
	status int
	body   string
	err    map[string]string
}

func do(t *testing.T, c *http.Client, method, u, auth, ctype, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, body: string(b)}
	_ = json.Unmarshal(b, &a.err)
	return a
}

func (s *Server) testPlatformToken(t *testing.T) string {
	t.Helper()
	a := do(t, http.DefaultClient, "POST", s.IdentityURL()+"/oauth2/platformtoken", "", "application/x-www-form-urlencoded",
		url.Values{"grant_type": {"client_credentials"}, "client_id": {"client"}, "client_secret": {"client-secret"}}.Encode())
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if a.status != 200 || json.Unmarshal([]byte(a.body), &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("platform token: HTTP %d %s", a.status, a.body)
	}
	return tok.AccessToken
}

func (s *Server) testLogon(t *testing.T) string {
	t.Helper()
	a := do(t, http.DefaultClient, "POST", s.PVWAURL()+"/PasswordVault/API/auth/CyberArk/Logon", "", "application/json", `{"username":"user","password":"user-password"}`)
	var tok string
	if a.status != 200 || json.Unmarshal([]byte(a.body), &tok) != nil || tok == "" {
		t.Fatalf("logon: HTTP %d %s", a.status, a.body)
	}
	return tok
}

func TestPlatformTokenExpiry(t *testing.T) {
	c := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	s := start(t, WithClock(c), WithTokenTTL(time.Minute))
	tok := s.testPlatformToken(t)
	u := s.PVWAURL() + "/PasswordVault/API/Accounts?search=x"
	if a := do(t, http.DefaultClient, "GET", u, "Bearer "+tok, "", ""); a.status != 200 {
		t.Fatalf("fresh token: HTTP %d %s", a.status, a.body)
	}
	if a := do(t, http.DefaultClient, "GET", u, tok, "", ""); a.status != 401 || a.err["ErrorCode"] != "PASWS006E" {
		t.Fatalf("platform token without Bearer: HTTP %d %s, want 401 PASWS006E", a.status, a.body)
	}
	c.Advance(time.Minute)
	if a := do(t, http.DefaultClient, "GET", u, "Bearer "+tok, "", ""); a.status != 401 || a.err["ErrorCode"] != "PASWS006E" || a.err["ErrorMessage"] == "" {
		t.Fatalf("expired token: HTTP %d %s, want 401 PASWS006E", a.status, a.body)
	}
}

func TestIdentityRefusals(t *testing.T) {
	s := start(t)
	u := s.IdentityURL() + "/oauth2/platformtoken"
	form := func(grant, id, secret string) string {
		return url.Values{"grant_type": {grant}, "client_id": {id}, "client_secret": {secret}}.Encode()
	}
	for _, tc := range []struct {
		name, ctype, body, code string
		status                  int
	}{
		{"bad secret", "application/x-www-form-urlencoded", form("client_credentials", "client", "nope"), "invalid_client", 401},
		{"user is not a client", "application/x-www-form-urlencoded", form("client_credentials", "user", "user-password"), "invalid_client", 401},
		{"grant type", "application/x-www-form-urlencoded", form("password", "client", "client-secret"), "unsupported_grant_type", 400},
		{"JSON body", "application/json", `{"grant_type":"client_credentials"}`, "invalid_request", 400},
	} {
		a := do(t, http.DefaultClient, "POST", u, "", tc.ctype, tc.body)
		if a.status != tc.status || a.err["error"] != tc.code {
			t.Errorf("%s: HTTP %d %s, want %d %s", tc.name, a.status, a.body, tc.status, tc.code)
		}
	}
	if st := s.Stats(); st.TokenFailures != 2 || st.PlatformTokens != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestSessionIdleTimeoutAndLogoff(t *testing.T) {
	c := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	s := start(t, WithClock(c), WithSessionTTL(20*time.Minute))
	tok := s.testLogon(t)
	u := s.PVWAURL() + "/passwordvault/api/accounts" // IIS paths ignore case
	c.Advance(19 * time.Minute)
	if a := do(t, http.DefaultClient, "GET", u, tok, "", ""); a.status != 200 {
		t.Fatalf("session used within its idle timeout: HTTP %d %s", a.status, a.body)
	}
	c.Advance(19 * time.Minute) // idle time counts from the last use
	if a := do(t, http.DefaultClient, "GET", u, tok, "", ""); a.status != 200 {
		t.Fatalf("session used again within its idle timeout: HTTP %d %s", a.status, a.body)
	}
	if a := do(t, http.DefaultClient, "GET", u, "Bearer "+tok, "", ""); a.status != 401 {
		t.Fatalf("session token sent as Bearer: HTTP %d, want 401", a.status)
	}
	if a := do(t, http.DefaultClient, "POST", s.PVWAURL()+"/PasswordVault/API/Auth/Logoff", tok, "", ""); a.status != 200 {
		t.Fatalf("logoff: HTTP %d %s", a.status, a.body)
	}
	if a := do(t, http.DefaultClient, "GET", u, tok, "", ""); a.status != 401 {
		t.Fatalf("session after logoff: HTTP %d, want 401", a.status)
	}
	tok = s.testLogon(t)
	c.Advance(20 * time.Minute)
	if a := do(t, http.DefaultClient, "GET", u, tok, "", ""); a.status != 401 {
		t.Fatalf("idle session: HTTP %d, want 401", a.status)
	}
	st := s.Stats()
	if st.Logons != 2 || st.Logoffs != 1 || st.Unauthorized != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestLogonRefusal(t *testing.T) {
	s := start(t)
	for _, tc := range []struct{ method, body string }{
		{"CyberArk", `{"username":"user","password":"wrong"}`},
		{"LDAP", `{"username":"user","password":"user-password"}`},
		{"CyberArk", `{"username":"client","password":"client-secret"}`},
	} {
		a := do(t, http.DefaultClient, "POST", s.PVWAURL()+"/PasswordVault/API/auth/"+tc.method+"/Logon", "", "application/json", tc.body)
		if a.status != 403 || a.err["ErrorCode"] != "PASWS013E" || !strings.Contains(a.err["ErrorMessage"], "Authentication failure") {
			t.Errorf("%s %s: HTTP %d %s, want 403 PASWS013E", tc.method, tc.body, a.status, a.body)
		}
		if strings.Contains(a.body, "user-password") || strings.Contains(a.body, "wrong") {
			t.Errorf("the refusal echoes the password: %s", a.body)
		}
	}
}

func TestSearchFilterAndRetrieveReason(t *testing.T) {
	s := start(t)
	id, _ := s.AddAccount(Account{Safe: "Safe", Name: "hubspot-token", UserName: "svc", Password: `p"w\d`})
	if _, err := s.AddAccount(Account{Safe: "Other", Name: "hubspot-token", Password: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAccount(Account{Safe: "Safe", Name: "unrelated", Password: "x"}); err != nil {
		t.Fatal(err)
	}
	tok := "Bearer " + s.testPlatformToken(t)
	base := s.PVWAURL() + "/PasswordVault/API/Accounts"
	search := func(q string) (int, []string) {
		a := do(t, http.DefaultClient, "GET", base+"?"+q, tok, "", "")
		var r struct {
			Value []struct {
				ID       string `json:"id"`
				SafeName string `json:"safeName"`
			} `json:"value"`
			Count int `json:"count"`
		}
		if a.status != 200 || json.Unmarshal([]byte(a.body), &r) != nil {
			t.Fatalf("search %s: HTTP %d %s", q, a.status, a.body)
		}
		var ids []string
		for _, v := range r.Value {
			ids = append(ids, v.ID)
		}
		return r.Count, ids
	}
	// The client is not a member of "Other": its account stays hidden.
	if n, ids := search("search=hubspot"); n != 1 || ids[0] != id {
		t.Fatalf("search without filter: %d %v", n, ids)
	}
	if err := s.Grant("client", "Other", false); err != nil {
		t.Fatal(err)
	}
	if n, _ := search("search=hubspot%20token"); n != 2 {
		t.Fatalf("search across safes: %d results, want 2", n)
	}
	if n, ids := search("search=hubspot&filter=safeName%20eq%20Safe"); n != 1 || ids[0] != id {
		t.Fatalf("filtered search: %d %v", n, ids)
	}
	if n, _ := search("search=hubspot&searchType=startswith"); n != 2 {
		t.Fatalf("startswith: %d", n)
	}
	if a := do(t, http.DefaultClient, "GET", base+"?filter=safeName%3DSafe", tok, "", ""); a.status != 400 || a.err["ErrorCode"] == "" {
		t.Fatalf("bad filter: HTTP %d %s, want 400 with an ErrorCode", a.status, a.body)
	}

	retrieve := base + "/" + id + "/Password/Retrieve"
	if a := do(t, http.DefaultClient, "POST", retrieve, tok, "application/json", `{}`); a.status != 400 || a.err["ErrorCode"] != "PASWS088E" {
		t.Fatalf("retrieve without reason: HTTP %d %s, want 400 PASWS088E", a.status, a.body)
	}
	a := do(t, http.DefaultClient, "POST", retrieve, tok, "application/json", `{"reason":"audit me"}`)
	var pw string
	if a.status != 200 || json.Unmarshal([]byte(a.body), &pw) != nil || pw != `p"w\d` {
		t.Fatalf("retrieve: HTTP %d %s", a.status, a.body)
	}
	if a.body != `"p\"w\\d"` {
		t.Fatalf("retrieve body %s is not the escaped JSON string", a.body)
	}
	if r := s.Reasons(); len(r) != 1 || r[0] != "audit me" {
		t.Fatalf("reasons %q", r)
	}
	if a := do(t, http.DefaultClient, "POST", base+"/999_9/Password/Retrieve", tok, "application/json", `{"reason":"r"}`); a.status != 404 || a.err["ErrorCode"] == "" {
		t.Fatalf("unknown account: HTTP %d %s", a.status, a.body)
	}
	other, _ := s.AddAccount(Account{Safe: "Other", Name: "o", Password: "x"})
	if a := do(t, http.DefaultClient, "POST", base+"/"+other+"/Password/Retrieve", tok, "application/json", `{"reason":"r"}`); a.status != 403 || a.err["ErrorCode"] != "PASWS041E" {
		t.Fatalf("list-only member: HTTP %d %s, want 403 PASWS041E", a.status, a.body)
	}
}

func TestEscapedJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\s/`, "\x00\x01\n\r\t\x7f", "é€\U0001F600", "</script>&"} {
		enc := escapedJSONString(s)
		for _, r := range enc {
			if r >= 0x7f || r < 0x20 {
				t.Errorf("escapedJSONString(%q) = %q holds a raw non-printable or non-ASCII character", s, enc)
			}
		}
		var got string
		if err := json.Unmarshal([]byte(enc), &got); err != nil || got != s {
			t.Errorf("escapedJSONString(%q) = %q decodes to %q, %v", s, enc, got, err)
		}
	}
}

func TestCCP(t *testing.T) {
	s := start(t)
	if _, err := s.AddAccount(Account{Safe: "Safe", Name: "obj", UserName: "svc", Password: "ccp-pw"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAccount(Account{Safe: "Safe", Name: "obj2", Password: "x"}); err != nil {
		t.Fatal(err)
	}
	for _, app := range []App{
		{ID: "CertApp", Safes: []string{"Safe"}, RequireCert: true, CertCN: "good"},
		{ID: "MachineApp", Safes: []string{"Safe"}, AllowedMachines: []string{"127.0.0.1"}},
		{ID: "ElsewhereApp", Safes: []string{"Safe"}, AllowedMachines: []string{"10.9.8.7"}},
		{ID: "NoSafeApp", AllowedMachines: []string{"127.0.0.1"}},
	} {
		if err := s.AddApplication(app); err != nil {
			t.Fatal(err)
		}
	}
	client := func(cn string, untrusted bool) *http.Client {
		cfg := &tls.Config{RootCAs: s.RootCAs()}
		if cn != "" {
			issue := s.IssueClientCert
			if untrusted {
				issue = UntrustedClientCert
			}
			c, k, err := issue(cn)
			if err != nil {
				t.Fatal(err)
			}
			pair, err := tls.X509KeyPair(c, k)
			if err != nil {
				t.Fatal(err)
			}
			// Present the certificate whatever CAs the server asks for,
			// as the provider does.
			cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &pair, nil }
		}
		return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	}
	get := func(c *http.Client, q string) answer {
		return do(t, c, "GET", s.CCPURL()+"/AIMWebService/api/Accounts?"+q, "", "", "")
	}
	good := client("good", false)
	a := get(good, "AppID=CertApp&Safe=Safe&Object=obj")
	var ok struct{ Content, UserName, PasswordChangeInProcess string }
	if a.status != 200 || json.Unmarshal([]byte(a.body), &ok) != nil || ok.Content != "ccp-pw" || ok.UserName != "svc" || ok.PasswordChangeInProcess != "False" {
		t.Fatalf("certificate app: HTTP %d %s", a.status, a.body)
	}
	if a := get(good, "appid=CertApp&Query=Safe%3DSafe%3BObject%3Dobj"); a.status != 200 {
		t.Fatalf("query: HTTP %d %s", a.status, a.body)
	}
	for _, tc := range []struct {
		name   string
		c      *http.Client
		q      string
		status int
		code   string
	}{
		{"no certificate", client("", false), "AppID=CertApp&Safe=Safe&Object=obj", 403, "APPAP306E"},
		{"wrong subject", client("bad", false), "AppID=CertApp&Safe=Safe&Object=obj", 403, "APPAP306E"},
		{"allowed machine", client("", false), "AppID=MachineApp&Safe=Safe&Object=obj", 200, ""},
		{"machine not allowed", client("", false), "AppID=ElsewhereApp&Safe=Safe&Object=obj", 403, "APPAP306E"},
		{"unknown app", good, "AppID=Nobody&Safe=Safe&Object=obj", 403, "APPAP008E"},
		{"no AppID", good, "Safe=Safe&Object=obj", 400, "AIMWS031E"},
		{"no object", good, "AppID=CertApp&Safe=Safe", 400, "AIMWS030E"},
		{"no such object", good, "AppID=CertApp&Safe=Safe&Object=nope", 404, "APPAP004E"},
		{"safe not granted", client("", false), "AppID=NoSafeApp&Safe=Safe&Object=obj", 404, "APPAP004E"},
		{"ambiguous", good, "AppID=CertApp&Query=Safe%3DSafe%3BObject%3Dobj.*&QueryFormat=Regexp", 400, "APPAP227E"},
	} {
		a := get(tc.c, tc.q)
		if a.status != tc.status || a.err["ErrorCode"] != tc.code || (tc.code != "" && a.err["ErrorMsg"] == "") {
			t.Errorf("%s: HTTP %d %s, want %d %s with an ErrorMsg", tc.name, a.status, a.body, tc.status, tc.code)
		}
	}
	// A certificate from another CA does not get through the TLS layer.
	req, _ := http.NewRequest("GET", s.CCPURL()+"/AIMWebService/api/Accounts?AppID=CertApp&Safe=Safe&Object=obj", nil)
	if resp, err := client("good", true).Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("a certificate from an untrusted CA got HTTP %d", resp.StatusCode)
	}
}

func TestCCPRequireCertAtTLS(t *testing.T) {
	s := start(t, WithCCPClientAuth(tls.RequireAndVerifyClientCert))
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.RootCAs()}}}
	resp, err := c.Get(s.CCPURL() + "/AIMWebService/api/Accounts?AppID=x&Safe=s&Object=o")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a connection without a certificate got HTTP %d", resp.StatusCode)
	}
}
