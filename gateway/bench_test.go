package gateway_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

const benchContact = `{"id":"1","properties":{"createdate":"2024-05-01T12:30:00.000Z","email":"user1@example.com","firstname":"User","hs_object_id":"1","lastmodifieddate":"2024-05-02T08:00:00.000Z","lastname":"Smith"},"createdAt":"2024-05-01T12:30:00.000Z","updatedAt":"2024-05-02T08:00:00.000Z","archived":false}`

// BenchmarkGateway measures what the gateway adds to a contact read on
// loopback: the same GET sent straight to an upstream that answers at once,
// and through the gateway holding 10 or 100,000 keys. p50-µs and p99-µs are
// the latency percentiles of the serial loop; the Parallel variants give
// throughput with as many callers as GOMAXPROCS.
func BenchmarkGateway(b *testing.B) {
	const real = "pat-na1-11111111-2222-3333-4444-555555555555"
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+real {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = io.WriteString(w, benchContact)
	}))
	b.Cleanup(upstream.Close)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	get := func(b *testing.B, base, token string) {
		req, _ := http.NewRequest("GET", base+"/crm/v3/objects/contacts/1", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	serial := func(b *testing.B, base, token string) {
		get(b, base, token) // open the connections
		lat := make([]time.Duration, 0, b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			t0 := time.Now()
			get(b, base, token)
			lat = append(lat, time.Since(t0))
		}
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
	}
	parallel := func(b *testing.B, base, token string) {
		get(b, base, token)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				get(b, base, token)
			}
		})
	}
	b.Run("direct", func(b *testing.B) { serial(b, upstream.URL, real) })
	b.Run("direct/Parallel", func(b *testing.B) { parallel(b, upstream.URL, real) })
	for _, n := range []int{10, 100_000} {
		base, token := benchGateway(b, upstream.URL, real, n)
		b.Run(fmt.Sprintf("gateway/%dkeys", n), func(b *testing.B) { serial(b, base, token) })
		b.Run(fmt.Sprintf("gateway/%dkeys/Parallel", n), func(b *testing.B) { parallel(b, base, token) })
		if n == 10 {
			// The same serial loop while two other callers send nothing but
			// well-formed keys the gateway does not know, as fast as they can.
			b.Run("gateway/10keys/InvalidKeyFlood", func(b *testing.B) {
				bad := wellFormedUnknownB(b)
				stop := make(chan struct{})
				var wg sync.WaitGroup
				var refused atomic.Int64
				for range 2 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							select {
							case <-stop:
								return
							default:
							}
							req, _ := http.NewRequest("GET", base+"/crm/v3/objects/contacts/1", nil)
							req.Header.Set("Authorization", "Bearer "+bad)
							resp, err := hc.Do(req)
							if err != nil {
								continue
							}
							_, _ = io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							refused.Add(1)
						}
					}()
				}
				serial(b, base, token)
				close(stop)
				wg.Wait()
				b.ReportMetric(float64(refused.Load())/float64(b.N), "refused/op")
			})
		}
	}
}

func wellFormedUnknownB(b *testing.B) string {
	adm, err := gateway.NewAdmin(newMemStore(), storeKey, nil)
	if err != nil {
		b.Fatal(err)
	}
	iss, err := adm.Create(context.Background(), gateway.KeySpec{Name: "x", Service: "x", Scopes: []string{"crm.objects.contacts.read"}})
	if err != nil {
		b.Fatal(err)
	}
	return iss.Token.Reveal()
}

// benchGateway starts a gateway in front of upstream holding n keys and
// returns its URL and one of the keys.
func benchGateway(b *testing.B, upstream, real string, n int) (string, string) {
	b.Helper()
	cache, err := secrets.NewCache(secretstest.NewStatic(real))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cache.Close() })
	st := newMemStore()
	adm, err := gateway.NewAdmin(st, storeKey, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var tok secrets.Secret
	for i := range n {
		iss, err := adm.Create(ctx, gateway.KeySpec{Name: fmt.Sprint("key ", i), Service: fmt.Sprint("svc", i%50), Scopes: []string{"crm.objects.contacts.read"}})
		if err != nil {
			b.Fatal(err)
		}
		tok = iss.Token
	}
	huge := hubspot.RateLimit{Requests: 1 << 30, Interval: time.Second}
	gw, err := gateway.New(ctx, gateway.Config{Store: st, StoreKey: storeKey, Upstream: upstream, Token: cache, RateLimit: huge})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { gw.Close() })
	srv := httptest.NewServer(gw)
	b.Cleanup(srv.Close)
	return srv.URL, tok.Reveal()
}
