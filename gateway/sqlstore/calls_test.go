package sqlstore_test

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/sqlstore"
)

// fullCall sets every field of a call.
func fullCall(i int) gateway.Call {
	return gateway.Call{
		Time:        t0.Add(time.Duration(i) * time.Second).In(time.FixedZone("X", -7*3600)),
		KeyID:       "key-1",
		Fingerprint: "fp_1",
		Service:     "billing-sync",
		Operation:   "crm.objects.get",
		Method:      "GET",
		Route:       "/crm/v3/objects/{objectType}/{objectId}",
		Status:      200,
		Denial:      "",
		Latency:     123456789 * time.Nanosecond,
		BytesIn:     1 << 40,
		BytesOut:    77,
		ClientIP:    "2001:db8::1",
		Signature:   "valid",
		Upstream:    "private-app-1",
	}
}

func storedCall(c gateway.Call) gateway.Call {
	c.Time = c.Time.Truncate(time.Microsecond).UTC()
	return c
}

func collect(t *testing.T, s *sqlstore.Store, f gateway.CallFilter) []gateway.Call {
	t.Helper()
	var out []gateway.Call
	for c, err := range s.Calls(context.Background(), f) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func TestCallRoundTrip(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		s := open(t)
		zero := gateway.Call{}
		bad := gateway.Call{Time: t0, Route: "/a\x00b", Denial: "bad \xff utf-8"}
		calls := []gateway.Call{fullCall(1), zero, bad, fullCall(2)}
		if err := s.AppendCalls(context.Background(), calls); err != nil {
			t.Fatal(err)
		}
		got := collect(t, s, gateway.CallFilter{})
		// Newest first; bad and fullCall(0) would tie on time, so they do
		// not: bad is at t0, fullCall(1) at t0+1s.
		badStored := gateway.Call{Time: t0.Truncate(time.Microsecond), Route: "/a\uFFFDb", Denial: "bad \uFFFD utf-8"}
		want := []gateway.Call{storedCall(fullCall(2)), storedCall(fullCall(1)), badStored, zero}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Calls\n got %#v\nwant %#v", got, want)
		}
	})
}

// calls at t0 + i minutes, varied so that each filter field selects.
func sampleCalls() []gateway.Call {
	var calls []gateway.Call
	for i := range 60 {
		c := gateway.Call{
			Time:      t0.Add(time.Duration(i) * time.Minute / 3), // three a minute
			KeyID:     fmt.Sprintf("k%d", i%3),
			Service:   fmt.Sprintf("svc%d", i%3%2), // one service per key
			Operation: []string{"crm.objects.get", "crm.objects.search"}[i%5/4],
			Method:    "GET",
			Status:    200,
		}
		switch {
		case i%7 == 0:
			c.Status, c.Denial = 403, "missing scopes"
		case i%11 == 0:
			c.Status, c.Denial = 429, "rate limited"
		case i%13 == 0:
			c.Status = 429 // HubSpot's own 429
		}
		if i%17 == 0 {
			c.KeyID, c.Service, c.Status, c.Denial = "", "", 401, "unknown token"
		}
		calls = append(calls, c)
	}
	return calls
}

// match is the reference for CallFilter.
func match(f gateway.CallFilter, c gateway.Call) bool {
	return (f.From.IsZero() || !c.Time.Before(f.From)) && (f.To.IsZero() || c.Time.Before(f.To)) &&
		(f.KeyID == "" || c.KeyID == f.KeyID) && (f.Service == "" || c.Service == f.Service) &&
		(f.Operation == "" || c.Operation == f.Operation) && (f.Status == 0 || c.Status == f.Status) &&
		(f.Denial == "" || c.Denial == f.Denial) && (!f.DeniedOnly || c.Denial != "")
}

func TestCallsFilter(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		s := open(t)
		calls := sampleCalls()
		// Appended in two batches, out of time order.
		if err := s.AppendCalls(context.Background(), calls[30:]); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendCalls(context.Background(), calls[:30]); err != nil {
			t.Fatal(err)
		}
		for _, f := range []gateway.CallFilter{
			{},
			{From: t0.Add(5 * time.Minute)},
			{To: t0.Add(5 * time.Minute)},
			{From: t0.Add(2 * time.Minute), To: t0.Add(4*time.Minute + time.Second)},
			{KeyID: "k1"},
			{Service: "svc0"},
			{Operation: "crm.objects.search"},
			{Status: 429},
			{Denial: "rate limited"},
			{DeniedOnly: true},
			{DeniedOnly: true, KeyID: "k2", Limit: 3},
			{Limit: 5},
			{KeyID: "none"},
		} {
			t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
				var want []gateway.Call
				for i := len(calls) - 1; i >= 0; i-- { // newest first
					if match(f, calls[i]) && (f.Limit == 0 || len(want) < f.Limit) {
						want = append(want, storedCall(calls[i]))
					}
				}
				got := collect(t, s, f)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %d calls, want %d:\n got %v\nwant %v", len(got), len(want), got, want)
				}
			})
		}
	})
}

