// Package pgdev finds PostgreSQL's server programs, makes a throwaway
// cluster in a temporary directory and runs it on loopback, for hubkey's
// tests and benchmarks.
//
// PostgreSQL comes from the Debian package (apt-get install postgresql),
// which puts initdb, pg_ctl and postgres in /usr/lib/postgresql/VERSION/bin
// and not on PATH; [Find] looks on PATH first, then there. [Start] runs
// initdb into a scratch directory, then the server on a free loopback port
// with its Unix socket in that directory, creates the database [Database]
// for the role [User] (with a random password), and returns once it
// accepts connections. The server is a child of the calling process, not a
// daemon, so that on Linux it is stopped if that process dies. initdb
// refuses to run as root: as root, the cluster belongs to the postgres user
// (or nobody) and runs as that user.
//
// The test command ([github.com/hubkey/hubkey/internal/cmd/testall])
// starts one cluster when a package under test imports this package, and
// hands its URL to the tests in [EnvURL]. Tests read it back with
// [TestURL], which skips (or fails under CI=true) when it is absent. A
// test that stops the server on purpose starts a cluster of its own with
// [StartForTest].
package pgdev

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// EnvURL carries a running server's connection URL, such as
// "postgres://hubkey:…@127.0.0.1:41234/hubkey?sslmode=disable", to the
// tests.
const EnvURL = "HUBKEY_TEST_POSTGRES_URL"

// User and Database are the role and database [Start] creates.
const (
	User     = "hubkey"
	Database = "hubkey"
)

// HowToGet is the one-line explanation of how to get a PostgreSQL server
// for the tests.
const HowToGet = "install PostgreSQL with `apt-get install postgresql` (initdb, pg_ctl and postgres land in " +
	"/usr/lib/postgresql/VERSION/bin) and run the suite with `go run ./internal/cmd/testall` " +
	"(add -run and package patterns to narrow it), which starts a throwaway cluster on loopback and sets " +
	EnvURL + "; or point that variable at a database of your own"

// ErrNoBinary is returned by [Find] when PostgreSQL's server programs are
// not installed.
var ErrNoBinary = errors.New("pgdev: PostgreSQL's initdb, pg_ctl and postgres are not installed")

// debianRoot is where Debian installs each PostgreSQL version.
var debianRoot = "/usr/lib/postgresql"

