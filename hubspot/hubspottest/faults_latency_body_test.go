package hubspottest_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

// A latency fault on a request with a body used to outlast the client:
// net/http ends the request's context on a disconnect only once the body
// has been read, so the server slept out the whole latency, and Close
// waited for it (found by internal/e2e). The wait must end when the client
// gives up, with the body still there for a latency-only fault.
func TestFaultLatencyOnARequestWithABodyEndsWithTheClient(t *testing.T) {
	// The system clock: only the client's leaving can end an hour. Start,
	// not NewServer: if the server still waits, Close would too, and the
	// test would hang rather than fail.
	srv, err := hubspottest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if !t.Failed() {
			srv.Close()
		}
	}()
	tok := srv.NewToken(hubspottest.AllScopes...)
	srv.InjectFault(hubspottest.Fault{Latency: time.Hour, Method: "POST"})

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL()+"/crm/v3/objects/contacts", strings.NewReader(`{"properties":{"email":"a@example.com"}}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		t.Fatal("a request an hour slower than its deadline succeeded")
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(srv.Journal()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the server still waits after the client left")
		}
		time.Sleep(time.Millisecond)
	}
	if c := srv.Journal()[0]; !strings.Contains(c.Note, "client gave up") {
		t.Fatalf("journal %+v", c)
	}

	// A latency that the client waits out still reaches the handler with
	// the whole body.
	srv.InjectFault(hubspottest.Fault{Latency: time.Millisecond, Method: "POST"})
	body := []byte(`{"properties":{"email":"b@example.com"}}`)
	req, _ = http.NewRequest("POST", srv.URL()+"/crm/v3/objects/contacts", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("status %d after a short latency", res.StatusCode)
	}
	if objs := srv.Objects("contacts"); len(objs) != 1 || objs[0].Properties["email"] != "b@example.com" {
		t.Fatalf("stored %+v", objs)
	}
}
