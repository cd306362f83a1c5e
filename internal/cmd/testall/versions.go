package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// The client's suite in every API version.
//
// The main run tests the hubspot client in one API version: the one
// HUBKEY_TEST_API_VERSION names, or the package default. After it passes,
// runVersions runs the packages whose clients follow that variable once
// more per other version, so that a path, a fallback or a shape that only
// one version has is tested too.

// apiVersionEnv names the environment variable that sets the API version
// the hubspot and e2e tests' clients speak.
const apiVersionEnv = "HUBKEY_TEST_API_VERSION"

// defaultAPIVersion is the version hubspot.Client speaks unless
// WithAPIVersion says otherwise; TestDefaultAPIVersion holds it to the
// client's.
const defaultAPIVersion = "2026-03"

// versionedPackages are the packages whose tests build their clients in
// the version apiVersionEnv names.
var versionedPackages = []string{
	"github.com/hubkey/hubkey/hubspot",
	"github.com/hubkey/hubkey/internal/e2e",
}

// apiVersions returns every API version hubspot.WithAPIVersion accepts:
// "numbered" and the catalogue's dated versions.
func apiVersions() []string {
	out := []string{endpoints.Numbered.String()}
	for _, v := range endpoints.DatedVersions() {
		out = append(out, string(v))
	}
	return out
}

// otherVersions returns the versions the main run did not test, given the
// value of apiVersionEnv it ran with ("" for the default).
func otherVersions(mainVersion string) []string {
	if mainVersion == "" {
		mainVersion = defaultAPIVersion
	}
	var out []string
	for _, v := range apiVersions() {
		if v != mainVersion {
			out = append(out, v)
		}
	}
	return out
}

// runVersions runs go test -race over the versioned packages among those
// patterns match, once per API version the main run did not test, with
// args' flags (but not its packages, nor flags that name an output file
// the main run wrote). It prints which version each run is for and returns
// the first failing run's exit status, or 0.
func runVersions(ctx context.Context, args, patterns, env []string) int {
	pkgs, err := listPackages(ctx, patterns)
	if err != nil {
		fmt.Fprintf(os.Stderr, "testall: cannot tell whether the client's suite is among the packages, so it is not run per API version: %v\n", err)
		return 1
	}
	return runAll(ctx, planVersions(pkgs, args, env), runGo)
}

// versionRun is one go test run for one API version.
type versionRun struct {
	version string
	args    []string // go's arguments, from "test"
	env     []string
}

// planVersions returns the runs for the versioned packages among pkgs
// (none when there are none), one per version the main run, whose
// environment was env, did not test.
func planVersions(pkgs, args, env []string) []versionRun {
	var versioned []string
	for _, p := range pkgs {
		if slices.Contains(versionedPackages, p) && !slices.Contains(versioned, p) {
			versioned = append(versioned, p)
		}
	}
	if len(versioned) == 0 {
		return nil
	}
	flags, tail := versionRunArgs(args)
	var runs []versionRun
	for _, v := range otherVersions(lookupEnv(env, apiVersionEnv)) {
		a := append([]string{"test", "-race", "-timeout", "20m"}, flags...)
		a = append(append(a, versioned...), tail...)
		runs = append(runs, versionRun{version: v, args: a, env: append(slices.Clone(env), apiVersionEnv+"="+v)})
	}
	return runs
}

// runAll runs each of runs with run, saying which version each is for and
// which failed, and returns the first failure's exit status, or 0. It
// stops early only when ctx ends.
func runAll(ctx context.Context, runs []versionRun, run func(context.Context, versionRun) int) int {
	status := 0
	for _, r := range runs {
		if ctx.Err() != nil {
			if status == 0 {
				status = 1
			}
			break
		}
		fmt.Fprintf(os.Stderr, "testall: API version %s: %s=%s go %s\n", r.version, apiVersionEnv, r.version, strings.Join(r.args, " "))
		if code := run(ctx, r); code != 0 {
			fmt.Fprintf(os.Stderr, "testall: API version %s: FAIL\n", r.version)
			if status == 0 {
				status = code
			}
		}
	}
	return status
}

// runGo runs go with r's arguments and environment, passing its output on,
// and returns its exit status.
func runGo(ctx context.Context, r versionRun) int {
	cmd := exec.CommandContext(ctx, "go", r.args...)
	cmd.Stdout, cmd.Stderr, cmd.Env = os.Stdout, os.Stderr, r.env
	// On an interrupt, let go test clean up before it is killed.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() > 0 {
			return ee.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "testall:", err)
		return 1
	}
	return 0
}

// lookupEnv returns the last value of name in env, as exec.Cmd would pass
// it.
func lookupEnv(env []string, name string) string {
	v := ""
	for _, e := range env {
		if k, val, ok := strings.Cut(e, "="); ok && k == name {
			v = val
		}
	}
	return v
}

// listPackages returns the import paths of the packages patterns match.
func listPackages(ctx context.Context, patterns []string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "go", append([]string{"list", "-e", "-f", "{{.ImportPath}}"}, patterns...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, strings.TrimSpace(errOut.String()))
	}
	return parsePackages(&out)
}

// parsePackages reads one import path a line.
func parsePackages(r io.Reader) ([]string, error) {
	var pkgs []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if p := strings.TrimSpace(sc.Text()); p != "" {
			pkgs = append(pkgs, p)
		}
	}
	return pkgs, sc.Err()
}

// outputFlags are the go test flags that name a file the main run wrote;
// a per-version run would overwrite it.
var outputFlags = map[string]bool{
	"coverprofile": true, "cpuprofile": true, "memprofile": true, "blockprofile": true,
	"mutexprofile": true, "trace": true, "outputdir": true, "o": true,
}

// versionRunArgs splits go test's arguments into the flags a per-version
// run takes (neither a package nor an output file flag) and the -args tail
// (with -args), which goes after the packages.
func versionRunArgs(args []string) (flags, tail []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-args" || a == "--args" {
			return flags, slices.Clone(args[i:])
		}
		if !strings.HasPrefix(a, "-") {
			continue // a package
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		name = strings.TrimPrefix(name, "test.")
		takesNext := !hasValue && valueFlags[name] && i+1 < len(args)
		if outputFlags[name] {
			if takesNext {
				i++
			}
			continue
		}
		flags = append(flags, a)
		if takesNext {
			i++
			flags = append(flags, args[i])
		}
	}
	return flags, nil
}
