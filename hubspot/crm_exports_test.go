package hubspot_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// An export goes PENDING, PROCESSING, COMPLETE on the server's clock;
// Status reports each state; the file is the CSV of the records; the
// download carries no credential and its URL is never printed.
func TestExportsLifecycle(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake), hubspottest.WithExportTiming(10*time.Second, 20*time.Second))
	srv.Seed("contacts", map[string]string{"email": "ada@example.com", "firstname": "Ada"},
		map[string]string{"email": "grace@example.org", "firstname": "Grace"},
		map[string]string{"email": "linus@example.com", "firstname": "Linus, Jr."})
	c, tok, _ := newClient(t, srv, []string{"crm.export"}, hubspot.WithClock(fake))
	ctx := context.Background()

	id, err := c.Exports.Start(ctx, hubspot.ExportRequest{Name: "dot-com", ObjectType: "contacts", Properties: []string{"email", "firstname"},
		FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{{PropertyName: "email", Operator: "CONTAINS_TOKEN", Value: "*.com"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		advance time.Duration
		want    string
	}{{0, "PENDING"}, {10 * time.Second, "PROCESSING"}, {20 * time.Second, "COMPLETE"}} {
		fake.Advance(step.advance)
		st, err := c.Exports.Status(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != step.want || st.DownloadURL.IsZero() != (step.want != "COMPLETE") {
			t.Fatalf("after %v: status %s, URL set %v; want %s", step.advance, st.Status, !st.DownloadURL.IsZero(), step.want)
		}
		if step.want == "COMPLETE" {
			url := st.DownloadURL.Reveal()
			token := url[strings.Index(url, "token=")+6:]
			for _, s := range []string{fmt.Sprint(st), fmt.Sprintf("%+v", st), fmt.Sprintf("%#v", *st)} {
				if strings.Contains(s, token) {
					t.Fatalf("the download URL's token printed: %s", s)
				}
			}
		}
	}
	ex, err := c.Exports.Get(ctx, id)
	if err != nil || ex.State != "DONE" || ex.RecordCount != 2 {
		t.Fatalf("Get: %+v, %v", ex, err)
	}
	st, _ := c.Exports.Status(ctx, id)
	f, err := c.Exports.Download(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rows) != "[[email firstname] [ada@example.com Ada] [linus@example.com Linus, Jr.]]" {
		t.Errorf("file: %q", rows)
	}
	last := srv.Journal()[len(srv.Journal())-1]
	if !strings.HasPrefix(last.Path, "/hubspottest/export-files/") || last.TokenFingerprint != "" || strings.Contains(last.Query, st.DownloadURL.Reveal()[strings.Index(st.DownloadURL.Reveal(), "token=")+6:]) {
		t.Errorf("download journalled as %+v; want the file path, no bearer token, the URL token redacted", last)
	}
	if strings.Contains(fmt.Sprint(srv.Journal()), tok) {
		t.Error("the journal holds the bearer token")
	}

	// Five minutes after completion the URL no longer works; the error
	// names the host, never the URL.
	fake.Advance(hubspottest.ExportURLLifetime)
	_, err = c.Exports.Download(ctx, st, nil)
	if err == nil || strings.Contains(err.Error(), "token") || !strings.Contains(err.Error(), "404") {
		t.Errorf("expired URL: %v", err)
	}
	if st2, err := c.Exports.Status(ctx, id); err != nil || !st2.DownloadURL.IsZero() {
		t.Errorf("status after the URL expired: %+v, %v", st2, err)
	}
}

// Run starts, waits on the Client's clock and streams the file of a list.
func TestExportsRunList(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake), hubspottest.WithExportTiming(3*time.Second, 5*time.Second))
	objs := srv.Seed("contacts", map[string]string{"email": "a@example.com"}, map[string]string{"email": "b@example.com"})
	c, _, _ := newClient(t, srv, nil, hubspot.WithClock(fake))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := c.Lists.Create(ctx, hubspot.ListInput{Name: "L", ObjectType: "contacts", ProcessingType: hubspot.ListManual})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lists.AddMembers(ctx, l.ID, []string{objs[1].ID}); err != nil {
		t.Fatal(err)
	}
	fired := make(chan struct{}, 100)
	go func() { // advance the fake clock to each wait's end
		defer close(fired)
		for fake.WaitForTimers(ctx, 1) == nil {
			if fake.AdvanceToNext() {
				fired <- struct{}{}
			}
		}
	}()
	f, err := c.Exports.Run(ctx, hubspot.ExportRequest{Type: hubspot.ExportList, ListID: l.ID, Name: "L", ObjectType: "0-1", Properties: []string{"email"}},
		&hubspot.ExportRunOptions{PollInterval: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(f)
	f.Close()
	if err != nil || string(b) != "email\nb@example.com\n" {
		t.Fatalf("file %q, %v", b, err)
	}
	cancel()
	waits := 0
	for range fired {
		waits++
	}
	if waits != 4 { // polls at 0, 2, 4, 6 s: PENDING, PENDING, PROCESSING, PROCESSING; COMPLETE at 8 s
		t.Errorf("Run waited %d times, want 4", waits)
	}
	if n := calls(srv, "GET", "/crm/"); n != 5 {
		t.Errorf("%d status calls, want 5", n)
	}
}

// Run returns when ctx ends while it waits.
func TestExportsRunHonoursContext(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake))
	srv.Seed("contacts", map[string]string{"email": "a@example.com"})
	c, _, _ := newClient(t, srv, nil, hubspot.WithClock(fake))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Exports.Run(ctx, hubspot.ExportRequest{Name: "x", ObjectType: "contacts", Properties: []string{"email"}}, nil)
		done <- err
	}()
	if err := fake.WaitForTimers(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after cancel: %v", err)
	}
}

