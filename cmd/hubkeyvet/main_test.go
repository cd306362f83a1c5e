package main_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/secrets"
)

// TestCommand builds hubkeyvet and runs it, on its own and as go vet's
// vettool, on a module holding a hard-coded token; then with the token
// silenced by an ignore comment.
func TestCommand(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "hubkeyvet")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// A token made at run time: this file holds none for hubkeyvet to find.
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	uuid := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	token := "pat-na1-" + uuid
	fp := secrets.New(token).Fingerprint()

	mod := filepath.Join(dir, "leaky")
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(mod, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mod, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/leaky\n\ngo 1.24\n")
	source := func(comment string) string {
		return "package main\n\nimport \"fmt\"\n\nconst token = \"" + token + "\"" + comment + "\n\nfunc main() { fmt.Println(len(token)) }\n"
	}
	run := func(name string, args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=", "GOPROXY=off", "GO111MODULE=on")
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return string(out), 0
		case errors.As(err, &exit):
			return string(out), exit.ExitCode()
		}
		t.Fatalf("%s: %v", name, err)
		return "", 0
	}

	write("main.go", source(""))
	for _, mode := range []struct {
		name string
		args []string
		exit int
	}{
		{"standalone", []string{bin, "./..."}, 3},
		{"go vet", []string{gobin, "vet", "-vettool=" + bin, "./..."}, 1},
	} {
		out, code := run(mode.args[0], mode.args[1:]...)
		if code != mode.exit {
			t.Errorf("%s: exit status %d, want %d\n%s", mode.name, code, mode.exit, out)
		}
		want := "main.go:5:15: hard-coded HubSpot private app token (" + fp + ")"
		if !strings.Contains(out, want) {
			t.Errorf("%s: output lacks %q:\n%s", mode.name, want, out)
		}
		if strings.Contains(out, uuid) {
			t.Errorf("%s: output quotes the token", mode.name)
		}
	}

	write("main.go", source(" //hubkeyvet:ignore a test fixture made at run time"))
	for _, args := range [][]string{{bin, "./..."}, {gobin, "vet", "-vettool=" + bin, "./..."}} {
		if out, code := run(args[0], args[1:]...); code != 0 || strings.Contains(out, "hard-coded") {
			t.Errorf("%s with the report silenced: exit status %d\n%s", filepath.Base(args[0]), code, out)
		}
	}
}
