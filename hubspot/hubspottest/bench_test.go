package hubspottest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

// BenchmarkServeGet measures one authorized record read through the
// server's handler (routing, key policy, handler), without the network.
func BenchmarkServeGet(b *testing.B) {
	for _, v := range []struct{ name, base string }{
		{"numbered", "/crm/v3/objects/contacts/"},
		{"dated", "/crm/objects/2026-09/contacts/"},
	} {
		b.Run(v.name, func(b *testing.B) {
			srv := hubspottest.NewServer(b)
			tok := srv.NewToken("crm.objects.contacts.read")
			id := srv.Seed("contacts", map[string]string{"email": "a@example.com"})[0].ID
			req := httptest.NewRequest(http.MethodGet, v.base+id, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
