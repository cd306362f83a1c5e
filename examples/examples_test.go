package examples_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runTimeout bounds one example's run; each finishes in seconds.
const runTimeout = 60 * time.Second

// TestEveryExampleRuns builds every directory under examples/ that holds a
// command and runs it as a user would, with no HubSpot account configured:
// it must exit 0 within runTimeout and print something. Directories are
// discovered, so a new example is covered without touching this test.
func TestEveryExampleRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds and runs every example (go test -short)")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		if goroot := os.Getenv("GOROOT"); goroot != "" {
			goTool = filepath.Join(goroot, "bin", "go")
		} else {
			t.Fatalf("no go tool to build the examples with: %v", err)
		}
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	env := exampleEnv()
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		if !isCommand(t, name) {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			exe := filepath.Join(bin, name)
			build := exec.Command(goTool, "build", "-o", exe, "./"+name)
			build.Env = env
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build ./examples/%s: %v\n%s", name, err, out)
			}
			ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, exe)
			cmd.Env = env
			cmd.Dir = t.TempDir()
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				t.Fatalf("examples/%s did not finish within %v\nstdout:\n%s\nstderr:\n%s", name, runTimeout, stdout.String(), stderr.String())
			}
			if err != nil {
				t.Fatalf("examples/%s: %v\nstdout:\n%s\nstderr:\n%s", name, err, stdout.String(), stderr.String())
			}
			if strings.TrimSpace(stdout.String()) == "" {
				t.Fatalf("examples/%s exited 0 but printed nothing\nstderr:\n%s", name, stderr.String())
			}
		})
	}
	if n == 0 {
		t.Fatal("found no example commands under examples/")
	}
}

// isCommand reports whether dir holds a non-test Go file of package main.
func isCommand(t *testing.T, dir string) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(src), "\n") {
			if strings.HasPrefix(line, "package ") {
				if strings.TrimSpace(strings.TrimPrefix(line, "package ")) == "main" {
					return true
				}
				break
			}
		}
	}
	return false
}

// exampleEnv is the test's environment without the variables that would
// point an example at a real account or server, so every example runs on
// its embedded defaults, as it does from a fresh clone.
func exampleEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "HUBSPOT_"), strings.HasPrefix(k, "VAULT_"),
			strings.HasPrefix(k, "CONJUR_"), strings.HasPrefix(k, "AWS_"):
			continue
		}
		env = append(env, kv)
	}
	return env
}
