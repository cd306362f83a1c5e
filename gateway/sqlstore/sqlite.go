package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"time"

	msqlite "modernc.org/sqlite" // registers the "sqlite" driver: SQLite in pure Go, no cgo
	sqlite3 "modernc.org/sqlite/lib"
)

// OpenSQLite opens the store in the SQLite database file at path, creating
// the file (readable by its owner only, mode 0600) and its tables when
// they do not exist. The database runs in WAL mode with foreign keys on;
// several processes may open the same file (see [WithPollInterval] and
// [WithBusyTimeout]). An in-memory database is not supported: every
// connection of the pool would see a different one.
func OpenSQLite(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlstore: OpenSQLite needs a file path, not %q", path)
	}
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	q := url.Values{}
	q.Set("_txlock", "immediate") // every write transaction takes the write lock first
	q.Set("_busy_timeout", fmt.Sprint(o.busyTimeout.Milliseconds()))
	q.Set("_synchronous", "NORMAL") // durable in WAL mode except against power loss
	q.Set("_foreign_keys", "1")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	if err := walMode(ctx, db, o.busyTimeout); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlstore: %w", err), db.Close())
	}
	s := newStore(db, sqlite, o)
	if err := s.migrate(ctx); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return s, nil
}

// walMode puts the database in WAL mode, which the file remembers. SQLite
// answers SQLITE_BUSY, without waiting, to a switch made while another
// connection is opening the same new file, so walMode tries again until
// the busy timeout.
func walMode(ctx context.Context, db *sql.DB, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	delay := time.Millisecond
	for {
		var mode string
		err := db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		switch {
		case err == nil && strings.EqualFold(mode, "wal"):
			return nil
		case err == nil:
			return fmt.Errorf("cannot use WAL mode: journal mode is %s", mode)
		case !busy(err) || time.Now().After(deadline):
			return fmt.Errorf("setting WAL mode: %w", err)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// busy reports whether err is SQLite's SQLITE_BUSY (of any extended kind).
func busy(err error) bool {
	var se *msqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}
