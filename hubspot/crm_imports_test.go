package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// contactColumns maps an "Email,First" file to contacts, by email.
var contactColumns = []hubspot.ImportColumn{
	{Name: "Email", ObjectTypeID: "0-1", Property: "email", IDColumnType: "HUBSPOT_ALTERNATE_ID"},
	{Name: "First", ObjectTypeID: "0-1", Property: "firstname"},
}

func contactImport(name, csv string) hubspot.ImportRequest {
	return hubspot.ImportRequest{Name: name, Files: []hubspot.ImportFile{{Name: "contacts.csv", Data: strings.NewReader(csv), Columns: contactColumns}}}
}

// An import creates and updates records by email, reports PROCESSING and
// then DONE on the server's clock, and keeps the rows that failed with
// their data.
func TestImportsLifecycle(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake), hubspottest.WithImportProcessingTime(30*time.Second))
	old := srv.Seed("contacts", map[string]string{"email": "ada@example.com", "firstname": "A."})
	c, _, _ := newClient(t, srv, []string{"crm.import"}, hubspot.WithClock(fake))
	ctx := context.Background()

	im, err := c.Imports.Start(ctx, contactImport("March leads", "Email,First\nada@example.com,Ada\ngrace@example.com,Grace\nnot-an-email,Bad\n"))
	if err != nil {
		t.Fatal(err)
	}
	if im.State != "STARTED" || im.Name != "March leads" {
		t.Fatalf("Start: %+v", im)
	}
	got, err := c.Imports.Get(ctx, im.ID)
	if err != nil || got.State != "PROCESSING" {
		t.Fatalf("Get: %+v, %v", got, err)
	}
	fake.Advance(30 * time.Second)
	got, err = c.Imports.Get(ctx, im.ID)
	if err != nil || got.State != "DONE" || got.Metadata.Counters["CREATED_OBJECTS"] != 1 || got.Metadata.Counters["UPDATED_OBJECTS"] != 1 || got.Metadata.Counters["ERRORS"] != 1 {
		t.Fatalf("Get after processing: %+v, %v", got, err)
	}
	var emails []string
	for _, o := range srv.Objects("contacts") {
		emails = append(emails, o.Properties["email"]+"="+o.Properties["firstname"])
		if o.ID == old[0].ID && o.Properties["firstname"] != "Ada" {
			t.Errorf("the existing contact was not updated: %v", o.Properties)
		}
	}
	if fmt.Sprint(emails) != "[ada@example.com=Ada grace@example.com=Grace]" {
		t.Errorf("contacts: %v", emails)
	}
	var errs []hubspot.ImportError
	for e, err := range c.Imports.Errors(ctx, im.ID, &hubspot.ImportListOptions{Limit: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		errs = append(errs, e)
	}
	if len(errs) != 1 || errs[0].ErrorType != "INVALID_EMAIL" || errs[0].SourceData.LineNumber != 4 ||
		fmt.Sprint(errs[0].SourceData.RowData) != "[not-an-email Bad]" || !strings.Contains(errs[0].ErrorMessage, "not-an-email") {
		t.Errorf("errors: %+v", errs)
	}
	n := 0
	for i, err := range c.Imports.All(ctx, nil) {
		if err != nil || i.ID != im.ID {
			t.Fatalf("All: %+v, %v", i, err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("All listed %d imports", n)
	}
}

// An import whose every row fails is FAILED, and its errors say why.
func TestImportsFailedWithRowErrors(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithImportProcessingTime(0))
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	im, err := c.Imports.Start(ctx, contactImport("bad", "Email,First\nnope,A\nalso-nope,B,extra\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Imports.Get(ctx, im.ID)
	if err != nil || got.State != "FAILED" {
		t.Fatalf("Get: %+v, %v", got, err)
	}
	var types []string
	for e, err := range c.Imports.Errors(ctx, im.ID, nil) {
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, e.ErrorType)
	}
	if fmt.Sprint(types) != "[INVALID_EMAIL INCORRECT_NUMBER_OF_COLUMNS]" {
		t.Errorf("error types %v", types)
	}
	if n := len(srv.Objects("contacts")); n != 0 {
		t.Errorf("%d contacts written", n)
	}
}

// Mapping a column to a property the type lacks is a clear error naming
// the property, the column and the file; nothing is imported.
func TestImportsMissingPropertyNamed(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	r := contactImport("x", "Email,Colour\na@example.com,red\n")
	r.Files[0].Columns = []hubspot.ImportColumn{contactColumns[0], {Name: "Colour", ObjectTypeID: "0-1", Property: "favourite_colour"}}
	_, err := c.Imports.Start(context.Background(), r)
	if !errors.Is(err, hubspot.ErrValidation) {
		t.Fatalf("Start: %v; want a validation error", err)
	}
	for _, want := range []string{`"favourite_colour"`, `"Colour"`, `"contacts.csv"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if len(srv.Imports()) != 0 || len(srv.Objects("contacts")) != 0 {
		t.Error("something was imported")
	}
}

// hubspottest's limits on files, bytes and rows are 400s naming them.
func TestImportsLimits(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithImportLimits(hubspottest.ImportLimits{Files: 1, FileBytes: 64, Rows: 2}))
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	two := contactImport("two", "Email,First\n")
	two.Files = append(two.Files, hubspot.ImportFile{Name: "more.csv", Data: strings.NewReader("Email,First\n"), Columns: contactColumns})
	for _, tc := range []struct {
		r    hubspot.ImportRequest
		want string
	}{
		{two, "at most 1"},
		{contactImport("big", "Email,First\n"+strings.Repeat("a@example.com,A\n", 5)), "larger than 64 bytes"},
		{contactImport("rows", "Email,First\na@x.io,A\nb@x.io,B\nc@x.io,C\n"), "more than 2 rows"},
	} {
		if _, err := c.Imports.Start(ctx, tc.r); !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", tc.r.Name, err, tc.want)
		}
	}
	if n := len(srv.Objects("contacts")); n != 0 {
		t.Errorf("%d contacts written", n)
	}
}

// A processing import can be cancelled; a finished one cannot.
func TestImportsCancel(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake))
	c, _, _ := newClient(t, srv, nil, hubspot.WithClock(fake))
	ctx := context.Background()
	a, err := c.Imports.Start(ctx, contactImport("a", "Email,First\na@example.com,A\n"))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.Imports.Cancel(ctx, a.ID); err != nil || st != "COMPLETE" {
		t.Fatalf("Cancel: %q, %v", st, err)
	}
	if got, _ := c.Imports.Get(ctx, a.ID); got.State != "CANCELED" {
		t.Errorf("state after cancel: %s", got.State)
	}
	b, err := c.Imports.Start(ctx, contactImport("b", "Email,First\nb@example.com,B\n"))
	if err != nil {
		t.Fatal(err)
	}
	fake.Advance(time.Second)
	if _, err := c.Imports.Cancel(ctx, b.ID); !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), "DONE") {
		t.Errorf("Cancel of a finished import: %v", err)
	}
	if _, err := c.Imports.Cancel(ctx, "99"); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("Cancel of a missing import: %v", err)
	}
}

// Bad input is refused before anything is sent, with an error naming it.
func TestImportsBadInput(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		mod  func(*hubspot.ImportRequest)
		want string
	}{
		{func(r *hubspot.ImportRequest) { r.Name = "" }, "Name is empty"},
		{func(r *hubspot.ImportRequest) { r.Files = nil }, "no Files"},
		{func(r *hubspot.ImportRequest) { r.Files[0].Name = `a"b.csv` }, "not a plain file name"},
		{func(r *hubspot.ImportRequest) { r.Files[0].Name = "../x.csv" }, "not a plain file name"},
		{func(r *hubspot.ImportRequest) { r.Files[0].Data = nil }, "has no Data"},
		{func(r *hubspot.ImportRequest) { r.Files[0].Columns = nil }, "maps no Columns"},
		{func(r *hubspot.ImportRequest) {
			r.Files[0].Columns = []hubspot.ImportColumn{{Name: "Email", ObjectTypeID: "0-1"}}
		}, `column "Email" maps to no Property`},
		{func(r *hubspot.ImportRequest) { r.Files[0].Format = "PDF" }, `got "PDF"`},
		{func(r *hubspot.ImportRequest) { r.DateFormat = "DD/MM" }, `got "DD/MM"`},
		{func(r *hubspot.ImportRequest) { r.Operations = map[string]hubspot.ImportOperation{"0-1": "MERGE"} }, `got "MERGE"`},
	} {
		r := contactImport("x", "Email,First\n")
		tc.mod(&r)
		if _, err := c.Imports.Start(ctx, r); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Start: %v; want %q", err, tc.want)
		}
	}
	for _, id := range []string{"", "1x", "-1"} {
		if _, err := c.Imports.Get(ctx, id); err == nil {
			t.Errorf("Get(%q) succeeded", id)
		}
	}
	if j := srv.Journal(); len(j) != 0 {
		t.Errorf("%d calls reached the server: %+v", len(j), j)
	}
}

// rowGenerator is an io.Reader that makes a CSV of n contacts as it is
// read, a row at a time, and counts the rows made.
type rowGenerator struct {
	n, next int
	made    atomic.Int64
	buf     []byte
	pending []byte
}

var generatedFiller = strings.Repeat("x", 150)

func (g *rowGenerator) Read(p []byte) (int, error) {
	if len(g.pending) == 0 {
		if g.next > g.n {
			return 0, io.EOF
		}
		if g.next == 0 {
			g.buf = append(g.buf[:0], "Email,First\n"...)
		} else {
			g.buf = strconv.AppendInt(append(g.buf[:0], "user"...), int64(1_000_000+g.next), 10) // no boxing: no allocation
			g.buf = append(append(append(g.buf, "@example.com,"...), generatedFiller...), '\n')
			g.made.Add(1)
		}
		g.pending = g.buf
		g.next++
	}
	n := copy(p, g.pending)
	g.pending = g.pending[n:]
	return n, nil
}

// A 10,000-row import is read from its reader as it is sent: the server
// has its first 64 KiB while the reader has made only a small part of the
// file, and the client allocates a small fraction of the file's size
// (without -race, whose sync.Pool drops buffers at random).
func TestImportsStreamFromReader(t *testing.T) {
	const rows = 10_000
	var madeAtFirstChunk, received atomic.Int64
	var gen *rowGenerator
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 64<<10)
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		madeAtFirstChunk.Store(gen.made.Load())
		n, _ := io.Copy(io.Discard, r.Body)
		received.Store(n + int64(len(buf)))
		if r.ContentLength != -1 || len(r.TransferEncoding) == 0 || r.TransferEncoding[0] != "chunked" {
			http.Error(w, "not streamed", 400)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id": "1", "state": "STARTED", "createdAt": "2026-03-01T09:00:00Z", "updatedAt": "2026-03-01T09:00:00Z"}`)
	}))
	t.Cleanup(srv.Close)
	c, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic("pat-na1-00000000-0000-0000-0000-000000000000")), hubspot.WithBaseURL(srv.URL),
		hubspot.WithRateLimit(hubspot.RateLimit{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	start := func() (uint64, int64) {
		gen = &rowGenerator{n: rows}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := c.Imports.Start(context.Background(), hubspot.ImportRequest{Name: "gen",
			Files: []hubspot.ImportFile{{Name: "gen.csv", Data: gen, Columns: contactColumns}}})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		return after.TotalAlloc - before.TotalAlloc, received.Load()
	}
	start() // warm up pools and connections
	alloc, size := start()
	if gen.made.Load() != rows {
		t.Fatalf("the reader made %d rows", gen.made.Load())
	}
	t.Logf("the reader had made %d of %d rows when the server had read 64 KiB", madeAtFirstChunk.Load(), rows)
	if m := madeAtFirstChunk.Load(); m > rows/4 {
		t.Errorf("the reader had made %d of %d rows when the server had read 64 KiB: the body was not streamed", m, rows)
	}
	// The allocations include the test server's in this process.
	t.Logf("a %d-byte body: %d bytes allocated in all (%.1f%%)", size, alloc, 100*float64(alloc)/float64(size))
	if !raceDetector && alloc > uint64(size)/4 {
		t.Errorf("%d bytes allocated to send %d bytes", alloc, size)
	}
}

// Start and Cancel are signed under the default policy (the reads too),
// and a verifying hubspottest refuses them unsigned. A signed import needs
// readers it can read twice, and says so before sending.
func TestImportsSensitiveCallsSigned(t *testing.T) {
	w := newSignedWorld(t)
	signed := w.client(t, hubspot.WithSigner(w.signer(t, signingKeyID, signingKey), nil))
	unsigned := w.client(t)
	ctx := context.Background()
	_, err := unsigned.Imports.Start(ctx, contactImport("u", "Email,First\na@example.com,A\n"))
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	im, err := signed.Imports.Start(ctx, contactImport("s", "Email,First\na@example.com,A\n"))
	if err != nil {
		t.Fatalf("signed Start: %v", err)
	}
	_, err = unsigned.Imports.Cancel(ctx, im.ID)
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	if _, err := signed.Imports.Get(ctx, im.ID); err != nil {
		t.Fatalf("signed Get: %v", err)
	}
	if _, err := signed.Imports.Cancel(ctx, im.ID); err != nil {
		t.Fatalf("signed Cancel: %v", err)
	}
	got := map[string]bool{}
	for _, call := range w.srv.Journal() {
		if op, _ := opOf(call); op != "" && call.Status < 300 {
			got[op] = call.Signed
		}
	}
	if !got["crm.imports.start"] || !got["crm.imports.cancel"] || !got["crm.imports.get"] {
		t.Errorf("signed by operation: %v", got)
	}
	n := len(w.srv.Journal())
	r := contactImport("gen", "")
	r.Files[0].Data = &rowGenerator{n: 3}
	if _, err := signed.Imports.Start(ctx, r); err == nil || !strings.Contains(err.Error(), "io.ReadSeeker") {
		t.Errorf("signed import of a plain reader: %v", err)
	}
	if len(w.srv.Journal()) != n {
		t.Error("the refused import reached the server")
	}
}

func ExampleImportsService_Start() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t, hubspottest.WithImportProcessingTime(0))
	defer srv.Close()
	c, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic(srv.NewToken("crm.import"))), hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()

	// The file is streamed from its reader (here a string; an *os.File
	// works the same), never held whole in memory.
	im, err := c.Imports.Start(ctx, hubspot.ImportRequest{Name: "Leads", Files: []hubspot.ImportFile{{
		Name: "leads.csv",
		Data: strings.NewReader("Email,First name\nada@example.com,Ada\nnot-an-email,Bob\n"),
		Columns: []hubspot.ImportColumn{
			{Name: "Email", ObjectTypeID: "0-1", Property: "email", IDColumnType: "HUBSPOT_ALTERNATE_ID"},
			{Name: "First name", ObjectTypeID: "0-1", Property: "firstname"},
		},
	}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	im, _ = c.Imports.Get(ctx, im.ID)
	fmt.Println(im.State, im.Metadata.Counters["CREATED_OBJECTS"], "created")
	for e, err := range c.Imports.Errors(ctx, im.ID, nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("line", e.SourceData.LineNumber, e.ErrorType)
	}
	// Output:
	// DONE 1 created
	// line 3 INVALID_EMAIL
}
