package pgdev

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestServerEnvDropsPGVariables(t *testing.T) {
	got := serverEnv([]string{"PATH=/bin", "PGPASSWORD=secret", "pghost=db", "HOME=/root", "LANG=C"}, "/tmp/x")
	want := []string{"PATH=/bin", "LANG=C", "HOME=/tmp/x"}
	if !slices.Equal(got, want) {
		t.Fatalf("serverEnv = %q, want %q", got, want)
	}
}

// Find takes the newest Debian version that has all three programs when
// PATH has none.
func TestFindNewestDebianVersion(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"9", "13", "15", "16"} {
		dir := filepath.Join(root, v, "bin")
		os.MkdirAll(dir, 0o755)
		for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
			if v == "16" && name == "postgres" {
				continue // a client-only install
			}
			os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755)
		}
	}
	old := debianRoot
	debianRoot = root
	defer func() { debianRoot = old }()
	t.Setenv("PATH", t.TempDir())
	got, err := Find()
	if err != nil || got != filepath.Join(root, "15", "bin") {
		t.Fatalf("Find() = %q, %v; want version 15's bin", got, err)
	}
	debianRoot = t.TempDir()
	if _, err := Find(); !errors.Is(err, ErrNoBinary) || !strings.Contains(err.Error(), "apt-get install postgresql") {
		t.Fatalf("Find() with nothing installed = %v", err)
	}
}

func TestReady(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "postmaster.pid")
	pid := "1234\n/data\n1700000000\n5433\n/tmp\n127.0.0.1\n  1 2\n%s\n"
	os.WriteFile(path, []byte(strings.Replace(pid, "%s", "starting", 1)), 0o600)
	if ready(path, "5433") {
		t.Fatal("a starting server counted as ready")
	}
	os.WriteFile(path, []byte(strings.Replace(pid, "%s", "ready   ", 1)), 0o600)
	if !ready(path, "5433") || ready(path, "5434") {
		t.Fatal("ready does not read the status and port lines")
	}
	if ready(filepath.Join(dir, "none"), "5433") {
		t.Fatal("a missing file counted as ready")
	}
}

func TestTestURL(t *testing.T) {
	t.Setenv(EnvURL, "postgres://u@127.0.0.1:5/db")
	if got := TestURL(t); got != "postgres://u@127.0.0.1:5/db" {
		t.Fatalf("TestURL = %q", got)
	}
}

func query(t *testing.T, ctx context.Context, dsn string) error {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return err
	}
	if one != 1 {
		t.Fatalf("SELECT 1 = %d", one)
	}
	return nil
}

// TestStartKillRestartStop runs a real cluster: it serves the URL with its
// password and no other, survives a kill and restart with its data, and
// leaves nothing behind.
func TestStartKillRestartStop(t *testing.T) {
	t.Setenv("PGPASSWORD", "must-not-reach-the-server")
	s := StartForTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u, err := url.Parse(s.URL)
	if err != nil || u.Hostname() != "127.0.0.1" || u.Path != "/"+Database || u.User.Username() != User {
		t.Fatalf("URL %q", s.URL)
	}
	if err := query(t, ctx, s.URL); err != nil {
		t.Fatal(err)
	}
	wrong := *u
	wrong.User = url.UserPassword(User, "wrong")
	if err := query(t, ctx, wrong.String()); err == nil {
		t.Fatal("a wrong password was accepted over TCP")
	}
	if env := s.Env(); len(env) != 1 || env[0] != EnvURL+"="+s.URL {
		t.Errorf("Env() = %q", env)
	}
	if _, err := strconv.Atoi(u.Port()); err != nil {
		t.Fatalf("port %q", u.Port())
	}

	conn, err := pgx.Connect(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	if err := s.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := conn.Ping(ctx); err == nil {
		t.Fatal("a connection still answers after Kill")
	}
	conn.Close(ctx)
	if err := query(t, ctx, s.URL); err == nil {
		t.Fatal("the server accepts connections after Kill")
	}
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err = pgx.Connect(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	var v int
	if err := conn.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != 42 {
		t.Fatalf("after Restart: %v, %v", v, err)
	}
	conn.Close(ctx)

	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("scratch directory %s still there after Stop (%v)", s.dir, err)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}
