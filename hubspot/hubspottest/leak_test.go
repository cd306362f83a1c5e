package hubspottest_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// syncBuffer is a bytes.Buffer safe for the server's handler goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestNoTokenInLogsJournalOrBodies(t *testing.T) {
	var logs syncBuffer
	srv := hubspottest.NewServer(t, hubspottest.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	tok := srv.NewToken("crm.objects.contacts.read")
	revoked := srv.NewToken("crm.objects.contacts.read")
	srv.RevokeToken(revoked)
	seed := make([]map[string]string, 15) // enough for a paging link
	for i := range seed {
		seed[i] = map[string]string{"firstname": fmt.Sprint(i)}
	}
	srv.Seed("contacts", seed...)

	var bodies bytes.Buffer
	for _, c := range []struct{ tok, method, path string }{
		{tok, "GET", "/crm/v3/objects/contacts?access_token=" + tok},
		{tok, "POST", "/crm/v3/objects/contacts"},
		{revoked, "GET", "/crm/v3/objects/contacts"},
		{tok, "GET", "/oauth/v1/access-tokens/" + tok},
	} {
		r := call(t, srv, c.tok, c.method, c.path, nil)
		bodies.Write(r.body)
		for k, v := range r.header {
			fmt.Fprintln(&bodies, k, v)
		}
	}
	if logs.String() == "" {
		t.Fatal("no log lines")
	}
	journal := fmt.Sprintf("%+v %#v", srv.Journal(), srv.Journal())
	keys := fmt.Sprintf("%+v", srv.Policy().Keys())
	for _, secret := range []string{tok, revoked} {
		secretstest.AssertNoLeak(t, "logs", logs.String(), secret)
		secretstest.AssertNoLeak(t, "journal", journal, secret)
		secretstest.AssertNoLeak(t, "responses", bodies.String(), secret)
		secretstest.AssertNoLeak(t, "key records", keys, secret)
	}
}

func TestConcurrentWrites(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithProperties("contacts", "worker"))
	tok := srv.NewToken(hubspottest.AllScopes...)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				// Every worker tries the same 20 addresses: each must be
				// created exactly once.
				r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": fmt.Sprintf("u%d@x.io", i), "worker": w}})
				mu.Lock()
				statuses[r.status]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if statuses[201] != 20 || statuses[409] != 140 {
		t.Fatalf("statuses %v", statuses)
	}
	if n := len(srv.Objects("contacts")); n != 20 {
		t.Fatalf("%d contacts", n)
	}
}
