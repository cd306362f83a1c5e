package hubspottest

import (
	"sync"
	"time"

	"github.com/hubkey/hubkey/gateway/keypolicy"
)

// HubSpot's default rate limits, which the server reports in its
// X-HubSpot-RateLimit-* headers for a token with no limit of its own
// (see WithRateLimit) without enforcing them: a private app of a Free or
// Starter account has 100 calls per 10 seconds and 250,000 a day (the
// daily figure is the Account's DailyLimit); a public app's OAuth access
// token has 110 calls per 10 seconds and no daily limit, and so no daily
// headers, as HubSpot's changelog of 2019 says.
const (
	defaultBurst       = 100
	defaultOAuthBurst  = 110
	defaultBurstWindow = 10 * time.Second
)

// burstCounter counts each key lineage's calls in the last burst window
// and today, for the rate-limit headers of tokens with no limit of their
// own.
type burstCounter struct {
	mu    sync.Mutex
	calls map[string]*lineageCalls
}

type lineageCalls struct {
	window []time.Time // oldest first
	day    time.Time
	today  int
}

// count records a call of lineage at now and returns the calls in the
// window ending now, in the last second, and today, this one included.
func (c *burstCounter) count(lineage string, now time.Time) (window, second, today int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string]*lineageCalls{}
	}
	l := c.calls[lineage]
	if l == nil {
		l = &lineageCalls{}
		c.calls[lineage] = l
	}
	cut := now.Add(-defaultBurstWindow)
	i := 0
	for i < len(l.window) && !l.window[i].After(cut) {
		i++
	}
	l.window = append(l.window[i:], now)
	if day := startOfUTCDay(now); !day.Equal(l.day) {
		l.day, l.today = day, 0
	}
	l.today++
	for j := len(l.window) - 1; j >= 0 && l.window[j].After(now.Add(-time.Second)); j-- {
		second++
	}
	return len(l.window), second, l.today
}

// defaultUsage fills in the limits k has none of, burst or daily, with the
// default ones, counting the call; oauth reports an OAuth access token,
// which has no daily limit. Search calls get no headers, as on HubSpot,
// and are not counted here.
func (s *Server) defaultUsage(k keypolicy.Key, u keypolicy.Usage, oauth bool) keypolicy.Usage {
	needBurst, needDaily := k.Limits.Max == 0, k.Limits.Daily == 0 && !oauth
	if u.Search || !needBurst && !needDaily {
		return u
	}
	window, second, today := s.burst.count(k.Lineage, s.clock.Now())
	if needBurst {
		burst := defaultBurst
		if oauth {
			burst = defaultOAuthBurst
		}
		u.Max, u.Interval = burst, defaultBurstWindow
		u.Remaining = max(0, burst-window)
		u.Secondly = burst / int(defaultBurstWindow/time.Second)
		u.SecondlyRemaining = max(0, u.Secondly-second)
	}
	if needDaily {
		u.Daily = s.Account().DailyLimit
		u.DailyRemaining = max(0, u.Daily-today)
	}
	return u
}
