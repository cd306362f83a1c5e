package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrDuplicateTokenHash matches the error [Store.ChangeKeys] returns when a
// record it would write has the token hash of another key. The error names
// both keys by ID, never the hash.
var ErrDuplicateTokenHash = errors.New("sqlstore: token hash already belongs to another key")

// ErrInvalidKey matches the error [Store.ChangeKeys] returns when f returns
// a record that cannot be stored: an empty or over-long ID, a zero token
// hash, an unknown status, text that is not UTF-8, or two records with one
// ID.
var ErrInvalidKey = errors.New("sqlstore: invalid key record")

// maxIDLen bounds a key ID; PostgreSQL's NOTIFY payload must stay under
// 8000 bytes, and IDs are short.
const maxIDLen = 256

const keyColumns = "id, name, token_hash, fingerprint, scopes, status, created_at, expires_at, " +
	"allowed_ips, require_signature, limit_max, limit_interval, limit_search_per_second, limit_daily, " +
	"lineage, rotated_to, token_prefix, service, sealed_signing_key, updated_at"

// upsertKey writes one record, inserting or replacing.
var upsertKey = func() string {
	cols := strings.Split(keyColumns, ", ")
	var set []string
	for _, c := range cols[1:] {
		set = append(set, c+" = excluded."+c)
	}
	return "INSERT INTO hubkey_keys (" + keyColumns + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") +
		") ON CONFLICT (id) DO UPDATE SET " + strings.Join(set, ", ")
}()

var statusNames = map[keypolicy.Status]string{
	keypolicy.Active:    "active",
	keypolicy.Suspended: "suspended",
	keypolicy.Revoked:   "revoked",
}

func parseStatus(s string) (keypolicy.Status, error) {
	for st, name := range statusNames {
		if name == s {
			return st, nil
		}
	}
	return 0, fmt.Errorf("unknown key status %q", s)
}

// micros is how times are stored: microseconds since the Unix epoch.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros reads a stored time back, in UTC; the zero time comes back
// as the zero time.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// storable reports whether both databases keep s as it is: PostgreSQL
// refuses invalid UTF-8 and NUL in text.
func storable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// validate checks a record f returned before anything is written.
func validate(k gateway.Key) error {
	switch {
	case k.ID == "":
		return fmt.Errorf("%w: empty ID", ErrInvalidKey)
	case len(k.ID) > maxIDLen || !storable(k.ID):
		return fmt.Errorf("%w: ID %q is longer than %d bytes or not UTF-8 text", ErrInvalidKey, k.ID, maxIDLen)
	case k.TokenHash == [32]byte{}:
		return fmt.Errorf("%w: key %s has no token hash", ErrInvalidKey, k.ID)
	}
	if _, ok := statusNames[k.Status]; !ok {
		return fmt.Errorf("%w: key %s has unknown status %d", ErrInvalidKey, k.ID, int(k.Status))
	}
	texts := []string{k.Name, k.Fingerprint, k.Lineage, k.RotatedTo, k.TokenPrefix, k.Service}
	texts = append(texts, k.Scopes...)
	for _, t := range texts {
		if !storable(t) {
			return fmt.Errorf("%w: key %s has text that is not UTF-8 or holds NUL", ErrInvalidKey, k.ID)
		}
	}
	return nil
}

