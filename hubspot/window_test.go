package hubspot

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// checkSpacing fails when any limit+1 consecutive send times (sorted) fit
// in less than span: that is, when some window of span held more than
// limit sends.
func checkSpacing(t *testing.T, sends []time.Duration, limit int, span time.Duration) {
	t.Helper()
	s := slices.Clone(sends)
	slices.Sort(s)
	for i := limit; i < len(s); i++ {
		if s[i]-s[i-limit] < span {
			t.Fatalf("sends %d and %d are %v apart: %d sends within %v (limit %d)", i-limit, i, s[i]-s[i-limit], limit+1, span, limit)
		}
	}
}

func TestWindowBurstGoesAtOnceThenWaitsForTheOldest(t *testing.T) {
	w := newWindow(RateLimit{Requests: 10, Interval: time.Second}, epoch)
	span := time.Second + 5*time.Millisecond
	for i := range 10 {
		now := epoch.Add(time.Duration(i) * time.Millisecond)
		if d, _, ok := w.reserve(now, math.MaxInt64, math.MaxInt, false); !ok || d != 0 {
			t.Fatalf("request %d of a burst within the limit waits %v", i, d)
		}
	}
	// The eleventh waits exactly until the first leaves the window.
	now := epoch.Add(100 * time.Millisecond)
	d, _, ok := w.reserve(now, math.MaxInt64, math.MaxInt, false)
	if !ok || d != span-100*time.Millisecond {
		t.Fatalf("the 11th request waits %v, want %v", d, span-100*time.Millisecond)
	}
	// The twelfth queues behind it, until the second leaves.
	d, _, _ = w.reserve(now, math.MaxInt64, math.MaxInt, false)
	if want := span + time.Millisecond - 100*time.Millisecond; d != want {
		t.Fatalf("the 12th request waits %v, want %v", d, want)
	}
	// Once the window has emptied, a burst goes at once again.
	later := epoch.Add(10 * time.Second)
	for i := range 10 {
		if d, _, _ := w.reserve(later, math.MaxInt64, math.MaxInt, false); d != 0 {
			t.Fatalf("request %d after an idle window waits %v", i, d)
		}
	}
}

// Whatever the arrivals, cancellations and shares, no window of span ever
// holds more than the limit, and a request waits only when the window is
// full.
func TestWindowNeverExceedsTheLimit(t *testing.T) {
	for _, limit := range []int{1, 2, 5, 10, 100} {
		rng := rand.New(rand.NewPCG(uint64(limit), 7))
		w := newWindow(RateLimit{Requests: limit, Interval: time.Second}, epoch)
		_, span := w.params()
		var sends []time.Duration
		var last slot
		var lastOK bool
		now := epoch
		for range 5000 {
			now = now.Add(time.Duration(rng.ExpFloat64() * float64(time.Second) / float64(2*limit)))
			if lastOK && rng.IntN(10) == 0 && last.at > w.off(now) {
				// Cancel the newest reservation while it waits.
				w.cancel(last)
				if i := slices.Index(sends, last.at); i >= 0 {
					sends = slices.Delete(sends, i, i+1)
				}
				lastOK = false
				continue
			}
			d, s, ok := w.reserve(now, math.MaxInt64, math.MaxInt, false)
			if !ok || d < 0 {
				t.Fatalf("reserve = %v, %v", d, ok)
			}
			if d > 0 {
				// It waits only if limit sends are in the window or
				// queued for it.
				n := 0
				for _, x := range sends {
					if x > w.off(now)-span {
						n++
					}
				}
				if n < limit {
					t.Fatalf("limit %d: waited %v with only %d sends in the window", limit, d, n)
				}
			}
			sends = append(sends, s.at)
			last, lastOK = s, true
		}
		checkSpacing(t, sends, limit, span)
	}
}

func TestWindowMaxWaitTakesNothing(t *testing.T) {
	w := newWindow(RateLimit{Requests: 1, Interval: time.Second}, epoch)
	w.reserve(epoch, math.MaxInt64, math.MaxInt, false)
	d, _, ok := w.reserve(epoch, 500*time.Millisecond, math.MaxInt, false)
	if ok || d != time.Second+5*time.Millisecond {
		t.Fatalf("reserve past maxWait = %v, %v; want the wait and false", d, ok)
	}
	// Nothing was taken: the next request still waits only one window.
	if d, _, _ := w.reserve(epoch, math.MaxInt64, math.MaxInt, false); d != time.Second+5*time.Millisecond {
		t.Fatalf("after a refused reserve the next waits %v", d)
	}
}

