package oauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Credentials that plain scrubbing misses when a server echoes them: a
// client secret with a space, at which net/http cuts a status code before
// quoting it, and a refresh token with the characters Go's %q, Ruby's
// inspect and JSON escape.
const (
	spacedSecret = "canary-spaced-client-secret-61e0 second-half-of-the-secret-a4c9"
	quotedToken  = `canary-quoted-refresh-token-"r\t-é-7b2d`
)

// assertShowsNoPart fails t if err, or any error in its chain, shows c or
// one of its space-separated pieces of 8 bytes or more, in any form
// secretstest knows (quoted forms included), as Error(), %+v, %#v or %q.
func assertShowsNoPart(t *testing.T, err error, c string) {
	t.Helper()
	forms := secretstest.Encodings(c)
	for _, piece := range strings.Fields(c) {
		if len(piece) >= 8 && piece != c {
			forms = append(forms, secretstest.Encodings(piece)...)
		}
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, verb := range []string{"%s", "%+v", "%#v", "%q"} {
			text := fmt.Sprintf(verb, e)
			for i, f := range forms {
				if strings.Contains(text, f) {
					t.Errorf("error %s (%T) shows the credential (form %d)", verb, e, i)
				}
			}
		}
	}
}

// TestSpacedClientSecretInMalformedStatusCode: a token endpoint echoing
// the client secret into its status code makes net/http quote the part
// before the first space ("malformed HTTP status code \"2canary...\""),
// which matches no form of the whole secret. The bytes net/http quotes
// are dropped, whatever they match.
func TestSpacedClientSecretInMalformedStatusCode(t *testing.T) {
	u := rawServer(t, func(f url.Values) string {
		return "HTTP/1.1 2" + f.Get("client_secret") + " OK\r\n\r\n"
	})
	cfg := oauth.Config{
		ClientID: clientID, ClientSecret: secretstest.NewStatic(spacedSecret),
		RefreshToken: secretstest.NewStatic(refreshToken), TokenURL: u + "/oauth/v3/token",
	}
	p, err := oauth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, ferr := p.Fetch(context.Background())
	_, xerr := oauth.Exchange(context.Background(), cfg, authCode, "https://example.com/cb", codeVerifier)
	for _, err := range []error{ferr, xerr} {
		if err == nil || !strings.Contains(err.Error(), "malformed HTTP status code") {
			t.Fatalf("%v: want the malformed status code named", err)
		}
		assertShowsNoPart(t, err, spacedSecret)
	}
}

// TestQuotedRefreshTokenInErrorMessage: a token endpoint whose error
// message quotes the refresh token the way Go's %q, Ruby's inspect or
// JSON do ('"' and '\' escaped, and for %+q the 'é') has it replaced, in
// every field the error prints, whole: the rest of the message stays.
func TestQuotedRefreshTokenInErrorMessage(t *testing.T) {
	js, _ := json.Marshal(quotedToken)
	for name, quoted := range map[string]string{
		"%q":                strconv.Quote(quotedToken),
		"%+q":               strconv.QuoteToASCII(quotedToken),
		"JSON":              string(js),
		"%q of a JSON body": strconv.Quote(`{"refresh_token":` + string(js) + `}`),
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_ = json.NewEncoder(w).Encode(map[string]string{
					"status": "BAD_REFRESH_TOKEN", "message": "refresh token " + quoted + " is revoked", "correlationId": "c-" + quoted,
				})
			}))
			defer srv.Close()
			p, err := oauth.New(oauth.Config{
				ClientID: clientID, ClientSecret: secretstest.NewStatic(clientSecret),
				RefreshToken: secretstest.NewStatic(quotedToken), TokenURL: srv.URL + "/oauth/v3/token",
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Fetch(context.Background())
			var oe *oauth.Error
			if !errors.As(err, &oe) || !errors.Is(err, oauth.ErrInvalidGrant) {
				t.Fatalf("%v: want an *oauth.Error for an invalid grant", err)
			}
			if !strings.HasPrefix(oe.Message, "refresh token ") || !strings.HasSuffix(oe.Message, " is revoked") || !strings.Contains(oe.Message, "[REDACTED]") {
				t.Errorf("Message %q: want the token replaced and the rest kept", oe.Message)
			}
			assertShowsNoPart(t, err, quotedToken)
		})
	}
}
