package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets/secretstest"
)

// The quickstart runs in the test suite so it cannot rot, with an
// environment of its own, and its output must never show a token.
func TestQuickstart(t *testing.T) {
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
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, lookup, setenv); err != nil {
		t.Fatalf("quickstart failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"created contact",
		"search by email found 1 contact(s)",
		"batch-upserted 250 contacts in chunks of 100: 0 failed",
		"rotated the token at the source",
		`msg="secret rotated"`,
		"status=401",
		"paged through 251 contacts",
		"with no failed call",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if len(tokens) != 2 {
		t.Fatalf("expected an initial and a rotated token, saw %d", len(tokens))
	}
	for _, tok := range tokens {
		secretstest.AssertNoLeak(t, "quickstart output", out.String(), tok)
	}
}
