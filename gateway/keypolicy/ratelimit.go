package keypolicy

import (
	"time"
)

// Usage is the rate-limit state of a key's lineage, as HubSpot reports it
// in its X-HubSpot-RateLimit-* headers. Zero fields mean no limit of that
// kind.
type Usage struct {
	// Search reports whether the call counted as a search call, which
	// HubSpot limits separately (SECONDLY) and answers without the
	// standard rate-limit headers.
	Search bool
	// Max, Remaining and Interval describe the window that applied:
	// the rolling window (X-HubSpot-RateLimit-Max, -Remaining,
	// -Interval-Milliseconds), or for a search call the one-second window.
	Max       int
	Remaining int
	Interval  time.Duration
	// Secondly and SecondlyRemaining are the rolling window's budget
	// expressed per second and what is left of it in the last second
	// (X-HubSpot-RateLimit-Secondly, -Secondly-Remaining).
	Secondly          int
	SecondlyRemaining int
	// Daily and DailyRemaining are the daily budget and what is left of
	// it today (X-HubSpot-RateLimit-Daily, -Daily-Remaining).
	Daily          int
	DailyRemaining int
}

// bucket holds the accepted calls of one lineage.
type bucket struct {
	window []time.Time // ordinary calls in the rolling window, oldest first
	search []time.Time // search calls in the last second, oldest first
	day    time.Time   // start of the day dayCount counts
	count  int         // calls today
}

func trim(ts []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(cutoff) {
		i++
	}
	if i == 0 {
		return ts
	}
	return append(ts[:0], ts[i:]...)
}

func countAfter(ts []time.Time, cutoff time.Time) int {
	n := 0
	for i := len(ts) - 1; i >= 0 && ts[i].After(cutoff); i-- {
		n++
	}
	return n
}

func (s *Store) startOfDay(t time.Time) time.Time {
	t = t.In(s.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.loc)
}

// take counts a call against k's lineage if every limit has room. It
// returns the usage after the call, or the policy that refused it and how
// long until that policy would have room.
func (s *Store) take(k Key, search bool, now time.Time) (Usage, Policy, time.Duration) {
	l := k.Limits
	if l == (Limits{}) {
		return Usage{Search: search}, "", 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[k.Lineage]
	if b == nil {
		b = &bucket{}
		s.buckets[k.Lineage] = b
	}
	if l.Interval > 0 {
		b.window = trim(b.window, now.Add(-l.Interval))
	}
	b.search = trim(b.search, now.Add(-time.Second))
	if day := s.startOfDay(now); !day.Equal(b.day) {
		b.day, b.count = day, 0
	}

	usage := func() Usage {
		u := Usage{Search: search, Daily: l.Daily}
		if l.Daily > 0 {
			u.DailyRemaining = max(0, l.Daily-b.count)
		}
		if search {
			if l.SearchPerSecond > 0 {
				u.Max, u.Interval = l.SearchPerSecond, time.Second
				u.Remaining = max(0, l.SearchPerSecond-len(b.search))
			}
			return u
		}
		if l.Max > 0 {
			u.Max, u.Interval = l.Max, l.Interval
			u.Remaining = max(0, l.Max-len(b.window))
			u.Secondly = max(1, int((int64(l.Max)*int64(time.Second)+int64(l.Interval)-1)/int64(l.Interval)))
			u.SecondlyRemaining = max(0, u.Secondly-countAfter(b.window, now.Add(-time.Second)))
		}
		return u
	}

	switch {
	case l.Daily > 0 && b.count >= l.Daily:
		next := b.day.AddDate(0, 0, 1)
		return usage(), Daily, next.Sub(now)
	case search && l.SearchPerSecond > 0 && len(b.search) >= l.SearchPerSecond:
		return usage(), Secondly, b.search[len(b.search)-l.SearchPerSecond].Add(time.Second).Sub(now)
	case !search && l.Max > 0 && len(b.window) >= l.Max:
		return usage(), TenSecondlyRolling, b.window[len(b.window)-l.Max].Add(l.Interval).Sub(now)
	}
	if search {
		if l.SearchPerSecond > 0 {
			b.search = append(b.search, now)
		}
	} else if l.Max > 0 {
		b.window = append(b.window, now)
	}
	b.count++
	return usage(), "", 0
}

// ResetLimits forgets every call counted against the lineage of the key
// with the given ID, as if its windows and day had just begun.
func (s *Store) ResetLimits(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	if !ok {
		return errKeyNotFound(id)
	}
	delete(s.buckets, k.Lineage)
	return nil
}
