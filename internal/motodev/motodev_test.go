package motodev

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestServerEnvDropsAWSVariables(t *testing.T) {
	got := serverEnv([]string{"PATH=/bin", "AWS_ACCESS_KEY_ID=AKIAREAL", "aws_profile=prod", "HOME=/root", "PYENV_VERSION=3.11"})
	want := []string{"PATH=/bin", "HOME=/root", "PYENV_VERSION=3.11"}
	if !slices.Equal(got, want) {
		t.Fatalf("serverEnv = %q, want %q", got, want)
	}
}

// A server that is up but not yet serving Secrets Manager (moto loads its
// backends lazily) is polled until ListSecrets answers with a list.
func TestWaitReadyPolls(t *testing.T) {
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "secretsmanager.ListSecrets" ||
			!strings.Contains(r.Header.Get("Authorization"), "/secretsmanager/aws4_request") {
			http.Error(w, "not a ListSecrets call", http.StatusBadRequest)
			return
		}
		io.Copy(io.Discard, r.Body)
		switch calls.Add(1) {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.Write([]byte(`<html>starting</html>`))
		default:
			w.Write([]byte(`{"SecretList": [], "NextToken": null}`))
		}
	}))
	defer ts.Close()
	s := &Server{Endpoint: ts.URL, exited: make(chan struct{})}
	if err := s.waitReady(context.Background(), 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("ListSecrets was called %d times, want 3", n)
	}
}

func TestWaitReadyNoticesExit(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "server.log")
	os.WriteFile(log, []byte("Address already in use\nPort 1 is in use by another program.\n"), 0o600)
	s := &Server{Endpoint: "http://127.0.0.1:1", exited: make(chan struct{}), logPath: log}
	close(s.exited)
	if err := s.waitReady(context.Background(), 30*time.Second); !errors.Is(err, errPortTaken) {
		t.Fatalf("waitReady = %v, want errPortTaken", err)
	}

	os.WriteFile(log, []byte("ModuleNotFoundError: No module named 'flask'\n"), 0o600)
	s = &Server{Endpoint: "http://127.0.0.1:1", exited: make(chan struct{}), logPath: log}
	close(s.exited)
	err := s.waitReady(context.Background(), 30*time.Second)
	if err == nil || errors.Is(err, errPortTaken) || !strings.Contains(err.Error(), "No module named 'flask'") {
		t.Fatalf("waitReady = %v, want an error quoting the log", err)
	}
}

func TestWaitReadyTimesOut(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer ts.Close()
	s := &Server{Endpoint: ts.URL, exited: make(chan struct{}), logPath: filepath.Join(t.TempDir(), "none")}
	err := s.waitReady(context.Background(), 300*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "not serving Secrets Manager") {
		t.Fatalf("waitReady = %v, want DeadlineExceeded saying the server is not serving", err)
	}
}

func TestTestEndpoint(t *testing.T) {
	t.Setenv(EnvEndpoint, "http://127.0.0.1:5")
	if got := TestEndpoint(t); got != "http://127.0.0.1:5" {
		t.Fatalf("TestEndpoint = %q", got)
	}
}

// TestStartStop runs moto_server from PATH, when it is there.
func TestStartStop(t *testing.T) {
	bin, err := Find()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v; CI machines have moto installed", err)
		}
		t.Skipf("%v: %s", err, HowToGet)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAMUSTNOTREACHMOTO")
	s, err := Start(context.Background(), bin, StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if !strings.HasPrefix(s.Endpoint, "http://127.0.0.1:") {
		t.Errorf("Endpoint = %q, want a loopback address", s.Endpoint)
	}
	if ok, why := serving(context.Background(), http.DefaultClient, s.Endpoint); !ok {
		t.Fatalf("started server does not serve Secrets Manager: %s", why)
	}
	environ, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(s.cmd.Process.Pid), "environ"))
	if err == nil && strings.Contains(string(environ), "AKIAMUSTNOTREACHMOTO") {
		t.Error("the server was given the caller's AWS_ACCESS_KEY_ID")
	}
	if env := s.Env(); len(env) != 1 || env[0] != EnvEndpoint+"="+s.Endpoint {
		t.Errorf("Env() = %q", env)
	}
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
