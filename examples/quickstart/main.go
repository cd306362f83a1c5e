// Command quickstart shows hubkey's credential handling end to end with no
// HubSpot account: a token read from a mounted file through a Cache, logged
// only by fingerprint, and rotated while the program keeps using it.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/file"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "hubkey-quickstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "token")
	if err := os.WriteFile(path, []byte("pat-na1-first-token\n"), 0o600); err != nil {
		return err
	}

	p, err := file.New(path)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cache, err := secrets.NewCache(p, secrets.WithLogger(logger))
	if err != nil {
		return err
	}
	defer cache.Close()

	v, err := cache.Get(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("token %s from %s (printed as %q)\n", v.Value.Fingerprint(), v.Source, v.Value)

	// The secret is rotated at its source; the cache picks it up.
	if err := os.WriteFile(path, []byte("pat-na1-second-token\n"), 0o600); err != nil {
		return err
	}
	v, err = cache.Refresh(ctx)
	if err != nil {
		return err
	}
	old, _ := cache.Previous()
	fmt.Printf("rotated: now %s, previous %s\n", v.Value.Fingerprint(), old.Value.Fingerprint())
	return nil
}
