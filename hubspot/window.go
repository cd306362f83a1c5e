package hubspot

import (
	"sync"
	"time"
)

// A window is the rolling-window log of one credential's requests of one
// class (standard or search): the send times of the last requests it
// admitted, the way HubSpot counts them. A request goes at once while fewer
// than limit were sent in the last span; otherwise it is given the instant
// the limit-th most recent send leaves the span, and that instant is
// recorded as its send time, so that waiters queue in order and each waits
// exactly as long as the window requires.
//
// The log is a ring of len(sends) entries, oldest first, in send order
// (which is time order: a new entry is never earlier than the one before
// it). Times are offsets from base, so that the system clock's monotonic
// reading is kept and an entry costs eight bytes. Nothing allocates after
// newWindow.
type window struct {
	mu    sync.Mutex
	base  time.Time
	sends []time.Duration // ring; cap is the configured limit
	head  int             // index of the oldest entry
	n     int             // entries held, at most len(sends)
	limit int             // requests admitted per span, at most len(sends)
	span  time.Duration   // HubSpot's interval plus the guard

	// Generations let a cancelled reservation be undone while it is still
	// the newest entry, and only then.
	nextGen, tailGen uint64

	// fallbackUntil is when the last send made on a shared budget's
	// fallback share leaves the window (an offset from base): until then
	// the shared budget, which did not see it, is not trusted alone.
	fallbackUntil time.Duration
}

// guard is the safety margin added to every window: 0.5 % of HubSpot's
// interval, so 50 ms of the ten-second window and 5 ms of the search
// second. A request is counted from the moment the limiter lets it go, but
// HubSpot counts it when it arrives; the guard absorbs the difference in
// transit time between the request that leaves the window and the one that
// takes its place (requests bunching in flight), and the drift between
// clocks. It costs 0.5 % of the throughput.
func guard(interval time.Duration) time.Duration { return interval / 200 }

// newWindow returns an empty window for r, which must have Requests > 0
// and Interval > 0.
func newWindow(r RateLimit, now time.Time) *window {
	return &window{
		base:  now,
		sends: make([]time.Duration, r.Requests),
		limit: r.Requests,
		span:  r.Interval + guard(r.Interval),
	}
}

// slot is a reservation reserve made: when the request may go and what is
// needed to take it back.
type slot struct {
	at        time.Duration // send time, as an offset from base
	prev      time.Duration // the entry it overwrote
	overwrote bool
	gen       uint64 // its generation
	prevTail  uint64 // the newest entry's generation before it
}

// off returns the offset of t from the window's base.
func (w *window) off(t time.Time) time.Duration { return t.Sub(w.base) }

// capacity is the configured limit, which the window's limit never
// exceeds.
func (w *window) capacity() int { return len(w.sends) }

// params returns the current limit and span.
func (w *window) params() (int, time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.limit, w.span
}

// inFallback reports whether a send made on a shared budget's fallback
// share is still in the window at now.
func (w *window) inFallback(now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.off(now) < w.fallbackUntil
}

// reserve takes the next send time for a request arriving at now, under at
// most share requests per span (the window's own limit when share is
// larger). It returns the wait until that time. When the wait would be
// longer than maxWait it takes nothing and returns ok false with the wait.
// fallback marks the send as made on a shared budget's fallback share.
func (w *window) reserve(now time.Time, maxWait time.Duration, share int, fallback bool) (wait time.Duration, s slot, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := w.off(now)
	at := t
	lim := min(w.limit, share)
	if w.n >= lim {
		// The lim-th most recent send must leave the span first.
		if free := w.entry(w.n-lim) + w.span; free > at {
			at = free
		}
	}
	if at-t > maxWait {
		return at - t, slot{}, false
	}
	s = w.push(at)
	if fallback {
		w.fallbackUntil = at + w.span
	}
	return at - t, s, true
}

// entry returns the i-th entry, oldest first.
func (w *window) entry(i int) time.Duration {
	j := w.head + i
	if j >= len(w.sends) {
		j -= len(w.sends)
	}
	return w.sends[j]
}

// push records at as the newest entry, overwriting the oldest when the
// ring is full.
func (w *window) push(at time.Duration) slot {
	s := slot{at: at, gen: w.nextGen, prevTail: w.tailGen}
	w.nextGen++
	w.tailGen = s.gen
	if w.n < len(w.sends) {
		j := w.head + w.n
		if j >= len(w.sends) {
			j -= len(w.sends)
		}
		w.sends[j] = at
		w.n++
		return s
	}
	s.prev, s.overwrote = w.sends[w.head], true
	w.sends[w.head] = at
	w.head++
	if w.head == len(w.sends) {
		w.head = 0
	}
	return s
}

// cancel takes back s, a reservation whose request will not be sent, if it
// is still the newest entry; otherwise it stays counted, which errs on the
// safe side.
func (w *window) cancel(s slot) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.tailGen != s.gen || w.n == 0 {
		return
	}
	if s.overwrote {
		w.head--
		if w.head < 0 {
			w.head = len(w.sends) - 1
		}
		w.sends[w.head] = s.prev
	} else {
		w.n--
	}
	w.tailGen = s.prevTail
}

// note records a request sent at t that another budget admitted (a shared
// one), keeping the entries in time order, so that the window can take
// over when that budget fails.
func (w *window) note(t time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	at := w.off(t)
	w.push(at)
	// Move it back past any later entries: requests of several goroutines
	// can come back from the shared budget out of order.
	for i := w.n - 1; i > 0; i-- {
		a, b := w.idx(i-1), w.idx(i)
		if w.sends[a] <= w.sends[b] {
			break
		}
		w.sends[a], w.sends[b] = w.sends[b], w.sends[a]
	}
}

func (w *window) idx(i int) int {
	j := w.head + i
	if j >= len(w.sends) {
		j -= len(w.sends)
	}
	return j
}

// lower brings the window down to r when r admits fewer requests per
// second than the window does. The window never rises: a header that
// allows more is ignored. Past its capacity the window keeps r's interval
// with its own capacity, which admits fewer still.
func (w *window) lower(r RateLimit) {
	if r.Requests <= 0 || r.Interval <= 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	span := r.Interval + guard(r.Interval)
	lim := min(r.Requests, len(w.sends))
	// lim/span < limit/span0, without floating point.
	if int64(lim)*int64(w.span) < int64(w.limit)*int64(span) {
		w.limit, w.span = lim, span
	}
}

// sync takes account of HubSpot's count: remaining requests left in its
// window at now, out of maxReq. When HubSpot has counted more requests
// than the log holds in the last span (other programs use the same
// credential), the difference is recorded as sent at now. The span is a
// little longer than HubSpot's window, so that a request of this process
// still in flight across the window's edge is not taken for another
// program's.
func (w *window) sync(now time.Time, maxReq, remaining int) {
	if maxReq <= 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	t := w.off(now)
	if w.n > 0 && w.entry(w.n-1) > t {
		return // requests are queued: the window is full already
	}
	// Entries in (t-span, t], found by binary search (they are sorted).
	lo, hi := 0, w.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if w.entry(m) > t-w.span {
			hi = m
		} else {
			lo = m + 1
		}
	}
	known := w.n - lo
	extra := min(maxReq-remaining-known, len(w.sends))
	for range extra {
		w.push(t)
	}
}
