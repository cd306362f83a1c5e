// Package vaultdev finds, builds, starts and stops a real HashiCorp Vault
// server in dev mode, on loopback, for hubkey's tests and examples.
//
// Vault is not packaged by Debian and hubkey does not vendor a binary, so the
// test command ([github.com/hubkey/hubkey/internal/cmd/testall]) builds
// Vault [Version] once from its Go module into the user's cache directory
// (see [BinaryPath]) and reuses it afterwards. [Start] runs that binary as
// `vault server -dev` on a free loopback port with a random root token, and
// [Server.Env] hands the address and token to the test process in
// [EnvAddr] and [EnvToken]. Tests read them back with [TestServer], which
// skips (or fails under CI=true) when they are absent.
package vaultdev

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/secrets"
)

// Version is the Vault release hubkey tests against. It is the newest
// release that builds from its Go module with the replace directives for
// its own api, api/auth and sdk modules dropped (v1.21.4 does not).
const Version = "v1.21.0"

// Module is the Go module Vault is built from.
const Module = "github.com/hashicorp/vault"

// Environment variables that carry a running dev server to the tests. They
// are not VAULT_ADDR and VAULT_TOKEN, which may hold a user's real Vault.
const (
	EnvAddr  = "HUBKEY_TEST_VAULT_ADDR"
	EnvToken = "HUBKEY_TEST_VAULT_TOKEN"
)

// ErrNoBinary is returned by [Find] when the cache holds no Vault binary.
var ErrNoBinary = errors.New("vaultdev: no Vault " + Version + " binary in the cache")

// CacheDir returns the directory Vault [Version] is built into and found in:
// os.UserCacheDir()/hubkey/vault-VERSION.
func CacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("vaultdev: no user cache directory to keep Vault in: %w", err)
	}
	return filepath.Join(base, "hubkey", "vault-"+Version), nil
}

// BinaryPath returns where the Vault binary lives once built:
// CacheDir()/vault (vault.exe on Windows). The file need not exist.
func BinaryPath() (string, error) {
	dir, err := CacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, exeName("vault")), nil
}

// Find returns the path of the cached Vault binary, or an error wrapping
// [ErrNoBinary] when it has not been built. It never builds.
func Find() (string, error) {
	bin, err := BinaryPath()
	if err != nil {
		return "", err
	}
	st, err := os.Stat(bin)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("%w (looked for %s)", ErrNoBinary, bin)
	case err != nil:
		return "", fmt.Errorf("vaultdev: %w", err)
	case !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0:
		return "", fmt.Errorf("vaultdev: %s is not an executable file", bin)
	}
	return bin, nil
}

// Server is a running Vault dev server. It is in-memory, unsealed, and
// listens on loopback only; everything written to it is lost at Stop.
type Server struct {
	// Addr is the server's address, such as "http://127.0.0.1:41234".
	Addr string
	// Token is the server's root token, random for each server.
	Token secrets.Secret

	cmd      *exec.Cmd
	dir      string // holds HOME for the server and its log
	logPath  string
	exited   chan struct{}
	waitErr  error
	stopOnce sync.Once
	stopErr  error
}

// StartOptions tunes [Start]; the zero value is what tests want.
type StartOptions struct {
	// ReadyTimeout bounds the wait for the server to report healthy
	// (default 30s; a dev server is usually healthy in under a second).
	ReadyTimeout time.Duration
}

