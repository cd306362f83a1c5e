package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// notifyChannel is the PostgreSQL channel key changes to the tables in
// schema are announced on. Channel names are identifiers, of at most 63
// bytes: a long schema name is replaced by its hash.
func notifyChannel(schema string) string {
	ch := "hubkey_keys." + schema
	if len(ch) > 63 {
		sum := sha256.Sum256([]byte(schema))
		ch = "hubkey_keys." + hex.EncodeToString(sum[:16])
	}
	return ch
}

// WatchKeys calls changed with the ID of each key written by any process
// until ctx ends or the store is closed; changed("") means changes may have
// been missed and every key must be reloaded. It returns once the watch is
// established. A change made through this Store is told to changed before
// ChangeKeys returns, on ChangeKeys' goroutine, and again when the
// database reports it, so changed must be safe for concurrent use and
// idempotent. See the package documentation for how each database delivers
// changes.
func (s *Store) WatchKeys(ctx context.Context, changed func(id string)) error {
	if err := s.check(); err != nil {
		return err
	}
	if changed == nil {
		return errors.New("sqlstore: WatchKeys: nil func")
	}
	wctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	s.localMu.Lock()
	s.local[&changed] = struct{}{}
	s.localMu.Unlock()
	context.AfterFunc(wctx, func() {
		s.localMu.Lock()
		delete(s.local, &changed)
		s.localMu.Unlock()
	})
	var err error
	if s.dialect == postgres {
		err = s.watchListen(wctx, changed)
	} else {
		err = s.watchPoll(wctx, changed)
	}
	if err != nil {
		stop()
		cancel()
		return err
	}
	return nil
}

// watchPoll follows hubkey_key_changes: at once when this process commits
// a change, and every poll interval for other processes' changes.
func (s *Store) watchPoll(ctx context.Context, changed func(string)) error {
	var last int64
	if err := s.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM hubkey_key_changes").Scan(&last); err != nil {
		return s.fail("watch keys", err)
	}
	poke := make(chan struct{}, 1)
	s.pokeMu.Lock()
	s.pokes[poke] = struct{}{}
	s.pokeMu.Unlock()
	s.watchers.Add(1)
	go func() {
		defer s.watchers.Done()
		defer func() {
			s.pokeMu.Lock()
			delete(s.pokes, poke)
			s.pokeMu.Unlock()
		}()
		tick := time.NewTicker(s.opts.pollInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			case <-poke:
			}
			last = s.readChanges(ctx, last, changed)
		}
	}()
	return nil
}

// readChanges delivers the changes logged after seq last and returns the
// new last. On a database error it delivers nothing and tries again at the
// next poll; nothing is lost, since the log keeps the changes.
func (s *Store) readChanges(ctx context.Context, last int64, changed func(string)) int64 {
	rows, err := s.db.QueryContext(ctx, s.dialect.q("SELECT seq, key_id FROM hubkey_key_changes WHERE seq > ? ORDER BY seq"), last)
	if err != nil {
		return last
	}
	defer rows.Close()
	type change struct {
		seq int64
		id  string
	}
	var got []change
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.seq, &c.id); err != nil {
			return last
		}
		got = append(got, c)
	}
	if rows.Err() != nil {
		return last
	}
	rows.Close() // before calling out: changed may use the store
	for i, c := range got {
		if ctx.Err() != nil {
			return last
		}
		if i == 0 && c.seq > last+1 {
			// Pruned before this watcher read them (SQLite numbers changes
			// without gaps).
			changed("")
		}
		changed(c.id)
		last = c.seq
	}
	return last
}

// tellLocal tells this Store's watchers of the keys written.
func (s *Store) tellLocal(ids []string) {
	if len(ids) == 0 {
		return
	}
	s.localMu.Lock()
	fs := make([]func(string), 0, len(s.local))
	for f := range s.local {
		fs = append(fs, *f)
	}
	s.localMu.Unlock()
	for _, f := range fs {
		for _, id := range ids {
			f(id)
		}
	}
}

// poke wakes this process's SQLite watchers after a commit.
func (s *Store) poke() {
	s.pokeMu.Lock()
	defer s.pokeMu.Unlock()
	for p := range s.pokes {
		select {
		case p <- struct{}{}:
		default:
		}
	}
}

// watchListen holds a connection that LISTENs for key changes,
// reconnecting with backoff when it breaks.
func (s *Store) watchListen(ctx context.Context, changed func(string)) error {
	conn, err := s.listen(ctx)
	if err != nil {
		return s.fail("watch keys", err)
	}
	s.watchers.Add(1)
	go func() {
		defer s.watchers.Done()
		for {
			n, err := conn.WaitForNotification(ctx)
			if err == nil && ctx.Err() == nil {
				changed(n.Payload)
				continue
			}
			closeConn(conn)
			if conn = s.relisten(ctx); conn == nil {
				return
			}
			if ctx.Err() != nil {
				closeConn(conn)
				return
			}
			changed("")
		}
	}()
	return nil
}

// listen opens a connection with the pool's settings and LISTENs on it.
func (s *Store) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		closeConn(conn)
		return nil, err
	}
	return conn, nil
}

// relisten reconnects until it succeeds or ctx ends (then it returns nil):
// at once, then after a delay that doubles up to the maximum.
func (s *Store) relisten(ctx context.Context) *pgx.Conn {
	delay := 50 * time.Millisecond
	for {
		if ctx.Err() != nil {
			return nil
		}
		if conn, err := s.listen(ctx); err == nil {
			return conn
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		delay = min(2*delay, s.opts.maxBackoff)
	}
}

func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c.Close(ctx)
}
