package cyberark_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/internal/fakecyberark"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/cyberark"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

type ccpHarness struct {
	e         *env
	t         *testing.T
	machines  bool // allowed-machines application, no certificate
	providers []*cyberark.CCP
}

func (h *ccpHarness) MakeProvider(context.Context) (secrets.Provider, error) {
	var c *cyberark.CCP
	if h.machines {
		c = h.e.ccpWith(h.t, "MachineApp", defaultQuery, cyberark.WithRootCAs(h.e.fake.RootCAs()))
	} else {
		c = h.e.ccp(h.t, defaultQuery)
	}
	h.providers = append(h.providers, c)
	return c, nil
}

func (h *ccpHarness) SetValue(_ context.Context, v string) error {
	return h.e.fake.SetPassword(h.e.id, v)
}
func (h *ccpHarness) Break(context.Context) error { return h.e.fake.DeleteAccount(h.e.id) }
func (h *ccpHarness) Close() {
	for _, c := range h.providers {
		c.Close()
	}
}

func TestCCPConformance(t *testing.T) {
	for _, mode := range []struct {
		name     string
		machines bool
	}{{"ClientCertificate", false}, {"AllowedMachines", true}} {
		t.Run(mode.name, func(t *testing.T) {
			secretstest.Run(t, func(ctx context.Context, t *testing.T) (secretstest.Harness, error) {
				e := newEnv(t)
				if err := e.fake.AddApplication(fakecyberark.App{ID: "MachineApp", Safes: []string{safe}, AllowedMachines: []string{"127.0.0.1", "::1"}}); err != nil {
					return nil, err
				}
				return &ccpHarness{e: e, t: t, machines: mode.machines}, nil
			})
		})
	}
}

func TestCCPFetch(t *testing.T) {
	e := newEnv(t)
	c := e.ccp(t, defaultQuery)
	v := fetch(t, c)
	if reveal(v) != firstToken {
		t.Fatalf("fetched fingerprint %s, want %s", v.Value.Fingerprint(), secrets.New(firstToken).Fingerprint())
	}
	if want := "cyberark-ccp:" + appID + "/" + safe + "/" + accountName; v.Source != want || c.Source() != want {
		t.Fatalf("Source %q (provider %q), want %q", v.Source, c.Source(), want)
	}
	if v.ID != v.Value.Fingerprint() {
		t.Fatalf("version ID %q, want the fingerprint", v.ID)
	}
	var q string
	for _, call := range e.fake.Calls() {
		if call.Server == "ccp" {
			q = call.Query
		}
	}
	want := "AppID=HubKeyApp&Safe=HubSpot%20Tokens&Object=hubspot-private-app&Reason=hubkey%3A%20application%20reads%20its%20credential"
	if q != want {
		t.Fatalf("CCP query %q, want %q", q, want)
	}
}

func TestCCPQueryForms(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		q      cyberark.CCPQuery
		source string
	}{
		{cyberark.CCPQuery{Query: "Safe=" + safe + ";Object=" + accountName}, "cyberark-ccp:HubKeyApp/query:Safe=HubSpot Tokens;Object=hubspot-private-app"},
		{cyberark.CCPQuery{Query: "Safe=" + safe + ";Object=hubspot-private-.*", QueryFormat: "Regexp"}, "cyberark-ccp:HubKeyApp/query:Safe=HubSpot Tokens;Object=hubspot-private-.*"},
		{cyberark.CCPQuery{Safe: safe, Folder: "Root", Object: accountName}, "cyberark-ccp:HubKeyApp/HubSpot Tokens/hubspot-private-app"},
		{cyberark.CCPQuery{Safe: safe, UserName: "hubspot", Address: "api.hubapi.com"}, "cyberark-ccp:HubKeyApp/HubSpot Tokens/UserName=hubspot;Address=api.hubapi.com"},
	} {
		c := e.ccp(t, tc.q)
		v := fetch(t, c)
		if reveal(v) != firstToken || v.Source != tc.source {
			t.Errorf("%+v: fingerprint %s source %q, want %s %q", tc.q, v.Value.Fingerprint(), v.Source, secrets.New(firstToken).Fingerprint(), tc.source)
		}
	}
}

