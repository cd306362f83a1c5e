package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// The example runs in the test suite so it cannot rot, with one-second
// access tokens: every refresh must be one token-endpoint call, no call may
// fail, and neither the app's credentials nor an access token may be
// printed.
func TestOAuth(t *testing.T) {
	var mu sync.Mutex
	env := map[string]string{}
	var tokens []string
	lookup := func(k string) (string, bool) { mu.Lock(); defer mu.Unlock(); v, ok := env[k]; return v, ok }
	setenv := func(k, v string) error {
		mu.Lock()
		defer mu.Unlock()
		env[k] = v
		tokens = append(tokens, v)
		return nil
	}
	issued := func(s secrets.Secret) {
		mu.Lock()
		defer mu.Unlock()
		tokens = append(tokens, s.Reveal())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, lookup, setenv, time.Second, 2, issued); err != nil {
		t.Fatalf("example failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"first access token fp:",
		"(token-endpoint calls so far: 1)",
		"(token-endpoint calls so far: 3)",
		"across 2 refreshes, none failed; 3 token-endpoint calls for 3 access tokens",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if got := strings.Count(out.String(), "refreshed ahead of expiry"); got != 2 {
		t.Errorf("expected 2 refreshes, saw %d:\n%s", got, out.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(tokens) != 5 { // client secret, refresh token, 3 access tokens
		t.Fatalf("expected 2 app credentials and 3 access tokens, saw %d", len(tokens))
	}
	for _, tok := range tokens {
		secretstest.AssertNoLeak(t, "oauth output", out.String(), tok)
	}
}
