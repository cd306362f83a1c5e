package vaultdev

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets/secretstest"
)

func TestVaultReplaces(t *testing.T) {
	modJSON := []byte(`{
		"Module": {"Path": "github.com/hashicorp/vault"},
		"Replace": [
			{"Old": {"Path": "github.com/hashicorp/vault/api"}, "New": {"Path": "./api"}},
			{"Old": {"Path": "github.com/hashicorp/vault/api/auth/approle"}, "New": {"Path": "./api/auth/approle"}},
			{"Old": {"Path": "github.com/hashicorp/vault/sdk", "Version": "v0.1.0"}, "New": {"Path": "./sdk"}},
			{"Old": {"Path": "github.com/hashicorp/vaultish"}, "New": {"Path": "../vaultish"}},
			{"Old": {"Path": "github.com/other/mod"}, "New": {"Path": "github.com/fork/mod", "Version": "v1.0.0"}}
		]
	}`)
	got, err := vaultReplaces(modJSON)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"github.com/hashicorp/vault/api", "github.com/hashicorp/vault/api/auth/approle", "github.com/hashicorp/vault/sdk@v0.1.0"}
	if !slices.Equal(got, want) {
		t.Fatalf("vaultReplaces = %q, want %q", got, want)
	}
	if _, err := vaultReplaces([]byte("go: not json")); err == nil {
		t.Fatal("vaultReplaces accepted output that is not JSON")
	}
}

func TestServerEnvDropsVaultVariables(t *testing.T) {
	got := serverEnv([]string{"PATH=/bin", "VAULT_ADDR=https://prod:8200", "vault_token=x", "HOME=/root", "GOFLAGS=-x"}, "/tmp/h")
	want := []string{"PATH=/bin", "GOFLAGS=-x", "HOME=/tmp/h"}
	if !slices.Equal(got, want) {
		t.Fatalf("serverEnv = %q, want %q", got, want)
	}
}

func TestCopyTree(t *testing.T) {
	from, to := t.TempDir(), filepath.Join(t.TempDir(), "dst")
	if err := os.MkdirAll(filepath.Join(from, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(from, "a", "b", "f.go"), []byte("package b\n"), 0o444); err != nil {
		t.Fatal(err)
	}
	if err := copyTree(from, to); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(to, "a", "b", "f.go")
	b, err := os.ReadFile(p)
	if err != nil || string(b) != "package b\n" {
		t.Fatalf("copied file = %q, %v", b, err)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm()&0o200 == 0 {
		t.Fatalf("copied file mode %v, %v: want it writable by its owner", st.Mode(), err)
	}
}

func TestWaitHealthyPolls(t *testing.T) {
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/sys/health" {
			http.NotFound(w, r)
			return
		}
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable) // sealed, say
			return
		}
		w.Write([]byte(`{"initialized":true,"sealed":false}`))
	}))
	defer ts.Close()
	s := &Server{Addr: ts.URL, exited: make(chan struct{})}
	if err := s.waitHealthy(context.Background(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("health was asked %d times, want 3", n)
	}
}

func TestWaitHealthyNoticesExit(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "server.log")
	os.WriteFile(log, []byte("Error initializing listener of type tcp: listen tcp4 127.0.0.1:1: bind: address already in use\n"), 0o600)
	s := &Server{Addr: "http://127.0.0.1:1", exited: make(chan struct{}), logPath: log}
	close(s.exited)
	err := s.waitHealthy(context.Background(), 10*time.Second)
	if !errors.Is(err, errPortTaken) {
		t.Fatalf("waitHealthy = %v, want errPortTaken", err)
	}
}

func TestLockIsExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "build.lock")
	ctx := context.Background()
	unlock1, err := lock(ctx, path, func() { t.Error("first lock waited") })
	if err != nil {
		t.Fatal(err)
	}
	waiting := make(chan struct{})
	got := make(chan error, 1)
	go func() {
		unlock2, err := lock(ctx, path, func() { close(waiting) })
		if err == nil {
			unlock2()
		}
		got <- err
	}()
	select {
	case <-waiting:
	case err := <-got:
		t.Fatalf("second lock returned (%v) while the first was held", err)
	case <-time.After(10 * time.Second):
		t.Fatal("second lock neither waited nor returned")
	}
	unlock1()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("second lock not taken after the first was released")
	}

	// A lock that is never released ends with the context.
	unlock3, err := lock(ctx, path, func() {})
	if err != nil {
		t.Fatal(err)
	}
	defer unlock3()
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := lock(cctx, path, func() {}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("lock with an expiring context = %v, want DeadlineExceeded", err)
	}
}

// TestStartStop runs the cached Vault binary, when there is one.
func TestStartStop(t *testing.T) {
	bin, err := Find()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v; under CI the test command builds it first", err)
		}
		t.Skipf("%v: %s", err, HowToGet)
	}
	t.Setenv("VAULT_ADDR", "http://192.0.2.1:8200") // must not reach the server
	s, err := Start(context.Background(), bin, StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if !strings.HasPrefix(s.Addr, "http://127.0.0.1:") {
		t.Errorf("Addr = %q, want a loopback address", s.Addr)
	}
	req, _ := http.NewRequest(http.MethodGet, s.Addr+"/v1/auth/token/lookup-self", nil)
	req.Header.Set("X-Vault-Token", s.Token.Reveal())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("lookup-self with the root token: %s", resp.Status)
	}
	env := s.Env()
	if len(env) != 2 || env[0] != EnvAddr+"="+s.Addr || env[1] != EnvToken+"="+s.Token.Reveal() {
		t.Errorf("Env() does not name the server's address and token")
	}
	secretstest.AssertNoLeak(t, "log tail", s.logTail(), s.Token.Reveal())
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.exited:
	default:
		t.Fatal("server still running after Stop")
	}
	if _, err := os.Stat(s.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("scratch directory %s still there after Stop (%v)", s.dir, err)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}
