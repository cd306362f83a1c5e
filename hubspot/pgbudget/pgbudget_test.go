package pgbudget_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/hubspot/pgbudget"
	"github.com/hubkey/hubkey/internal/pgdev"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

var _ hubspot.Budget = (*pgbudget.Budget)(nil)

// newPool connects to the test database, in a schema of its own so that
// each test creates the budget's table and function afresh.
func newPool(t testing.TB, dsn string) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	schema := "t_" + randomHex(6)
	admin, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	admin.Close()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.MaxConns = 32
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// sends returns the send times a window holds.
func sends(t *testing.T, pool *pgxpool.Pool, key string) []int64 {
	t.Helper()
	var s []int64
	if err := pool.QueryRow(context.Background(), "SELECT sends FROM hubkey_rate_windows WHERE key = $1", key).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReserveMirrorsTheWindow(t *testing.T) {
	pool := newPool(t, pgdev.TestURL(t))
	b := pgbudget.New(pool)
	ctx := context.Background()
	const key = "fp:0123456789abcdef/standard"
	start := time.Now()
	for i := range 5 {
		d, err := b.Reserve(ctx, key, 5, time.Hour, math.MaxInt64)
		if err != nil {
			t.Fatal(err)
		}
		if d != 0 {
			t.Fatalf("request %d of a burst within the limit waits %v", i, d)
		}
	}
	// The sixth waits until the first leaves the hour, less what has passed.
	d, err := b.Reserve(ctx, key, 5, time.Hour, math.MaxInt64)
	if err != nil {
		t.Fatal(err)
	}
	if d > time.Hour || d < time.Hour-time.Since(start)-time.Millisecond {
		t.Fatalf("the sixth request waits %v, want just under an hour", d)
	}
	// A wait past maxWait takes nothing.
	if d, err := b.Reserve(ctx, key, 5, time.Hour, time.Minute); err != nil || d < time.Hour-time.Minute {
		t.Fatalf("Reserve past maxWait = %v, %v", d, err)
	}
	if n := len(sends(t, pool, key)); n != 6 {
		t.Fatalf("the window holds %d sends, want 6", n)
	}
	// Other keys are other windows.
	if d, err := b.Reserve(ctx, "fp:0123456789abcdef/search", 5, time.Hour, math.MaxInt64); err != nil || d != 0 {
		t.Fatalf("another key's first request: %v, %v", d, err)
	}
	// Sends that have left the window are dropped.
	for range 3 {
		if _, err := b.Reserve(ctx, "fp:short/standard", 1, time.Microsecond, math.MaxInt64); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(sends(t, pool, "fp:short/standard")); n > 2 {
		t.Fatalf("a window of 1µs holds %d sends", n)
	}
}

// Reservations from many connections at once (as from many processes)
// never put more than the limit in any window.
func TestReserveIsAtomicAcrossConnections(t *testing.T) {
	pool := newPool(t, pgdev.TestURL(t))
	const (
		limit   = 7
		workers = 16
		each    = 6
		key     = "fp:concurrent/standard"
	)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var waits []time.Duration
	errc := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := pgbudget.New(pool) // a Budget per worker, as per process
			for range each {
				d, err := b.Reserve(context.Background(), key, limit, time.Hour, math.MaxInt64)
				if err != nil {
					errc <- err
					return
				}
				mu.Lock()
				waits = append(waits, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	s := sends(t, pool, key)
	if len(s) != workers*each {
		t.Fatalf("%d sends recorded, want %d", len(s), workers*each)
	}
	if !slices.IsSorted(s) {
		t.Fatal("sends are out of order")
	}
	hour := time.Hour.Microseconds()
	for i := limit; i < len(s); i++ {
		if s[i]-s[i-limit] < hour {
			t.Fatalf("%d sends within an hour (at %d and %d)", limit+1, i-limit, i)
		}
	}
	// Exactly limit went at once; the others wait a whole number of hours,
	// give or take the time the test took.
	slices.Sort(waits)
	if waits[limit-1] != 0 || waits[limit] < 59*time.Minute {
		t.Fatalf("waits %v", waits[:limit+1])
	}
}

// Processes starting together all create the schema, or find it, without
// colliding.
func TestSchemaCreatedOnFirstUse(t *testing.T) {
	pool := newPool(t, pgdev.TestURL(t))
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = pgbudget.New(pool).Reserve(context.Background(), "fp:first/standard", 100, time.Second, math.MaxInt64)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	// Dropped behind the Budget's back, the schema comes back: the first
	// call fails (and a Client falls back), the next one recreates it.
	b := pgbudget.New(pool)
	if _, err := b.Reserve(context.Background(), "k", 1, time.Second, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(context.Background(), "DROP TABLE hubkey_rate_windows CASCADE; DROP FUNCTION hubkey_rate_reserve_v1"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Reserve(context.Background(), "k", 1, time.Second, 0); err == nil {
		t.Fatal("Reserve with the schema dropped succeeded")
	}
	if _, err := b.Reserve(context.Background(), "k", 1, time.Second, 0); err != nil {
		t.Fatalf("Reserve after the schema was dropped: %v", err)
	}
}

func TestReserveChecksItsArguments(t *testing.T) {
	b := pgbudget.New(nil) // never reached
	for _, tc := range []struct {
		key    string
		limit  int
		window time.Duration
		want   string
	}{
		{"", 1, time.Second, "key"},
		{strings.Repeat("k", 201), 1, time.Second, "key"},
		{"k", 0, time.Second, "limit"},
		{"k", 1, 0, "window"},
	} {
		if _, err := b.Reserve(context.Background(), tc.key, tc.limit, tc.window, 0); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Reserve(%q, %d, %v) = %v, want an error about the %s", tc.key, tc.limit, tc.window, err, tc.want)
		}
	}
}

// syncBuffer is a log destination safe for concurrent writes.
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

// A Client on a shared budget goes on when PostgreSQL dies under it,
// reports it, and returns to the budget when PostgreSQL is back. The test
// owns its cluster, so killing it disturbs no other test.
func TestClientSurvivesTheDatabaseDying(t *testing.T) {
	pg := pgdev.StartForTest(t)
	pool := newPool(t, pg.URL)
	fake := clock.NewFake(time.Now())
	srv := hubspottest.NewServer(t)
	token := srv.NewToken(hubspottest.AllScopes...)
	seed := srv.Seed("contacts", map[string]string{"email": "budget@example.com"})[0]
	var logs syncBuffer
	var mu sync.Mutex
	var hookErrs []error
	c, err := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(token)),
		hubspot.WithBaseURL(srv.URL()),
		hubspot.WithClock(fake),
		hubspot.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		hubspot.WithRateLimit(hubspot.RateLimit{Requests: 1000, Interval: time.Second}),
		hubspot.WithSharedBudget(hubspot.SharedBudget{
			Budget: pgbudget.New(pool), Replicas: 2, Timeout: 5 * time.Second,
			OnError: func(err error) { mu.Lock(); hookErrs = append(hookErrs, err); mu.Unlock() },
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	get := func(what string) {
		t.Helper()
		if _, err := c.Contacts.Get(ctx, seed.ID, nil); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	key := secrets.New(token).Fingerprint() + "/standard"
	for range 3 {
		get("with the database up")
	}
	if n := len(sends(t, pool, key)); n != 3 {
		t.Fatalf("the shared window holds %d sends, want 3", n)
	}

	if err := pg.Kill(); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		get("with the database down")
	}
	mu.Lock()
	if len(hookErrs) == 0 || !strings.Contains(hookErrs[0].Error(), "1/2 of the limit") {
		t.Fatalf("OnError got %v", hookErrs)
	}
	mu.Unlock()
	if !strings.Contains(logs.String(), "level=WARN") {
		t.Fatalf("no warning logged: %s", logs.String())
	}
	if strings.Contains(logs.String(), token) {
		t.Fatal("the log holds the token")
	}

	if err := pg.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	// Within a few retries (the pool may first hand out a connection the
	// restart broke), the Client is back on the shared window.
	for i := 0; !strings.Contains(logs.String(), "level=INFO"); i++ {
		if i == 10 {
			t.Fatalf("the Client did not return to the budget; log:\n%s", logs.String())
		}
		fake.Advance(time.Second)
		get("after the restart")
	}
	before := len(sends(t, pool, key))
	fake.Advance(3 * time.Second) // the fallback sends have left the window
	get("on the budget again")
	if n := len(sends(t, pool, key)); n != before+1 {
		t.Fatalf("the call after the recovery was not reserved in the database (%d sends, had %d)", n, before)
	}
	for _, e := range srv.Journal() {
		if e.Status != http.StatusOK {
			t.Fatalf("the server answered %d", e.Status)
		}
	}
}

// A program that imports hubspot (or only secrets/env) and not pgbudget
// compiles no PostgreSQL driver.
func TestOnlyPgbudgetCompilesPgx(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/hubkey/hubkey/hubspot", "github.com/hubkey/hubkey/secrets/env").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "github.com/jackc/") {
		t.Fatal("package hubspot or secrets/env depends on a jackc (pgx) package")
	}
}