func TestCCPClientCertificateRequired(t *testing.T) {
	e := newEnv(t)
	c := e.ccpWith(t, appID, defaultQuery, cyberark.WithRootCAs(e.fake.RootCAs()))
	err := fetchErr(t, c)
	wantIs(t, err, secrets.ErrPermission)
	if ae := asAPIError(t, err); ae.Code != "APPAP306E" || ae.Status != 403 || !strings.Contains(ae.Message, appID) {
		t.Fatalf("error %+v, want HTTP 403 APPAP306E naming the application", ae)
	}
}

func TestCCPUntrustedCertificate(t *testing.T) {
	e := newEnv(t)
	cert, key, err := fakecyberark.UntrustedClientCert(appCN)
	must(t, err)
	c := e.ccpWith(t, appID, defaultQuery, cyberark.WithRootCAs(e.fake.RootCAs()),
		cyberark.WithClientCertificate(secretstest.NewStatic(string(cert)), secretstest.NewStatic(string(key))))
	err = fetchErr(t, c, string(key))
	wantIs(t, err, secrets.ErrPermission)
	if !strings.Contains(err.Error(), "TLS") {
		t.Fatalf("error %q does not say the TLS connection was refused", err)
	}
}

func TestCCPCertificateRequiredAtTLS(t *testing.T) {
	e := newEnv(t, fakecyberark.WithCCPClientAuth(tls.RequireAndVerifyClientCert))
	err := fetchErr(t, e.ccpWith(t, appID, defaultQuery, cyberark.WithRootCAs(e.fake.RootCAs())))
	wantIs(t, err, secrets.ErrPermission)
	// With the certificate the same listener lets the application in.
	if v := fetch(t, e.ccp(t, defaultQuery)); reveal(v) != firstToken {
		t.Fatal("wrong value")
	}
}

func TestCCPServerCertificateVerified(t *testing.T) {
	e := newEnv(t)
	// Without the fake's CA the CCP's certificate is not trusted.
	c := e.ccpWith(t, appID, defaultQuery, cyberark.WithClientCertificate(e.certPEM, e.keyPEM))
	err := fetchErr(t, c)
	if !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("error %q does not mention the certificate", err)
	}
	if n := e.fake.Stats().CCPRequests; n != 0 {
		t.Fatalf("the CCP served %d requests over an unverified connection", n)
	}
}

func TestCCPCertificateRotation(t *testing.T) {
	e := newEnv(t)
	wrongCert, wrongKey, err := e.fake.IssueClientCert("someone-else")
	must(t, err)
	e.certPEM.Rotate(string(wrongCert))
	e.keyPEM.Rotate(string(wrongKey))
	c := e.ccp(t, defaultQuery)
	err = fetchErr(t, c, string(wrongKey))
	if ae := asAPIError(t, err); ae.Code != "APPAP306E" {
		t.Fatalf("error %+v, want APPAP306E for a certificate of the wrong subject", ae)
	}
	// The certificate is renewed at its source. The idle connection still
	// carries the old one; the provider notices the change and reconnects.
	good, goodKey, err := e.fake.IssueClientCert(appCN)
	must(t, err)
	e.certPEM.Rotate(string(good))
	e.keyPEM.Rotate(string(goodKey))
	if v := fetch(t, c); reveal(v) != firstToken {
		t.Fatal("wrong value after the certificate rotated")
	}
	before := e.fake.Stats().CCPRequests
	fetch(t, c)
	if n := e.fake.Stats().CCPRequests - before; n != 1 {
		t.Fatalf("%d requests for one fetch with a good certificate", n)
	}
}

func TestCCPCertificateAndKeyInOnePEM(t *testing.T) {
	e := newEnv(t)
	cert, key, err := e.fake.IssueClientCert(appCN)
	must(t, err)
	both := secretstest.NewStatic(string(cert) + string(key))
	c := e.ccpWith(t, appID, defaultQuery, cyberark.WithRootCAs(e.fake.RootCAs()), cyberark.WithClientCertificate(both, nil))
	if v := fetch(t, c); reveal(v) != firstToken {
		t.Fatal("wrong value")
	}
}