func keyArgs(k gateway.Key) ([]any, error) {
	scopes, err := json.Marshal(k.Scopes)
	if err != nil {
		return nil, err
	}
	ips, err := json.Marshal(k.AllowedIPs)
	if err != nil {
		return nil, fmt.Errorf("key %s: allowed IPs: %w", k.ID, err)
	}
	var sealed any // none: NULL
	if len(k.SealedSigningKey) > 0 {
		sealed = k.SealedSigningKey
	}
	return []any{
		k.ID, k.Name, k.TokenHash[:], k.Fingerprint, string(scopes), statusNames[k.Status],
		micros(k.CreatedAt), micros(k.ExpiresAt), string(ips), k.RequireSignature,
		int64(k.Limits.Max), int64(k.Limits.Interval), int64(k.Limits.SearchPerSecond), int64(k.Limits.Daily),
		k.Lineage, k.RotatedTo, k.TokenPrefix, k.Service, sealed, micros(k.UpdatedAt),
	}, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanKey(sc scanner) (gateway.Key, error) {
	var (
		k                                  gateway.Key
		hash, sealed                       []byte
		scopes, status, ips                string
		created, expires, updated          int64
		max, interval, searchPerSec, daily int64
	)
	err := sc.Scan(&k.ID, &k.Name, &hash, &k.Fingerprint, &scopes, &status, &created, &expires,
		&ips, &k.RequireSignature, &max, &interval, &searchPerSec, &daily,
		&k.Lineage, &k.RotatedTo, &k.TokenPrefix, &k.Service, &sealed, &updated)
	if err != nil {
		return gateway.Key{}, err
	}
	if len(hash) != len(k.TokenHash) {
		return gateway.Key{}, fmt.Errorf("key %s: stored token hash has %d bytes", k.ID, len(hash))
	}
	copy(k.TokenHash[:], hash)
	if err := json.Unmarshal([]byte(scopes), &k.Scopes); err != nil {
		return gateway.Key{}, fmt.Errorf("key %s: scopes: %w", k.ID, err)
	}
	if err := json.Unmarshal([]byte(ips), &k.AllowedIPs); err != nil {
		return gateway.Key{}, fmt.Errorf("key %s: allowed IPs: %w", k.ID, err)
	}
	if k.Status, err = parseStatus(status); err != nil {
		return gateway.Key{}, fmt.Errorf("key %s: %w", k.ID, err)
	}
	if len(sealed) > 0 {
		k.SealedSigningKey = append([]byte{}, sealed...)
	}
	k.CreatedAt, k.ExpiresAt, k.UpdatedAt = fromMicros(created), fromMicros(expires), fromMicros(updated)
	k.Limits = keypolicy.Limits{Max: int(max), Interval: time.Duration(interval), SearchPerSecond: int(searchPerSec), Daily: int(daily)}
	return k, nil
}

// Key returns the record with the given ID; an unknown ID matches
// [gateway.ErrKeyNotFound].
func (s *Store) Key(ctx context.Context, id string) (gateway.Key, error) {
	if err := s.check(); err != nil {
		return gateway.Key{}, err
	}
	k, err := scanKey(s.db.QueryRowContext(ctx, s.dialect.q("SELECT "+keyColumns+" FROM hubkey_keys WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return gateway.Key{}, notFound(id)
	}
	if err != nil {
		return gateway.Key{}, s.fail("key "+id, err)
	}
	return k, nil
}

func notFound(id string) error { return fmt.Errorf("%w: %s", gateway.ErrKeyNotFound, id) }

// Keys returns every record, oldest (by CreatedAt, then ID) first.
func (s *Store) Keys(ctx context.Context) ([]gateway.Key, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+keyColumns+" FROM hubkey_keys")
	if err != nil {
		return nil, s.fail("keys", err)
	}
	defer rows.Close()
	var out []gateway.Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, s.fail("keys", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("keys", err)
	}
	// Sorted here, not in SQL: PostgreSQL's collation may order IDs
	// differently from SQLite's byte order.
	slices.SortFunc(out, func(a, b gateway.Key) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// ChangeKeys reads and locks the records with the given IDs, hands them to
// f in the order of ids, validates what f returns and writes it, all in
// one transaction. See [gateway.Store] for the contract. An unknown ID
// matches [gateway.ErrKeyNotFound]; an invalid record matches
// [ErrInvalidKey]; a token hash another key has matches
// [ErrDuplicateTokenHash]. An error from f is returned as it is.
func (s *Store) ChangeKeys(ctx context.Context, ids []string, f func(existing []gateway.Key) ([]gateway.Key, error)) error {
	if err := s.check(); err != nil {
		return err
	}
	// This Store's own watchers learn of the change before ChangeKeys
	// returns (after the write lock is released), so that a gateway on
	// this Store applies it to the very next request.
	var written []string
	defer func() { s.tellLocal(written) }()
	if s.dialect == sqlite {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fail("change keys", err)
	}
	defer tx.Rollback()

	existing, err := s.lockKeys(ctx, tx, ids)
	if err != nil {
		return err
	}
	out, err := f(existing)
	if err != nil {
		return err
	}
	if err := s.writeKeys(ctx, tx, out); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.fail("change keys: commit", err)
	}
	for _, k := range out {
		written = append(written, k.ID)
	}
	if len(out) > 0 {
		s.poke()
	}
	return nil
}

// lockKeys reads the records of ids, locking them (in ID order, so that
// two changes of the same keys cannot deadlock).
func (s *Store) lockKeys(ctx context.Context, tx *sql.Tx, ids []string) ([]gateway.Key, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	query := "SELECT " + keyColumns + " FROM hubkey_keys WHERE id IN (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ") ORDER BY id" + s.dialect.forUpdate()
	rows, err := tx.QueryContext(ctx, s.dialect.q(query), args...)
	if err != nil {
		return nil, s.fail("change keys: read", err)
	}
	defer rows.Close()
	found := make(map[string]gateway.Key, len(ids))
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, s.fail("change keys: read", err)
		}
		found[k.ID] = k
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("change keys: read", err)
	}
	existing := make([]gateway.Key, len(ids))
	for i, id := range ids {
		k, ok := found[id]
		if !ok {
			return nil, notFound(id)
		}
		// Each gets its own slices: f may change them.
		k.Scopes = slices.Clone(k.Scopes)
		k.AllowedIPs = slices.Clone(k.AllowedIPs)
		k.SealedSigningKey = slices.Clone(k.SealedSigningKey)
		existing[i] = k
	}
	return existing, nil
}

