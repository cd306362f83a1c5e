package conjur_test

import (
	"context"
	"testing"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/conjur"
)

func benchClient(b *testing.B) (*env, *conjur.Client) {
	e := newEnv(b)
	e.secret("hubspot/token", "token-value")
	e.secret("hubspot/signing-key", "key-value")
	c, err := conjur.NewClient(e.srv.URL, e.srv.Account, conjur.APIKey(login, secrets.New(e.key)), conjur.WithClock(e.clk))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return e, c
}

// BenchmarkFetchParallel measures Fetch from many goroutines sharing one
// Client against the loopback fake. Taking the access token is one atomic
// load, so the figure is the HTTP round trip.
func BenchmarkFetchParallel(b *testing.B) {
	e, c := benchClient(b)
	p, err := c.Variable("hubspot/token")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := p.Fetch(context.Background()); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if n := e.srv.Authentications(login); n != 1 {
		b.Fatalf("%d authentications, want 1", n)
	}
}

// BenchmarkFetchBatch measures reading token and signing key in one request.
func BenchmarkFetchBatch(b *testing.B) {
	_, c := benchClient(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.FetchBatch(context.Background(), "hubspot/token", "hubspot/signing-key"); err != nil {
			b.Fatal(err)
		}
	}
}
