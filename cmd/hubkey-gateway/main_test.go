package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/sqlstore"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/internal/pgdev"
)

const testAdminToken = "admin-token-for-tests-0123456789abcdef"

// syncBuffer collects a goroutine's output for the test to read.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func lookupIn(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// cli runs one command to completion and returns its stdout.
func cli(t *testing.T, env map[string]string, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	if err := run(ctx, args, lookupIn(env), &out, &errb); err != nil {
		t.Fatalf("hubkey-gateway %s: %v\nstderr: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String()
}

var servingLine = regexp.MustCompile(`gateway=(http://\S+) admin=(http://\S+)`)

func TestServeKeysCallRevokeAudit(t *testing.T) {
	hs := hubspottest.NewServer(t)
	upstream := hs.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write")
	env := map[string]string{"HUBSPOT_TOKEN": upstream, "HUBKEY_ADMIN_TOKEN": testAdminToken}
	dir := t.TempDir()
	db := filepath.Join(dir, "gw.db")

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	pr, pw := io.Pipe()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"serve", "-listen", "127.0.0.1:0", "-admin-listen", "127.0.0.1:0", "-db", db, "-upstream", hs.URL()},
			lookupIn(env), io.Discard, pw)
		pw.Close()
		done <- err
	}()
	addrs := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			logs.Write(append(sc.Bytes(), '\n'))
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				addrs <- m[1:]
			}
		}
	}()
	var gwURL, adminURL string
	select {
	case a := <-addrs:
		gwURL, adminURL = a[0], a[1]
	case err := <-done:
		t.Fatalf("serve ended before serving: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start\n%s", logs.String())
	}
	if fi, err := os.Stat(db + ".key"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("store key file: %v %v", fi, err)
	}
	if !strings.Contains(logs.String(), "made a new store key") {
		t.Errorf("serve did not say it made a store key:\n%s", logs.String())
	}

	out, warn := cli(t, env, "keys", "create", "-admin", adminURL, "-name", "reader", "-service", "billing-sync",
		"-scope", "crm.objects.contacts.read", "-allow-ip", "127.0.0.1/32")
	if !strings.Contains(warn, "cannot be shown again") {
		t.Errorf("keys create gave no warning that the token is shown once: %q", warn)
	}
	token := regexp.MustCompile(`token:\s+(hkgw_\S+)`).FindStringSubmatch(out)
	id := regexp.MustCompile(`id:\s+(key_\S+)`).FindStringSubmatch(out)
	if token == nil || id == nil {
		t.Fatalf("keys create printed no token or ID:\n%s", out)
	}

	call := func() int {
		req, _ := http.NewRequest("GET", gwURL+"/crm/v3/objects/contacts", nil)
		req.Header.Set("Authorization", "Bearer "+token[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), upstream) {
			t.Fatal("the upstream token reached the caller")
		}
		return resp.StatusCode
	}
	// The admin API applies each change to the gateway in its process
	// before it answers: the next call sees it.
	if st := call(); st != http.StatusOK {
		t.Fatalf("a call through the gateway with the new key: %d", st)
	}
	if out, _ := cli(t, env, "keys", "revoke", "-admin", adminURL, id[1]); !strings.Contains(out, "is revoked") {
		t.Errorf("keys revoke: %q", out)
	}
	if st := call(); st != http.StatusUnauthorized {
		t.Fatalf("a call with the revoked key: %d, want 401", st)
	}
	if out, _ := cli(t, env, "keys", "list", "-admin", adminURL); !strings.Contains(out, id[1]) || !strings.Contains(out, "revoked") {
		t.Errorf("keys list:\n%s", out)
	}

	out, _ = cli(t, env, "audit", "export", "-admin", adminURL, "-key", id[1])
	var calls []struct {
		KeyID  string `json:"key_id"`
		Status int    `json:"status"`
		Denial string `json:"denial"`
	}
	for line := range strings.Lines(out) {
		var c struct {
			KeyID  string `json:"key_id"`
			Status int    `json:"status"`
			Denial string `json:"denial"`
		}
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		calls = append(calls, c)
	}
	if len(calls) != 2 || calls[0].Status != 401 || calls[0].Denial == "" || calls[1].Status != 200 || calls[0].KeyID != id[1] {
		t.Fatalf("audit export (newest first):\n%s", out)
	}
	out, _ = cli(t, env, "audit", "summary", "-admin", adminURL, "-since", "1h")
	if !regexp.MustCompile(id[1] + `\s+billing-sync\s+` + "2" + `\s+1\s`).MatchString(out) {
		t.Errorf("audit summary has not 2 calls and 1 denial for the key:\n%s", out)
	}
	if out, _ = cli(t, env, "audit", "services", "-admin", adminURL); !regexp.MustCompile(`token\s+billing-sync\s+` + id[1] + `\s+` + "1" + `\s`).MatchString(out) {
		t.Errorf("audit services:\n%s", out)
	}

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
	for name, secret := range map[string]string{"upstream token": upstream, "admin token": testAdminToken, "key token": token[1]} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("serve's log holds the %s", name)
		}
	}
}

