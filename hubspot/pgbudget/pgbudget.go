// Package pgbudget keeps hubspot's rate budget in PostgreSQL, so that every
// process that uses the same HubSpot app draws from one rolling window
// instead of each believing it owns the whole limit.
//
// HubSpot counts requests per app: 100, 190 or 250 in any ten seconds, and
// 5 search requests a second. Four replicas of an integration that each
// keep their own window send up to four times that and are answered 429.
// Given a [*Budget] through [hubspot.WithSharedBudget], a Client reserves
// the send time of each request in a table that all the replicas share,
// with one SQL statement, on the database's clock.
//
// # Pointing N replicas at one budget
//
// Give every replica the same database and the same settings:
//
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	...
//	c, err := hubspot.New(
//		hubspot.WithToken(cache),                      // the same app's token
//		hubspot.WithRateLimit(hubspot.LimitProfessional()), // the same limit
//		hubspot.WithSharedBudget(hubspot.SharedBudget{
//			Budget:   pgbudget.New(pool),
//			Replicas: 4, // how many processes share it
//			OnError:  func(err error) { health.Degraded("rate budget", err) },
//		}),
//	)
//
// Windows are keyed by the fingerprint of the token and the class
// (standard or search), so replicas that hold the same token share a
// window and the table never holds a token; a credential whose versions
// name a lineage (secrets.Version.Lineage: an OAuth installation, whose
// replicas each refresh access tokens of their own) is keyed by it. Replicas only sizes the
// fallback: while the database is unreachable each process keeps to
// Limit/Replicas in a window of its own, reports it through the Client's
// logger and OnError, and returns to the shared window when the database
// answers again (see [hubspot.SharedBudget]).
//
// # Schema
//
// On first use, Budget creates, if they are missing, in the first schema of
// the connection's search_path:
//
//	CREATE TABLE hubkey_rate_windows (
//		key   text PRIMARY KEY, -- "fp:<16 hex digits>/standard" or ".../search"
//		sends bigint[] NOT NULL -- send times in the window, microseconds since 1970, oldest first
//	);
//	CREATE FUNCTION hubkey_rate_reserve_v1(key text, lim int, win bigint, max_wait bigint) RETURNS bigint;
//
// so the role needs CREATE on that schema the first time (or a migration
// can run [Schema] beforehand) and then only EXECUTE on the function and
// SELECT, INSERT and UPDATE on the table. A row is a few kilobytes at most
// (one bigint per request in the window); there is one per credential and
// class.
//
// # Why one row per window and a function
//
// Each reservation is one statement, SELECT hubkey_rate_reserve_v1(...),
// which locks the window's row (SELECT ... FOR UPDATE), reads the
// database's clock, drops the sends that have left the window, computes
// the send time (now while fewer than the limit remain, else the moment
// the limit-th most recent leaves), and appends it. The row lock orders
// concurrent reservations from any number of processes; because the
// function's statements each take a fresh snapshot once the lock is held,
// every reservation sees the one before it. (A single INSERT ... ON
// CONFLICT or a CTE would read the window from a snapshot taken before
// the lock, and two processes could both take the last slot.) Times come
// from the database's clock, so replicas on machines whose clocks
// disagree still agree on the window.
package pgbudget

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Schema is the SQL that creates the table and the function Budget uses,
// for a migration that runs before the first process starts. Budget runs
// it itself on first use, under an advisory lock, when they are missing.
const Schema = `
CREATE TABLE IF NOT EXISTS hubkey_rate_windows (
	key   text PRIMARY KEY,
	sends bigint[] NOT NULL
);

CREATE OR REPLACE FUNCTION hubkey_rate_reserve_v1(p_key text, p_limit int, p_window bigint, p_max_wait bigint)
RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
	s      bigint[];
	now_us bigint;
	at_us  bigint;
	n      int;
BEGIN
	SELECT sends INTO s FROM hubkey_rate_windows WHERE key = p_key FOR UPDATE;
	IF NOT FOUND THEN
		INSERT INTO hubkey_rate_windows (key, sends) VALUES (p_key, '{}') ON CONFLICT (key) DO NOTHING;
		SELECT sends INTO s FROM hubkey_rate_windows WHERE key = p_key FOR UPDATE;
	END IF;
	now_us := (extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
	s := ARRAY(SELECT x FROM unnest(s) AS x WHERE x > now_us - p_window ORDER BY x);
	n := cardinality(s);
	at_us := now_us;
	IF n >= p_limit THEN
		at_us := greatest(now_us, s[n - p_limit + 1] + p_window);
	END IF;
	IF at_us - now_us <= p_max_wait THEN
		UPDATE hubkey_rate_windows SET sends = s || at_us WHERE key = p_key;
	END IF;
	RETURN at_us - now_us;
END
$fn$;
`

