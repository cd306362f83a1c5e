package keypolicy_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/gateway/keypolicy"
)

func TestRollingWindow(t *testing.T) {
	clk := clock.NewFake(t0)
	st := newStore(t, keypolicy.WithClock(clk))
	_, tok, _ := st.Create(keypolicy.Spec{Limits: keypolicy.Limits{Max: 3, Interval: 10 * time.Second}})
	get := func() (keypolicy.Decision, error) {
		return st.Authorize(req("GET", "/crm/v3/objects/contacts", ""), tok.Reveal(), nil)
	}
	for i := range 3 {
		d, err := get()
		if err != nil {
			t.Fatal(err)
		}
		if d.Usage.Max != 3 || d.Usage.Remaining != 2-i || d.Usage.Interval != 10*time.Second || d.Usage.Search {
			t.Fatalf("call %d usage %+v", i, d.Usage)
		}
		clk.Advance(2 * time.Second)
	}
	// Calls at t0, t0+2s, t0+4s; now t0+6s.
	_, err := get()
	var de *keypolicy.DenyError
	if !errors.As(err, &de) || de.Policy != keypolicy.TenSecondlyRolling || de.RetryAfter != 4*time.Second || de.Usage.Remaining != 0 {
		t.Fatalf("got %v %+v", err, de)
	}
	clk.Advance(4 * time.Second) // the t0 call leaves the window
	if d, err := get(); err != nil || d.Usage.Remaining != 0 {
		t.Fatalf("after window: %v %+v", err, d.Usage)
	}
	if _, err := get(); !errors.Is(err, keypolicy.ErrRateLimited) {
		t.Fatalf("want limited, got %v", err)
	}
}

func TestSearchLimitIsSeparate(t *testing.T) {
	clk := clock.NewFake(t0)
	st := newStore(t, keypolicy.WithClock(clk))
	_, tok, _ := st.Create(keypolicy.Spec{Limits: keypolicy.Limits{Max: 1, Interval: 10 * time.Second, SearchPerSecond: 2}})
	search := func() (keypolicy.Decision, error) {
		return st.Authorize(req("POST", "/crm/v3/objects/contacts/search", ""), tok.Reveal(), nil)
	}
	for range 2 {
		d, err := search()
		if err != nil || !d.Usage.Search || d.Usage.Max != 2 || d.Usage.Interval != time.Second {
			t.Fatalf("%v %+v", err, d.Usage)
		}
	}
	_, err := search()
	var de *keypolicy.DenyError
	if !errors.As(err, &de) || de.Policy != keypolicy.Secondly || de.RetryAfter != time.Second {
		t.Fatalf("got %v", err)
	}
	// Ordinary calls have their own budget.
	if _, err := st.Authorize(req("GET", "/crm/v3/objects/contacts", ""), tok.Reveal(), nil); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if _, err := search(); err != nil {
		t.Fatal(err)
	}
}

func TestDailyLimit(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 6, 1, 23, 59, 0, 0, time.UTC))
	st := newStore(t, keypolicy.WithClock(clk))
	k, tok, _ := st.Create(keypolicy.Spec{Limits: keypolicy.Limits{Daily: 2}})
	for i := range 2 {
		d, err := st.Authorize(req("GET", "/", ""), tok.Reveal(), nil)
		if err != nil || d.Usage.Daily != 2 || d.Usage.DailyRemaining != 1-i {
			t.Fatalf("%v %+v", err, d.Usage)
		}
	}
	_, err := st.Authorize(req("POST", "/crm/v3/objects/contacts/search", ""), tok.Reveal(), nil)
	var de *keypolicy.DenyError
	if !errors.As(err, &de) || de.Policy != keypolicy.Daily || de.RetryAfter != time.Minute {
		t.Fatalf("got %v", err)
	}
	clk.Advance(time.Minute)
	if _, err := st.Authorize(req("GET", "/", ""), tok.Reveal(), nil); err != nil {
		t.Fatalf("new day: %v", err)
	}
	if err := st.ResetLimits(k.ID); err != nil {
		t.Fatal(err)
	}
}

func TestRotatedKeysShareBudget(t *testing.T) {
	clk := clock.NewFake(t0)
	st := newStore(t, keypolicy.WithClock(clk))
	k, oldTok, _ := st.Create(keypolicy.Spec{Limits: keypolicy.Limits{Max: 2, Interval: time.Second}})
	_, newTok, _ := st.Rotate(k.ID, time.Hour)
	for _, tok := range []string{oldTok.Reveal(), newTok.Reveal()} {
		if _, err := st.Authorize(req("GET", "/", ""), tok, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Authorize(req("GET", "/", ""), newTok.Reveal(), nil); !errors.Is(err, keypolicy.ErrRateLimited) {
		t.Fatalf("lineage budget not shared: %v", err)
	}
}

func TestUsageSecondly(t *testing.T) {
	clk := clock.NewFake(t0)
	st := newStore(t, keypolicy.WithClock(clk))
	_, tok, _ := st.Create(keypolicy.Spec{Limits: keypolicy.Limits{Max: 100, Interval: 10 * time.Second}})
	var d keypolicy.Decision
	for range 4 {
		d, _ = st.Authorize(req("GET", "/", ""), tok.Reveal(), nil)
	}
	if d.Usage.Secondly != 10 || d.Usage.SecondlyRemaining != 6 || d.Usage.Remaining != 96 {
		t.Fatalf("usage %+v", d.Usage)
	}
	clk.Advance(1500 * time.Millisecond)
	d, _ = st.Authorize(req("GET", "/", ""), tok.Reveal(), nil)
	if d.Usage.SecondlyRemaining != 9 || d.Usage.Remaining != 95 {
		t.Fatalf("usage %+v", d.Usage)
	}
}

// The search class is the catalogue's: the CRM search operation in every
// API version, and nothing else that merely ends in "/search".
func TestSearchClassFromCatalogue(t *testing.T) {
	st := newStore(t, keypolicy.WithClock(clock.NewFake(t0)))
	_, tok, _ := st.Create(keypolicy.Spec{Limits: keypolicy.Limits{Max: 100, Interval: 10 * time.Second, SearchPerSecond: 100}})
	for _, c := range []struct {
		method, path string
		search       bool
	}{
		{"POST", "/crm/v3/objects/contacts/search", true},
		{"POST", "/crm/v3/objects/2-123/search", true},
		{"POST", "/crm/objects/2026-03/deals/search", true},
		{"POST", "/crm/objects/2025-09/p_cars/search", true},
		{"GET", "/crm/v3/objects/contacts/search", false},      // reads the record "search"
		{"POST", "/crm/v3/objects/contacts/search/", false},    // no operation
		{"POST", "/crm/v3/objects/contacts/1/search", false},   // no operation
		{"POST", "/marketing/v3/something/search", false},      // not a CRM search
		{"POST", "/crm/v3/objects/contacts/batch/read", false}, // standard
	} {
		d, err := st.Authorize(req(c.method, c.path, ""), tok.Reveal(), nil)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		if d.Usage.Search != c.search {
			t.Errorf("%s %s: search %v, want %v", c.method, c.path, d.Usage.Search, c.search)
		}
	}
}
