package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/hubkey/hubkey/internal/vaultdev"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// The integration tests run against the Vault dev server that
// `go run ./internal/cmd/testall` starts and hands over in
// HUBKEY_TEST_VAULT_ADDR and HUBKEY_TEST_VAULT_TOKEN. Without it they skip
// (fail under CI=true), saying how to get one. Each test works in mounts of
// its own, so they run in parallel.

// testVault is a test's view of the dev server.
type testVault struct {
	t    testing.TB
	conn vaultdev.Conn
	root *api.Client // root token; for setting things up
	rec  *recorder   // requests made by clients from newClient
}

func newTestVault(t testing.TB) *testVault {
	t.Helper()
	conn := vaultdev.TestServer(t)
	tv := &testVault{t: t, conn: conn, rec: &recorder{}}
	tv.root = tv.newClient()
	tv.root.SetToken(conn.Token.Reveal())
	return tv
}

// newClient returns an api.Client for the dev server with no token, whose
// requests the recorder sees.
func (tv *testVault) newClient() *api.Client {
	tv.t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = tv.conn.Addr
	cfg.HttpClient.Transport = &recordingTransport{base: cfg.HttpClient.Transport, rec: tv.rec}
	c, err := api.NewClient(cfg)
	if err != nil {
		tv.t.Fatal(err)
	}
	c.ClearToken()
	c.ClearNamespace()
	return c
}

// rootSession returns a Session that uses the root token, closed at the end
// of the test.
func (tv *testVault) rootSession(opts ...SessionOption) *Session {
	tv.t.Helper()
	c := tv.newClient()
	c.SetToken(tv.conn.Token.Reveal())
	s, err := NewSession(c, opts...)
	if err != nil {
		tv.t.Fatal(err)
	}
	tv.t.Cleanup(func() { s.Close() })
	return s
}

// write is a root write that must succeed.
func (tv *testVault) write(path string, data map[string]any) *api.Secret {
	tv.t.Helper()
	var sec *api.Secret
	// A KV v2 mount can refuse writes for a moment after it is enabled
	// while it sets itself up: retry those, with a deadline.
	err := poll(10*time.Second, func() (bool, error) {
		var err error
		sec, err = tv.root.Logical().Write(path, data)
		if err != nil && strings.Contains(err.Error(), "upgrad") {
			return false, nil
		}
		return true, err
	})
	if err != nil {
		tv.t.Fatalf("vault write %s: %v", path, err)
	}
	return sec
}

// mountKV enables a KV engine of the given version at a fresh path and
// returns that path. It is disabled when the test ends.
func (tv *testVault) mountKV(version int) string {
	tv.t.Helper()
	mount := fmt.Sprintf("kv%d-%s", version, randHex(tv.t, 6))
	tv.write("sys/mounts/"+mount, map[string]any{"type": "kv", "options": map[string]any{"version": fmt.Sprint(version)}})
	tv.t.Cleanup(func() { tv.root.Sys().Unmount(mount) })
	return mount
}

// putKV2 writes data as a new version at mount/path and returns the version.
func (tv *testVault) putKV2(mount, path string, data map[string]any) int {
	tv.t.Helper()
	sec := tv.write(mount+"/data/"+path, map[string]any{"data": data})
	n, err := sec.Data["version"].(interface{ Int64() (int64, error) }).Int64()
	if err != nil {
		tv.t.Fatal(err)
	}
	return int(n)
}

// policy creates a policy with a fresh name and returns the name.
func (tv *testVault) policy(hcl string) string {
	tv.t.Helper()
	name := "p-" + randHex(tv.t, 6)
	if err := tv.root.Sys().PutPolicy(name, hcl); err != nil {
		tv.t.Fatal(err)
	}
	tv.t.Cleanup(func() { tv.root.Sys().DeletePolicy(name) })
	return name
}

// childToken creates a token with the given policies and TTL.
func (tv *testVault) childToken(ttl string, policies ...string) string {
	tv.t.Helper()
	sec, err := tv.root.Auth().Token().Create(&api.TokenCreateRequest{Policies: policies, TTL: ttl})
	if err != nil {
		tv.t.Fatal(err)
	}
	return sec.Auth.ClientToken
}

// enableAuth enables an auth method of type typ at a fresh path and returns
// the path.
func (tv *testVault) enableAuth(typ string) string {
	tv.t.Helper()
	path := typ + "-" + randHex(tv.t, 6)
	if err := tv.root.Sys().EnableAuthWithOptions(path, &api.EnableAuthOptions{Type: typ}); err != nil {
		tv.t.Fatal(err)
	}
	tv.t.Cleanup(func() { tv.root.Sys().DisableAuth(path) })
	return path
}

// currentToken is the Session's token now (zero when logged out), for leak
// checks.
func currentToken(s *Session) secrets.Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return secrets.Secret{}
	}
	return s.cur.value
}

// recorder keeps the method and path of every request, never a header.
type recorder struct {
	mu   sync.Mutex
	reqs []string
	read int64 // response body bytes
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.reqs = append(r.reqs, s)
	r.mu.Unlock()
}

// count returns how many recorded requests contain sub.
func (r *recorder) count(sub string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.reqs {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}

// bodyBytes returns how many response body bytes were read.
func (r *recorder) bodyBytes() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.read
}

type recordingTransport struct {
	base http.RoundTripper
	rec  *recorder
}

func (t *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.rec.add(r.Method + " " + r.URL.Path)
	resp, err := t.base.RoundTrip(r)
	if err == nil && resp.Body != nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, rec: t.rec}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	rec *recorder
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.rec.mu.Lock()
	b.rec.read += int64(n)
	b.rec.mu.Unlock()
	return n, err
}

// logBuffer is a concurrency-safe buffer for a text slog handler.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newLogger(buf *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// poll calls f until it reports done or fails, or until timeout.
func poll(timeout time.Duration, f func() (done bool, err error)) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		done, err := f()
		if err != nil || done {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not done after %v", timeout)
		}
		<-tick.C
	}
}

func randHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// secretValue returns a fresh random credential-like value.
func secretValue(t testing.TB) string { return "pat-na1-" + randHex(t, 16) }

// noLeak checks every output for every secret.
func noLeak(t testing.TB, outputs map[string]string, secrets ...string) {
	t.Helper()
	for what, out := range outputs {
		for _, s := range secrets {
			secretstest.AssertNoLeak(t, what, out, s)
		}
	}
}