// A file larger than MaxBytes fails with ErrExportTooLarge, whether the
// server says its length (a small file) or streams it (a large one); a
// file of exactly MaxBytes is read whole.
func TestExportsDownloadLimit(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithExportTiming(0, 0))
	srv.Seed("contacts", map[string]string{"email": "a@example.com"}, map[string]string{"email": "b@example.com"})
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	run := func(max int64, list string) (io.ReadCloser, error) {
		r := hubspot.ExportRequest{Name: "x", ObjectType: "contacts", Properties: []string{"email"}}
		if list != "" {
			r.FilterGroups = []hubspot.FilterGroup{{Filters: []hubspot.Filter{{PropertyName: "email", Operator: "CONTAINS_TOKEN", Value: list}}}}
		}
		return c.Exports.Run(ctx, r, &hubspot.ExportRunOptions{DownloadOptions: hubspot.DownloadOptions{MaxBytes: max}})
	}
	if _, err := run(10, ""); !errors.Is(err, hubspot.ErrExportTooLarge) {
		t.Fatalf("small file over the limit: %v; want ErrExportTooLarge", err)
	}
	whole := len("email\na@example.com\nb@example.com\n")
	f, err := run(int64(whole), "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(f)
	f.Close()
	if err != nil || len(b) != whole {
		t.Fatalf("read %d bytes, %v; want %d", len(b), err, whole)
	}
	bulk := make([]map[string]string, 2000)
	for i := range bulk {
		bulk[i] = map[string]string{"email": fmt.Sprintf("bulk%04d@bulk.example.net", i)}
	}
	srv.Seed("contacts", bulk...)
	f, err = run(5000, "*@bulk.example.net")
	if err != nil {
		t.Fatal(err)
	}
	b, err = io.ReadAll(f)
	f.Close()
	if !errors.Is(err, hubspot.ErrExportTooLarge) || len(b) != 5000 {
		t.Fatalf("streamed file: read %d bytes, %v; want 5000 and ErrExportTooLarge", len(b), err)
	}
}

