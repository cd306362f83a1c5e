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

// The example runs in the test suite so it cannot rot: the signed archive
// must be accepted, the unsigned, tampered and replayed requests rejected
// for their own reasons, and neither the token nor the signing key printed.
func TestSignedSensitiveCalls(t *testing.T) {
	var mu sync.Mutex
	env := map[string]string{}
	var secretsSeen []string
	lookup := func(k string) (string, bool) { mu.Lock(); defer mu.Unlock(); v, ok := env[k]; return v, ok }
	setenv := func(k, v string) error {
		mu.Lock()
		defer mu.Unlock()
		env[k] = v
		secretsSeen = append(secretsSeen, v)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, lookup, setenv); err != nil {
		t.Fatalf("example failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"with a signed call: accepted",
		`keyid="svc-crm-sync"`,
		"rejected (401, reason unsigned)",
		"tampered: the signed request re-aimed at",
		"rejected (401, reason bad_signature)",
		"replayed: the signed request sent again: rejected (401, reason replayed)",
		"is untouched",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if len(secretsSeen) != 2 {
		t.Fatalf("expected a signing key and a token, saw %d", len(secretsSeen))
	}
	for _, s := range secretsSeen {
		secretstest.AssertNoLeak(t, "signed-sensitive-calls output", out.String(), s)
	}
}