// Stopping early releases the rows: more early stops than the pool has
// connections, and the store still answers.
func TestCallsStopEarly(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		s := open(t)
		if err := s.AppendCalls(context.Background(), sampleCalls()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		for range 10 {
			n := 0
			for _, err := range s.Calls(ctx, gateway.CallFilter{}) {
				if err != nil {
					t.Fatal(err)
				}
				if n++; n == 2 {
					break
				}
			}
		}
		if _, err := s.LastUsed(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendCalls(ctx, []gateway.Call{{Time: t0}}); err != nil {
			t.Fatal(err)
		}
	})
}

// The results are literal, so both databases must give the same ones.
func TestUsageAndLastUsed(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		s := open(t)
		ctx := context.Background()
		if err := s.AppendCalls(ctx, sampleCalls()); err != nil {
			t.Fatal(err)
		}
		from := t0.Add(time.Minute) // buckets start here, not on the hour
		got, err := s.Usage(ctx, from, from.Add(12*time.Minute), 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		want := referenceUsage(sampleCalls(), from, from.Add(12*time.Minute), 5*time.Minute)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Usage\n got %+v\nwant %+v", got, want)
		}
		// A few figures by hand, so the reference cannot be wrong alone.
		// Calls 3..17 fall in the first bucket [t0+1m, t0+6m).
		if len(got) == 0 || !got[0].Start.Equal(from.Truncate(time.Microsecond)) || got[0].KeyID != "" {
			t.Fatalf("first row %+v", got[0])
		}
		// Call 17 is the only keyless one in it.
		if got[0].Calls != 1 || got[0].Denials != 1 || got[0].Upstream429 != 0 {
			t.Errorf("first row %+v", got[0])
		}
		var total, denials, up429 int64
		for _, u := range got {
			total += u.Calls
			denials += u.Denials
			up429 += u.Upstream429
		}
		// Calls 3..38 (36); denied: 7,14,21,28,35 (7s), 11,22,33 (11s),
		// 17,34 (17s) = 10; HubSpot's 429: 13, 26 = 2.
		if total != 36 || denials != 10 || up429 != 2 {
			t.Errorf("totals: %d calls, %d denials, %d upstream 429; want 36, 10, 2", total, denials, up429)
		}

		if _, err := s.Usage(ctx, from, from.Add(time.Hour), time.Nanosecond); err == nil {
			t.Error("Usage with a 1ns bucket: no error")
		}
		if u, err := s.Usage(ctx, from, from, time.Minute); err != nil || len(u) != 0 {
			t.Errorf("empty range: %v, %v", u, err)
		}

		last, err := s.LastUsed(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantLast := map[string]time.Time{}
		for _, c := range sampleCalls() {
			if c.KeyID != "" && c.Time.After(wantLast[c.KeyID]) {
				wantLast[c.KeyID] = c.Time.Truncate(time.Microsecond)
			}
		}
		if !reflect.DeepEqual(last, wantLast) {
			t.Errorf("LastUsed = %v, want %v", last, wantLast)
		}
	})
}

func referenceUsage(calls []gateway.Call, from, to time.Time, bucket time.Duration) []gateway.Usage {
	from, to = from.Truncate(time.Microsecond), to.Truncate(time.Microsecond)
	type k struct {
		n  int64
		id string
	}
	m := map[k]*gateway.Usage{}
	var order []k
	for _, c := range calls {
		ct := c.Time.Truncate(time.Microsecond)
		if ct.Before(from) || !ct.Before(to) {
			continue
		}
		key := k{int64(ct.Sub(from) / bucket), c.KeyID}
		u := m[key]
		if u == nil {
			u = &gateway.Usage{KeyID: c.KeyID, Service: c.Service, Start: from.Add(time.Duration(key.n) * bucket).UTC()}
			m[key] = u
			order = append(order, key)
		}
		u.Calls++
		if c.Denial != "" {
			u.Denials++
		} else if c.Status == 429 {
			u.Upstream429++
		}
		if ct.After(u.LastUsed) {
			u.LastUsed = ct.UTC()
		}
	}
	out := make([]gateway.Usage, 0, len(order))
	for _, key := range order {
		out = append(out, *m[key])
	}
	sortUsage(out)
	return out
}

func sortUsage(us []gateway.Usage) {
	slices.SortFunc(us, func(a, b gateway.Usage) int {
		return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.KeyID, b.KeyID))
	})
}

// DeleteCallsBefore trims the trail to the calls made at or after its
// time, in batches, and counts what it deleted.
func TestDeleteCallsBefore(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		sqlstore.SetDeleteBatch(t, 7) // several batches, the last one short
		s := open(t)
		ctx := context.Background()
		var calls []gateway.Call
		for i := range 50 {
			calls = append(calls, fullCall(i)) // one a second from t0
		}
		if err := s.AppendCalls(ctx, calls); err != nil {
			t.Fatal(err)
		}
		n, err := s.DeleteCallsBefore(ctx, t0.Add(30*time.Second))
		if err != nil || n != 30 {
			t.Fatalf("DeleteCallsBefore = %d, %v; want 30", n, err)
		}
		left := collect(t, s, gateway.CallFilter{})
		if len(left) != 20 || !left[len(left)-1].Time.Equal(t0.Add(30*time.Second).Truncate(time.Microsecond)) {
			t.Fatalf("%d calls left, oldest %v; want 20 from t0+30s", len(left), left[len(left)-1].Time)
		}
		if n, err := s.DeleteCallsBefore(ctx, t0); err != nil || n != 0 {
			t.Errorf("nothing older: %d, %v", n, err)
		}
	})
}
