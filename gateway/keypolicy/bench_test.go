package keypolicy_test

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hubkey/hubkey/gateway/keypolicy"
)

// BenchmarkAuthorize measures a full decision (token lookup, status,
// scopes, rate limits) as the number of keys grows: it should not.
func BenchmarkAuthorize(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		b.Run(fmt.Sprint(n, "keys"), func(b *testing.B) {
			st := newStore(b)
			var tok string
			for range n {
				_, t, err := st.Create(keypolicy.Spec{Scopes: []string{"crm.objects.contacts.read"}, Limits: keypolicy.Limits{Max: 1 << 30, Interval: time.Millisecond}})
				if err != nil {
					b.Fatal(err)
				}
				tok = t.Reveal()
			}
			r := httptest.NewRequest("GET", "/crm/v3/objects/contacts", nil)
			req := []string{"crm.objects.contacts.read"}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := st.Authorize(r, tok, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
