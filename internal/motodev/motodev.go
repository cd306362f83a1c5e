// Package motodev finds, starts and stops moto's server, an AWS emulator
// written independently of hubkey, on loopback, for hubkey's tests.
//
// moto (https://github.com/getmoto/moto) emulates Secrets Manager with the
// parts [github.com/hubkey/hubkey/internal/fakeaws] lacks: version stages
// moved by UpdateSecretVersionStage, RestoreSecret, and the behaviour of a
// second implementation. It does not check signatures, throttle or fail
// decryption; fakeaws stays the backend for those.
//
// moto is a Python program, installed with `pip install 'moto[server]'`,
// which puts moto_server on PATH. The test command
// ([github.com/hubkey/hubkey/internal/cmd/testall]) runs it with [Start] on
// a free loopback port when a package under test imports this package, and
// hands the endpoint to the tests in [EnvEndpoint]. Tests read it back with
// [TestEndpoint], which skips (or fails under CI=true) when it is absent.
//
// One server serves a whole test run and keeps what it is given until it
// stops, so tests name their secrets uniquely and clean up after
// themselves. It accepts any credentials; tests use [AccessKeyID] and
// [SecretAccessKey] in [Region].
package motodev

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Binary is the name of moto's server program.
const Binary = "moto_server"

// EnvEndpoint carries a running moto server's endpoint, such as
// "http://127.0.0.1:41234", to the tests.
const EnvEndpoint = "HUBKEY_TEST_MOTO_ENDPOINT"

// Credentials and region for the SDK client of a test. moto accepts any
// keys; these say plainly that they are not real ones.
const (
	AccessKeyID     = "AKIAMOTOTESTNOTREAL1"
	SecretAccessKey = "moto-test-secret-key-not-a-real-one"
	Region          = "us-east-1"
)

// HowToGet is the one-line explanation of how to get a moto server for the
// tests.
const HowToGet = "install moto's server with `pip install 'moto[server]'` so that " + Binary + " is on PATH, " +
	"and run the suite with `go run ./internal/cmd/testall` (add -run and package patterns to narrow it), " +
	"which starts it on loopback and sets " + EnvEndpoint + "; or point that variable at a moto server of your own"

// ErrNoBinary is returned by [Find] when moto_server is not on PATH.
var ErrNoBinary = errors.New("motodev: " + Binary + " is not on PATH")

// Find returns the path of moto_server on PATH, or an error wrapping
// [ErrNoBinary].
func Find() (string, error) {
	bin, err := exec.LookPath(Binary)
	if err != nil {
		return "", fmt.Errorf("%w (install it with pip install 'moto[server]')", ErrNoBinary)
	}
	return bin, nil
}

// Server is a running moto server. It is in-memory and listens on loopback
// only; everything written to it is lost at Stop.
type Server struct {
	// Endpoint is the server's address, such as "http://127.0.0.1:41234",
	// for the SDK's BaseEndpoint.
	Endpoint string

	cmd      *exec.Cmd
	dir      string // the server's working directory, holding its log
	logPath  string
	exited   chan struct{}
	waitErr  error
	stopOnce sync.Once
	stopErr  error
}

// StartOptions tunes [Start]; the zero value is what tests want.
type StartOptions struct {
	// ReadyTimeout bounds the wait for the server to answer a Secrets
	// Manager call (default 60s; it usually answers within two seconds).
	ReadyTimeout time.Duration
}

// Start runs bin (see [Find]) as `moto_server -H 127.0.0.1 -p PORT` on a
// free loopback port and returns once it answers a Secrets Manager
// ListSecrets call. The server runs in a scratch directory without the
// caller's AWS_* variables, so no real credentials reach it. On Linux it is
// killed if the calling process dies. Call Stop when done.
func Start(ctx context.Context, bin string, opts StartOptions) (*Server, error) {
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 60 * time.Second
	}
	var lastErr error
	// A port found free can be taken before moto binds it; try again then.
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
	dir, err := os.MkdirTemp("", "hubkey-motodev-")
	if err != nil {
		return nil, fmt.Errorf("motodev: %w", err)
	}
	logPath := filepath.Join(dir, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("motodev: %w", err)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	cmd.Env = serverEnv(os.Environ())
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("motodev: starting %s: %w", bin, err)
	}
	s := &Server{
		Endpoint: "http://" + net.JoinHostPort("127.0.0.1", port),
		cmd:      cmd,
		dir:      dir,
		logPath:  logPath,
		exited:   make(chan struct{}),
	}
	go func() {
		s.waitErr = cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	if err := s.waitReady(ctx, opts.ReadyTimeout); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// serverEnv is environ without AWS_* variables: a user's real credentials,
// profile or endpoint have no business in the emulator.
func serverEnv(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(strings.ToUpper(name), "AWS_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// waitReady polls the server with a ListSecrets call until it answers, the
// process exits, or timeout passes.
func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hc := &http.Client{Timeout: 5 * time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last := "no answer yet"
	for {
		ok, why := serving(ctx, hc, s.Endpoint)
		if ok {
			return nil
		}
		last = why
		select {
		case <-s.exited:
			log := s.logTail()
			if strings.Contains(log, "already in use") || strings.Contains(log, "is in use by another program") {
				return fmt.Errorf("motodev: %s: %w", s.Endpoint, errPortTaken)
			}
			return fmt.Errorf("motodev: %s exited before it served Secrets Manager (%v); its log ends:\n%s", Binary, s.waitErr, log)
		case <-ctx.Done():
			return fmt.Errorf("motodev: %s at %s not serving Secrets Manager after %v (last: %s): %w; its log ends:\n%s", Binary, s.Endpoint, timeout, last, ctx.Err(), s.logTail())
		case <-tick.C:
		}
	}
}

// serving makes one Secrets Manager ListSecrets call to endpoint, signed in
// form only (moto routes on the credential scope and checks no signature),
// and reports whether a list came back.
func serving(ctx context.Context, hc *http.Client, endpoint string) (bool, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", strings.NewReader("{}"))
	if err != nil {
		return false, err.Error()
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.ListSecrets")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+AccessKeyID+"/20250101/"+Region+
		"/secretsmanager/aws4_request, SignedHeaders=content-type;host;x-amz-target, Signature=0")
	resp, err := hc.Do(req)
	if err != nil {
		return false, "not reachable"
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return false, "reading the answer: " + err.Error()
	}
	if resp.StatusCode != http.StatusOK {
		return false, "ListSecrets answered " + resp.Status
	}
	var out struct{ SecretList *json.RawMessage }
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&out); err != nil || out.SecretList == nil {
		return false, "ListSecrets answered without a SecretList"
	}
	return true, ""
}

// logTail returns the end of the server's log.
func (s *Server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	const max = 4 << 10
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// Env returns the environment entry that hands this server to a test
// process: [EnvEndpoint]=Endpoint.
func (s *Server) Env() []string { return []string{EnvEndpoint + "=" + s.Endpoint} }

// Stop shuts the server down (SIGTERM, then a kill if it has not exited
// within 10s) and removes its scratch directory. It is safe to call more
// than once; later calls return the first call's result.
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
			s.stopErr = fmt.Errorf("motodev: removing %s: %w", s.dir, err)
		}
	})
	return s.stopErr
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("motodev: finding a free loopback port: %w", err)
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}
