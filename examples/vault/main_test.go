package main

import (
	"context"
	"testing"

	"github.com/hubkey/hubkey/internal/vaultdev"
)

// TestRun runs the example against the test command's Vault dev server, so
// that CI keeps it working.
func TestRun(t *testing.T) {
	vaultdev.TestServer(t) // skips (fails under CI=true) without a server
	if err := run(context.Background()); err != nil {
		t.Fatal(err)
	}
}
