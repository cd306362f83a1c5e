package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

func TestRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, 10*time.Millisecond); err != nil {
		t.Fatalf("run: %v\noutput so far:\n%s", err, out.String())
	}
	got := out.String()
	first, second := secrets.New(firstToken).Fingerprint(), secrets.New(secondToken).Fingerprint()
	for _, want := range []string{
		"token version 1 " + first + " from conjur:myorg:variable:hubspot/private-app-token (prints as [REDACTED])",
		"operator: stored version 2 of hubspot/private-app-token",
		"version 1 " + first + " -> version 2 " + second,
		"previous version 1 " + first + " kept for fallback",
		"batch:    conjur:myorg:variable:hubspot/private-app-token " + second,
		"batch:    conjur:myorg:variable:hubspot/signing-key " + secrets.New(signingKey).Fingerprint(),
		"host/hubspot-sync authenticated 1 time(s)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for _, v := range []string{firstToken, secondToken, signingKey} {
		secretstest.AssertNoLeak(t, "output", got, v)
	}
}
