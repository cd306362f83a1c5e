// Package sqlstore keeps the key gateway's records and audit trail in SQL:
// SQLite for one machine (embedded, nothing to set up) or PostgreSQL for
// several gateway replicas. A [*Store] implements [gateway.Store].
//
//	st, err := sqlstore.OpenSQLite(ctx, "/var/lib/hubkey/gateway.db")
//	// or, for replicas sharing one database:
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	st, err := sqlstore.OpenPostgres(ctx, pool)
//
// Both databases run one schema (schema.sql, embedded), created or
// migrated when the store opens; its version is kept in the table
// hubkey_schema. On PostgreSQL the migration holds an advisory lock, so
// replicas that start together do not race.
//
// # Storage
//
// Times are kept as microseconds since the Unix epoch, so a time reads
// back truncated to the microsecond and in UTC (compare with
// [time.Time.Equal]); the zero time reads back as the zero time. Durations
// are kept in nanoseconds, exactly. Key scopes and IP allow lists are JSON
// text. An empty SealedSigningKey is kept as none and reads back nil.
// Keys are never deleted: revocation is a status. Every table name
// begins with hubkey_, so the tables can share a database with others.
//
// Text that PostgreSQL cannot store (invalid UTF-8, NUL) is refused in key
// records and replaced (by U+FFFD) in audited calls, on both databases, so
// that both keep the same thing.
//
// # Changes and watchers
//
// [Store.ChangeKeys] locks the rows it reads (SELECT ... FOR UPDATE on
// PostgreSQL; on SQLite every write transaction is BEGIN IMMEDIATE, which
// serializes writers across processes) and writes in one transaction.
// Watchers learn of a commit as follows:
//
//   - PostgreSQL: the transaction sends a NOTIFY with the key ID on the
//     channel hubkey_keys.SCHEMA (SCHEMA is the schema the tables are in,
//     so stores in different schemas of one database do not hear each
//     other), which PostgreSQL delivers on commit to every replica; each
//     [Store.WatchKeys] holds its own connection (outside the pool, made
//     from the pool's connection settings) that LISTENs. If that
//     connection breaks, the watcher reconnects with backoff and then calls
//     changed(""), since notifications may have been lost meanwhile.
//   - SQLite: every change is also written to the table hubkey_key_changes.
//     Watchers in this process read it at once after each commit; watchers
//     in other processes sharing the file read it every poll interval
//     ([WithPollInterval], default 500ms).
//
// # Usage buckets
//
// [Store.Usage] buckets start at from: bucket n covers
// [from + n*bucket, from + (n+1)*bucket). Calls whose token matched no key
// are summed under the key ID "".
package sqlstore

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hubkey/hubkey/gateway"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// Store is a [gateway.Store] on SQLite or PostgreSQL. It is safe for
// concurrent use.
type Store struct {
	db      *sql.DB
	dialect dialect
	pool    *pgxpool.Pool // PostgreSQL only: the settings for LISTEN connections
	channel string        // PostgreSQL only: where key changes are announced
	opts    options

	writeMu sync.Mutex // SQLite: serializes this process's writers

	noncePruned atomic.Int64 // microseconds (of a claim's now) of the last pruning of expired nonces

	closed    atomic.Bool
	ctx       context.Context // ends at Close; watchers stop
	cancel    context.CancelFunc
	watchers  sync.WaitGroup
	closeOnce sync.Once
	closeErr  error

	pokeMu sync.Mutex
	pokes  map[chan struct{}]struct{} // SQLite watchers of this process

	localMu sync.Mutex
	local   map[*func(string)]struct{} // this Store's watchers, told at once
}

var _ gateway.Store = (*Store)(nil)

// Option tunes a [Store].
type Option func(*options) error

type options struct {
	pollInterval time.Duration
	busyTimeout  time.Duration
	maxBackoff   time.Duration
	keepChanges  int64
}

// WithPollInterval sets how often a SQLite store's watchers look for
// changes made by other processes sharing the file (default 500ms).
// Changes made through the same process are seen at once. PostgreSQL
// stores ignore it: they are notified.
func WithPollInterval(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("sqlstore: WithPollInterval(%v): the poll interval must be positive", d)
		}
		o.pollInterval = d
		return nil
	}
}

// WithBusyTimeout sets how long a SQLite store waits for another process's
// write to finish before failing with "database is locked" (default 10s).
// PostgreSQL stores ignore it.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("sqlstore: WithBusyTimeout(%v): the busy timeout must be positive", d)
		}
		o.busyTimeout = d
		return nil
	}
}

// WithMaxReconnectDelay caps the backoff between a PostgreSQL watcher's
// attempts to reconnect (default 5s; the first attempt is immediate).
func WithMaxReconnectDelay(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("sqlstore: WithMaxReconnectDelay(%v): the reconnect delay must be positive", d)
		}
		o.maxBackoff = d
		return nil
	}
}