// Start runs bin (a Vault binary, see [Find]) as a dev server on a free
// loopback port with a random root token, and returns once
// /v1/sys/health reports it initialized, unsealed and active. The server
// gets a scratch HOME and none of the caller's VAULT_* variables, and it is
// told not to store its token, so a user's ~/.vault-token is never touched.
// On Linux it is killed if the calling process dies. Call Stop when done.
func Start(ctx context.Context, bin string, opts StartOptions) (*Server, error) {
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 30 * time.Second
	}
	var lastErr error
	// A port found free can be taken before Vault binds it; try again then.
	for range 3 {
		s, err := start(ctx, bin, opts)
		if err == nil {
			return s, nil
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) || ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

var errPortTaken = errors.New("listen address already in use")

func start(ctx context.Context, bin string, opts StartOptions) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	tok, err := randomToken()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "hubkey-vaultdev-")
	if err != nil {
		return nil, fmt.Errorf("vaultdev: %w", err)
	}
	logPath := filepath.Join(dir, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("vaultdev: %w", err)
	}
	listen := net.JoinHostPort("127.0.0.1", port)
	cmd := exec.Command(bin, "server", "-dev", "-dev-no-store-token", "-dev-listen-address="+listen)
	// The root token goes by environment, not argv, so ps does not show it.
	cmd.Env = append(serverEnv(os.Environ(), dir), "VAULT_DEV_ROOT_TOKEN_ID="+tok)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("vaultdev: starting %s: %w", bin, err)
	}
	s := &Server{
		Addr:    "http://" + listen,
		Token:   secrets.New(tok),
		cmd:     cmd,
		dir:     dir,
		logPath: logPath,
		exited:  make(chan struct{}),
	}
	go func() {
		s.waitErr = cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	if err := s.waitHealthy(ctx, opts.ReadyTimeout); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// serverEnv is environ without VAULT_* variables (a user's VAULT_ADDR or
// VAULT_TOKEN must not steer the dev server), with HOME set to home.
func serverEnv(environ []string, home string) []string {
	out := make([]string, 0, len(environ)+1)
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(strings.ToUpper(name), "VAULT_") || name == "HOME" {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "HOME="+home)
}

func (s *Server) waitHealthy(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hc := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	last := "no answer yet"
	for {
		ok, why := healthy(ctx, hc, s.Addr)
		if ok {
			return nil
		}
		last = why
		select {
		case <-s.exited:
			log := s.logTail()
			if strings.Contains(log, "address already in use") {
				return fmt.Errorf("vaultdev: %s: %w", s.Addr, errPortTaken)
			}
			return fmt.Errorf("vaultdev: vault server exited before it was healthy (%v); its log ends:\n%s", s.waitErr, log)
		case <-ctx.Done():
			return fmt.Errorf("vaultdev: vault server at %s not healthy after %v (last: %s): %w; its log ends:\n%s", s.Addr, timeout, last, ctx.Err(), s.logTail())
		case <-tick.C:
		}
	}
}

// healthy asks addr's /v1/sys/health once. Vault answers 200 only when it
// is initialized, unsealed and active.
func healthy(ctx context.Context, hc *http.Client, addr string) (bool, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr+"/v1/sys/health", nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false, "not reachable"
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, "health status " + resp.Status
	}
	return true, ""
}

// logTail returns the end of the server's log with the root token masked.
func (s *Server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	const max = 4 << 10
	if len(b) > max {
		b = b[len(b)-max:]
	}
	out := string(b)
	if tok := s.Token.Reveal(); tok != "" {
		out = strings.ReplaceAll(out, tok, secrets.Redacted)
	}
	return out
}

// Env returns the environment entries that hand this server to a test
// process: [EnvAddr]=Addr and [EnvToken]=the root token.
func (s *Server) Env() []string {
	return []string{EnvAddr + "=" + s.Addr, EnvToken + "=" + s.Token.Reveal()}
}

// Stop shuts the server down (an interrupt, then a kill if it has not
// exited within 10s) and removes its scratch directory. It is safe to call
// more than once; later calls return the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		select {
		case <-s.exited:
		default:
			if err := interrupt(s.cmd.Process); err != nil {
				s.cmd.Process.Kill()
			}
			t := time.NewTimer(10 * time.Second)
			select {
			case <-s.exited:
				t.Stop()
			case <-t.C:
				s.cmd.Process.Kill()
				<-s.exited
			}
		}
		if err := os.RemoveAll(s.dir); err != nil {
			s.stopErr = fmt.Errorf("vaultdev: removing %s: %w", s.dir, err)
		}
	})
	return s.stopErr
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("vaultdev: finding a free loopback port: %w", err)
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

func randomToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("vaultdev: %w", err)
	}
	return "hubkey-dev-" + hex.EncodeToString(b[:]), nil
}