func TestBadFlags(t *testing.T) {
	const secretish = "pat-na1-00000000-not-a-real-token"
	full := map[string]string{"HUBSPOT_TOKEN": "x", "HUBKEY_ADMIN_TOKEN": testAdminToken}
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, nil, "no command"},
		{nil, []string{"launch"}, `unknown command "launch"`},
		{map[string]string{}, []string{"serve"}, "set HUBSPOT_TOKEN"},
		{map[string]string{}, []string{"serve"}, "set HUBKEY_ADMIN_TOKEN"},
		{full, []string{"serve", "-token", secretish}, "-token must be a source such as env:NAME or file:PATH"},
		{map[string]string{"HUBSPOT_TOKEN": "x", "HUBKEY_ADMIN_TOKEN": "admin"}, []string{"serve"}, "must be at least 16"},
		{full, []string{"serve", "-rate-limit", "gold"}, "want free, professional or api-addon"},
		{full, []string{"serve", "-db", "x.db", "-postgres-env", "DATABASE_URL"}, "cannot both be set"},
		{full, []string{"serve", "-replicas", "3"}, "-replicas needs -postgres-env"},
		{full, []string{"serve", "-listen", "127.0.0.1:9", "-admin-listen", "127.0.0.1:9"}, "must differ"},
		{full, []string{"serve", "-trusted-proxy", "proxy.local"}, "not an address or CIDR"},
		{full, []string{"serve", "-postgres-env", "DATABASE_URL", "-db", ""}, "needs -store-key"},
		{full, []string{"serve", "extra"}, "takes no arguments"},
		{full, []string{"serve", "-audit-retention", "5m"}, "at least 1h"},
		{full, []string{"serve", "-audit-retention", "-1h"}, "at least 1h"},
		{map[string]string{}, []string{"keys", "list"}, "set HUBKEY_ADMIN_TOKEN"},
		{full, []string{"keys", "list", "-admin", "ftp://x"}, "is not an http(s) URL"},
		{full, []string{"keys", "revoke"}, "takes one key ID"},
		{full, []string{"keys", "erase"}, `unknown subcommand "erase"`},
		{full, []string{"audit", "summary", "-since", "yesterday"}, "not a positive duration"},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), c.args, lookupIn(c.env), &out, &errb)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v; want one saying %q", c.args, err, c.want)
			continue
		}
		if strings.Contains(err.Error()+errb.String()+out.String(), secretish) {
			t.Errorf("%q: the output shows the value given", c.args)
		}
	}
}

// served is a serve command running in the test.
type served struct {
	gw, admin string
	logs      *syncBuffer
	stop      func() error
}

// startServe runs serve with args (after -listen and -admin-listen on
// free loopback ports) until the test ends or stop is called.
func startServe(t *testing.T, env map[string]string, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"serve", "-listen", "127.0.0.1:0", "-admin-listen", "127.0.0.1:0"}, args...), lookupIn(env), io.Discard, pw)
		pw.Close()
		done <- err
	}()
	addrs := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			logs.Write(append(sc.Bytes(), '\n'))
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				addrs <- m[1:]
			}
		}
	}()
	var stopped bool
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not shut down")
			return nil
		}
	}
	t.Cleanup(func() { _ = stop() })
	select {
	case a := <-addrs:
		return &served{gw: a[0], admin: a[1], logs: logs, stop: stop}
	case err := <-done:
		t.Fatalf("serve ended before serving: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start\n%s", logs.String())
	}
	return nil
}