func newOptions(opts []Option) (options, error) {
	o := options{
		pollInterval: 500 * time.Millisecond,
		busyTimeout:  10 * time.Second,
		maxBackoff:   5 * time.Second,
		keepChanges:  10000,
	}
	for _, f := range opts {
		if err := f(&o); err != nil {
			return options{}, err
		}
	}
	return o, nil
}

// OpenPostgres opens a store in the database pool connects to, creating or
// migrating its tables. The pool stays the caller's: [Store.Close] does not
// close it. To open one from a URL:
//
//	pool, err := pgxpool.New(ctx, "postgres://user:pass@host/db")
//
// Each [Store.WatchKeys] opens one more connection, outside the pool, with
// the pool's connection settings (its BeforeConnect and AfterConnect hooks
// are not run for it).
func OpenPostgres(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	if pool == nil {
		return nil, errors.New("sqlstore: OpenPostgres: nil pool")
	}
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	s := newStore(stdlib.OpenDBFromPool(pool), postgres, o)
	s.pool = pool
	var schema sql.NullString
	if err := s.db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil || !schema.Valid {
		s.Close()
		if err == nil {
			err = errors.New("no schema: the search_path names none that exists")
		}
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	s.channel = notifyChannel(schema.String)
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func newStore(db *sql.DB, d dialect, o options) *Store {
	s := &Store{db: db, dialect: d, opts: o, pokes: map[chan struct{}]struct{}{}, local: map[*func(string)]struct{}{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Close stops the store's watchers and releases its connections (not a
// PostgreSQL pool, which is the caller's). It is safe to call more than
// once; other methods called after Close return [gateway.ErrStoreClosed].
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.cancel()
		s.watchers.Wait()
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

// check returns ErrStoreClosed once the store is closed.
func (s *Store) check() error {
	if s.closed.Load() {
		return gateway.ErrStoreClosed
	}
	return nil
}

// fail wraps a database error, or turns it into ErrStoreClosed when the
// store was closed under the call.
func (s *Store) fail(op string, err error) error {
	if s.closed.Load() {
		return fmt.Errorf("sqlstore: %s: %w", op, gateway.ErrStoreClosed)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// dialect is what differs between the two databases.
type dialect int

const (
	sqlite dialect = iota
	postgres
)

// q rewrites a query written with ? placeholders for the dialect:
// PostgreSQL numbers them ($1, $2, ...).
func (d dialect) q(query string) string {
	if d != postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// forUpdate is the clause that locks selected rows; SQLite's write
// transactions lock the whole database instead.
func (d dialect) forUpdate() string {
	if d == postgres {
		return " FOR UPDATE"
	}
	return ""
}

//go:embed schema.sql
var schemaV1 string

//go:embed schema_v2.sql
var schemaV2 string

// migrations[i] takes the schema from version i to i+1.
var migrations = []string{schemaV1, schemaV2}

// schemaLockID is the PostgreSQL advisory lock held while migrating:
// "hubkeyGW" in ASCII.
const schemaLockID = 0x6875626b65794757

// schema substitutes the dialect's types into a migration.
func (d dialect) schema(src string) string {
	bytes, serial := "BLOB", "INTEGER PRIMARY KEY AUTOINCREMENT"
	if d == postgres {
		bytes, serial = "BYTEA", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
	}
	return strings.NewReplacer("{{bytes}}", bytes, "{{serial}}", serial).Replace(src)
}

// statements splits a migration into statements: each ends with a
// semicolon at the end of a line. Comment lines are dropped.
func statements(src string) []string {
	var out []string
	var cur strings.Builder
	for line := range strings.Lines(src) {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, strings.TrimSpace(cur.String()))
	}
	return out
}

// migrate creates or upgrades the schema in one transaction. On
// PostgreSQL an advisory lock makes concurrent openers wait for each
// other; on SQLite the transaction is BEGIN IMMEDIATE, which does the
// same.
func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fail("schema: begin", err)
	}
	defer tx.Rollback()
	if s.dialect == postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(schemaLockID)); err != nil {
			return s.fail("schema lock", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS hubkey_schema (version INTEGER NOT NULL)"); err != nil {
		return s.fail("schema", err)
	}
	var version int
	switch err := tx.QueryRowContext(ctx, "SELECT version FROM hubkey_schema").Scan(&version); {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, "INSERT INTO hubkey_schema (version) VALUES (0)"); err != nil {
			return s.fail("schema", err)
		}
	case err != nil:
		return s.fail("schema version", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("sqlstore: the database's schema is version %d, newer than this program knows (%d): upgrade hubkey", version, len(migrations))
	}
	if version == len(migrations) {
		return nil
	}
	for v := version; v < len(migrations); v++ {
		for _, stmt := range statements(s.dialect.schema(migrations[v])) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return s.fail(fmt.Sprintf("schema version %d", v+1), err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, s.dialect.q("UPDATE hubkey_schema SET version = ?"), len(migrations)); err != nil {
		return s.fail("schema", err)
	}
	if err := tx.Commit(); err != nil {
		return s.fail("schema", err)
	}
	return nil
}