func TestWindowCancelGivesBackOnlyTheNewest(t *testing.T) {
	w := newWindow(RateLimit{Requests: 2, Interval: time.Second}, epoch)
	w.reserve(epoch, math.MaxInt64, math.MaxInt, false)
	w.reserve(epoch, math.MaxInt64, math.MaxInt, false)
	_, a, _ := w.reserve(epoch, math.MaxInt64, math.MaxInt, false) // at span
	_, b, _ := w.reserve(epoch, math.MaxInt64, math.MaxInt, false) // at span
	_, c, _ := w.reserve(epoch, math.MaxInt64, math.MaxInt, false) // at 2 span
	w.cancel(a)                                                    // not the newest: stays counted
	w.cancel(c)
	w.cancel(b)
	// c and b were taken back in turn; a is still there, so the window holds
	// the two sends at 0 and a, and the next request goes at the second span.
	d, _, _ := w.reserve(epoch, math.MaxInt64, math.MaxInt, false)
	if _, span := w.params(); d != span {
		t.Fatalf("after the cancels the next request waits %v, want %v", d, span)
	}
	// A stale handle cannot take back a newer reservation.
	w.cancel(c)
	if d, _, _ := w.reserve(epoch, math.MaxInt64, math.MaxInt, false); d != 2*(time.Second+5*time.Millisecond) {
		t.Fatalf("a stale cancel changed the window: next waits %v", d)
	}
}

func TestWindowShare(t *testing.T) {
	w := newWindow(RateLimit{Requests: 100, Interval: time.Second}, epoch)
	for range 25 {
		if d, _, _ := w.reserve(epoch, math.MaxInt64, 25, true); d != 0 {
			t.Fatal("a request within the share waited")
		}
	}
	if d, _, _ := w.reserve(epoch, math.MaxInt64, 25, true); d == 0 {
		t.Fatal("the share's 26th request went at once")
	}
	if !w.inFallback(epoch.Add(time.Second)) || w.inFallback(epoch.Add(3*time.Second)) {
		t.Fatal("inFallback does not follow the last fallback send")
	}
}

func TestWindowLowerNeverRaises(t *testing.T) {
	w := newWindow(LimitProfessional(), epoch)
	w.lower(RateLimit{Requests: 1000, Interval: time.Second})
	if l, s := w.params(); l != 190 || s != 10*time.Second+50*time.Millisecond {
		t.Fatalf("raised to %d per %v", l, s)
	}
	w.lower(RateLimit{Requests: 100, Interval: 10 * time.Second})
	if l, s := w.params(); l != 100 || s != 10*time.Second+50*time.Millisecond {
		t.Fatalf("lowered to %d per %v, want 100 per 10.05s", l, s)
	}
	// More requests than the ring holds (190), over a longer interval: the
	// interval is kept and the count capped, which admits fewer.
	w.lower(RateLimit{Requests: 500, Interval: time.Minute})
	if l, s := w.params(); l != 190 || s != time.Minute+300*time.Millisecond {
		t.Fatalf("lowered to %d per %v, want 190 per 1m0.3s", l, s)
	}
}

func TestWindowSyncCountsOthersRequests(t *testing.T) {
	w := newWindow(RateLimit{Requests: 10, Interval: time.Second}, epoch)
	w.reserve(epoch, math.MaxInt64, math.MaxInt, false)
	// HubSpot counted 4 (remaining 6 of 10) where this window sent 1.
	w.sync(epoch.Add(10*time.Millisecond), 10, 6)
	for i := range 6 {
		if d, _, _ := w.reserve(epoch.Add(20*time.Millisecond), math.MaxInt64, math.MaxInt, false); d != 0 {
			t.Fatalf("request %d waited", i)
		}
	}
	if d, _, _ := w.reserve(epoch.Add(20*time.Millisecond), math.MaxInt64, math.MaxInt, false); d == 0 {
		t.Fatal("the 11th request, counting the 3 others sent, went at once")
	}
	// A count at or below the window's changes nothing.
	w2 := newWindow(RateLimit{Requests: 10, Interval: time.Second}, epoch)
	w2.reserve(epoch, math.MaxInt64, math.MaxInt, false)
	w2.sync(epoch, 10, 9)
	w2.sync(epoch, 10, 10)
	if w2.n != 1 {
		t.Fatalf("sync added %d entries", w2.n-1)
	}
}

func TestWindowNoteKeepsTimeOrder(t *testing.T) {
	w := newWindow(RateLimit{Requests: 3, Interval: time.Second}, epoch)
	for _, ms := range []int{30, 10, 20, 40, 35} {
		w.note(epoch.Add(time.Duration(ms) * time.Millisecond))
	}
	var got []time.Duration
	for i := range w.n {
		got = append(got, w.entry(i))
	}
	want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond, 35 * time.Millisecond, 40 * time.Millisecond}
	if !slices.Equal(got, want) {
		t.Fatalf("entries %v, want %v", got, want)
	}
}

func TestWindowReserveDoesNotAllocate(t *testing.T) {
	w := newWindow(LimitAPIAddOn(), epoch)
	now := epoch
	allocs := testing.AllocsPerRun(1000, func() {
		now = now.Add(time.Millisecond)
		_, s, _ := w.reserve(now, math.MaxInt64, math.MaxInt, false)
		w.cancel(s)
		w.reserve(now, math.MaxInt64, math.MaxInt, false)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per reserve", allocs)
	}
}

// BenchmarkWindowReserve is the cost of one acquisition of the in-process
// window from parallel goroutines, on the system clock, with a limit that
// never makes them wait.
func BenchmarkWindowReserve(b *testing.B) {
	w := newWindow(RateLimit{Requests: 250, Interval: time.Nanosecond}, time.Now())
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w.reserve(time.Now(), math.MaxInt64, math.MaxInt, false)
		}
	})
}

