package browserdev

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	old := debianPath
	t.Cleanup(func() { debianPath = old })

	debianPath = filepath.Join(dir, "no-such-chromium")
	if p, err := Find(); !errors.Is(err, ErrNoBrowser) {
		t.Fatalf("Find with no browser = %q, %v; want ErrNoBrowser", p, err)
	}

	fixed := filepath.Join(dir, "fixed", "chromium")
	if err := os.MkdirAll(filepath.Dir(fixed), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fixed, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	debianPath = fixed
	if p, err := Find(); err != nil || p != fixed {
		t.Fatalf("Find = %q, %v; want the Debian path %s", p, err, fixed)
	}

	onPath := filepath.Join(dir, "chromium-browser")
	if err := os.WriteFile(onPath, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if p, err := Find(); err != nil || p != onPath {
		t.Fatalf("Find = %q, %v; want the one on PATH, %s", p, err, onPath)
	}
}

func TestTestBrowserFromEnv(t *testing.T) {
	t.Setenv(EnvPath, "/opt/chromium/chrome")
	if p := TestBrowser(t); p != "/opt/chromium/chrome" {
		t.Fatalf("TestBrowser = %q", p)
	}
}
