package hubspottest_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestURLIsLoopback(t *testing.T) {
	srv := hubspottest.NewServer(t)
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") || strings.HasSuffix(srv.URL(), "/") {
		t.Fatalf("URL %q", srv.URL())
	}
}

func TestTokenFormat(t *testing.T) {
	srv := hubspottest.NewServer(t)
	re := regexp.MustCompile(`^pat-na1-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 50 {
		tok := srv.NewToken("crm.objects.contacts.read")
		if !re.MatchString(tok) {
			t.Fatalf("token shape: fingerprint %s does not match", secrets.New(tok).Fingerprint())
		}
		hexDigits := strings.ReplaceAll(strings.TrimPrefix(tok, "pat-na1-"), "-", "")
		if len(hexDigits)*4 < 256 {
			t.Fatalf("token carries %d bits", len(hexDigits)*4)
		}
		if seen[tok] {
			t.Fatal("duplicate token")
		}
		seen[tok] = true
	}
}

func TestAuthErrors(t *testing.T) {
	srv := hubspottest.NewServer(t)
	good := srv.NewToken(hubspottest.AllScopes...)
	revoked := srv.NewToken(hubspottest.AllScopes...)
	srv.RevokeToken(revoked)
	suspended := srv.NewToken(hubspottest.AllScopes...)
	srv.SuspendToken(suspended)
	readOnly := srv.NewToken("crm.objects.contacts.read")

	tests := []struct {
		name       string
		token      string
		method     string
		path       string
		wantStatus int
		wantCat    string
		wantScopes []string
	}{
		{"no token", "", "GET", "/crm/v3/objects/contacts", 401, "INVALID_AUTHENTICATION", nil},
		{"unknown token", "pat-na1-00000000-0000-0000-0000-000000000000", "GET", "/crm/v3/objects/contacts", 401, "INVALID_AUTHENTICATION", nil},
		{"revoked", revoked, "GET", "/crm/v3/objects/contacts", 401, "INVALID_AUTHENTICATION", nil},
		{"suspended", suspended, "GET", "/crm/v3/objects/contacts", 401, "INVALID_AUTHENTICATION", nil},
		{"missing write", readOnly, "POST", "/crm/v3/objects/contacts", 403, "MISSING_SCOPES", []string{"crm.objects.contacts.write"}},
		{"other object", readOnly, "GET", "/crm/v3/objects/deals", 403, "MISSING_SCOPES", []string{"crm.objects.deals.read"}},
		{"tickets scope", readOnly, "GET", "/crm/v3/objects/0-5/1", 403, "MISSING_SCOPES", []string{"tickets"}},
		{"custom", readOnly, "GET", "/crm/v3/objects/2-12345", 403, "MISSING_SCOPES", []string{"crm.objects.custom.read"}},
		{"allowed", readOnly, "GET", "/crm/v3/objects/contacts", 200, "", nil},
		{"good", good, "GET", "/crm/v3/objects/deals", 200, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, srv, tc.token, tc.method, tc.path, nil)
			wantStatus(t, r, tc.wantStatus)
			if tc.wantCat == "" {
				return
			}
			body := r.json(t)
			if body["status"] != "error" || body["category"] != tc.wantCat || !uuidRE.MatchString(str(body["correlationId"])) || str(body["message"]) == "" {
				t.Fatalf("body %s", r.body)
			}
			if r.header.Get("X-HubSpot-Correlation-Id") != body["correlationId"] {
				t.Errorf("correlation header %q, body %q", r.header.Get("X-HubSpot-Correlation-Id"), body["correlationId"])
			}
			if tc.wantScopes != nil {
				errs := body["errors"].([]any)
				ctx := errs[0].(map[string]any)["context"].(map[string]any)
				var got []string
				for _, s := range ctx["requiredGranularScopes"].([]any) {
					got = append(got, s.(string))
				}
				if !slices.Equal(got, tc.wantScopes) {
					t.Errorf("scopes %v, want %v", got, tc.wantScopes)
				}
			}
			if tc.token != "" && strings.Contains(string(r.body), tc.token) {
				t.Error("body echoes the token")
			}
		})
	}
}

func TestRotation(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	old := srv.NewToken("crm.objects.contacts.read")

	later := srv.RotateToken(old, 7*24*time.Hour)
	wantStatus(t, call(t, srv, old, "GET", "/crm/v3/objects/contacts", nil), 200)
	wantStatus(t, call(t, srv, later, "GET", "/crm/v3/objects/contacts", nil), 200)
	clk.Advance(7*24*time.Hour - time.Second)
	wantStatus(t, call(t, srv, old, "GET", "/crm/v3/objects/contacts", nil), 200)
	clk.Advance(time.Second)
	wantStatus(t, call(t, srv, old, "GET", "/crm/v3/objects/contacts", nil), 401)
	wantStatus(t, call(t, srv, later, "GET", "/crm/v3/objects/contacts", nil), 200)

	now := srv.RotateToken(later, 0)
	wantStatus(t, call(t, srv, later, "GET", "/crm/v3/objects/contacts", nil), 401)
	wantStatus(t, call(t, srv, now, "GET", "/crm/v3/objects/contacts", nil), 200)
	k, _ := srv.Key(now)
	if !slices.Equal(k.Scopes, []string{"crm.objects.contacts.read"}) {
		t.Fatalf("rotated scopes %v", k.Scopes)
	}
	var reasons []keypolicy.Reason
	for _, c := range srv.Journal() {
		reasons = append(reasons, c.Reason)
	}
	if !slices.Contains(reasons, keypolicy.ReasonExpired) {
		t.Errorf("journal reasons %v lack expired", reasons)
	}
}

func TestJournalHasFingerprintsOnly(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	call(t, srv, tok, "GET", "/crm/v3/objects/contacts?limit=5&hapikey=abc123secret&access_token="+tok, nil)
	call(t, srv, "pat-na1-bogus", "GET", "/crm/v3/objects/contacts", nil)
	j := srv.Journal()
	if len(j) != 2 {
		t.Fatalf("journal has %d calls", len(j))
	}
	c := j[0]
	if c.TokenFingerprint != secrets.New(tok).Fingerprint() || c.Status != 200 || c.Method != "GET" || c.Path != "/crm/v3/objects/contacts" || c.KeyID == "" {
		t.Errorf("call %+v", c)
	}
	if c.Query != "limit=5&hapikey=REDACTED&access_token=REDACTED" {
		t.Errorf("query %q", c.Query)
	}
	if j[1].TokenFingerprint != secrets.New("pat-na1-bogus").Fingerprint() || j[1].Reason != keypolicy.ReasonUnknownToken || j[1].Status != 401 {
		t.Errorf("unknown-token call %+v", j[1])
	}
	for _, c := range j {
		s := strings.ToLower(strings.Join([]string{c.Path, c.Query, c.Note, c.TokenFingerprint, c.KeyID}, " "))
		if strings.Contains(s, strings.ToLower(tok)) || strings.Contains(s, "abc123secret") {
			t.Errorf("journal leaks a credential: %+v", c)
		}
	}
}

func TestUnknownRoutes(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	r := call(t, srv, tok, "GET", "/crm/v3/objects/foos", nil)
	wantStatus(t, r, 400)
	if b := r.json(t); b["category"] != "VALIDATION_ERROR" || b["message"] != "Unable to infer object type from: foos" {
		t.Errorf("body %s", r.body)
	}
	wantStatus(t, call(t, srv, tok, "GET", "/nope", nil), 404)
	r = call(t, srv, tok, "PUT", "/crm/v3/objects/contacts/1", nil)
	wantStatus(t, r, http.StatusMethodNotAllowed)
	if r.header.Get("Allow") != "GET,PATCH,DELETE" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
}

func TestCloseTwice(t *testing.T) {
	srv := hubspottest.NewServer(t)
	srv.Close()
	srv.Close()
	if _, err := http.Get(srv.URL()); err == nil {
		t.Fatal("closed server answered")
	}
}

func TestPolicyUpdateTakesEffect(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken("crm.objects.contacts.read")
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/deals", nil), 403)
	k, _ := srv.Key(tok)
	if _, err := srv.Policy().Update(k.ID, func(k *keypolicy.Key) { k.Scopes = append(k.Scopes, "crm.objects.deals.read") }); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/deals", nil), 200)
	srv.SuspendToken(tok)
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/deals", nil), 401)
	srv.ResumeToken(tok)
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/deals", nil), 200)
}
