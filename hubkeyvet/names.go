package hubkeyvet

import (
	"strings"
	"unicode"
)

// words splits an identifier into lower-case words: "HubSpotAPIKey" ->
// [hub spot api key], "dev_key" -> [dev key], "HAPIKEY" -> [hapikey].
func words(name string) []string {
	var out []string
	var cur []rune
	rs := []rune(name)
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == '.' || unicode.IsSpace(r):
			flush()
			continue
		case unicode.IsUpper(r) && len(cur) > 0:
			prevLower := unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if prevLower || (unicode.IsUpper(rs[i-1]) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

// notCredentialToken are words before "token" that name something other
// than a credential: paging cursors, CSRF and idempotency tokens, parser
// tokens.
var notCredentialToken = map[string]bool{
	"page": true, "next": true, "prev": true, "previous": true, "cursor": true,
	"continuation": true, "sync": true, "csrf": true, "xsrf": true,
	"idempotency": true, "request": true, "correlation": true, "trace": true,
	"cancel": true, "cancellation": true, "lexer": true, "parser": true,
	"verification": true, "state": true, "nonce": true, "paging": true,
	"after": true, "before": true, "start": true, "end": true,
}

// keyQualifiers are words before "key" that make it a credential.
var keyQualifiers = map[string]bool{
	"api": true, "hapi": true, "developer": true, "dev": true, "app": true,
	"access": true, "private": true, "hubspot": true, "secret": true,
	"auth": true, "portal": true,
}

// credentialName reports whether an identifier (a struct field, a
// variable, a parameter or a function) names a credential, and which kind
// a bare UUID under that name would be. Its last word decides: "token"
// (not a page or CSRF token), "secret", "hapikey", "apikey", or "key" after
// "api", "developer", "private"... ("APIKey", "devKey", "HubSpotKey").
// "TokenURL", "SecretName", "KeyID" do not count: their last word is not
// the credential.
func credentialName(name string) (kind, bool) {
	w := words(name)
	if len(w) == 0 {
		return 0, false
	}
	last := w[len(w)-1]
	prev := ""
	if len(w) > 1 {
		prev = w[len(w)-2]
	}
	// Setter-style function names: SetAPIKey, WithToken, SetPrivateAppToken.
	if len(w) > 1 && (w[0] == "set" || w[0] == "with" || w[0] == "new" || w[0] == "use") {
		if k, ok := credentialName(strings.Join(w[1:], "_")); ok {
			return k, true
		}
	}
	has := func(s string) bool {
		for _, x := range w {
			if x == s {
				return true
			}
		}
		return false
	}
	switch {
	case last == "hapikey" || last == "apikey" || last == "devkey" || (last == "key" && keyQualifiers[prev]):
		return kindDeveloperKey, true
	case last == "token" && !notCredentialToken[prev]:
		if has("refresh") {
			return kindLegacyRefreshToken, true
		}
		return kindDeveloperKey, true
	case last == "secret":
		return kindClientSecret, true
	}
	return 0, false
}

// hubspotSourceName reports whether an environment variable name or a
// file path says it holds a HubSpot credential: HUBSPOT_TOKEN,
// HUBSPOT_PRIVATE_APP_TOKEN, HAPIKEY, HS_ACCESS_TOKEN,
// /run/secrets/hubspot-token.
func hubspotSourceName(s string) bool {
	u := strings.ToUpper(s)
	if strings.Contains(u, "HUBSPOT") || strings.Contains(u, "HAPIKEY") || strings.Contains(u, "HAPI_KEY") {
		return true
	}
	return strings.HasPrefix(u, "HS_") && (strings.Contains(u, "TOKEN") || strings.Contains(u, "KEY"))
}

// hubspotPackage reports whether an import path is a HubSpot client:
// this module's hubspot packages or a third-party SDK with "hubspot" in
// its path. hubspottest (an in-memory HubSpot for tests) is not one.
func hubspotPackage(path string) bool {
	p := strings.ToLower(path)
	if !strings.Contains(p, "hubspot") {
		return false
	}
	last := p[strings.LastIndex(p, "/")+1:]
	return !strings.HasSuffix(last, "test") && !strings.HasSuffix(last, "testing")
}

// loggingPackages are packages whose every function writes to, or
// builds, a log record: a revealed value passed to any of them is logged.
var loggingPackages = map[string]bool{
	"log":                           true,
	"log/slog":                      true,
	"log/syslog":                    true,
	"go.uber.org/zap":               true,
	"go.uber.org/zap/zapcore":       true,
	"github.com/sirupsen/logrus":    true,
	"github.com/rs/zerolog":         true,
	"github.com/rs/zerolog/log":     true,
	"github.com/go-logr/logr":       true,
	"github.com/golang/glog":        true,
	"k8s.io/klog":                   true,
	"k8s.io/klog/v2":                true,
	"github.com/hashicorp/go-hclog": true,
	"github.com/go-kit/log":         true,
	"github.com/apex/log":           true,
	"github.com/charmbracelet/log":  true,
}
