package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets/secretstest"
)

// The example runs in the test suite so it cannot rot; its output must
// show the genuine deliveries accepted, the old secret accepted within the
// grace and refused after it, the forged, stale and v3-stripped ones
// rejected with their reasons, and never a client secret.
func TestWebhookReceiver(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out); err != nil {
		t.Fatalf("example failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"delivery signed with the old secret: accepted (204)",
		"delivery signed with the new secret: accepted (204)",
		"delivery signed with the old secret, within the grace: accepted (204)",
		"delivery forged (signed with a guessed secret): rejected (401: signature rejected: bad_signature)",
		"delivery stale (signed 10 minutes ago, replayed): rejected (401: signature rejected: stale)",
		"delivery replayed with its v3 headers stripped: rejected (401: signature rejected: unsupported_version)",
		"delivery signed with the old secret, after the grace: rejected (401: signature rejected: bad_signature)",
		"delivery signed with the new secret, after the grace: accepted (204)",
		"4 event(s) reached the application",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, s := range []string{oldSecret, newSecret} {
		secretstest.AssertNoLeak(t, "webhook-receiver output", out.String(), s)
	}
}