// schemaLock is the advisory lock key that serializes schema creation
// across processes (CREATE OR REPLACE FUNCTION run concurrently fails with
// "tuple concurrently updated").
const schemaLock = 0x6875626b6579 // "hubkey"

// maxKey bounds a key's length: a fingerprint and a class are far shorter.
const maxKey = 200

// Budget is a hubspot.Budget kept in PostgreSQL. It is safe for concurrent
// use; all its methods go through the pool.
type Budget struct {
	pool *pgxpool.Pool

	mu    sync.Mutex
	ready bool // the schema is known to exist
}

// New returns a Budget that keeps its windows in the database pool
// connects to. It does not touch the database until the first Reserve.
func New(pool *pgxpool.Pool) *Budget { return &Budget{pool: pool} }

// Reserve takes the next send time in the window named key, which admits
// limit requests in any period of length window, and returns the wait
// until it; see hubspot.Budget. The times are the database's, to the
// microsecond.
func (b *Budget) Reserve(ctx context.Context, key string, limit int, window, maxWait time.Duration) (time.Duration, error) {
	switch {
	case key == "" || len(key) > maxKey:
		return 0, fmt.Errorf("pgbudget: a key must have 1 to %d bytes, got %d", maxKey, len(key))
	case limit < 1:
		return 0, fmt.Errorf("pgbudget: limit must be at least 1, got %d", limit)
	case window < time.Microsecond:
		return 0, fmt.Errorf("pgbudget: window must be at least 1µs, got %v", window)
	}
	if err := b.ensureSchema(ctx); err != nil {
		return 0, err
	}
	var us int64
	err := b.pool.QueryRow(ctx, "SELECT hubkey_rate_reserve_v1($1, $2, $3, $4)",
		key, int32(min(limit, 1<<31-1)), window.Microseconds(), max(maxWait, 0).Microseconds()).Scan(&us)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && (pe.Code == "42883" || pe.Code == "42P01") {
			// The function or the table is gone (a restored database, a
			// dropped schema): create them again next time.
			b.mu.Lock()
			b.ready = false
			b.mu.Unlock()
		}
		return 0, fmt.Errorf("pgbudget: reserving in the rate window: %w", err)
	}
	return time.Duration(us) * time.Microsecond, nil
}

// ensureSchema runs Schema once per Budget, under an advisory lock so
// that processes starting together do not collide.
func (b *Budget) ensureSchema(ctx context.Context) error {
	b.mu.Lock()
	ready := b.ready
	b.mu.Unlock()
	if ready {
		return nil
	}
	tx, err := b.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("pgbudget: creating the schema: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(schemaLock)); err != nil {
		return fmt.Errorf("pgbudget: creating the schema: %w", err)
	}
	var exists bool
	if err := tx.QueryRow(ctx, "SELECT to_regprocedure('hubkey_rate_reserve_v1(text,integer,bigint,bigint)') IS NOT NULL AND to_regclass('hubkey_rate_windows') IS NOT NULL").Scan(&exists); err != nil {
		return fmt.Errorf("pgbudget: creating the schema: %w", err)
	}
	if !exists {
		if _, err := tx.Exec(ctx, Schema); err != nil {
			return fmt.Errorf("pgbudget: creating the schema: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pgbudget: creating the schema: %w", err)
	}
	b.mu.Lock()
	b.ready = true
	b.mu.Unlock()
	return nil
}