func TestGuard(t *testing.T) {
	for _, tc := range []struct{ interval, want time.Duration }{
		{10 * time.Second, 50 * time.Millisecond},
		{time.Second, 5 * time.Millisecond},
		{time.Minute, 300 * time.Millisecond},
		{50 * time.Millisecond, 250 * time.Microsecond},
	} {
		if got := guard(tc.interval); got != tc.want {
			t.Errorf("guard(%v) = %v, want %v", tc.interval, got, tc.want)
		}
	}
}

// A request that goes later than the time it was given is counted from
// when it went, so the request a window after it waits for that.
func TestWindowSettleCountsTheActualSend(t *testing.T) {
	w := newWindow(RateLimit{Requests: 2, Interval: time.Second}, epoch)
	_, span := w.params()
	w.reserve(epoch, math.MaxInt64, math.MaxInt, false)
	_, late, _ := w.reserve(epoch, math.MaxInt64, math.MaxInt, false)
	_, third, _ := w.reserve(epoch.Add(time.Millisecond), math.MaxInt64, math.MaxInt, false) // at span
	// The second request's goroutine ran 30 ms late; the third on time.
	w.settle(late, epoch.Add(30*time.Millisecond))
	w.settle(third, epoch.Add(span))
	// The fourth may go only a window after the second actually went.
	if d, _, _ := w.reserve(epoch.Add(span), math.MaxInt64, math.MaxInt, false); d != 30*time.Millisecond {
		t.Fatalf("the fourth request waits %v past the first window, want 30ms", d)
	}
	var got []time.Duration
	for i := range w.n {
		got = append(got, w.entry(i))
	}
	if !slices.IsSorted(got) {
		t.Fatalf("entries out of order after settle: %v", got)
	}
	// Settling earlier than the reserved time changes nothing.
	w2 := newWindow(RateLimit{Requests: 1, Interval: time.Second}, epoch)
	_, s, _ := w2.reserve(epoch.Add(time.Second), math.MaxInt64, math.MaxInt, false)
	w2.settle(s, epoch)
	if w2.entry(0) != time.Second {
		t.Fatalf("settle moved an entry back to %v", w2.entry(0))
	}
}

// A request that was queued behind one answered late waits for it, when
// its own wait ends, instead of arriving within a window of it.
func TestWindowRecheckWaitsForLateAnswers(t *testing.T) {
	w := newWindow(RateLimit{Requests: 2, Interval: time.Second}, epoch)
	_, span := w.params()
	w.reserve(epoch, math.MaxInt64, math.MaxInt, false)
	_, late, _ := w.reserve(epoch, math.MaxInt64, math.MaxInt, false)
	_, third, _ := w.reserve(epoch, math.MaxInt64, math.MaxInt, false)
	d, fourth, _ := w.reserve(epoch, math.MaxInt64, math.MaxInt, false)
	if d != span || third.at != span {
		t.Fatalf("the third and fourth requests wait %v and %v, want %v", third.at, d, span)
	}
	// The second request is answered 30 ms after it left.
	w.settle(late, epoch.Add(30*time.Millisecond))
	if extra := w.recheck(third, epoch.Add(span), math.MaxInt); extra != 0 {
		t.Fatalf("the third request, a window after the first, waits %v more", extra)
	}
	if extra := w.recheck(fourth, epoch.Add(span), math.MaxInt); extra != 30*time.Millisecond {
		t.Fatalf("the fourth request, a window after the late second, waits %v more, want 30ms", extra)
	}
}

// A window's ring grows with the requests it must hold, not with its
// limit: an "unlimited" limit of 2^30 costs memory only for the requests
// sent within two spans.
func TestWindowRingGrowsWithTheRequestsHeld(t *testing.T) {
	w := newWindow(RateLimit{Requests: 1 << 30, Interval: time.Second}, epoch)
	if len(w.sends) > initialRing {
		t.Fatalf("a new window holds a ring of %d", len(w.sends))
	}
	// 1,000 requests within one second: all held.
	for i := range 1000 {
		w.reserve(epoch.Add(time.Duration(i)*time.Microsecond), math.MaxInt64, math.MaxInt, false)
	}
	if w.n != 1000 || len(w.sends) < 1000 || len(w.sends) > 2048 {
		t.Fatalf("after 1,000 requests in a second: %d held in a ring of %d", w.n, len(w.sends))
	}
	// 100 a second for a minute: old ones are overwritten, the ring stays.
	size := len(w.sends)
	for i := range 6000 {
		w.reserve(epoch.Add(2*time.Second+time.Duration(i)*10*time.Millisecond), math.MaxInt64, math.MaxInt, false)
	}
	if len(w.sends) != size {
		t.Fatalf("a steady 100 a second grew the ring from %d to %d", size, len(w.sends))
	}
}