// Find returns the directory that holds initdb, pg_ctl and postgres: the
// one initdb on PATH resolves to, else the newest
// /usr/lib/postgresql/VERSION/bin. It returns an error wrapping
// [ErrNoBinary] when there is none.
func Find() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil && hasServer(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(debianRoot, "*", "bin"))
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if hasServer(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w (looked on PATH and in %s/*/bin; %s)", ErrNoBinary, debianRoot, "apt-get install postgresql")
}

// version is the major version in a Debian path .../VERSION/bin.
func version(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// owner is a user the server runs as.
type owner struct{ uid, gid uint32 }

// Server is a running throwaway PostgreSQL cluster. It listens on
// loopback only; everything in it is lost at Stop.
type Server struct {
	// URL connects to [Database] as [User], over TCP on loopback.
	URL string

	bin     string
	dir     string // scratch directory: data, socket, log
	port    string
	cred    *owner // whom the server runs as; nil: this process's user
	logPath string

	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{}
	waitErr  error
	stopOnce sync.Once
	stopErr  error
}

// StartOptions tunes [Start]; the zero value is what tests want.
type StartOptions struct {
	// ReadyTimeout bounds initdb and the wait for the server to accept
	// connections (default 60s; it usually takes a second or two).
	ReadyTimeout time.Duration
}

// Start makes a cluster with initdb (bin is the directory [Find] returns)
// in a new temporary directory, runs it on a free loopback port, creates
// [Database], and returns once the server accepts connections. The server
// does not fsync (a crash of the machine would lose the cluster, which is
// for tests), but a commit survives a crash of the server ([Server.Kill]).
// Call Stop when done.
func Start(ctx context.Context, bin string, opts StartOptions) (*Server, error) {
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, opts.ReadyTimeout)
	defer cancel()
	s := &Server{bin: bin}
	if err := s.initdb(ctx); err != nil {
		s.removeDir()
		return nil, err
	}
	var lastErr error
	// A port found free can be taken before the server binds it; try again.
	for range 3 {
		port, err := freePort()
		if err != nil {
			s.removeDir()
			return nil, err
		}
		s.port = port
		lastErr = s.start(ctx)
		if lastErr == nil {
			break
		}
		if !errors.Is(lastErr, errPortTaken) || ctx.Err() != nil {
			break
		}
	}
	if lastErr != nil {
		s.removeDir()
		return nil, lastErr
	}
	if err := s.createDatabase(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

var errPortTaken = errors.New("listen address already in use")

// initdb makes the scratch directory and the cluster in it, owned by the
// user the server will run as, with a random password for [User].
func (s *Server) initdb(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "hubkey-pgdev-")
	if err != nil {
		return fmt.Errorf("pgdev: %w", err)
	}
	s.dir = dir
	s.logPath = filepath.Join(dir, "server.log")
	if s.cred, err = serverUser(); err != nil {
		return err
	}
	pw, err := randomPassword()
	if err != nil {
		return err
	}
	pwfile := filepath.Join(dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(pw+"\n"), 0o600); err != nil {
		return fmt.Errorf("pgdev: %w", err)
	}
	if err := s.chown(dir, pwfile); err != nil {
		return err
	}
	out, err := s.run(ctx, "initdb", "-D", s.dataDir(), "-U", User, "--pwfile="+pwfile,
		"--auth-host=scram-sha-256", "--auth-local=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
	os.Remove(pwfile)
	if err != nil {
		return fmt.Errorf("pgdev: initdb: %w; it said:\n%s", err, tail(out))
	}
	s.URL = (&url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(User, pw),
		Host:     "127.0.0.1", // the port is added when it is known
		Path:     "/" + Database,
		RawQuery: "sslmode=disable",
	}).String()
	return nil
}

func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }

// serverUser returns the credential the server runs under: nil (this
// process's user) unless this process is root, which initdb and postgres
// refuse; then the postgres user, or nobody.
func serverUser() (*owner, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		return &owner{uid: uint32(uid), gid: uint32(gid)}, nil
	}
	return nil, errors.New("pgdev: running as root, and there is no postgres or nobody user to run PostgreSQL as (initdb refuses root)")
}

func (s *Server) chown(paths ...string) error {
	if s.cred == nil {
		return nil
	}
	for _, p := range paths {
		if err := os.Chown(p, int(s.cred.uid), int(s.cred.gid)); err != nil {
			return fmt.Errorf("pgdev: handing %s to the server's user: %w", p, err)
		}
	}
	return nil
}

// command returns a command running one of the PostgreSQL programs as the
// server's user, in the scratch directory, with none of the caller's PG*
// variables.
func (s *Server) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.Env = serverEnv(os.Environ(), s.dir)
	cmd.SysProcAttr = procAttr(s.cred)
	return cmd
}

func (s *Server) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	var out bytes.Buffer
	cmd := s.command(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// serverEnv is environ without PG* variables (a user's PGHOST or
// PGPASSWORD must not steer the test cluster), with HOME set to home.
func serverEnv(environ []string, home string) []string {
	out := make([]string, 0, len(environ)+1)
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(strings.ToUpper(name), "PG") || name == "HOME" {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "HOME="+home)
}

// start runs the server on s.port and waits until it accepts connections.
func (s *Server) start(ctx context.Context) error {
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("pgdev: %w", err)
	}
	// Not ctx: the server outlives the call that starts it.
	cmd := s.command(context.Background(), "postgres", "-D", s.dataDir(),
		"-c", "listen_addresses=127.0.0.1", "-p", s.port, "-k", s.dir,
		"-c", "fsync=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "logging_collector=off")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("pgdev: starting postgres: %w", err)
	}
	exited := make(chan struct{})
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()
	go func() {
		err := cmd.Wait()
		logFile.Close()
		s.mu.Lock()
		s.waitErr = err
		s.mu.Unlock()
		close(exited)
	}()
	return s.waitReady(ctx, exited)
}

// waitReady polls postmaster.pid, whose status line says "ready" once the
// server accepts connections (pg_ctl -w reads the same line), until then,
// the server's exit, or ctx's end.
func (s *Server) waitReady(ctx context.Context, exited chan struct{}) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if ready(filepath.Join(s.dataDir(), "postmaster.pid"), s.port) {
			return nil
		}
		select {
		case <-exited:
			log := s.logTail()
			if strings.Contains(log, "Address already in use") || strings.Contains(log, "could not bind") {
				return fmt.Errorf("pgdev: port %s: %w", s.port, errPortTaken)
			}
			return fmt.Errorf("pgdev: postgres exited before it accepted connections (%v); its log ends:\n%s", s.waitError(), log)
		case <-ctx.Done():
			return fmt.Errorf("pgdev: postgres on port %s not ready: %w; its log ends:\n%s", s.port, ctx.Err(), s.logTail())
		case <-tick.C:
		}
	}
}

// ready reports whether the postmaster.pid file at path is that of a
// server on port that accepts connections.
func ready(path, port string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	lines := strings.Split(string(b), "\n")
	// Line 4 is the port, line 8 the status.
	return len(lines) >= 8 && strings.TrimSpace(lines[3]) == port && strings.TrimSpace(lines[7]) == "ready"
}

func (s *Server) waitError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waitErr
}

// createDatabase creates [Database] over the Unix socket and records the
// port in URL.
func (s *Server) createDatabase(ctx context.Context) error {
	out, err := s.run(ctx, "createdb", "-h", s.dir, "-p", s.port, "-U", User, Database)
	if err != nil {
		return fmt.Errorf("pgdev: createdb: %w; it said:\n%s", err, tail(out))
	}
	u, _ := url.Parse(s.URL)
	u.Host = net.JoinHostPort("127.0.0.1", s.port)
	s.URL = u.String()
	return nil
}

// logTail returns the end of the server's log.
func (s *Server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	return tail(b)
}

func tail(b []byte) string {
	const max = 4 << 10
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// Env returns the environment entry that hands this server to a test
// process: [EnvURL]=URL.
func (s *Server) Env() []string { return []string{EnvURL + "=" + s.URL} }

// Kill stops the server at once, as a crash would: an immediate shutdown
// (SIGQUIT), which drops every connection and skips the checkpoint. The
// data stays, and Restart starts the server again on it. It is for tests
// of what clients do when the database goes away.
func (s *Server) Kill() error {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.mu.Unlock()
	if cmd == nil {
		return errors.New("pgdev: the server is not running")
	}
	select {
	case <-exited:
		return nil
	default:
	}
	if err := cmd.Process.Signal(syscall.SIGQUIT); err != nil {
		return fmt.Errorf("pgdev: %w", err)
	}
	<-exited
	return nil
}

// Restart starts a killed server again, on the same port and data, and
// returns once it accepts connections.
func (s *Server) Restart(ctx context.Context) error {
	s.mu.Lock()
	exited := s.exited
	s.mu.Unlock()
	select {
	case <-exited:
	default:
		return errors.New("pgdev: Restart of a server that is running")
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	return s.start(ctx)
}

// Stop shuts the server down (a fast shutdown, SIGINT, then a kill if it
// has not exited within 10s) and removes the scratch directory. It is
// safe to call more than once; later calls return the first call's
// result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		cmd, exited := s.cmd, s.exited
		s.mu.Unlock()
		if cmd != nil {
			select {
			case <-exited:
			default:
				if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
					cmd.Process.Kill()
				}
				t := time.NewTimer(10 * time.Second)
				select {
				case <-exited:
					t.Stop()
				case <-t.C:
					cmd.Process.Kill()
					<-exited
				}
			}
		}
		s.stopErr = s.removeDir()
	})
	return s.stopErr
}

func (s *Server) removeDir() error {
	if s.dir == "" {
		return nil
	}
	if err := os.RemoveAll(s.dir); err != nil {
		return fmt.Errorf("pgdev: removing %s: %w", s.dir, err)
	}
	return nil
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("pgdev: finding a free loopback port: %w", err)
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

func randomPassword() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("pgdev: %w", err)
	}
	return "hubkey-pgdev-" + hex.EncodeToString(b[:]), nil
}

// FromEnv returns the URL [EnvURL] names, and false when it is unset.
func FromEnv() (string, bool) {
	u := os.Getenv(EnvURL)
	return u, u != ""
}

// TestURL returns the server handed to this test process in [EnvURL].
// When it is unset it skips tb, saying how to get one; when the CI
// environment variable is "true" it fails tb instead, because CI must not
// pass with the PostgreSQL tests skipped.
func TestURL(tb testing.TB) string {
	tb.Helper()
	if u, ok := FromEnv(); ok {
		return u
	}
	missing(tb, "no PostgreSQL server: "+EnvURL+" is not set; "+HowToGet)
	return ""
}

// StartForTest starts a cluster that belongs to tb alone, for a test that
// kills or restarts it, and stops it when tb ends. Without PostgreSQL
// installed it skips tb (fails it under CI=true).
func StartForTest(tb testing.TB) *Server {
	tb.Helper()
	bin, err := Find()
	if err != nil {
		missing(tb, err.Error()+"; "+HowToGet)
		return nil
	}
	s, err := Start(context.Background(), bin, StartOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Stop(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

func missing(tb testing.TB, msg string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + " (CI=true: skipped PostgreSQL tests are a failure)")
	}
	tb.Skip(msg)
}
