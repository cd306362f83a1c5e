package hubspot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// searchPageJSON is a typical search answer: 10 contacts and a cursor.
var searchPageJSON = func() []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"total":2500,"results":[`)
	for i := range 10 {
		if i > 0 {
			buf.WriteByte(',')
		}
		id := strconv.Itoa(i + 1)
		buf.WriteString(`{"id":"` + id + `","properties":{"createdate":"2024-05-01T12:30:00.000Z","email":"user` + id + `@example.com","firstname":"User","hs_object_id":"` + id + `","lastmodifieddate":"2024-05-02T08:00:00.000Z","lastname":"Smith"},"createdAt":"2024-05-01T12:30:00.000Z","updatedAt":"2024-05-02T08:00:00.000Z","archived":false}`)
	}
	buf.WriteString(`],"paging":{"next":{"after":"10","link":"x"}}}`)
	return buf.Bytes()
}()

// stackClient is a whole-stack client against url with limits far above
// a benchmark loop's pace: the limiters stay in the path without waiting.
func stackClient(b *testing.B, url string) *hubspot.Client {
	b.Helper()
	cache, err := secrets.NewCache(secretstest.NewStatic(benchToken))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cache.Close() })
	huge := hubspot.RateLimit{Requests: 1 << 30, Interval: time.Second}
	c, err := hubspot.New(hubspot.WithToken(cache), hubspot.WithBaseURL(url),
		hubspot.WithHTTPClient(&http.Client{Transport: benchBase()}),
		hubspot.WithRateLimit(huge), hubspot.WithSearchRateLimit(huge))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// plainPost sends body as JSON with the bearer token through hc and
// decodes the answer into out, as an integration without hubkey would.
func plainPost(ctx context.Context, hc *http.Client, url string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+benchToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// BenchmarkContactsSearch compares one Contacts.Search page (10 results)
// through the whole stack with plain net/http and encoding/json, against
// the same loopback handler.
func BenchmarkContactsSearch(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+benchToken || r.Method != "POST" || r.URL.Path != "/crm/v3/objects/contacts/search" {
			w.WriteHeader(401)
			return
		}
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.Write(searchPageJSON)
	}))
	defer srv.Close()
	ctx := context.Background()
	req := &hubspot.SearchRequest{
		FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{{PropertyName: "lifecyclestage", Operator: "EQ", Value: "customer"}}}},
		Properties:   []string{"email", "firstname", "lastname"},
		Limit:        10,
	}

	b.Run("hubkey", func(b *testing.B) {
		c := stackClient(b, srv.URL)
		b.ReportAllocs()
		for b.Loop() {
			p, err := c.Contacts.Search(ctx, req)
			if err != nil || len(p.Results) != 10 || p.After != "10" {
				b.Fatal(p, err)
			}
		}
	})

	b.Run("nethttp", func(b *testing.B) {
		hc := &http.Client{Transport: benchBase()}
		b.ReportAllocs()
		for b.Loop() {
			var p struct {
				Total   int              `json:"total"`
				Results []hubspot.Object `json:"results"`
				Paging  *hubspot.Paging  `json:"paging"`
			}
			if err := plainPost(ctx, hc, srv.URL+"/crm/v3/objects/contacts/search", req, &p); err != nil || len(p.Results) != 10 {
				b.Fatal(err)
			}
		}
	})
}

// upsertEcho answers a batch upsert as HubSpot does: each input back as a
// record (with its trace ID, if any), marked new.
func upsertEcho(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+benchToken || r.Method != "POST" || r.URL.Path != "/crm/v3/objects/contacts/batch/upsert" {
		w.WriteHeader(401)
		return
	}
	var in struct {
		Inputs []struct {
			ID         string            `json:"id"`
			IDProperty string            `json:"idProperty"`
			Properties map[string]string `json:"properties"`
			TraceID    string            `json:"objectWriteTraceId"`
		} `json:"inputs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		w.WriteHeader(400)
		return
	}
	buf := make([]byte, 0, 256*len(in.Inputs)+64)
	buf = append(buf, `{"status":"COMPLETE","results":[`...)
	for i, x := range in.Inputs {
		if i > 0 {
			buf = append(buf, ',')
		}
		id := strconv.Itoa(1000 + i)
		buf = append(buf, `{"id":"`+id+`","properties":{"email":`...)
		buf = strconv.AppendQuote(buf, x.ID)
		buf = append(buf, `,"firstname":`...)
		buf = strconv.AppendQuote(buf, x.Properties["firstname"])
		buf = append(buf, `,"hs_object_id":"`+id+`"},"createdAt":"2024-05-01T12:30:00.000Z","updatedAt":"2024-05-01T12:30:00.000Z","archived":false,"new":true`...)
		if x.TraceID != "" {
			buf = append(buf, `,"objectWriteTraceId":`...)
			buf = strconv.AppendQuote(buf, x.TraceID)
		}
		buf = append(buf, '}')
	}
	buf = append(buf, `],"startedAt":"2024-05-01T12:30:00.000Z","completedAt":"2024-05-01T12:30:00.100Z"}`...)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Write(buf)
}

// BenchmarkContactsBatchUpsert compares one Contacts.BatchUpsert of 100
// inputs (one request: validation, trace IDs, result matching) through
// the whole stack with plain net/http and encoding/json, against the same
// loopback handler.
func BenchmarkContactsBatchUpsert(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(upsertEcho))
	defer srv.Close()
	ctx := context.Background()
	inputs := make([]hubspot.BatchInput, 100) // one chunk: HubSpot's batch limit
	for i := range inputs {
		inputs[i] = hubspot.BatchInput{ID: fmt.Sprintf("u%03d@example.com", i), IDProperty: "email", Properties: hubspot.Properties{"firstname": "User"}}
	}

	b.Run("hubkey", func(b *testing.B) {
		c := stackClient(b, srv.URL)
		b.ReportAllocs()
		for b.Loop() {
			res, err := c.Contacts.BatchUpsert(ctx, inputs)
			if err != nil || len(res.Items) != len(inputs) || res.Failed() != 0 {
				b.Fatal(err)
			}
		}
	})

	b.Run("nethttp", func(b *testing.B) {
		hc := &http.Client{Transport: benchBase()}
		type input struct {
			ID         string             `json:"id"`
			IDProperty string             `json:"idProperty"`
			Properties hubspot.Properties `json:"properties"`
		}
		b.ReportAllocs()
		for b.Loop() {
			body := struct {
				Inputs []input `json:"inputs"`
			}{make([]input, len(inputs))}
			for i, in := range inputs {
				body.Inputs[i] = input{in.ID, in.IDProperty, in.Properties}
			}
			var out struct {
				Status  string           `json:"status"`
				Results []hubspot.Object `json:"results"`
			}
			if err := plainPost(ctx, hc, srv.URL+"/crm/v3/objects/contacts/batch/upsert", body, &out); err != nil || len(out.Results) != len(inputs) {
				b.Fatal(err)
			}
		}
	})
}
