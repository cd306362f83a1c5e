package hubspot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

const benchToken = "pat-na1-bench0000-0000-4000-8000-000000000000"

// contactJSON is a typical single-contact answer.
var contactJSON = []byte(`{"id":"12345","properties":{"createdate":"2024-05-01T12:30:00.000Z","email":"alice@example.com","firstname":"Alice","hs_object_id":"12345","lastmodifieddate":"2024-05-02T08:00:00.000Z","lastname":"Smith","phone":"+1 555 0100","lifecyclestage":"customer"},"createdAt":"2024-05-01T12:30:00.000Z","updatedAt":"2024-05-02T08:00:00.000Z","archived":false}`)

func benchBase() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return t
}

// BenchmarkContactsGet compares one Contacts.Get through the whole stack
// (retry, rate limit, credential from a Cache, error check, bounded
// decode) with plain net/http and encoding/json into the same struct,
// against the same loopback handler.
func BenchmarkContactsGet(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+benchToken {
			w.WriteHeader(401)
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.Write(contactJSON)
	}))
	defer srv.Close()
	ctx := context.Background()

	b.Run("hubkey", func(b *testing.B) {
		cache, _ := secrets.NewCache(secretstest.NewStatic(benchToken))
		defer cache.Close()
		c, err := hubspot.New(hubspot.WithToken(cache), hubspot.WithBaseURL(srv.URL),
			hubspot.WithHTTPClient(&http.Client{Transport: benchBase()}),
			// A limit far above the loop's pace keeps the limiter in the path
			// without making it wait.
			hubspot.WithRateLimit(hubspot.RateLimit{Requests: 1 << 30, Interval: time.Second}))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		b.ReportAllocs()
		for b.Loop() {
			o, err := c.Contacts.Get(ctx, "12345", nil)
			if err != nil || o.ID != "12345" {
				b.Fatal(o, err)
			}
		}
	})

	b.Run("nethttp", func(b *testing.B) {
		hc := &http.Client{Transport: benchBase()}
		b.ReportAllocs()
		for b.Loop() {
			req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/crm/v3/objects/contacts/12345", nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+benchToken)
			req.Header.Set("Accept", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var o hubspot.Object
			err = json.NewDecoder(resp.Body).Decode(&o)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || o.ID != "12345" {
				b.Fatal(resp.StatusCode, err)
			}
		}
	})
}

// pagesHandler serves total contacts in pages, generated on the fly so the
// server holds nothing and the heap measured is the client's.
func pagesHandler(total int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.Atoi(r.URL.Query().Get("after"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if limit <= 0 {
			limit = 10
		}
		end := min(after+limit, total)
		w.Header().Set("Content-Type", "application/json")
		buf := make([]byte, 0, 300*(end-after)+100)
		buf = append(buf, `{"results":[`...)
		for i := after; i < end; i++ {
			if i > after {
				buf = append(buf, ',')
			}
			id := strconv.Itoa(i + 1)
			buf = append(buf, `{"id":"`+id+`","properties":{"email":"user`+id+`@example.com","firstname":"User","hs_object_id":"`+id+`"},"createdAt":"2024-05-01T12:30:00.000Z","updatedAt":"2024-05-02T08:00:00.000Z","archived":false}`...)
		}
		buf = append(buf, ']')
		if end < total {
			buf = append(buf, `,"paging":{"next":{"after":"`+strconv.Itoa(end)+`","link":"x"}}`...)
		}
		buf = append(buf, '}')
		w.Write(buf)
	})
}

// BenchmarkAll streams 100,000 contacts through Contacts.All and reports
// the live heap sampled every 5,000 objects: it stays flat, because only
// one page is held at a time.
func BenchmarkAll(b *testing.B) {
	const total = 100_000
	srv := httptest.NewServer(pagesHandler(total))
	defer srv.Close()
	cache, _ := secrets.NewCache(secretstest.NewStatic(benchToken))
	defer cache.Close()
	c, err := hubspot.New(hubspot.WithToken(cache), hubspot.WithBaseURL(srv.URL),
		hubspot.WithHTTPClient(&http.Client{Transport: benchBase()}), hubspot.WithRateLimit(hubspot.RateLimit{}))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	b.ReportAllocs()
	var peak, first, atEnd uint64
	for b.Loop() {
		n := 0
		var ms runtime.MemStats
		for o, err := range c.Contacts.All(ctx, &hubspot.ListOptions{Limit: 100}) {
			if err != nil {
				b.Fatal(err)
			}
			if o.ID == "" {
				b.Fatal("empty object")
			}
			n++
			if n%5000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
				if n == 5000 {
					first = ms.HeapAlloc
				}
				atEnd = ms.HeapAlloc
			}
		}
		if n != total {
			b.Fatalf("streamed %d, want %d", n, total)
		}
	}
	b.ReportMetric(float64(first)/(1<<20), "MiB-live-at-5k")
	b.ReportMetric(float64(atEnd)/(1<<20), "MiB-live-at-100k")
	b.ReportMetric(float64(peak)/(1<<20), "MiB-live-peak")
}

