package rotation

import (
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func ver(id, value string, fetched time.Time) secrets.Version {
	return secrets.Version{Value: secrets.New(value), ID: id, FetchedAt: fetched}
}

func TestGrace(t *testing.T) {
	a := ver("a", "value-a", t0)
	b := ver("b", "value-b", t0.Add(time.Hour))
	g := New(10 * time.Minute)
	if g.Accepts(a, t0) {
		t.Fatal("accepted before any current version was seen")
	}
	g.Current(a, t0)
	// First seen an hour after b was adopted: the grace ran from FetchedAt.
	g.Current(b, t0.Add(70*time.Minute))
	if g.Accepts(a, t0.Add(70*time.Minute)) {
		t.Fatal("grace counted from the first sighting, not from FetchedAt")
	}

	c := ver("c", "value-c", t0.Add(2*time.Hour))
	g.Current(c, t0.Add(2*time.Hour))
	for _, tt := range []struct {
		at   time.Duration
		want bool
	}{{0, true}, {10*time.Minute - 1, true}, {10 * time.Minute, false}, {time.Hour, false}} {
		if got := g.Accepts(b, c.FetchedAt.Add(tt.at)); got != tt.want {
			t.Errorf("%v after the rotation: %v, want %v", tt.at, got, tt.want)
		}
	}
	// Seeing c again (or a copy with a new FetchedAt) restarts nothing.
	again := c
	again.FetchedAt = t0.Add(5 * time.Hour)
	g.Current(again, t0.Add(5*time.Hour))
	if g.Accepts(b, t0.Add(5*time.Hour)) {
		t.Fatal("a refetch of the same version reopened the grace")
	}
	// The version last seen as current is never a previous one within a
	// grace: the rotation that replaced it was not seen.
	if g.Accepts(c, c.FetchedAt) {
		t.Fatal("the current version was accepted as a previous one")
	}
	// Same ID, other value: another version.
	if g.Accepts(ver("c", "value-c2", t0), c.FetchedAt) != true {
		t.Fatal("a version with the current ID but another value should be judged by the grace")
	}
}

func TestGraceFetchedAtAhead(t *testing.T) {
	g := New(time.Minute)
	g.Current(ver("a", "value-a", t0), t0)
	g.Current(ver("b", "value-b", t0.Add(time.Hour)), t0) // the provider's clock is ahead
	if g.Accepts(ver("a", "value-a", t0), t0.Add(time.Minute)) {
		t.Fatal("a FetchedAt ahead of the clock extended the grace")
	}
}

func TestGraceExpiredAndZero(t *testing.T) {
	g := New(time.Hour)
	g.Current(ver("b", "value-b", t0), t0)
	prev := ver("a", "value-a", t0.Add(-time.Hour))
	prev.ExpiresAt = t0.Add(time.Minute)
	if !g.Accepts(prev, t0) || g.Accepts(prev, t0.Add(time.Minute)) {
		t.Fatal("the previous version's own ExpiresAt was not honoured")
	}
	if g.Accepts(secrets.Version{ID: "empty"}, t0) {
		t.Fatal("an empty version was accepted")
	}
	for _, d := range []time.Duration{0, -time.Second} {
		z := New(d)
		z.Current(ver("b", "value-b", t0), t0)
		if z.Accepts(ver("a", "value-a", t0), t0) {
			t.Errorf("grace %v accepted a previous version", d)
		}
	}
}

func TestGraceConcurrent(t *testing.T) {
	g := New(time.Minute)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				v := ver("v", "value", t0)
				if (i+j)%2 == 0 {
					v = ver("w", "other", t0)
				}
				g.Current(v, t0)
				g.Accepts(ver("u", "old", t0), t0)
			}
		}()
	}
	wg.Wait()
}