// writeKeys validates and writes the records f returned, logs the
// change for SQLite watchers and notifies PostgreSQL listeners (on commit).
func (s *Store) writeKeys(ctx context.Context, tx *sql.Tx, keys []gateway.Key) error {
	byHash := make(map[[32]byte]string, len(keys))
	byID := make(map[string]bool, len(keys))
	for _, k := range keys {
		if err := validate(k); err != nil {
			return err
		}
		if byID[k.ID] {
			return fmt.Errorf("%w: key %s returned twice", ErrInvalidKey, k.ID)
		}
		byID[k.ID] = true
		if other, ok := byHash[k.TokenHash]; ok {
			return fmt.Errorf("%w: keys %s and %s", ErrDuplicateTokenHash, other, k.ID)
		}
		byHash[k.TokenHash] = k.ID
	}
	for _, k := range keys {
		// A clear error naming the other key; the UNIQUE constraint below
		// still decides when a concurrent change slips in between.
		var other string
		err := tx.QueryRowContext(ctx, s.dialect.q("SELECT id FROM hubkey_keys WHERE token_hash = ?"), k.TokenHash[:]).Scan(&other)
		switch {
		case err == nil && other != k.ID && !byID[other]:
			return fmt.Errorf("%w: key %s would share a token with key %s", ErrDuplicateTokenHash, k.ID, other)
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return s.fail("change keys: key "+k.ID, err)
		}
		args, err := keyArgs(k)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidKey, err)
		}
		if _, err := tx.ExecContext(ctx, s.dialect.q(upsertKey), args...); err != nil {
			if uniqueTokenHash(err) {
				// Never the driver's error: PostgreSQL's detail holds the hash.
				return fmt.Errorf("%w: key %s", ErrDuplicateTokenHash, k.ID)
			}
			return s.fail("change keys: write key "+k.ID, err)
		}
		if _, err := tx.ExecContext(ctx, s.dialect.q("INSERT INTO hubkey_key_changes (key_id) VALUES (?)"), k.ID); err != nil {
			return s.fail("change keys: log", err)
		}
		if s.dialect == postgres {
			if _, err := tx.ExecContext(ctx, "SELECT pg_notify($1, $2)", s.channel, k.ID); err != nil {
				return s.fail("change keys: notify", err)
			}
		}
	}
	if len(keys) > 0 {
		_, err := tx.ExecContext(ctx, s.dialect.q("DELETE FROM hubkey_key_changes WHERE seq <= (SELECT MAX(seq) FROM hubkey_key_changes) - ?"), s.opts.keepChanges)
		if err != nil {
			return s.fail("change keys: prune log", err)
		}
	}
	return nil
}

// uniqueTokenHash reports whether err is the violation of the UNIQUE
// constraint on token_hash.
func uniqueTokenHash(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505" && strings.Contains(pgErr.ConstraintName, "token_hash")
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed: hubkey_keys.token_hash")
}
