package hubspot

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// connTracker follows, on the server side, the state of every connection
// a test server accepts.
type connTracker struct {
	mu      sync.Mutex
	state   map[net.Conn]http.ConnState
	changed chan struct{}
}

func trackedServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *connTracker) {
	t.Helper()
	ct := &connTracker{state: map[net.Conn]http.ConnState{}, changed: make(chan struct{}, 1)}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		ct.mu.Lock()
		ct.state[c] = s
		ct.mu.Unlock()
		select {
		case ct.changed <- struct{}{}:
		default:
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, ct
}

// open returns how many connections are not closed, and how many there were.
func (ct *connTracker) open() (open, total int) {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	for _, s := range ct.state {
		if s != http.StateClosed && s != http.StateHijacked {
			open++
		}
	}
	return open, len(ct.state)
}

// waitClosed waits until every connection is closed, failing the test if
// some are still open at the deadline.
func (ct *connTracker) waitClosed(t *testing.T, what string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		open, total := ct.open()
		if total == 0 {
			t.Fatalf("%s: no connection was ever made", what)
		}
		if open == 0 {
			return
		}
		select {
		case <-ct.changed:
		case <-deadline:
			t.Fatalf("%s: %d of %d connections still open", what, open, total)
		}
	}
}

func closeTestClient(t *testing.T, base string) *Client {
	t.Helper()
	cache, _ := newCache(t, tokenA)
	c, err := New(WithToken(cache), WithBaseURL(base), WithRateLimit(RateLimit{}), WithRetry(RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Close closes the idle connections of the transport New built.
func TestCloseClosesIdleConnections(t *testing.T) {
	srv, conns := trackedServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"id": "1"})
	})
	c := closeTestClient(t, srv.URL)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 4 { // concurrent, so that more than one connection is open
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Contacts.Get(ctx, "1", nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if open, _ := conns.open(); open == 0 {
		t.Fatal("no idle connection after the calls; the test proves nothing")
	}
	c.Close()
	conns.waitClosed(t, "after Close")

	if _, err := c.Contacts.Get(ctx, "1", nil); !errors.Is(err, errClientClosed) {
		t.Errorf("call after Close: %v; want %v", err, errClientClosed)
	}
}

// A connection busy with a response when Close is called is closed as
// soon as that response's body is.
func TestCloseClosesBusyConnectionWhenItsBodyCloses(t *testing.T) {
	srv, conns := trackedServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"id": "1"})
	})
	c := closeTestClient(t, srv.URL)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/crm/v3/objects/contacts/1", nil)
	resp, err := c.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	conns.waitClosed(t, "after the body was closed")
}
