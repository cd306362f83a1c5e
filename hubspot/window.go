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
// The log is a ring of twice the limit's entries, oldest first, in time
// order: the window needs the last limit of them, and the ones before
// stay so that a request answered late can still be found (settle) while
// a window's worth of requests queue behind it. Times are offsets from
// base, so that the system clock's monotonic reading is kept. Nothing
// allocates after newWindow but the ring's growth (see grow).
type window struct {
	mu    sync.Mutex
	base  time.Time
	sends []time.Duration // ring of up to twice the configured limit
	gens  []uint64        // the generation of each entry of sends
	max   int             // the configured limit
	head  int             // index of the oldest entry
	n     int             // entries held, at most len(sends)
	limit int             // requests admitted per span, at most max
	span  time.Duration   // HubSpot's interval plus the guard

	// Every entry has a generation, so that a reservation can find its
	// entry again (to settle it) and be undone while it is still the newest
	// entry, and only then.
	nextGen, tailGen uint64

	// held is how long this process's requests take from the time a
	// shared budget gives them to their answer: a maximum that decays by a
	// sixteenth at each answer, from 1 % of the interval. The shared budget cannot settle its
	// entries the way settle does, so reservations there ask for a window
	// this much longer.
	held time.Duration

	// fallbackUntil is when the last send made on a shared budget's
	// fallback share leaves the window (an offset from base): until then
	// the shared budget, which did not see it, is not trusted alone.
	fallbackUntil time.Duration
}

// guard is the safety margin added to every window: 0.5 % of HubSpot's
// interval, 50 ms of the ten-second window and 5 ms of the search second,
// for the drift between clocks and the way HubSpot stamps a request. The
// window counts each request until its answer has come back (see settle),
// so a request held up on its way, by the network or by a loaded machine,
// never makes the one that takes its place a window later arrive early;
// that costs the round trip's share of the window, a few milliseconds.
func guard(interval time.Duration) time.Duration { return interval / 200 }

// newWindow returns an empty window for r, which must have Requests > 0
// and Interval > 0.
func newWindow(r RateLimit, now time.Time) *window {
	n := min(2*r.Requests, initialRing)
	return &window{
		base:  now,
		sends: make([]time.Duration, n),
		gens:  make([]uint64, n),
		max:   r.Requests,
		// Until answers say otherwise, assume requests take 1 % of the
		// window to be answered.
		held:  r.Interval / 100,
		limit: r.Requests,
		span:  r.Interval + guard(r.Interval),
	}
}

// slot is a reservation reserve made: when the request may go and what is
// needed to take it back.
type slot struct {
	at        time.Duration // send time, as an offset from base
	prev      time.Duration // the entry it overwrote, and its generation
	prevGen   uint64
	overwrote bool
	gen       uint64 // its generation
	prevTail  uint64 // the newest entry's generation before it
}

// off returns the offset of t from the window's base.
func (w *window) off(t time.Time) time.Duration { return t.Sub(w.base) }

// capacity is the configured limit, which the window's limit never
// exceeds.
func (w *window) capacity() int { return w.max }

// params returns the current limit and span.
func (w *window) params() (int, time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.limit, w.span
}

// observe records that a request given a send time by a shared budget
// was answered d after that time.
func (w *window) observe(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.held = max(d, w.held-w.held/16)
}