func TestAdminErrorsReachTheUser(t *testing.T) {
	hs := hubspottest.NewServer(t)
	env := map[string]string{"HUBSPOT_TOKEN": hs.NewToken("crm.objects.contacts.read"), "HUBKEY_ADMIN_TOKEN": testAdminToken}
	s := startServe(t, env, "-db", filepath.Join(t.TempDir(), "gw.db"), "-upstream", hs.URL())
	ctx := context.Background()
	var out, errb bytes.Buffer
	err := run(ctx, []string{"keys", "create", "-admin", s.admin, "-name", "x", "-service", "s", "-scope", "crm.objects.contacts.read", "-allow-ip", "10.0.0.1/8"}, lookupIn(env), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "host bits") || !strings.Contains(err.Error(), "allowed_ips") {
		t.Errorf("a refused create: %v", err)
	}
	err = run(ctx, []string{"keys", "list", "-admin", s.admin}, lookupIn(map[string]string{"HUBKEY_ADMIN_TOKEN": "wrong"}), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a wrong admin token: %v", err)
	}

	out1, _ := cli(t, env, "keys", "create", "-admin", s.admin, "-name", "w", "-service", "s", "-scope", "crm.objects.contacts.write", "-require-signature")
	id := regexp.MustCompile(`id:\s+(key_\S+)`).FindStringSubmatch(out1)
	if id == nil || !regexp.MustCompile(`signing secret: hkgs_`).MatchString(out1) {
		t.Fatalf("keys create -require-signature:\n%s", out1)
	}
	for _, sub := range []string{"suspend", "resume"} {
		if o, _ := cli(t, env, "keys", sub, "-admin", s.admin, id[1]); !strings.Contains(o, "is "+map[string]string{"suspend": "suspended", "resume": "active"}[sub]) {
			t.Errorf("keys %s: %q", sub, o)
		}
	}
	out2, warn := cli(t, env, "keys", "rotate", "-admin", s.admin, "-grace", "10m", id[1])
	nid := regexp.MustCompile(`id:\s+(key_\S+)`).FindStringSubmatch(out2)
	if nid == nil || nid[1] == id[1] || !strings.Contains(out2, "token:       hkgw_") || !strings.Contains(warn, "stops working in 10m0s") {
		t.Fatalf("keys rotate:\n%s\n%s", out2, warn)
	}
	if o, _ := cli(t, env, "keys", "show", "-admin", s.admin, id[1]); !strings.Contains(o, `"rotated_to": "`+nid[1]+`"`) || strings.Contains(o, "hkgw_") {
		t.Errorf("keys show of the rotated key:\n%s", o)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
}

// TestPostgresReplicas runs two gateways on one PostgreSQL database: a key
// made through one works through the other, and a revocation made through
// one is refused by the other within a second.
func TestPostgresReplicas(t *testing.T) {
	url := pgdev.TestURL(t)
	hs := hubspottest.NewServer(t)
	env := map[string]string{
		"HUBSPOT_TOKEN": hs.NewToken("crm.objects.contacts.read"), "HUBKEY_ADMIN_TOKEN": testAdminToken,
		"DATABASE_URL": url, "HUBKEY_STORE_KEY": "store-key-for-tests-0123456789abcdef0123456789",
	}
	args := []string{"-postgres-env", "DATABASE_URL", "-store-key", "env:HUBKEY_STORE_KEY", "-replicas", "2", "-upstream", hs.URL()}
	a := startServe(t, env, args...)
	b := startServe(t, env, args...)
	out, _ := cli(t, env, "keys", "create", "-admin", a.admin, "-name", "reader", "-service", "replicated", "-scope", "crm.objects.contacts.read")
	token := regexp.MustCompile(`token:\s+(hkgw_\S+)`).FindStringSubmatch(out)
	id := regexp.MustCompile(`id:\s+(key_\S+)`).FindStringSubmatch(out)
	if token == nil || id == nil {
		t.Fatalf("keys create:\n%s", out)
	}
	call := func(gw string) int {
		req, _ := http.NewRequest("GET", gw+"/crm/v3/objects/contacts", nil)
		req.Header.Set("Authorization", "Bearer "+token[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	waitFor := func(gw string, want int) {
		t.Helper()
		deadline := time.Now().Add(time.Second)
		for st := call(gw); st != want; st = call(gw) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d after a second, want %d", gw, st, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor(b.gw, http.StatusOK)
	cli(t, env, "keys", "revoke", "-admin", a.admin, id[1])
	waitFor(b.gw, http.StatusUnauthorized)
	for _, s := range []*served{a, b} {
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(s.logs.String(), url) {
			t.Error("serve logged the database URL")
		}
	}
}

// serve -audit-retention deletes the audited calls older than it, at
// start and then hourly, and keeps the rest.
func TestServeTrimsTheAuditTrail(t *testing.T) {
	hs := hubspottest.NewServer(t)
	env := map[string]string{"HUBSPOT_TOKEN": hs.NewToken("crm.objects.contacts.read"), "HUBKEY_ADMIN_TOKEN": testAdminToken}
	db := filepath.Join(t.TempDir(), "gw.db")
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	st, err := sqlstore.OpenSQLite(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	old := []gateway.Call{{Time: now.Add(-3 * time.Hour), Operation: "crm.objects.get"}, {Time: now.Add(-2 * time.Hour), Operation: "crm.objects.get"}}
	recent := gateway.Call{Time: now.Add(-10 * time.Minute), Operation: "crm.objects.list"}
	if err := st.AppendCalls(ctx, append(old, recent)); err != nil {
		t.Fatal(err)
	}
	st.Close()

	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-listen", "127.0.0.1:0", "-admin-listen", "127.0.0.1:0", "-db", db,
			"-upstream", hs.URL(), "-audit-retention", "1h"}, lookupIn(env), io.Discard, &logs)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), "trimmed the audit trail") {
		if time.Now().After(deadline) {
			t.Fatalf("no trimming logged:\n%s", logs.String())
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v\n%s", err, logs.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if !strings.Contains(logs.String(), "deleted=2") {
		t.Errorf("the log does not count the 2 old calls:\n%s", logs.String())
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st, err = sqlstore.OpenSQLite(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var left []string
	for c, err := range st.Calls(context.Background(), gateway.CallFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, c.Operation)
	}
	if len(left) != 1 || left[0] != "crm.objects.list" {
		t.Errorf("calls left %v, want the recent one", left)
	}
}
