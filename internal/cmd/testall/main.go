// Command testall runs hubkey's whole test suite with the race detector:
//
//	go run ./internal/cmd/testall [go test flags] [packages]
//
// It is the README's test command and what CI runs. It prepares what the
// tests need that a fresh machine lacks, then runs go test -race over the
// packages (./... when none are named) and passes on its exit status. Other
// arguments go to go test, so a narrow run works too:
//
//	go run ./internal/cmd/testall -run TestKV2 ./secrets/vault/...
//
// What it prepares: servers that some packages' tests need, each started
// only when a package under test imports its helper package.
//
//   - Vault, for tests that import internal/vaultdev: testall finds Vault in
//     the user cache directory or builds it there once (several minutes;
//     see [vaultdev.Build]), starts it in dev mode on a free loopback port
//     with a random root token, and hands it to go test in
//     HUBKEY_TEST_VAULT_ADDR and HUBKEY_TEST_VAULT_TOKEN. If those two
//     variables are already set, that server is used instead.
//   - moto's AWS emulator, for tests that import internal/motodev: testall
//     finds moto_server on PATH (pip install 'moto[server]'), starts it on
//     a free loopback port and hands it to go test in
//     HUBKEY_TEST_MOTO_ENDPOINT. If that variable is already set, that
//     server is used instead.
//   - PostgreSQL, for tests that import internal/pgdev: testall finds
//     initdb, pg_ctl and postgres (apt-get install postgresql puts them in
//     /usr/lib/postgresql/VERSION/bin), makes a throwaway cluster in a
//     temporary directory, runs it on a free loopback port and hands its
//     URL to go test in HUBKEY_TEST_POSTGRES_URL. If that variable is
//     already set, that database is used instead.
//   - Chromium, for tests that import internal/browserdev: testall finds
//     it on PATH or at /usr/bin/chromium and, when it is missing and
//     testall runs as root with apt-get (a CI machine, a container),
//     installs Debian's chromium package; it hands the executable's path
//     to go test in HUBKEY_TEST_CHROMIUM. The tests start one headless
//     browser for the suite. If that variable is already set, that
//     browser is used instead.
//
// It prints one line for each saying where the server came from, and stops
// what it started afterwards, also when the tests fail or are interrupted.
//
// If a server cannot be found or started, testall says why and runs the
// tests anyway, and the tests that need it skip saying why; when the CI
// environment variable is "true" that is a failure instead.
//
// When the main run passes and the packages include hubspot or
// internal/e2e, testall runs go test -race over those of the two that are
// included once more per API version the main run did not test (it tested
// the version HUBKEY_TEST_API_VERSION names, or the client's default), with
// HUBKEY_TEST_API_VERSION set to that version, the same flags (less those
// naming an output file) and a line saying which version each run is for.
// It fails if any of these runs fails.
package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hubkey/hubkey/internal/browserdev"
	"github.com/hubkey/hubkey/internal/motodev"
	"github.com/hubkey/hubkey/internal/pgdev"
	"github.com/hubkey/hubkey/internal/vaultdev"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second interrupt kills at once
	}()
	os.Exit(run(ctx, os.Args[1:]))
}

func run(ctx context.Context, extra []string) int {
	env := os.Environ()
	patterns := packagePatterns(extra)
	args := append([]string{"test", "-race", "-timeout", "20m"}, extra...)
	if len(patterns) == 0 {
		patterns = []string{"./..."}
		args = append(args, "./...")
	}

	imports, known := testImports(ctx, patterns)
	for _, srv := range servers {
		if known && !imports[srv.importPath] {
			continue
		}
		srvEnv, stopSrv, err := srv.prepare(ctx)
		if err != nil {
			if os.Getenv("CI") == "true" {
				fmt.Fprintf(os.Stderr, "testall: %v\ntestall: CI=true, so a missing %s is a failure\n", err, srv.name)
				return 1
			}
			fmt.Fprintf(os.Stderr, "testall: no %s, so the tests that need it will skip: %v\n", srv.name, err)
		}
		defer stopSrv()
		env = append(env, srvEnv...)
	}

	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Stdout, cmd.Stderr, cmd.Env = os.Stdout, os.Stderr, env
	// On an interrupt, let go test clean up before it is killed.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() >= 0 {
			return ee.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "testall:", err)
		return 1
	}
	return runVersions(ctx, extra, patterns, env)
}

// server is something the tests of packages that import importPath need
// running.
type server struct {
	name       string
	importPath string
	// prepare finds or starts the server and returns the environment
	// entries that hand it to the tests and a function that stops it (a
	// no-op when testall did not start it). stop is never nil.
	prepare func(ctx context.Context) (env []string, stop func(), err error)
}

var servers = []server{
	{"Vault dev server", "github.com/hubkey/hubkey/internal/vaultdev", prepareVault},
	{"moto server", "github.com/hubkey/hubkey/internal/motodev", prepareMoto},
	{"PostgreSQL server", "github.com/hubkey/hubkey/internal/pgdev", preparePostgres},
	{"Chromium", "github.com/hubkey/hubkey/internal/browserdev", prepareChromium},
}

// prepareVault finds or starts the Vault dev server for the tests and
// returns the environment entries that hand it to them and a function that
// stops it (a no-op when testall did not start it). It prints one line
// saying where Vault came from.
func prepareVault(ctx context.Context) (env []string, stop func(), err error) {
	stop = func() {}
	if c, ok := vaultdev.FromEnv(); ok {
		fmt.Fprintf(os.Stderr, "testall: Vault: the server at %s named by %s (not starting one)\n", c.Addr, vaultdev.EnvAddr)
		return nil, stop, nil
	}
	bin, built, err := vaultdev.FindOrBuild(ctx, os.Stderr)
	if err != nil {
		return nil, stop, err
	}
	srv, err := vaultdev.Start(ctx, bin, vaultdev.StartOptions{})
	if err != nil {
		return nil, stop, err
	}
	from := "cached"
	if built {
		from = "built just now"
	}
	fmt.Fprintf(os.Stderr, "testall: Vault %s dev server at %s (binary %s, %s)\n", vaultdev.Version, srv.Addr, bin, from)
	return srv.Env(), func() {
		if err := srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "testall:", err)
		}
	}, nil
}