// BenchmarkBatchUpsert upserts 10,000 contacts against hubspottest with
// HubSpot's 100 per 10 s limit on both sides, on a shared fake clock (the
// 10 s windows pass instantly). It reports the 429s the server sent (the
// client's limiter should leave none), the fake time taken, and fails
// unless every input is accounted for and stored.
func BenchmarkBatchUpsert(b *testing.B) {
	const n = 10_000
	for b.Loop() {
		b.StopTimer()
		fake := clock.NewFake(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
		srv := hubspottest.NewServer(b, hubspottest.WithClock(fake),
			hubspottest.WithRateLimit(hubspottest.RateLimit{Max: 100, Interval: 10 * time.Second}))
		inflight := &inflightRT{base: benchBase(), idle: make(chan struct{}, 1)}
		c, err := hubspot.New(
			hubspot.WithToken(secretstest.NewStatic(srv.NewToken(hubspottest.AllScopes...))),
			hubspot.WithBaseURL(srv.URL()), hubspot.WithClock(fake),
			hubspot.WithHTTPClient(&http.Client{Transport: inflight}),
			hubspot.WithRateLimit(hubspot.LimitFreeStarter()))
		if err != nil {
			b.Fatal(err)
		}
		inputs := make([]hubspot.BatchInput, n)
		for i := range inputs {
			inputs[i] = hubspot.BatchInput{ID: fmt.Sprintf("u%05d@example.com", i), IDProperty: "email", Properties: hubspot.Properties{"firstname": "u"}}
		}
		ctx, cancel := context.WithCancel(context.Background())
		go advanceWhenIdle(ctx, fake, inflight)
		start := fake.Now()
		b.StartTimer()

		res, err := c.Contacts.BatchUpsert(ctx, inputs)

		b.StopTimer()
		elapsed := fake.Now().Sub(start)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Items) != n || res.Failed() != 0 || len(res.Unmatched) != 0 {
			b.Fatalf("%d items, %d failed, %d unmatched", len(res.Items), res.Failed(), len(res.Unmatched))
		}
		created := 0
		for _, it := range res.Items {
			if it.Value.New {
				created++
			}
		}
		if created != n || len(srv.Objects("contacts")) != n {
			b.Fatalf("%d created, server holds %d", created, len(srv.Objects("contacts")))
		}
		limited := 0
		for _, call := range srv.Journal() {
			if call.Status == http.StatusTooManyRequests {
				limited++
			}
		}
		b.ReportMetric(float64(limited), "429s")
		b.ReportMetric(elapsed.Seconds(), "fake-s")
		b.ReportMetric(float64(len(srv.Journal())), "requests")
		c.Close()
		srv.Close()
		b.StartTimer()
	}
}

// inflightRT counts requests between send and response.
type inflightRT struct {
	base http.RoundTripper
	n    atomic.Int64
	idle chan struct{} // signalled when the count drops to 0
}

func (t *inflightRT) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	defer func() {
		if t.n.Add(-1) == 0 {
			select {
			case t.idle <- struct{}{}:
			default:
			}
		}
	}()
	return t.base.RoundTrip(r)
}

// advanceWhenIdle fires fake's next timer when one is waiting and no
// request is in flight, so a request reaches the server at the fake
// instant the client's limiter released it.
func advanceWhenIdle(ctx context.Context, fake *clock.Fake, rt *inflightRT) {
	for {
		if err := fake.WaitForTimers(ctx, 1); err != nil {
			return
		}
		for rt.n.Load() != 0 {
			select {
			case <-rt.idle:
			case <-ctx.Done():
				return
			}
		}
		fake.AdvanceToNext()
	}
}
