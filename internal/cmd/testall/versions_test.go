package main

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

const (
	hubspotPkg = "github.com/hubkey/hubkey/hubspot"
	e2ePkg     = "github.com/hubkey/hubkey/internal/e2e"
)

func TestOtherVersions(t *testing.T) {
	for main, want := range map[string][]string{
		"":         {"numbered", "2025-09", "2026-09"}, // the default, 2026-03, was tested
		"numbered": {"2025-09", "2026-03", "2026-09"},
		"2026-09":  {"numbered", "2025-09", "2026-03"},
	} {
		if got := otherVersions(main); !slices.Equal(got, want) {
			t.Errorf("otherVersions(%q) = %q, want %q", main, got, want)
		}
	}
}

// testall's versions are exactly those the client accepts: the client's
// error for an unknown version lists them.
func TestAPIVersionsAreTheClients(t *testing.T) {
	for _, v := range apiVersions() {
		c, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic("x")), hubspot.WithAPIVersion(v))
		if err != nil {
			t.Fatalf("the client refuses %s: %v", v, err)
		}
		c.Close()
	}
	_, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic("x")), hubspot.WithAPIVersion("none"))
	if want := fmt.Sprintf("use one of %q", apiVersions()); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("the client's versions differ from testall's %q: %v", apiVersions(), err)
	}
}

// defaultAPIVersion is the version a client built without WithAPIVersion
// calls, as the server sees it.
func TestDefaultAPIVersion(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic(srv.NewToken(hubspottest.AllScopes...))), hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Owners.List(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	j := srv.Journal()
	if len(j) != 1 {
		t.Fatalf("%d calls", len(j))
	}
	_, v, _, ok := endpoints.Match(j[0].Method, j[0].Path)
	if !ok || v.String() != defaultAPIVersion {
		t.Errorf("the client's default version is %q (%s %s); testall's defaultAPIVersion is %q", v, j[0].Method, j[0].Path, defaultAPIVersion)
	}
}

// Each versioned package is keyed by its real import path, and its tests
// read the variable testall sets.
func TestVersionedPackages(t *testing.T) {
	if !slices.Equal(versionedPackages, []string{reflect.TypeOf(hubspot.Client{}).PkgPath(), e2ePkg}) {
		t.Errorf("versionedPackages = %q", versionedPackages)
	}
	pkgs, err := listPackages(context.Background(), []string{"./../../e2e/", "./../../../hubspot/"})
	if err != nil || !slices.Equal(pkgs, []string{e2ePkg, hubspotPkg}) {
		t.Fatalf("listPackages: %q, %v", pkgs, err)
	}
}

func TestVersionRunArgs(t *testing.T) {
	tests := []struct {
		args        []string
		flags, tail []string
	}{
		{nil, nil, nil},
		{[]string{"./..."}, nil, nil},
		{[]string{"-run", "TestX", "-count=1", "-v", "./hubspot/"}, []string{"-run", "TestX", "-count=1", "-v"}, nil},
		{[]string{"-coverprofile", "c.out", "-cpuprofile=cpu.out", "-short", "./..."}, []string{"-short"}, nil},
		{[]string{"-test.run", "X", "./x", "-args", "-foo", "./y"}, []string{"-test.run", "X"}, []string{"-args", "-foo", "./y"}},
	}
	for _, tc := range tests {
		flags, tail := versionRunArgs(tc.args)
		if !slices.Equal(flags, tc.flags) || !slices.Equal(tail, tc.tail) {
			t.Errorf("versionRunArgs(%q) = %q, %q; want %q, %q", tc.args, flags, tail, tc.flags, tc.tail)
		}
	}
}

func TestPlanVersions(t *testing.T) {
	env := []string{"PATH=/bin", "CI=true"}
	// No versioned package: no run.
	if runs := planVersions([]string{"github.com/hubkey/hubkey/signing"}, nil, env); len(runs) != 0 {
		t.Fatalf("runs for signing alone: %+v", runs)
	}
	// ./... with flags: hubspot and e2e only, in every other version.
	pkgs := []string{"github.com/hubkey/hubkey/signing", e2ePkg, hubspotPkg, "github.com/hubkey/hubkey/hubspot/oauth"}
	runs := planVersions(pkgs, []string{"-run", "TestA", "-coverprofile", "c.out", "./...", "-args", "-x"}, env)
	var versions []string
	for _, r := range runs {
		versions = append(versions, r.version)
		wantArgs := []string{"test", "-race", "-timeout", "20m", "-run", "TestA", e2ePkg, hubspotPkg, "-args", "-x"}
		if !slices.Equal(r.args, wantArgs) {
			t.Errorf("%s: args %q, want %q", r.version, r.args, wantArgs)
		}
		if got := lookupEnv(r.env, apiVersionEnv); got != r.version || lookupEnv(r.env, "CI") != "true" {
			t.Errorf("%s: env %q", r.version, r.env)
		}
	}
	if !slices.Equal(versions, []string{"numbered", "2025-09", "2026-09"}) {
		t.Errorf("versions %q", versions)
	}
	if len(env) != 2 {
		t.Errorf("planVersions changed its caller's env: %q", env)
	}
	// The main run's version, when the caller named one, is not run again.
	runs = planVersions([]string{hubspotPkg}, nil, append(env, apiVersionEnv+"=2025-09"))
	versions = nil
	for _, r := range runs {
		versions = append(versions, r.version)
		if lookupEnv(r.env, apiVersionEnv) != r.version {
			t.Errorf("%s: env %q", r.version, r.env)
		}
	}
	if !slices.Equal(versions, []string{"numbered", "2026-03", "2026-09"}) {
		t.Errorf("after a main run in 2025-09: versions %q", versions)
	}
}

// Every run goes, whatever fails; the first failure's status is returned.
func TestRunAll(t *testing.T) {
	runs := []versionRun{{version: "numbered"}, {version: "2025-09"}, {version: "2026-09"}}
	status := map[string]int{"numbered": 0, "2025-09": 2, "2026-09": 1}
	var ran []string
	fake := func(_ context.Context, r versionRun) int {
		ran = append(ran, r.version)
		return status[r.version]
	}
	if got := runAll(context.Background(), runs, fake); got != 2 {
		t.Errorf("status %d, want 2", got)
	}
	if !slices.Equal(ran, []string{"numbered", "2025-09", "2026-09"}) {
		t.Errorf("ran %q", ran)
	}
	ran = nil
	if got := runAll(context.Background(), runs[:1], fake); got != 0 || len(ran) != 1 {
		t.Errorf("a passing run: status %d, ran %q", got, ran)
	}
	// An interrupt stops what is left.
	ctx, cancel := context.WithCancel(context.Background())
	ran = nil
	stopAfterFirst := func(ctx context.Context, r versionRun) int {
		ran = append(ran, r.version)
		cancel()
		return 0
	}
	if got := runAll(ctx, runs, stopAfterFirst); got == 0 || len(ran) != 1 {
		t.Errorf("interrupted: status %d, ran %q", got, ran)
	}
}

// Packages that do not include the client's suite cost one go list.
func TestRunVersionsWithoutTheClientsSuite(t *testing.T) {
	if got := runVersions(context.Background(), []string{"-run", "X", "./"}, []string{"./"}, nil); got != 0 {
		t.Errorf("runVersions over testall itself: %d", got)
	}
}
