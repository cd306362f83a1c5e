package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets/secretstest"
)

// The example runs in the test suite so it cannot rot; both Caches must
// report the rotation, both clients keep working after the old tokens are
// revoked, and no token (from the environment or the volume) is printed.
func TestEnvFile(t *testing.T) {
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
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, lookup, setenv, dir, 50*time.Millisecond); err != nil {
		t.Fatalf("example failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"env : Cache picked up the rotation on its scheduled refresh",
		"file: Cache picked up the rotation on its scheduled refresh",
		"revoked the old tokens",
		"both clients kept working across the rotation",
		"(file:" + filepath.Join(dir, "token") + ")",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if got := strings.Count(out.String(), "created and read contact"); got != 4 {
		t.Errorf("expected 4 successful calls (2 clients, before and after), saw %d:\n%s", got, out.String())
	}
	files, err := filepath.Glob(filepath.Join(dir, "..2026_*", "token"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, strings.TrimSpace(string(b)))
	}
	if len(tokens) != 4 {
		t.Fatalf("expected 2 env and 2 file tokens, saw %d", len(tokens))
	}
	for _, tok := range tokens {
		secretstest.AssertNoLeak(t, "envfile output", out.String(), tok)
	}
}
