package secrets_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// OnRefresh hears every refresh before Refresh returns: the first fetch,
// one that brings the same version, a rotation, a version refused by
// validation (ErrRefused) and a failed fetch.
func TestCacheOnRefresh(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	st := secretstest.NewStatic("value-one")
	c, err := secrets.NewCache(st, secrets.WithClock(clk), secrets.WithValidate(func(_ context.Context, v secrets.Version) error {
		if v.Value.Equal(secrets.New("value-refused")) {
			return errors.New("the server refused it")
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	type seen struct {
		old, cur string
		err      error
	}
	var got []seen
	c.OnRefresh(func(old, cur secrets.Version, err error) {
		got = append(got, seen{old.ID, cur.ID, err})
	})
	ctx := context.Background()
	refresh := func() error { _, err := c.Refresh(ctx); return err }
	if _, err := c.Get(ctx); err != nil {
		t.Fatal(err)
	}
	if err := refresh(); err != nil {
		t.Fatal(err)
	}
	st.Rotate("value-two")
	if err := refresh(); err != nil {
		t.Fatal(err)
	}
	st.Rotate("value-refused")
	if err := refresh(); !errors.Is(err, secrets.ErrRefused) {
		t.Fatalf("refused version: %v", err)
	}
	st.SetError(secrets.ErrPermission)
	clk.Advance(time.Hour) // past the backoff after the refusal
	if err := refresh(); !errors.Is(err, secrets.ErrPermission) || errors.Is(err, secrets.ErrRefused) {
		t.Fatalf("failed fetch: %v", err)
	}
	want := []seen{{"", "v1", nil}, {"v1", "v1", nil}, {"v1", "v2", nil}, {"v2", "v2", secrets.ErrRefused}, {"v2", "v2", secrets.ErrPermission}}
	if len(got) != len(want) {
		t.Fatalf("hooks saw %+v, want %+v", got, want)
	}
	for i, w := range want {
		g := got[i]
		if g.old != w.old || g.cur != w.cur || !errors.Is(g.err, w.err) || (w.err == nil) != (g.err == nil) {
			t.Errorf("refresh %d: saw %+v, want %+v", i, g, w)
		}
	}
}
