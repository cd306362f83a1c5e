package hubspottest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func TestFaultStatus(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	srv.InjectFault(hubspottest.Fault{Status: 503, Count: 2, RetryAfter: "3"})
	srv.InjectFault(hubspottest.Fault{Status: 429})
	srv.InjectFault(hubspottest.Fault{Status: 502, Body: `{"custom":true}`})
	if srv.PendingFaults() != 4 {
		t.Fatalf("pending %d", srv.PendingFaults())
	}
	for i := range 2 {
		r := call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil)
		wantStatus(t, r, 503)
		if r.header.Get("Retry-After") != "3" || r.json(t)["status"] != "error" {
			t.Fatalf("call %d: %v %s", i, r.header, r.body)
		}
	}
	r := call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil)
	wantStatus(t, r, 429)
	if r.json(t)["policyName"] != "TEN_SECONDLY_ROLLING" {
		t.Fatalf("429 fault body %s", r.body)
	}
	r = call(t, srv, "", "GET", "/crm/v3/objects/contacts", nil)
	wantStatus(t, r, 502)
	if string(r.body) != `{"custom":true}` {
		t.Fatalf("body %s", r.body)
	}
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil), 200)
	if srv.PendingFaults() != 0 {
		t.Fatal("faults left")
	}
	j := srv.Journal()
	if !strings.Contains(j[0].Note, "status 503") || j[len(j)-1].Note != "" {
		t.Errorf("journal notes %q %q", j[0].Note, j[len(j)-1].Note)
	}
}

func TestFaultMatching(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	srv.InjectFault(hubspottest.Fault{Status: 500, Method: "post", PathPrefix: "/crm/v3/objects/deals"})
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/deals", nil), 200)
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/contacts", map[string]any{}), 201)
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/deals/search", map[string]any{}), 500)
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/deals/search", map[string]any{}), 200)

	srv.InjectFault(hubspottest.Fault{Status: 500, Count: 5})
	srv.ClearFaults()
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/deals", nil), 200)
}

func TestFaultLatency(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	tok := srv.NewToken(hubspottest.AllScopes...)
	srv.InjectFault(hubspottest.Fault{Latency: 30 * time.Second})

	done := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("GET", srv.URL()+"/crm/v3/objects/contacts", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- -1
			return
		}
		res.Body.Close()
		done <- res.StatusCode
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clk.WaitForTimers(ctx, 1); err != nil {
		t.Fatal("server never slept")
	}
	select {
	case <-done:
		t.Fatal("answered before the latency passed")
	default:
	}
	clk.Advance(30 * time.Second)
	if got := <-done; got != 200 {
		t.Fatalf("status %d", got)
	}
	if j := srv.Journal(); j[0].Duration != 30*time.Second || !strings.Contains(j[0].Note, "latency 30s") {
		t.Errorf("journal %+v", j[0])
	}
}

func TestFaultLatencyHonoursClientCancel(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	tok := srv.NewToken(hubspottest.AllScopes...)
	srv.InjectFault(hubspottest.Fault{Latency: time.Hour, Status: 500})

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL()+"/crm/v3/objects/contacts", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		errc <- err
	}()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := clk.WaitForTimers(wctx, 1); err != nil {
		t.Fatal("server never slept")
	}
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("cancelled request succeeded")
	}
	// The server stops waiting without the clock moving.
	deadline := time.Now().Add(10 * time.Second)
	for len(srv.Journal()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("server still waiting after the client left")
		}
		time.Sleep(time.Millisecond)
	}
	if c := srv.Journal()[0]; !strings.Contains(c.Note, "client gave up") || c.Status != 0 {
		t.Fatalf("journal %+v", c)
	}
	if clk.Timers() != 0 {
		t.Fatal("latency timer left behind")
	}
}

func TestFaultDrop(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	srv.InjectFault(hubspottest.Fault{Drop: true})
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, _ := http.NewRequest("POST", srv.URL()+"/crm/v3/objects/contacts", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := hc.Do(req)
	if err == nil {
		res.Body.Close()
		t.Fatalf("dropped connection answered %d", res.StatusCode)
	}
	if len(srv.Objects("contacts")) != 0 {
		t.Fatal("dropped call was carried out")
	}
	// The server journals the call after it hangs up, so the client can
	// see the drop first: wait for the entry rather than race it.
	var j []hubspottest.Call
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if j = srv.Journal(); len(j) > 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(j) != 1 || j[0].Status != 0 || !strings.Contains(j[0].Note, "dropped connection") {
		t.Fatalf("journal %+v", j)
	}
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/contacts", map[string]any{}), 201)
}
