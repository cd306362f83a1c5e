package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Tokens used by the tests: long enough that finding one in output is not
// a coincidence.
const (
	tokenA = "pat-na1-11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	tokenB = "pat-na1-22222222-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
)

var epoch = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// newCache returns a Cache over a Static provider holding value, closed at
// the end of the test.
func newCache(t testing.TB, value string) (*secrets.Cache, *secretstest.Static) {
	t.Helper()
	st := secretstest.NewStatic(value)
	c, err := secrets.NewCache(st, secrets.WithMinInvalidateInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, st
}

// hostOf returns the host:port of a URL, for Transport.Hosts.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u.Host
}

// bearer returns the token of an Authorization header, or "".
func bearer(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// hubspotError writes an error body as HubSpot does.
func hubspotError(w http.ResponseWriter, status int, category, msg string) {
	writeJSON(w, status, map[string]any{
		"status":        "error",
		"message":       msg,
		"correlationId": "7c3a2f1e-0000-4000-8000-000000000001",
		"category":      category,
	})
}

// rateLimited writes HubSpot's 429 body for policy.
func rateLimited(w http.ResponseWriter, policy string, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"status":        "error",
		"message":       fmt.Sprintf("You have reached your %s limit.", strings.ToLower(policy)),
		"errorType":     "RATE_LIMIT",
		"correlationId": "7c3a2f1e-0000-4000-8000-000000000002",
		"policyName":    policy,
		"groupName":     "publicapi:private-app",
	})
}

// server starts an httptest server with h, closed at the end of the test.
func server(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// trackedBody records whether it was closed.
type trackedBody struct {
	io.Reader
	closed atomic.Bool
}

func (b *trackedBody) Close() error { b.closed.Store(true); return nil }

// countingRT counts requests and can fail them.
type countingRT struct {
	n    atomic.Int64
	base http.RoundTripper
}

func (c *countingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// advanceWhenWaiting moves fake forward to its next timer each time one is
// waiting, until ctx ends. It returns the deadlines it fired, in order.
func advanceWhenWaiting(ctx context.Context, fake *clock.Fake) <-chan time.Time {
	fired := make(chan time.Time, 1000)
	go func() {
		defer close(fired)
		for {
			if err := fake.WaitForTimers(ctx, 1); err != nil {
				return
			}
			if d, ok := fake.NextDeadline(); ok {
				fake.AdvanceToNext()
				select {
				case fired <- d:
				default:
				}
			}
		}
	}()
	return fired
}