// prepareMoto finds or starts moto's server for the tests, as prepareVault
// does for Vault.
func prepareMoto(ctx context.Context) (env []string, stop func(), err error) {
	stop = func() {}
	if ep, ok := motodev.FromEnv(); ok {
		fmt.Fprintf(os.Stderr, "testall: moto: the server at %s named by %s (not starting one)\n", ep, motodev.EnvEndpoint)
		return nil, stop, nil
	}
	bin, err := motodev.Find()
	if err != nil {
		return nil, stop, err
	}
	srv, err := motodev.Start(ctx, bin, motodev.StartOptions{})
	if err != nil {
		return nil, stop, err
	}
	fmt.Fprintf(os.Stderr, "testall: moto server at %s (%s)\n", srv.Endpoint, bin)
	return srv.Env(), func() {
		if err := srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "testall:", err)
		}
	}, nil
}

// preparePostgres finds PostgreSQL and starts a throwaway cluster for the
// tests, as prepareVault does for Vault.
func preparePostgres(ctx context.Context) (env []string, stop func(), err error) {
	stop = func() {}
	if _, ok := pgdev.FromEnv(); ok {
		fmt.Fprintf(os.Stderr, "testall: PostgreSQL: the database named by %s (not starting one)\n", pgdev.EnvURL)
		return nil, stop, nil
	}
	bin, err := pgdev.Find()
	if err != nil {
		return nil, stop, err
	}
	srv, err := pgdev.Start(ctx, bin, pgdev.StartOptions{})
	if err != nil {
		return nil, stop, err
	}
	u, _ := url.Parse(srv.URL)
	fmt.Fprintf(os.Stderr, "testall: PostgreSQL throwaway cluster at %s (%s)\n", u.Host, bin)
	return srv.Env(), func() {
		if err := srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "testall:", err)
		}
	}, nil
}

// prepareChromium finds Chromium for the browser tests, installing it with
// apt-get when it is missing and testall may (see [browserdev.FindOrInstall]).
// Nothing is started: the tests start one browser for the suite.
func prepareChromium(ctx context.Context) (env []string, stop func(), err error) {
	stop = func() {}
	if p, ok := browserdev.FromEnv(); ok {
		fmt.Fprintf(os.Stderr, "testall: Chromium: %s named by %s\n", p, browserdev.EnvPath)
		return nil, stop, nil
	}
	p, installed, err := browserdev.FindOrInstall(ctx, os.Stderr)
	if err != nil {
		return nil, stop, err
	}
	how := "found"
	if installed {
		how = "installed just now with apt-get"
	}
	fmt.Fprintf(os.Stderr, "testall: Chromium at %s (%s)\n", p, how)
	return []string{browserdev.EnvPath + "=" + p}, stop, nil
}

// testImports returns the import paths that the tests of the packages
// matched by patterns import. known is false when go list cannot say (a
// package mid-edit that does not parse, say); callers then start every
// server, which costs seconds, rather than none.
func testImports(ctx context.Context, patterns []string) (imports map[string]bool, known bool) {
	args := append([]string{"list", "-e", "-f", listFormat}, patterns...)
	cmd := exec.CommandContext(ctx, "go", args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return nil, false
	}
	imports, err := parseTestImports(&out)
	return imports, err == nil
}

// listFormat makes go list print, per package, its import path and then
// what its tests import.
const listFormat = "{{.ImportPath}} {{join .TestImports \" \"}} {{join .XTestImports \" \"}}"

// parseTestImports reads go list output in listFormat.
func parseTestImports(r io.Reader) (map[string]bool, error) {
	imports := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		for i, f := range strings.Fields(sc.Text()) {
			if i > 0 {
				imports[f] = true
			}
		}
	}
	return imports, sc.Err()
}

// valueFlags are the go test and build flags that take a separate value
// (-run X as well as -run=X).
var valueFlags = map[string]bool{
	"run": true, "skip": true, "bench": true, "benchtime": true, "count": true, "cpu": true,
	"timeout": true, "parallel": true, "list": true, "shuffle": true, "fuzz": true,
	"fuzztime": true, "fuzzminimizetime": true, "coverprofile": true, "covermode": true,
	"coverpkg": true, "cpuprofile": true, "memprofile": true, "memprofilerate": true,
	"blockprofile": true, "blockprofilerate": true, "mutexprofile": true,
	"mutexprofilefraction": true, "outputdir": true, "trace": true, "exec": true, "vet": true,
	"o": true, "p": true, "tags": true, "ldflags": true, "gcflags": true, "asmflags": true,
	"gccgoflags": true, "mod": true, "modfile": true, "overlay": true, "pgo": true,
	"pkgdir": true, "toolexec": true, "buildmode": true, "compiler": true, "installsuffix": true,
}

// packagePatterns returns the package arguments among go test's arguments:
// those that are neither a flag nor a flag's value, before -args.
func packagePatterns(args []string) []string {
	var pkgs []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-args" || a == "--args" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			pkgs = append(pkgs, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if valueFlags[strings.TrimPrefix(name, "test.")] {
			i++ // skip the value
		}
	}
	return pkgs
}
