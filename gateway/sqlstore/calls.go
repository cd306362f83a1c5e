package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/hubkey/hubkey/gateway"
)

const callColumns = "called_at, key_id, fingerprint, service, operation, method, route, status, denial, " +
	"latency, bytes_in, bytes_out, client_ip, signature, upstream"

const callParams = 15

// callsPerInsert keeps one INSERT's parameters (15 a call) under SQLite's
// limit of 32766 and PostgreSQL's of 65535.
const callsPerInsert = 500

// text makes s storable on both databases: invalid UTF-8 and NUL become
// U+FFFD.
func text(s string) string {
	if storable(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// AppendCalls adds audited calls, all or none, with one INSERT per 500
// calls (in one transaction when there are more).
func (s *Store) AppendCalls(ctx context.Context, calls []gateway.Call) error {
	if err := s.check(); err != nil {
		return err
	}
	if len(calls) == 0 {
		return nil
	}
	if s.dialect == sqlite {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	if len(calls) <= callsPerInsert {
		if _, err := s.db.ExecContext(ctx, s.insertCalls(len(calls)), callArgs(calls)...); err != nil {
			return s.fail("append calls", err)
		}
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fail("append calls", err)
	}
	defer tx.Rollback()
	for chunk := range slices.Chunk(calls, callsPerInsert) {
		if _, err := tx.ExecContext(ctx, s.insertCalls(len(chunk)), callArgs(chunk)...); err != nil {
			return s.fail("append calls", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.fail("append calls", err)
	}
	return nil
}

func (s *Store) insertCalls(n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", callParams), ", ") + ")"
	return s.dialect.q("INSERT INTO hubkey_calls (" + callColumns + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(row+", ", n), ", "))
}

func callArgs(calls []gateway.Call) []any {
	args := make([]any, 0, len(calls)*callParams)
	for _, c := range calls {
		args = append(args, micros(c.Time), text(c.KeyID), text(c.Fingerprint), text(c.Service),
			text(c.Operation), text(c.Method), text(c.Route), int64(c.Status), text(c.Denial),
			int64(c.Latency), c.BytesIn, c.BytesOut, text(c.ClientIP), text(c.Signature), text(c.Upstream))
	}
	return args
}

// Calls yields the calls f selects, newest first (calls at the same
// microsecond: the later appended first). Rows are read as they are
// yielded; stopping early releases them.
func (s *Store) Calls(ctx context.Context, f gateway.CallFilter) iter.Seq2[gateway.Call, error] {
	return func(yield func(gateway.Call, error) bool) {
		if err := s.check(); err != nil {
			yield(gateway.Call{}, err)
			return
		}
		var where []string
		var args []any
		add := func(cond string, arg any) {
			where = append(where, cond)
			if arg != nil {
				args = append(args, arg)
			}
		}
		if !f.From.IsZero() {
			add("called_at >= ?", micros(f.From))
		}
		if !f.To.IsZero() {
			add("called_at < ?", micros(f.To))
		}
		if f.KeyID != "" {
			add("key_id = ?", f.KeyID)
		}
		if f.Service != "" {
			add("service = ?", f.Service)
		}
		if f.Operation != "" {
			add("operation = ?", f.Operation)
		}
		if f.Status != 0 {
			add("status = ?", int64(f.Status))
		}
		if f.Denial != "" {
			add("denial = ?", f.Denial)
		}
		if f.DeniedOnly {
			add("denial <> ''", nil)
		}
		query := "SELECT " + callColumns + " FROM hubkey_calls"
		if len(where) > 0 {
			query += " WHERE " + strings.Join(where, " AND ")
		}
		query += " ORDER BY called_at DESC, seq DESC"
		if f.Limit > 0 {
			query += " LIMIT ?"
			args = append(args, int64(f.Limit))
		}
		rows, err := s.db.QueryContext(ctx, s.dialect.q(query), args...)
		if err != nil {
			yield(gateway.Call{}, s.fail("calls", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c           gateway.Call
				at, latency int64
				status      int64
			)
			if err := rows.Scan(&at, &c.KeyID, &c.Fingerprint, &c.Service, &c.Operation, &c.Method, &c.Route,
				&status, &c.Denial, &latency, &c.BytesIn, &c.BytesOut, &c.ClientIP, &c.Signature, &c.Upstream); err != nil {
				yield(gateway.Call{}, s.fail("calls", err))
				return
			}
			c.Time, c.Status, c.Latency = fromMicros(at), int(status), time.Duration(latency)
			if !yield(c, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(gateway.Call{}, s.fail("calls", err))
		}
	}
}

// Usage sums calls per key into buckets of the given width over
// [from, to), oldest bucket first and then by key ID. Bucket n starts at
// from + n*bucket. Calls whose token matched no key are summed under the
// key ID "". Upstream429 counts calls forwarded (no denial) that got 429.
func (s *Store) Usage(ctx context.Context, from, to time.Time, bucket time.Duration) ([]gateway.Usage, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	width := bucket.Microseconds()
	if width <= 0 {
		return nil, fmt.Errorf("sqlstore: usage bucket %v is shorter than the store's precision of 1µs", bucket)
	}
	if !from.Before(to) {
		return nil, nil
	}
	f, t := micros(from), micros(to)
	// The bucket number is one integer division, the same on both
	// databases; called_at >= from makes it non-negative.
	rows, err := s.db.QueryContext(ctx, s.dialect.q(`SELECT (called_at - ?) / ? AS bucket, key_id, MAX(service), COUNT(*),
		SUM(CASE WHEN denial <> '' THEN 1 ELSE 0 END),
		SUM(CASE WHEN denial = '' AND status = 429 THEN 1 ELSE 0 END),
		MAX(called_at)
		FROM hubkey_calls WHERE called_at >= ? AND called_at < ?
		GROUP BY bucket, key_id`), f, width, f, t)
	if err != nil {
		return nil, s.fail("usage", err)
	}
	defer rows.Close()
	var out []gateway.Usage
	for rows.Next() {
		var (
			u       gateway.Usage
			n, last int64
		)
		if err := rows.Scan(&n, &u.KeyID, &u.Service, &u.Calls, &u.Denials, &u.Upstream429, &last); err != nil {
			return nil, s.fail("usage", err)
		}
		u.Start = fromMicros(f + n*width)
		u.LastUsed = fromMicros(last)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("usage", err)
	}
	// Sorted here, not in SQL: PostgreSQL's collation may order IDs
	// differently from SQLite's byte order.
	slices.SortFunc(out, func(a, b gateway.Usage) int {
		return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.KeyID, b.KeyID))
	})
	return out, nil
}

// LastUsed returns, per key ID, the time of its latest audited call. Calls
// whose token matched no key are left out.
func (s *Store) LastUsed(ctx context.Context) (map[string]time.Time, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT key_id, MAX(called_at) FROM hubkey_calls WHERE key_id <> '' GROUP BY key_id")
	if err != nil {
		return nil, s.fail("last used", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var (
			id string
			at int64
		)
		if err := rows.Scan(&id, &at); err != nil {
			return nil, s.fail("last used", err)
		}
		out[id] = fromMicros(at)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("last used", err)
	}
	return out, nil
}

// deleteBatch is how many calls DeleteCallsBefore deletes per statement,
// so that trimming a large trail never holds a long lock.
var deleteBatch = 10000

// DeleteCallsBefore deletes the audited calls made before t, in batches,
// and returns how many it deleted. The audit trail is kept for good
// unless something calls it (hubkey-gateway serve -audit-retention); a
// key's last use (LastUsed) is then known only within the trail kept.
func (s *Store) DeleteCallsBefore(ctx context.Context, t time.Time) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	q := s.dialect.q("DELETE FROM hubkey_calls WHERE seq IN (SELECT seq FROM hubkey_calls WHERE called_at < ? ORDER BY called_at LIMIT ?)")
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, err := s.deleteCalls(ctx, q, micros(t))
		if err != nil {
			return total, s.fail("delete calls", err)
		}
		total += n
		if n < int64(deleteBatch) {
			return total, nil
		}
	}
}

func (s *Store) deleteCalls(ctx context.Context, q string, before int64) (int64, error) {
	if s.dialect == sqlite {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	res, err := s.db.ExecContext(ctx, q, before, deleteBatch)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
