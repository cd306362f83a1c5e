package hubspot

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// BenchmarkObserverPlumbing is the client's own cost of observing a call
// (building the facts an Observer is given), without a network: the
// answer comes from a RoundTripper in the process. "off" has no Observer,
// "nop" one that does nothing.
func BenchmarkObserverPlumbing(b *testing.B) {
	body := []byte(`{"id":"12345","properties":{"email":"alice@example.com"},"createdAt":"2024-05-01T12:30:00.000Z","updatedAt":"2024-05-02T08:00:00.000Z","archived":false}`)
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		h.Set("X-HubSpot-RateLimit-Max", "1048576")
		h.Set("X-HubSpot-RateLimit-Remaining", "1048575")
		h.Set("X-HubSpot-RateLimit-Daily", "1000000000")
		h.Set("X-HubSpot-RateLimit-Daily-Remaining", "999999999")
		return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
	})
	run := func(b *testing.B, o Observer) {
		cache, _ := secrets.NewCache(secretstest.NewStatic("pat-na1-bench0000-0000-4000-8000-000000000000"))
		defer cache.Close()
		opts := []Option{WithToken(cache), WithHTTPClient(&http.Client{Transport: rt}),
			WithRateLimit(RateLimit{Requests: 1 << 20, Interval: 10 * time.Second})}
		if o != nil {
			opts = append(opts, WithObserver(o))
		}
		c, err := New(opts...)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Contacts.Get(ctx, "12345", nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("off", func(b *testing.B) { run(b, nil) })
	b.Run("nop", func(b *testing.B) { run(b, nopObserver{}) })
}

type nopObserver struct{}

func (nopObserver) StartCall(ctx context.Context, _ CallInfo) context.Context { return ctx }
func (nopObserver) StartAttempt(ctx context.Context, _ CallInfo, _ AttemptInfo) context.Context {
	return ctx
}
func (nopObserver) Waited(context.Context, CallInfo, WaitInfo)                 {}
func (nopObserver) EndAttempt(context.Context, CallInfo, AttemptInfo, Outcome) {}
func (nopObserver) EndCall(context.Context, CallInfo, AttemptInfo, Outcome)    {}
