// Package browserdev finds a Chromium for hubkey's browser tests.
//
// Chromium comes from the Debian package (apt-get install chromium, which
// puts it at /usr/bin/chromium). [Find] looks on PATH for chromium,
// chromium-browser, google-chrome and google-chrome-stable, then in
// /usr/bin. The test command ([github.com/hubkey/hubkey/internal/cmd/testall])
// finds it (running as root with apt-get at hand, it installs the package
// when it is missing) when a package under test imports this package, and
// hands its path to the tests in [EnvPath]. Tests read it back with
// [TestBrowser], which skips (or fails under CI=true) when it is absent.
package browserdev

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// EnvPath carries the Chromium executable's path to the tests.
const EnvPath = "HUBKEY_TEST_CHROMIUM"

// HowToGet is the one-line explanation of how to get a browser for the
// tests.
const HowToGet = "install Chromium with `apt-get install chromium` and run the tests with " +
	"`go run ./internal/cmd/testall` (add -run and package patterns to narrow it), which finds it and sets " +
	EnvPath + "; or point that variable at a Chromium or Chrome executable of your own"

// ErrNoBrowser is returned by [Find] when no Chromium is installed.
var ErrNoBrowser = errors.New("browserdev: Chromium is not installed")

// names are the executables Find looks for on PATH, in order.
var names = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// debianPath is where Debian's chromium package puts the browser.
var debianPath = "/usr/bin/chromium"

// Find returns the path of a Chromium executable: the first of chromium,
// chromium-browser, google-chrome and google-chrome-stable on PATH, else
// /usr/bin/chromium. It returns an error wrapping [ErrNoBrowser] when
// there is none.
func Find() (string, error) {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	if st, err := os.Stat(debianPath); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0 {
		return debianPath, nil
	}
	return "", fmt.Errorf("%w (looked on PATH for %v and at %s; apt-get install chromium)", ErrNoBrowser, names, debianPath)
}

// FindOrInstall returns [Find]'s answer, and when there is no browser and
// this process runs as root on a machine with apt-get, installs Debian's
// chromium package first (apt-get update, then apt-get install -y
// chromium), writing apt-get's output to log. installed says whether it
// did.
func FindOrInstall(ctx context.Context, log io.Writer) (path string, installed bool, err error) {
	if p, err := Find(); err == nil {
		return p, false, nil
	}
	aptGet, lerr := exec.LookPath("apt-get")
	if lerr != nil || os.Geteuid() != 0 {
		_, err := Find()
		return "", false, fmt.Errorf("%w; not installing it (that needs root and apt-get)", err)
	}
	for _, args := range [][]string{{"update", "-qq"}, {"install", "-y", "-qq", "--no-install-recommends", "chromium"}} {
		cmd := exec.CommandContext(ctx, aptGet, args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Run(); err != nil {
			return "", false, fmt.Errorf("browserdev: apt-get %s: %w", args[0], err)
		}
	}
	p, err := Find()
	if err != nil {
		return "", false, err
	}
	return p, true, nil
}

// FromEnv returns the browser named in [EnvPath], if it is set.
func FromEnv() (string, bool) {
	p := os.Getenv(EnvPath)
	return p, p != ""
}

// TestBrowser returns the Chromium executable handed to this test process
// in [EnvPath]. When it is unset it skips tb, saying how to get one; when
// the CI environment variable is "true" it fails tb instead, because CI
// must not pass with the browser tests skipped.
func TestBrowser(tb testing.TB) string {
	tb.Helper()
	if p, ok := FromEnv(); ok {
		if !filepath.IsAbs(p) {
			tb.Fatalf("%s=%q is not an absolute path", EnvPath, p)
		}
		return p
	}
	msg := "no browser: " + EnvPath + " is not set; " + HowToGet
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + " (CI=true: skipped browser tests are a failure)")
	}
	tb.Skip(msg)
	return ""
}
