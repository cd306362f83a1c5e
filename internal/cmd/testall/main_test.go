package main

import (
	"context"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/internal/browserdev"
	"github.com/hubkey/hubkey/internal/motodev"
	"github.com/hubkey/hubkey/internal/pgdev"
	"github.com/hubkey/hubkey/internal/vaultdev"
)

func TestPackagePatterns(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{nil, nil},
		{[]string{"-run", "TestVault", "./secrets/vault/..."}, []string{"./secrets/vault/..."}},
		{[]string{"-run=TestVault", "-v", "./a", "./b/..."}, []string{"./a", "./b/..."}},
		{[]string{"-count", "1", "-coverprofile", "c.out", "-short"}, nil},
		{[]string{"-test.run", "X", "github.com/hubkey/hubkey/secrets"}, []string{"github.com/hubkey/hubkey/secrets"}},
		{[]string{"./x", "-args", "./not-a-package"}, []string{"./x"}},
	}
	for _, tc := range tests {
		if got := packagePatterns(tc.args); !slices.Equal(got, tc.want) {
			t.Errorf("packagePatterns(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestParseTestImports(t *testing.T) {
	out := strings.NewReader(`github.com/hubkey/hubkey/secrets/awssm context github.com/hubkey/hubkey/internal/motodev testing
github.com/hubkey/hubkey/internal/motodev
github.com/hubkey/hubkey/secrets/vault  github.com/hubkey/hubkey/internal/vaultdev
`)
	got, err := parseTestImports(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"context", "testing", "github.com/hubkey/hubkey/internal/motodev", "github.com/hubkey/hubkey/internal/vaultdev"} {
		if !got[want] {
			t.Errorf("parseTestImports misses %s", want)
		}
	}
	// A package's own path is not one of its tests' imports.
	for _, pkg := range []string{"github.com/hubkey/hubkey/secrets/awssm", "github.com/hubkey/hubkey/secrets/vault"} {
		if got[pkg] {
			t.Errorf("parseTestImports counts the package %s as imported", pkg)
		}
	}
}

// Each server is keyed by its helper's real import path, so renaming the
// helper cannot silently stop testall from starting the server.
func TestServersImportPaths(t *testing.T) {
	want := map[string]string{
		"Vault dev server":  reflect.TypeOf(vaultdev.Server{}).PkgPath(),
		"moto server":       reflect.TypeOf(motodev.Server{}).PkgPath(),
		"PostgreSQL server": reflect.TypeOf(pgdev.Server{}).PkgPath(),
		"Chromium":          strings.TrimSuffix(runtime.FuncForPC(reflect.ValueOf(browserdev.Find).Pointer()).Name(), ".Find"),
	}
	if len(servers) != len(want) {
		t.Fatalf("%d servers, want %d", len(servers), len(want))
	}
	for _, s := range servers {
		if s.importPath != want[s.name] {
			t.Errorf("%s is keyed by %q, want %q", s.name, s.importPath, want[s.name])
		}
	}
}

// testImports asks the go command: the awssm tests use moto and not Vault.
func TestTestImports(t *testing.T) {
	imports, known := testImports(context.Background(), []string{"github.com/hubkey/hubkey/secrets/awssm"})
	if !known {
		t.Fatal("go list could not say what the awssm tests import")
	}
	if !imports[reflect.TypeOf(motodev.Server{}).PkgPath()] || imports[reflect.TypeOf(vaultdev.Server{}).PkgPath()] {
		t.Fatalf("awssm's tests import motodev: %v, vaultdev: %v; want true, false",
			imports["github.com/hubkey/hubkey/internal/motodev"], imports["github.com/hubkey/hubkey/internal/vaultdev"])
	}
}