// The download URL is its own credential: a URL on another host gets no
// bearer token, a plain-http URL off loopback is refused, and no error
// quotes the URL.
func TestExportsDownloadSendsNoCredential(t *testing.T) {
	var auth atomic.Value
	auth.Store("unset")
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization") + r.URL.Query().Get("hapikey"))
		io.WriteString(w, "email\n")
	}))
	t.Cleanup(files.Close)
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	secretPart := "sig-" + strings.Repeat("7", 24)
	f, err := c.Exports.Download(ctx, &hubspot.ExportTask{DownloadURL: secrets.New(files.URL + "/file.csv?X-Signature=" + secretPart)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if got := auth.Load().(string); got != "" {
		t.Errorf("the file host got a credential (%d bytes)", len(got))
	}
	for _, u := range []string{"http://files.example.com/x.csv?X-Signature=" + secretPart, "ftp://files.example.com/" + secretPart, "https://user:" + secretPart + "@files.example.com/x"} {
		_, err := c.Exports.Download(ctx, &hubspot.ExportTask{DownloadURL: secrets.New(u)}, nil)
		if err == nil || strings.Contains(err.Error(), secretPart) {
			t.Errorf("download of a bad URL: %v", err)
		}
	}
	if _, err := c.Exports.Download(ctx, &hubspot.ExportTask{}, nil); err == nil {
		t.Error("download without a URL succeeded")
	}
}

// Bad input is refused before anything is sent, with an error naming it;
// the server names an unknown property and an export over its row limit.
func TestExportsBadInput(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithExportRowLimit(2))
	srv.Seed("contacts", map[string]string{"email": "a@example.com"}, map[string]string{"email": "b@example.com"}, map[string]string{"email": "c@example.com"})
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	base := hubspot.ExportRequest{Name: "x", ObjectType: "contacts", Properties: []string{"email"}}
	for _, tc := range []struct {
		mod  func(*hubspot.ExportRequest)
		want string
	}{
		{func(r *hubspot.ExportRequest) { r.Name = " " }, "Name is empty"},
		{func(r *hubspot.ExportRequest) { r.Properties = nil }, "no Properties"},
		{func(r *hubspot.ExportRequest) { r.Type = hubspot.ExportList }, "needs a ListID"},
		{func(r *hubspot.ExportRequest) { r.Type = "ALL" }, `got "ALL"`},
		{func(r *hubspot.ExportRequest) { r.Format = "PDF" }, `got "PDF"`},
		{func(r *hubspot.ExportRequest) { r.ListID = "7" }, "ListID is for an ExportList"},
	} {
		r := base
		tc.mod(&r)
		if _, err := c.Exports.Start(ctx, r); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Start(%+v): %v; want %q", r, err, tc.want)
		}
	}
	if _, err := c.Exports.Status(ctx, "12x"); err == nil {
		t.Error("Status of a bad task ID succeeded")
	}
	if n := len(srv.Journal()); n != 0 {
		t.Errorf("%d calls reached the server", n)
	}
	r := base
	r.Properties = []string{"email", "favourite_colour"}
	if _, err := c.Exports.Start(ctx, r); !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), "favourite_colour") {
		t.Errorf("unknown property: %v", err)
	}
	if _, err := c.Exports.Start(ctx, base); !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), "limit of 2") {
		t.Errorf("over the row limit: %v", err)
	}
}

// Starting an export needs crm.export.
func TestExportsScopes(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, []string{"crm.objects.contacts.read"})
	_, err := c.Exports.Start(context.Background(), hubspot.ExportRequest{Name: "x", ObjectType: "contacts", Properties: []string{"email"}})
	if !errors.Is(err, hubspot.ErrForbidden) {
		t.Errorf("export without crm.export: %v", err)
	}
}

// Every export call is signed under the default policy, and a verifying
// hubspottest refuses them unsigned.
func TestExportsSensitiveCallsSigned(t *testing.T) {
	w := newSignedWorld(t)
	signed := w.client(t, hubspot.WithSigner(w.signer(t, signingKeyID, signingKey), nil))
	unsigned := w.client(t)
	ctx := context.Background()
	in := hubspot.ExportRequest{Name: "x", ObjectType: "contacts", Properties: []string{"email"}}
	_, err := unsigned.Exports.Start(ctx, in)
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	id, err := signed.Exports.Start(ctx, in)
	if err != nil {
		t.Fatalf("signed Start: %v", err)
	}
	_, err = unsigned.Exports.Status(ctx, id)
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	if _, err := signed.Exports.Status(ctx, id); err != nil {
		t.Fatalf("signed Status: %v", err)
	}
	if _, err := signed.Exports.Get(ctx, id); err != nil {
		t.Fatalf("signed Get: %v", err)
	}
	got := map[string]bool{}
	for _, call := range w.srv.Journal() {
		if op, _ := opOf(call); op != "" && call.Status < 300 {
			got[op] = call.Signed
		}
	}
	if !got["crm.exports.start"] || !got["crm.exports.status"] || !got["crm.exports.get"] {
		t.Errorf("signed by operation: %v", got)
	}
}

