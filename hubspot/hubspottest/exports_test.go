package hubspottest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

// An export's file is served at its URL to whoever holds it, bearer token
// or not, and only with its own token: a wrong or missing token, another
// method, or a URL asked for before the export is complete all get the
// same 404. The journal keeps the URL's token redacted.
func TestExportFileURL(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake), hubspottest.WithExportTiming(time.Second, time.Second))
	srv.Seed("contacts", map[string]string{"email": "a@example.com"})
	tok := srv.NewToken("crm.export")
	start := call(t, srv, tok, "POST", "/crm/v3/exports/export/async", map[string]any{"exportType": "VIEW", "exportName": "x", "format": "CSV",
		"language": "EN", "objectType": "contacts", "objectProperties": []string{"email"}})
	wantStatus(t, start, http.StatusAccepted)
	id := start.json(t)["id"].(string)
	status := func() map[string]any {
		r := call(t, srv, tok, "GET", "/crm/v3/exports/export/async/tasks/"+id+"/status", nil)
		wantStatus(t, r, http.StatusOK)
		return r.json(t)
	}
	if st := status(); st["status"] != "PENDING" || st["result"] != nil {
		t.Fatalf("status at start: %v", st)
	}
	// Before completion the file's path is a 404 even with the right ID.
	wantStatus(t, call(t, srv, "", "GET", "/hubspottest/export-files/"+id, nil), http.StatusNotFound)
	fake.Advance(2 * time.Second)
	st := status()
	url, _ := st["result"].(string)
	if st["status"] != "COMPLETE" || !strings.HasPrefix(url, srv.URL()+"/hubspottest/export-files/"+id+"?token=") {
		t.Fatalf("status when complete: %v", st)
	}
	path := strings.TrimPrefix(url, srv.URL())
	secret := path[strings.Index(path, "token=")+6:]
	for _, bad := range []string{"/hubspottest/export-files/" + id, "/hubspottest/export-files/" + id + "?token=" + strings.Repeat("0", len(secret))} {
		wantStatus(t, call(t, srv, tok, "GET", bad, nil), http.StatusNotFound)
	}
	wantStatus(t, call(t, srv, "", "POST", path, nil), http.StatusNotFound)
	r := call(t, srv, "", "GET", path, nil)
	wantStatus(t, r, http.StatusOK)
	if string(r.body) != "email\na@example.com\n" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Errorf("file %q (%s)", r.body, r.header.Get("Content-Type"))
	}
	for _, c := range srv.Journal() {
		if strings.Contains(c.Query, secret) || strings.Contains(c.Path, secret) {
			t.Fatalf("the journal holds the URL's token: %+v", c)
		}
	}
	if ex := srv.Exports(); len(ex) != 1 || ex[0].Downloads != 1 || ex[0].Records != 1 {
		t.Errorf("exports: %+v", ex)
	}
}