// sharedParams returns the limit and the window to ask a shared budget
// for: the span and how long requests have lately been held up.
func (w *window) sharedParams() (int, time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.limit, w.span + min(w.held, w.span/10)
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
func (w *window) entry(i int) time.Duration { return w.sends[w.idx(i)] }

// idx returns the ring index of the i-th entry, oldest first.
func (w *window) idx(i int) int {
	j := w.head + i
	if j >= len(w.sends) {
		j -= len(w.sends)
	}
	return j
}

// initialRing is the ring's first size: a window grows its ring as the
// requests it holds need, up to twice its limit, so that a large limit
// (a test's "unlimited" one) costs memory only for the requests it sees.
const initialRing = 64

// grow doubles the ring (up to twice the configured limit), putting the
// oldest entry first, when it is full of entries that may still matter:
// the oldest was sent less than two spans before at. An older one is
// overwritten instead, as when the ring is at its full size.
func (w *window) grow(at time.Duration) {
	if w.n < len(w.sends) || len(w.sends) >= 2*w.max || w.sends[w.head]+2*w.span <= at {
		return
	}
	size := min(2*len(w.sends), 2*w.max)
	sends, gens := make([]time.Duration, size), make([]uint64, size)
	for i := range w.n {
		j := w.idx(i)
		sends[i], gens[i] = w.sends[j], w.gens[j]
	}
	w.sends, w.gens, w.head = sends, gens, 0
}

// push records at as the newest entry, overwriting the oldest when the
// ring is full.
func (w *window) push(at time.Duration) slot {
	s := slot{at: at, gen: w.nextGen, prevTail: w.tailGen}
	w.nextGen++
	w.tailGen = s.gen
	w.grow(at)
	if w.n < len(w.sends) {
		j := w.idx(w.n)
		w.sends[j], w.gens[j] = at, s.gen
		w.n++
		return s
	}
	s.prev, s.prevGen, s.overwrote = w.sends[w.head], w.gens[w.head], true
	w.sends[w.head], w.gens[w.head] = at, s.gen
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
	if w.tailGen != s.gen || w.n == 0 || w.gens[w.idx(w.n-1)] != s.gen {
		return
	}
	if s.overwrote {
		w.head--
		if w.head < 0 {
			w.head = len(w.sends) - 1
		}
		w.sends[w.head], w.gens[w.head] = s.prev, s.prevGen
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
	w.sortBack(w.n - 1)
}

// sortBack moves entry i towards the oldest until the entries are in time
// order again.
func (w *window) sortBack(i int) {
	for ; i > 0; i-- {
		a, b := w.idx(i-1), w.idx(i)
		if w.sends[a] <= w.sends[b] {
			return
		}
		w.swap(a, b)
	}
}

// sortForward moves entry i towards the newest until the entries are in
// time order again.
func (w *window) sortForward(i int) {
	for ; i < w.n-1; i++ {
		a, b := w.idx(i), w.idx(i+1)
		if w.sends[a] <= w.sends[b] {
			return
		}
		w.swap(a, b)
	}
}

func (w *window) swap(a, b int) {
	w.sends[a], w.sends[b] = w.sends[b], w.sends[a]
	w.gens[a], w.gens[b] = w.gens[b], w.gens[a]
	// A reordered ring cannot be undone by a reservation's record of what
	// it overwrote: no cancel takes anything back until the next push.
	w.tailGen = noGen
}

// noGen is a generation no entry has.
const noGen = ^uint64(0)

// settle records that the request of reservation s was answered at now:
// HubSpot counted it when it arrived, at some moment between the time it
// was given and now, so the window counts it from now, to be sure that
// the request a window after it arrives a window later, however long this
// one took on its way. The entry is found by its generation; one that has
// been overwritten is left alone.
func (w *window) settle(s slot, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := w.off(now)
	if t <= s.at {
		return
	}
	for i := w.n - 1; i >= 0; i-- {
		j := w.idx(i)
		if w.gens[j] != s.gen {
			continue
		}
		if t > w.sends[j] {
			w.sends[j] = t
			w.sortForward(i)
		}
		return
	}
}

// recheck is called when the wait for reservation s ends, at now. The
// requests ahead of it may have been answered later than the times they
// were given (settle moved them); if the window at now already holds
// share requests (or the window's limit) ahead of s, it returns how much
// longer s must wait.
func (w *window) recheck(s slot, now time.Time, share int) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := w.off(now)
	lim := min(w.limit, share)
	p := w.n - 1
	for ; p >= 0 && w.gens[w.idx(p)] != s.gen; p-- {
	}
	k := 0
	for i := p - 1; i >= 0; i-- {
		e := w.entry(i)
		if e <= t-w.span {
			return 0
		}
		if k++; k == lim {
			return max(0, e+w.span-t)
		}
	}
	return 0
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
	lim := min(r.Requests, w.max)
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
	extra := min(maxReq-remaining-known, w.max)
	for range extra {
		w.push(t)
	}
}
