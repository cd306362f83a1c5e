package cyberark_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/cyberark"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// onPath answers requests whose path ends in suffix with status and body.
func onPath(suffix string, status int, body string) func(http.ResponseWriter, *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, suffix) {
			return false
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
		return true
	}
}

func TestLogonAnswers(t *testing.T) {
	t.Run("legacy CyberArkLogonResult object", func(t *testing.T) {
		e := newEnv(t)
		// Let the fake log on, then hand the session back the way PVWA v9
		// did.
		e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasSuffix(r.URL.Path, "/Logon") || r.Header.Get("X-Bypass") != "" {
				return false
			}
			req, _ := http.NewRequest(r.Method, e.fake.PVWAURL()+r.URL.Path, r.Body)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Bypass", "1")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				w.WriteHeader(http.StatusBadGateway)
				return true
			}
			defer resp.Body.Close()
			var tok string
			if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
				w.WriteHeader(http.StatusBadGateway)
				return true
			}
			fmt.Fprintf(w, `{"CyberArkLogonResult":%q}`, tok)
			return true
		})
		if v := fetch(t, e.selfHosted(t)); reveal(v) != firstToken {
			t.Fatal("wrong value")
		}
	})
	for name, body := range map[string]string{
		"empty string":      `""`,
		"empty legacy":      `{"CyberArkLogonResult":""}`,
		"number":            `12345`,
		"not JSON":          `<html>ok</html>`,
		"legacy wrong type": `{"CyberArkLogonResult":5}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.fake.Intercept(onPath("/Logon", 200, body))
			wantIs(t, fetchErr(t, e.selfHosted(t)), secrets.ErrMalformed)
		})
	}
}

func TestLogoffFailureReported(t *testing.T) {
	e := newEnv(t)
	p := e.selfHosted(t)
	fetch(t, p)
	e.fake.Intercept(onPath("/Logoff", 500, `{"ErrorCode":"PASWS999E","ErrorMessage":"Vault unavailable."}`))
	err := p.Close()
	if err == nil || !strings.Contains(err.Error(), "logoff") || !strings.Contains(err.Error(), "PASWS999E") {
		t.Fatalf("Close: %v, want the logoff failure", err)
	}
	if !strings.Contains(err.Error(), "cyberark-pvwa:") {
		t.Errorf("Close error %q does not name the source", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestLogoffOfExpiredSessionIsQuiet(t *testing.T) {
	e := newEnv(t)
	p := e.selfHosted(t)
	fetch(t, p)
	e.fake.ExpireTokens()
	if err := p.Close(); err != nil {
		t.Fatalf("Close with a session the PVWA already ended: %v", err)
	}
}

func TestHostileAccountIDs(t *testing.T) {
	for _, id := range []string{"..", "../Users", "1_1/Password/Retrieve?x=", "", "1 2"} {
		t.Run(fmt.Sprintf("%q", id), func(t *testing.T) {
			e := newEnv(t)
			e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Accounts") {
					fmt.Fprintf(w, `{"value":[{"id":%q,"name":%q,"safeName":%q}],"count":1}`, id, accountName, safe)
					return true
				}
				return false
			})
			wantIs(t, fetchErr(t, e.cloud(t)), secrets.ErrMalformed)
			for _, c := range e.fake.Calls() {
				if c.Method == http.MethodPost && strings.Contains(c.Path, "/Accounts/") {
					t.Fatalf("a request went to %s", c.Path)
				}
			}
		})
	}
}

func TestAccountDetailsForAnotherID(t *testing.T) {
	e := newEnv(t)
	p := e.cloud(t)
	fetch(t, p)
	e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/Accounts/") {
			fmt.Fprintf(w, `{"id":"77_7","name":%q,"safeName":%q}`, accountName, safe)
			return true
		}
		return false
	})
	wantIs(t, fetchErr(t, p), secrets.ErrMalformed)
}

func TestTimeout(t *testing.T) {
	e := newEnv(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/Retrieve") {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return true
		}
		return false
	})
	err := fetchErr(t, e.cloud(t, cyberark.WithTimeout(100*time.Millisecond)))
	if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("error %q, want a timeout", err)
	}
	if !strings.Contains(err.Error(), "password retrieve") || strings.Contains(err.Error(), "?") {
		t.Fatalf("error %q should name the operation and show no query", err)
	}
}

func TestPlatformTokenAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		kind       error
	}{
		{"expires_in as a string", `{"access_token":"%s","token_type":"Bearer","expires_in":"900"}`, nil},
		{"no expires_in", `{"access_token":"%s","token_type":"Bearer"}`, nil},
		{"lower-case bearer", `{"access_token":"%s","token_type":"bearer","expires_in":900}`, nil},
		{"no access_token", `{"token_type":"Bearer","expires_in":900}`, secrets.ErrMalformed},
		{"negative lifetime", `{"access_token":"%s","expires_in":-5}`, secrets.ErrMalformed},
		{"not a number", `{"access_token":"%s","expires_in":"soon"}`, secrets.ErrMalformed},
		{"array", `["%s"]`, secrets.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.cloud(t)
			// Get a real token from the fake, then hand it out in the
			// answer's shape under test.
			real := platformToken(t, e)
			e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, "/platformtoken") {
					return false
				}
				body := tc.body
				if strings.Contains(body, "%s") {
					body = fmt.Sprintf(body, real)
				}
				fmt.Fprint(w, body)
				return true
			})
			if tc.kind == nil {
				fetch(t, p)
				return
			}
			err := fetchErr(t, p, real)
			wantIs(t, err, tc.kind)
		})
	}
	t.Run("not bearer", func(t *testing.T) {
		e := newEnv(t)
		e.fake.Intercept(onPath("/platformtoken", 200, `{"access_token":"abc","token_type":"MAC","expires_in":900}`))
		err := fetchErr(t, e.cloud(t))
		if !strings.Contains(err.Error(), "want Bearer") {
			t.Fatalf("error %q", err)
		}
	})
}

func TestErrorMessagesAreSanitized(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("é", 400)
	e.fake.Intercept(onPath("/Retrieve", 403, `{"ErrorCode":"PASWS041E\n<script>","ErrorMessage":"line1\nline2\u0007`+long+`"}`))
	err := fetchErr(t, e.cloud(t))
	ae := asAPIError(t, err)
	if ae.Code != "" {
		t.Errorf("a malformed code %q was kept", ae.Code)
	}
	if strings.ContainsAny(ae.Message, "\n\a") || len(ae.Message) > 310 || !strings.HasSuffix(ae.Message, "…") {
		t.Errorf("message %q is not cleaned and truncated", ae.Message)
	}
	if !errors.Is(err, secrets.ErrPermission) {
		t.Errorf("a 403 without a known code should still be a permission error")
	}
}

func TestBadCredentialEchoedByServerIsScrubbed(t *testing.T) {
	e := newEnv(t)
	e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/platformtoken") {
			return false
		}
		_ = r.ParseForm()
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":"invalid_client","error_description":"secret %s is wrong"}`, r.PostForm.Get("client_secret"))
		return true
	})
	err := fetchErr(t, e.cloud(t))
	if !strings.Contains(err.Error(), "secret [REDACTED] is wrong") {
		t.Fatalf("error %q: the echoed secret should be replaced", err)
	}
}

func TestWithTimeoutValidation(t *testing.T) {
	if _, err := cyberark.NewPVWA("https://p.example.com", "s", "a", cyberark.Logon(cyberark.MethodCyberArk, "u", secretstest.NewStatic("x")), cyberark.WithTimeout(0)); err == nil {
		t.Fatal("WithTimeout(0) accepted")
	}
}

// platformToken gets a platform token for the test client straight from
// the fake identity tenant.
func platformToken(t *testing.T, e *env) string {
	t.Helper()
	resp, err := http.PostForm(e.fake.IdentityURL()+"/oauth2/platformtoken", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {clientSecret},
	})
	must(t, err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("platform token: HTTP %d, %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}
