package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// The example runs in the test suite so it cannot rot; its output shows
// the 429 retry and the rotation, and never a token or a property value.
func TestTelemetryExample(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, "0"); err != nil {
		t.Fatalf("the example failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"its attempts: 429 with fp:",
		", and a retry after a wait",
		"the call after the rotation, its attempts: 401 with fp:",
		"hubkey.secret.rotations = 1",
		"429s by policy: TEN_SECONDLY_ROLLING=1",
		`"Name":"crm.objects.search"`,
		`"Name":"hubspot.client.calls"`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, leak := range []string{"pat-na1-", "ada@example.com", "Ada"} {
		if strings.Contains(out.String(), leak) {
			t.Errorf("output holds %q", leak)
		}
	}
}
