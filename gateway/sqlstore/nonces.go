package sqlstore

import (
	"context"
	"time"
)

// noncePruneEvery is how often ClaimNonce also deletes the expired rows:
// the table holds about one window of signed calls (five minutes by
// default), whatever the traffic.
const noncePruneEvery = time.Minute

// ClaimNonce records key until expires and reports whether it was new:
// false when a row for it exists and, at now, has not expired. It makes
// the Store a signing.NonceStore: every gateway on the store then refuses
// a signed call that any of them accepted, which keeps a replay to
// another replica out. A row whose time has passed is taken over. Once a
// minute a claim also deletes the expired rows.
func (s *Store) ClaimNonce(ctx context.Context, key [16]byte, now, expires time.Time) (bool, error) {
	if err := s.check(); err != nil {
		return false, err
	}
	if s.dialect == sqlite {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	// One statement, so that two gateways claiming one key at once cannot
	// both win: the insert, or the take-over of an expired row.
	res, err := s.db.ExecContext(ctx, s.dialect.q(
		"INSERT INTO hubkey_nonces (k, expires_at) VALUES (?, ?) "+
			"ON CONFLICT (k) DO UPDATE SET expires_at = excluded.expires_at WHERE hubkey_nonces.expires_at <= ?"),
		key[:], micros(expires), micros(now))
	if err != nil {
		return false, s.fail("claim nonce", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, s.fail("claim nonce", err)
	}
	s.pruneNonces(ctx, now)
	return n == 1, nil
}

// pruneNonces deletes the expired nonces, at most once per
// noncePruneEvery of now. A failure is left for the next one: the rows
// only take room.
func (s *Store) pruneNonces(ctx context.Context, now time.Time) {
	last := s.noncePruned.Load()
	if now.UnixMicro()-last < noncePruneEvery.Microseconds() || !s.noncePruned.CompareAndSwap(last, now.UnixMicro()) {
		return
	}
	_, _ = s.db.ExecContext(ctx, s.dialect.q("DELETE FROM hubkey_nonces WHERE expires_at <= ?"), micros(now))
}
