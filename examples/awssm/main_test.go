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
	first := secrets.New("pat-na1-11111111-example-first").Fingerprint()
	second := secrets.New("pat-na1-22222222-example-second").Fingerprint()
	for _, want := range []string{
		"cache holds token " + first,
		"2 refreshes without a rotation: ",
		"cache picked the rotation up: " + first + " -> " + second,
		"previous " + first + " kept for fallback",
		"AWSPREVIOUS in Secrets Manager: " + first,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(got, ", 1 GetSecretValue\n") {
		t.Errorf("unchanged refreshes should not call GetSecretValue:\n%s", got)
	}
	for _, v := range []string{"pat-na1-11111111-example-first", "pat-na1-22222222-example-second"} {
		secretstest.AssertNoLeak(t, "output", got, v)
	}
}