func TestCCPCertificateProblems(t *testing.T) {
	e := newEnv(t)
	cert, key, err := e.fake.IssueClientCert(appCN)
	must(t, err)
	_, otherKey, err := e.fake.IssueClientCert(appCN)
	must(t, err)
	failing := secretstest.NewStatic("x")
	failing.SetError(fmt.Errorf("%w: no key at the source", secrets.ErrNotFound))
	for _, tc := range []struct {
		name      string
		cert, key secrets.Provider
		want      string
	}{
		{"mismatched key", secretstest.NewStatic(string(cert)), secretstest.NewStatic(string(otherKey)), "not a usable pair"},
		{"not PEM", secretstest.NewStatic("garbage"), secretstest.NewStatic(string(key)), "not a usable pair"},
		{"key unreadable", secretstest.NewStatic(string(cert)), failing, "reading the CCP client key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.ccpWith(t, appID, defaultQuery, cyberark.WithRootCAs(e.fake.RootCAs()), cyberark.WithClientCertificate(tc.cert, tc.key))
			err := fetchErr(t, c, string(key), string(otherKey))
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestCCPErrorMapping(t *testing.T) {
	e := newEnv(t)
	must(t, e.fake.AddApplication(fakecyberark.App{ID: "ElsewhereApp", Safes: []string{safe}, AllowedMachines: []string{"10.1.2.3"}}))
	must(t, e.fake.AddApplication(fakecyberark.App{ID: "NoSafeApp", AllowedMachines: []string{"127.0.0.1", "::1"}}))
	_, err := e.fake.AddAccount(fakecyberark.Account{Safe: safe, Name: "hubspot-private-app-2", Password: "second-password-3c5e7a"})
	must(t, err)
	ca := cyberark.WithRootCAs(e.fake.RootCAs())
	for _, tc := range []struct {
		name   string
		c      *cyberark.CCP
		kind   error
		code   string
		status int
	}{
		{"object not found", e.ccp(t, cyberark.CCPQuery{Safe: safe, Object: "nope"}), secrets.ErrNotFound, "APPAP004E", 404},
		{"safe not granted", e.ccpWith(t, "NoSafeApp", defaultQuery, ca), secrets.ErrNotFound, "APPAP004E", 404},
		{"ambiguous", e.ccp(t, cyberark.CCPQuery{Query: "Safe=" + safe + ";Object=hubspot-private-app.*", QueryFormat: "Regexp"}), cyberark.ErrAmbiguous, "APPAP227E", 400},
		{"unknown application", e.ccpWith(t, "Nobody", defaultQuery, ca), secrets.ErrPermission, "APPAP008E", 403},
		{"machine not allowed", e.ccpWith(t, "ElsewhereApp", defaultQuery, ca), secrets.ErrPermission, "APPAP306E", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := fetchErr(t, tc.c, "second-password-3c5e7a")
			wantIs(t, err, tc.kind)
			ae := asAPIError(t, err)
			if ae.Code != tc.code || ae.Status != tc.status || ae.Message == "" {
				t.Fatalf("error %+v, want HTTP %d %s with the CCP's message", ae, tc.status, tc.code)
			}
			if !strings.Contains(err.Error(), tc.c.Source()) {
				t.Errorf("error %q does not name the source", err)
			}
		})
	}
}

func TestCCPMalformedAnswers(t *testing.T) {
	const marker = "LEAK-1a2b3c4d5e6f"
	for _, tc := range []struct {
		name, body string
		kind       error
	}{
		{"no Content", `{"UserName":"` + marker + `"}`, secrets.ErrMalformed},
		{"empty Content", `{"Content":""}`, secrets.ErrEmpty},
		{"Content not a string", `{"Content":12345}`, secrets.ErrMalformed},
		{"not JSON", marker, secrets.ErrMalformed},
		{"truncated", `{"Content":"` + marker, secrets.ErrMalformed},
		{"too large", `{"Content":"` + strings.Repeat("x", 70_000) + `"}`, secrets.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
				fmt.Fprint(w, tc.body)
				return true
			})
			wantIs(t, fetchErr(t, e.ccp(t, defaultQuery), marker), tc.kind)
		})
	}
}

