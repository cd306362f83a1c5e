// Package rotation decides how long the version a key source replaced is
// still accepted. signing.KeySet and webhook.Verifier share it, so signing
// keys and HubSpot client secrets follow one rule:
//
//   - the grace runs from the moment the current version was adopted: its
//     FetchedAt, or the first time the verifier saw it if that is earlier
//     (a FetchedAt that is zero or ahead of the verifier's clock is not
//     trusted to extend the grace);
//   - once the grace is over, the previous version stays refused whatever
//     state the current one is in: a current version that cannot be read
//     (its store is down, it has expired) reopens nothing;
//   - a previous version whose own ExpiresAt has passed is refused;
//   - when the rotation was never seen (the current version could not be
//     read since it happened), its time is unknown and the previous
//     version is refused: it fails closed.
package rotation

import (
	"sync/atomic"
	"time"

	"github.com/hubkey/hubkey/secrets"
)

// Grace tracks one source's rotations. It is safe for concurrent use; the
// common path (no rotation since the last look) is one atomic load.
type Grace struct {
	d  time.Duration
	st atomic.Pointer[seen]
}

// seen is the current version last observed and when it was adopted.
type seen struct {
	id, fp string
	at     time.Time
}

// New returns a Grace of d. A d of zero or less accepts no previous
// version at all.
func New(d time.Duration) *Grace { return &Grace{d: d} }

// Current records cur, which the source has just returned, at now. When
// cur differs from the version seen before, a rotation happened and the
// grace of the version it replaced starts at cur.FetchedAt (or now, when
// that is zero or later).
func (g *Grace) Current(cur secrets.Version, now time.Time) {
	fp := cur.Value.Fingerprint()
	for {
		s := g.st.Load()
		if s != nil && s.id == cur.ID && s.fp == fp {
			return
		}
		at := now
		if !cur.FetchedAt.IsZero() && cur.FetchedAt.Before(now) {
			at = cur.FetchedAt
		}
		if g.st.CompareAndSwap(s, &seen{id: cur.ID, fp: fp, at: at}) {
			return
		}
	}
}

// Accepts reports whether prev, the version the source says its current
// one replaced, is still accepted at now. Call Current first whenever the
// current version could be read.
func (g *Grace) Accepts(prev secrets.Version, now time.Time) bool {
	if g.d <= 0 || prev.Value.IsZero() || prev.Expired(now) {
		return false
	}
	s := g.st.Load()
	if s == nil {
		// No current version was ever seen: when prev was replaced is
		// unknown.
		return false
	}
	if s.id == prev.ID && s.fp == prev.Value.Fingerprint() {
		// prev is the last version seen as current: the rotation that
		// replaced it happened while the current version could not be
		// read, at a time unknown.
		return false
	}
	return now.Before(s.at.Add(g.d))
}
