package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The example runs in the test suite so it cannot rot: each call must be
// allowed or refused for its own reason, the audit summary must count
// them, and no token or signing secret may be printed.
func TestGatewayExample(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out); err != nil {
		t.Fatalf("example failed: %v\n%s", err, out.String())
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`sync writer creates a contact\s+allowed`),
		regexp.MustCompile(`dashboard reader reads it\s+allowed`),
		regexp.MustCompile(`dashboard reader tries to create a contact\s+refused: 403 MISSING_SCOPES`),
		regexp.MustCompile(`batch job reads from outside 10.0.0.0/8\s+refused: 403 FORBIDDEN IP_NOT_ALLOWED`),
		regexp.MustCompile(`sync writer deletes it, unsigned\s+refused: 403 FORBIDDEN SIGNATURE_REQUIRED`),
		regexp.MustCompile(`sync writer deletes it, signed\s+allowed`),
		regexp.MustCompile(`dashboard reader reads again\s+refused: 401`),
		regexp.MustCompile(`batch job\s+nightly-batch\s+1\s+1\n`),
		regexp.MustCompile(`dashboard reader\s+dashboard\s+3\s+2\n`),
		regexp.MustCompile(`sync writer\s+crm-sync\s+3\s+1\n`),
	} {
		if !want.MatchString(out.String()) {
			t.Errorf("output lacks %s:\n%s", want, out.String())
		}
	}
	for _, prefix := range []string{"hkgw_", "hkgs_", "pat-na1-"} {
		if strings.Contains(out.String(), prefix) {
			t.Errorf("the output shows a secret starting %s", prefix)
		}
	}
}