// Export and import calls go to the least-privileged credential holding
// crm.export or crm.import.
func TestCredentialsRouteExportsAndImports(t *testing.T) {
	cs := mustCredentials(t, []hubspot.Credential{
		cred("admin", hubspot.EveryScope),
		cred("exporter", "crm.export"),
		cred("importer", "crm.import"),
		cred("reader", "crm.objects.contacts.read"),
	})
	for _, tc := range []struct{ method, path, want string }{
		{"POST", "/crm/v3/exports/export/async", "exporter"},
		{"GET", "/crm/exports/2026-03/export/async/tasks/5/status", "exporter"},
		{"GET", "/crm/exports/2025-09/export/5", "exporter"},
		{"POST", "/crm/v3/imports", "importer"},
		{"GET", "/crm/imports/2026-09", "importer"},
		{"POST", "/crm/imports/2026-03/7/cancel", "importer"},
		{"GET", "/crm/v3/imports/7/errors", "importer"},
	} {
		if got := routeName(t, cs, tc.method, tc.path); got != tc.want {
			t.Errorf("%s %s went to %s, want %s", tc.method, tc.path, got, tc.want)
		}
	}
}

// BenchmarkExportDownload exports 100,000 contacts from hubspottest and
// reads the file row by row, sampling the live heap (after a GC) every
// 10,000 rows: it stays flat, because the file streams through a fixed
// buffer. The server's 100,000 records are in the heap from the start
// and count in every sample alike (MiB-live-before is the heap before
// the export starts).
func BenchmarkExportDownload(b *testing.B) {
	const total = 100_000
	srv := hubspottest.NewServer(b, hubspottest.WithExportTiming(0, 0))
	batch := make([]map[string]string, 0, 10_000)
	for i := range total {
		batch = append(batch, map[string]string{"email": fmt.Sprintf("user%06d@example.com", i), "firstname": "User", "lastname": fmt.Sprintf("N%06d", i)})
		if len(batch) == cap(batch) {
			srv.Seed("contacts", batch...)
			batch = batch[:0]
		}
	}
	c, _, _ := newClient(b, srv, nil)
	ctx := context.Background()
	b.ReportAllocs()
	var before, first, atEnd, peak uint64
	var bytesRead int64
	for b.Loop() {
		var ms0 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		before = ms0.HeapAlloc
		f, err := c.Exports.Run(ctx, hubspot.ExportRequest{Name: "all", ObjectType: "contacts", Properties: []string{"email", "firstname", "lastname"}}, nil)
		if err != nil {
			b.Fatal(err)
		}
		cr := &countingReader{r: f}
		r := csv.NewReader(cr)
		r.ReuseRecord = true
		n := -1 // the header
		var ms runtime.MemStats
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if len(rec) != 3 {
				b.Fatalf("row %d has %d fields", n, len(rec))
			}
			n++
			if n > 0 && n%10_000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
				if n == 10_000 {
					first = ms.HeapAlloc
				}
				atEnd = ms.HeapAlloc
			}
		}
		f.Close()
		if n != total {
			b.Fatalf("read %d rows, want %d", n, total)
		}
		bytesRead = cr.n
	}
	b.ReportMetric(float64(bytesRead)/(1<<20), "MiB-file")
	b.ReportMetric(float64(before)/(1<<20), "MiB-live-before")
	b.ReportMetric(float64(first)/(1<<20), "MiB-live-at-10k")
	b.ReportMetric(float64(atEnd)/(1<<20), "MiB-live-at-100k")
	b.ReportMetric(float64(peak)/(1<<20), "MiB-live-peak")
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func ExampleExportsService_Run() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t, hubspottest.WithExportTiming(0, 0))
	defer srv.Close()
	srv.Seed("contacts", map[string]string{"email": "ada@example.com", "firstname": "Ada"},
		map[string]string{"email": "grace@example.com", "firstname": "Grace"})
	c, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic(srv.NewToken("crm.export"))), hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	// Start, wait and stream the file, through a 1 GiB limit.
	f, err := c.Exports.Run(context.Background(), hubspot.ExportRequest{
		Name: "Everyone", ObjectType: "contacts", Properties: []string{"email", "firstname"},
	}, &hubspot.ExportRunOptions{DownloadOptions: hubspot.DownloadOptions{MaxBytes: 1 << 30}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	io.Copy(os.Stdout, f)
	// Output:
	// email,firstname
	// ada@example.com,Ada
	// grace@example.com,Grace
}