func TestCCPCloseAndCancel(t *testing.T) {
	e := newEnv(t)
	c := e.ccp(t, defaultQuery)
	fetch(t, c)
	must(t, c.Close())
	must(t, c.Close())
	wantIs(t, fetchErr(t, c), cyberark.ErrClosed)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.ccp(t, defaultQuery).Fetch(ctx); !strings.Contains(fmt.Sprint(err), "context canceled") {
		t.Fatalf("Fetch with a cancelled context: %v", err)
	}
}

func TestNewCCPValidation(t *testing.T) {
	sp := secretstest.NewStatic("x")
	for _, tc := range []struct {
		name, url, app string
		q              cyberark.CCPQuery
		opts           []cyberark.Option
		want           string
	}{
		{"plain http", "http://ccp.example.com", "A", defaultQuery, nil, "plain http"},
		{"no app", "https://ccp.example.com", "", defaultQuery, nil, "application ID is empty"},
		{"app with ampersand", "https://ccp.example.com", "A&B", defaultQuery, nil, "application ID contains"},
		{"no safe", "https://ccp.example.com", "A", cyberark.CCPQuery{Object: "o"}, nil, "needs a Safe"},
		{"no object", "https://ccp.example.com", "A", cyberark.CCPQuery{Safe: "s"}, nil, "needs an Object"},
		{"plus in object", "https://ccp.example.com", "A", cyberark.CCPQuery{Safe: "s", Object: "a+b"}, nil, "CCPQuery.Object contains"},
		{"percent in query", "https://ccp.example.com", "A", cyberark.CCPQuery{Query: "Safe=s;Object=100%"}, nil, "CCPQuery.Query contains"},
		{"query and fields", "https://ccp.example.com", "A", cyberark.CCPQuery{Query: "Safe=s", Safe: "s"}, nil, "either Query or"},
		{"bad format", "https://ccp.example.com", "A", cyberark.CCPQuery{Query: "Safe=s", QueryFormat: "Glob"}, nil, "not Exact or Regexp"},
		{"format without query", "https://ccp.example.com", "A", cyberark.CCPQuery{Safe: "s", Object: "o", QueryFormat: "Exact"}, nil, "only with Query"},
		{"reason with ampersand", "https://ccp.example.com", "A", defaultQuery, []cyberark.Option{cyberark.WithReason("a & b")}, "reason contains"},
		{"nil certificate", "https://ccp.example.com", "A", defaultQuery, []cyberark.Option{cyberark.WithClientCertificate(nil, sp)}, "certificate provider is nil"},
		{"nil option", "https://ccp.example.com", "A", defaultQuery, []cyberark.Option{nil}, "nil Option"},
		{"custom transport with certificate", "https://ccp.example.com", "A", defaultQuery, []cyberark.Option{
			cyberark.WithHTTPClient(&http.Client{Transport: roundTripFunc(nil)}), cyberark.WithClientCertificate(sp, sp),
		}, "*http.Transport"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cyberark.NewCCP(tc.url, tc.app, tc.q, tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewCCP error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestCCPCustomServicePath(t *testing.T) {
	e := newEnv(t)
	var path string
	e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		path = r.URL.Path
		return false
	})
	c, err := cyberark.NewCCP(e.fake.CCPURL()+"/AIMWebService", appID, defaultQuery, cyberark.WithRootCAs(e.fake.RootCAs()), cyberark.WithClientCertificate(e.certPEM, e.keyPEM))
	must(t, err)
	defer c.Close()
	fetch(t, c)
	if path != "/AIMWebService/api/Accounts" {
		t.Fatalf("path %q", path)
	}
}
