package hubspot_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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

var filesScopes = []string{"files"}

func openString(s string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }
}

// reader returns a function that reads what a call returned, failing t.
func reader(t *testing.T) func(io.ReadCloser, error) string {
	return func(rc io.ReadCloser, err error) string { t.Helper(); return readAll(t, rc, err) }
}

func readAll(t *testing.T, rc io.ReadCloser, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Folders and files: made, found, changed, archived; a private file is
// served only through its signed URL, which expires on the server's clock.
func TestFilesLifecycle(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake))
	c, _, _ := newClient(t, srv, filesScopes, hubspot.WithClock(fake))
	ctx := context.Background()

	docs, err := c.Files.CreateFolder(ctx, hubspot.FolderCreate{Name: "docs"})
	if err != nil || docs.Path != "/docs" {
		t.Fatalf("CreateFolder: %+v, %v", docs, err)
	}
	sub, err := c.Files.CreateFolder(ctx, hubspot.FolderCreate{Name: "2026", ParentFolderID: docs.ID})
	if err != nil || sub.Path != "/docs/2026" || sub.ParentFolderID != docs.ID {
		t.Fatalf("CreateFolder in docs: %+v, %v", sub, err)
	}
	if _, err := c.Files.CreateFolder(ctx, hubspot.FolderCreate{Name: "docs"}); !errors.Is(err, hubspot.ErrConflict) {
		t.Errorf("a second docs folder: %v, want ErrConflict", err)
	}
	renamed := "twenty-six"
	if f, err := c.Files.UpdateFolder(ctx, sub.ID, hubspot.FolderUpdate{Name: &renamed}); err != nil || f.Path != "/docs/twenty-six" {
		t.Fatalf("UpdateFolder: %+v, %v", f, err)
	}

	f, err := c.Files.Upload(ctx, hubspot.FileUpload{Name: "report.pdf", Open: openString("%PDF secret report"), ContentType: "application/pdf",
		FileOptions: hubspot.FileOptions{Access: hubspot.FilePrivate, FolderID: sub.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "report" || f.Extension != "pdf" || f.Type != "DOCUMENT" || f.Size != 18 || f.Path != "/docs/twenty-six/report.pdf" || f.Access != hubspot.FilePrivate {
		t.Fatalf("Upload: %+v", f)
	}
	got, err := c.Files.Get(ctx, f.ID)
	if err != nil || got.FileMD5 != f.FileMD5 || got.ParentFolderID != sub.ID {
		t.Fatalf("Get: %+v, %v", got, err)
	}
	// The plain URL of a private file serves it to no one.
	resp, err := http.Get(f.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the private file's own URL answered %d", resp.StatusCode)
	}
	su, err := c.Files.SignedURL(ctx, f.ID, &hubspot.SignedURLOptions{Expiration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !su.ExpiresAt.Equal(fake.Now().Add(time.Minute)) || su.Name != "report" || su.Size != 18 {
		t.Errorf("SignedURL: %+v", su)
	}
	if s := fmt.Sprintf("%v %+v", su, *su); strings.Contains(s, su.URL.Reveal()) || strings.Contains(s, "token") {
		t.Errorf("the signed URL prints: %s", s)
	}
	if body := reader(t)(c.Files.Download(ctx, su, nil)); body != "%PDF secret report" {
		t.Errorf("Download: %q", body)
	}
	if _, err := c.Files.Download(ctx, su, &hubspot.FileDownloadOptions{MaxBytes: 4}); !errors.Is(err, hubspot.ErrFileTooLarge) {
		t.Errorf("a download past MaxBytes: %v, want ErrFileTooLarge", err)
	}
	fake.Advance(time.Minute)
	_, err = c.Files.Download(ctx, su, nil)
	if err == nil || !strings.Contains(err.Error(), "404") || strings.Contains(err.Error(), su.URL.Reveal()) {
		t.Errorf("an expired signed URL: %v", err)
	}

	name, access := "summary", hubspot.FilePublicNotIndexable
	up, err := c.Files.Update(ctx, f.ID, hubspot.FileUpdate{Name: &name, Access: &access})
	if err != nil || up.Path != "/docs/twenty-six/summary.pdf" || up.Access != access {
		t.Fatalf("Update: %+v, %v", up, err)
	}
	if body := reader(t)(func() (io.ReadCloser, error) {
		resp, err := http.Get(up.URL)
		if err == nil && resp.StatusCode != 200 {
			resp.Body.Close()
			return nil, fmt.Errorf("status %d", resp.StatusCode)
		}
		if err != nil {
			return nil, err
		}
		return resp.Body, nil
	}()); body != "%PDF secret report" {
		t.Errorf("the public file's URL served %q", body)
	}

	page, err := c.Files.Search(ctx, &hubspot.FileSearch{Name: "SUMM", ParentFolderIDs: []int64{mustInt(t, sub.ID)}})
	if err != nil || len(page.Results) != 1 || page.Results[0].ID != f.ID {
		t.Fatalf("Search: %+v, %v", page, err)
	}
	fp, err := c.Files.SearchFolders(ctx, &hubspot.FolderSearch{Name: "twenty"})
	if err != nil || len(fp.Results) != 1 || fp.Results[0].ID != sub.ID {
		t.Fatalf("SearchFolders: %+v, %v", fp, err)
	}

	// Archiving the parent folder archives the folder and file within.
	if err := c.Files.ArchiveFolder(ctx, docs.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Files.Get(ctx, f.ID); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("Get of a file in an archived folder: %v, want ErrNotFound", err)
	}
	if _, err := c.Files.GetFolder(ctx, sub.ID); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("GetFolder of an archived folder's child: %v, want ErrNotFound", err)
	}
	if err := c.Files.Archive(ctx, f.ID); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("Archive of an archived file: %v, want ErrNotFound", err)
	}
	if info := srv.Files(); len(info) != 1 || !info[0].Archived {
		t.Errorf("server files: %+v", info)
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Paging through a search.
func TestFilesSearchAll(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, filesScopes)
	ctx := context.Background()
	for i := range 7 {
		if _, err := c.Files.Upload(ctx, hubspot.FileUpload{Name: fmt.Sprintf("f%d.txt", i), Data: strings.NewReader(strings.Repeat("x", i+1)),
			FileOptions: hubspot.FileOptions{Access: hubspot.FilePublicIndexable, FolderPath: "/many"}}); err != nil {
			t.Fatal(err)
		}
	}
	var sizes []int64
	for f, err := range c.Files.SearchAll(ctx, &hubspot.FileSearch{Limit: 3, Sort: "-size", Extension: "txt"}) {
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, f.Size)
	}
	if fmt.Sprint(sizes) != "[7 6 5 4 3 2 1]" {
		t.Errorf("sizes: %v", sizes)
	}
	n := 0
	for _, err := range c.Files.SearchAllFolders(ctx, &hubspot.FolderSearch{Path: "/many"}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("%d folders at /many", n)
	}
}

// The server's errors: 404 for a missing file, 400 naming the field for
// bad input, 409 for a rejected duplicate, 413 past the size limit.
func TestFilesErrors(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithFileSizeLimit(1024))
	c, _, _ := newClient(t, srv, filesScopes)
	ctx := context.Background()
	if _, err := c.Files.Get(ctx, "999"); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("Get of a missing file: %v", err)
	}
	if _, err := c.Files.SignedURL(ctx, "999", nil); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("SignedURL of a missing file: %v", err)
	}
	opts := hubspot.FileOptions{Access: hubspot.FilePrivate, FolderPath: "/x", DuplicateStrategy: hubspot.DuplicateReject}
	f, err := c.Files.Upload(ctx, hubspot.FileUpload{Name: "a.txt", Data: strings.NewReader("same"), FileOptions: opts})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Files.Upload(ctx, hubspot.FileUpload{Name: "b.txt", Data: strings.NewReader("same"), FileOptions: opts})
	if !errors.Is(err, hubspot.ErrConflict) {
		t.Errorf("a rejected duplicate: %v", err)
	}
	opts.DuplicateStrategy = hubspot.DuplicateReturnExisting
	if g, err := c.Files.Upload(ctx, hubspot.FileUpload{Name: "c.txt", Data: strings.NewReader("same"), FileOptions: opts}); err != nil || g.ID != f.ID {
		t.Errorf("RETURN_EXISTING: %+v, %v", g, err)
	}
	_, err = c.Files.Upload(ctx, hubspot.FileUpload{Name: "big.bin", Data: bytes.NewReader(make([]byte, 2048)), FileOptions: opts})
	var he *hubspot.Error
	if !errors.As(err, &he) || he.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("an upload past the limit: %v", err)
	}
	empty := ""
	_, err = c.Files.Update(ctx, f.ID, hubspot.FileUpdate{Name: &empty})
	if !errors.Is(err, hubspot.ErrValidation) || !errors.As(err, &he) || len(he.Errors) == 0 || he.Errors[0].In != "name" {
		t.Errorf("a rename to nothing: %v", err)
	}
	_, err = c.Files.CreateFolder(ctx, hubspot.FolderCreate{Name: "y", ParentFolderID: "12345"})
	if !errors.Is(err, hubspot.ErrValidation) || !errors.As(err, &he) || len(he.Errors) == 0 || he.Errors[0].In != "parentFolderId" {
		t.Errorf("a folder in a missing parent: %v", err)
	}
	// The client's own checks, before anything is sent.
	n := len(srv.Journal())
	for name, err := range map[string]error{
		"no access": func() error {
			_, err := c.Files.Upload(ctx, hubspot.FileUpload{Name: "a", Data: strings.NewReader(""), FileOptions: hubspot.FileOptions{FolderPath: "/x"}})
			return err
		}(),
		"path name": func() error {
			_, err := c.Files.Upload(ctx, hubspot.FileUpload{Name: "../a", Data: strings.NewReader(""), FileOptions: opts})
			return err
		}(),
		"no folder": func() error {
			_, err := c.Files.Upload(ctx, hubspot.FileUpload{Name: "a", Data: strings.NewReader(""), FileOptions: hubspot.FileOptions{Access: hubspot.FilePrivate}})
			return err
		}(),
		"bad id": c.Files.Archive(ctx, "1/../2"),
		"bad expires": func() error {
			_, err := c.Files.SignedURL(ctx, "1", &hubspot.SignedURLOptions{Expiration: time.Millisecond})
			return err
		}(),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if len(srv.Journal()) != n {
		t.Error("a call the client refused reached the server")
	}
}

// An import from a URL goes PENDING, PROCESSING and COMPLETE on the
// server's clock, and WaitImport polls on the client's; a URL the server
// cannot fetch completes with an error.
func TestFilesImportFromURL(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	var fetched atomic.Int32
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetched.Add(1)
		io.WriteString(w, "remote image bytes")
	}))
	t.Cleanup(origin.Close)
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake), hubspottest.WithFileImportTiming(time.Second, 2*time.Second),
		hubspottest.WithFileFetcher(func(ctx context.Context, u string) (io.ReadCloser, error) {
			if !strings.HasPrefix(u, origin.URL+"/") {
				return nil, errors.New("not the test's origin")
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				return nil, err
			}
			resp, err := origin.Client().Do(req)
			if err != nil {
				return nil, err
			}
			return resp.Body, nil
		}))
	c, _, _ := newClient(t, srv, filesScopes, hubspot.WithClock(fake))
	ctx := context.Background()

	id, err := c.Files.ImportFromURL(ctx, hubspot.FileImport{URL: secrets.New(origin.URL + "/img/logo.png?sig=abc"),
		FileOptions: hubspot.FileOptions{Access: hubspot.FilePublicIndexable, FolderPath: "/imported"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		advance time.Duration
		want    string
	}{{0, "PENDING"}, {time.Second, "PROCESSING"}, {2 * time.Second, "COMPLETE"}} {
		fake.Advance(step.advance)
		task, err := c.Files.ImportStatus(ctx, id)
		if err != nil || task.Status != step.want || (task.File != nil) != (step.want == "COMPLETE") {
			t.Fatalf("after %v: %+v, %v; want %s", step.advance, task, err, step.want)
		}
	}
	f, err := c.Files.WaitImport(ctx, id, 0)
	if err != nil || f.Name != "logo" || f.Type != "IMG" || f.Path != "/imported/logo.png" || fetched.Load() != 1 {
		t.Fatalf("WaitImport: %+v, %v (fetched %d)", f, err, fetched.Load())
	}
	if b, _ := srv.FileContent(f.ID); string(b) != "remote image bytes" {
		t.Errorf("content %q", b)
	}

	// WaitImport waits on the client's clock: it returns once the clock
	// passes the task's completion, without real sleeps.
	id2, err := c.Files.ImportFromURL(ctx, hubspot.FileImport{URL: secrets.New(f.URL), Name: "copy.png",
		FileOptions: hubspot.FileOptions{Access: hubspot.FilePrivate, FolderPath: "/imported"}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		g, err := c.Files.WaitImport(ctx, id2, time.Second)
		if err == nil && g.Name != "copy" {
			err = fmt.Errorf("imported %+v", g)
		}
		done <- err
	}()
	for waited := 0; ; waited++ {
		wctx, cancel := context.WithCancel(ctx)
		ready := make(chan error, 1)
		go func() { ready <- fake.WaitForTimers(wctx, 1) }()
		select {
		case err := <-done:
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			if waited < 3 {
				t.Errorf("WaitImport returned after %d clock seconds", waited)
			}
			goto foreign
		case err := <-ready:
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			fake.Advance(time.Second)
		}
	}
foreign:
	id3, err := c.Files.ImportFromURL(ctx, hubspot.FileImport{URL: secrets.New("https://elsewhere.example/x.png"),
		FileOptions: hubspot.FileOptions{Access: hubspot.FilePrivate, FolderPath: "/imported"}})
	if err != nil {
		t.Fatal(err)
	}
	fake.Advance(3 * time.Second)
	if _, err := c.Files.WaitImport(ctx, id3, 0); err == nil || !strings.Contains(err.Error(), "elsewhere.example") {
		t.Errorf("an import from a host the server cannot reach: %v", err)
	}
}

// A large upload is streamed from its reader: the server has its first
// 64 KiB while the reader has made a small part of the file, and the
// client allocates a small fraction of the file's size (without -race,
// whose sync.Pool drops buffers at random).
func TestFilesUploadStreamsFromReader(t *testing.T) {
	const size = 64 << 20
	var madeAtFirstChunk, received atomic.Int64
	var gen *byteGenerator
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 64<<10)
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		madeAtFirstChunk.Store(gen.made.Load())
		n, _ := io.CopyBuffer(io.Discard, r.Body, buf)
		received.Store(n + int64(len(buf)))
		if r.ContentLength != -1 {
			http.Error(w, "not streamed", 400)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id": "1", "name": "big", "extension": "bin", "archived": false, "createdAt": "2026-03-01T09:00:00Z", "updatedAt": "2026-03-01T09:00:00Z"}`)
	}))
	t.Cleanup(srv.Close)
	c, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic("pat-na1-00000000-0000-0000-0000-000000000000")), hubspot.WithBaseURL(srv.URL),
		hubspot.WithRateLimit(hubspot.RateLimit{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	upload := func() (uint64, uint64) {
		gen = &byteGenerator{left: size}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := c.Files.Upload(context.Background(), hubspot.FileUpload{Name: "big.bin", Data: gen,
			FileOptions: hubspot.FileOptions{Access: hubspot.FilePrivate, FolderPath: "/big"}})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		return after.TotalAlloc - before.TotalAlloc, after.HeapInuse
	}
	upload() // warm up pools and connections
	alloc, heap := upload()
	if gen.made.Load() != size || received.Load() < size {
		t.Fatalf("the reader made %d bytes, the server received %d", gen.made.Load(), received.Load())
	}
	t.Logf("the reader had made %d of %d bytes when the server had read 64 KiB", madeAtFirstChunk.Load(), size)
	if m := madeAtFirstChunk.Load(); m > size/16 {
		t.Errorf("the reader had made %d of %d bytes when the server had read 64 KiB: the body was not streamed", m, size)
	}
	t.Logf("a %d-byte upload: %d bytes allocated in all (%.2f%%), heap in use after %d", size, alloc, 100*float64(alloc)/float64(size), heap)
	if !raceDetector && alloc > size/64 {
		t.Errorf("%d bytes allocated to send %d bytes", alloc, size)
	}
}

// byteGenerator makes left bytes as it is read, counting them.
type byteGenerator struct {
	left int64
	made atomic.Int64
}

func (g *byteGenerator) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > g.left {
		n = g.left
	}
	for i := range p[:n] {
		p[i] = byte('a' + i%26)
	}
	g.left -= n
	g.made.Add(n)
	return int(n), nil
}

// After a 401, an upload that can be opened again is resent with the
// renewed token; one whose Data can be read only once is not resent, and
// its error says why.
func TestFilesUploadResendAfter401(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, tok, st := newClient(t, srv, filesScopes)
	ctx := context.Background()
	opts := hubspot.FileOptions{Access: hubspot.FilePrivate, FolderPath: "/r"}
	if _, err := c.Files.Upload(ctx, hubspot.FileUpload{Name: "a.txt", Data: strings.NewReader("first"), FileOptions: opts}); err != nil {
		t.Fatal(err)
	}
	tok = srv.RotateToken(tok, 0)
	st.Rotate(tok)
	f, err := c.Files.Upload(ctx, hubspot.FileUpload{Name: "b.txt", Open: openString("opened twice"), FileOptions: opts})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := srv.FileContent(f.ID); string(b) != "opened twice" {
		t.Errorf("resent content %q", b)
	}
	tok = srv.RotateToken(tok, 0)
	st.Rotate(tok)
	n := len(srv.Journal())
	_, err = c.Files.Upload(ctx, hubspot.FileUpload{Name: "c.txt", Data: io.MultiReader(strings.NewReader("read once")), FileOptions: opts})
	if !errors.Is(err, hubspot.ErrUploadNotReplayable) || !errors.Is(err, hubspot.ErrUnauthorized) {
		t.Errorf("a one-shot upload after a 401: %v", err)
	}
	if got := len(srv.Journal()) - n; got != 1 {
		t.Errorf("the one-shot upload was sent %d times", got)
	}
	if files := srv.Files(); len(files) != 2 {
		t.Errorf("server files: %+v", files)
	}
}

// Archives and signed URLs are signed under the default policy, and a
// verifying hubspottest refuses them unsigned. A signing Client refuses a
// one-shot reader before sending.
func TestFilesSensitiveCallsSigned(t *testing.T) {
	w := newSignedWorld(t)
	signed := w.client(t, hubspot.WithSigner(w.signer(t, signingKeyID, signingKey), nil))
	unsigned := w.client(t)
	ctx := context.Background()
	f, err := unsigned.Files.Upload(ctx, hubspot.FileUpload{Name: "a.txt", Data: strings.NewReader("a"),
		FileOptions: hubspot.FileOptions{Access: hubspot.FilePrivate, FolderPath: "/s"}})
	if err != nil {
		t.Fatalf("unsigned upload (not sensitive): %v", err)
	}
	_, err = unsigned.Files.SignedURL(ctx, f.ID, nil)
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	err = unsigned.Files.Archive(ctx, f.ID)
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	if _, err := signed.Files.SignedURL(ctx, f.ID, nil); err != nil {
		t.Fatalf("signed SignedURL: %v", err)
	}
	if _, err := signed.Files.Upload(ctx, hubspot.FileUpload{Name: "b.txt", Data: bytes.NewReader([]byte("b")),
		FileOptions: hubspot.FileOptions{Access: hubspot.FilePrivate, FolderPath: "/s"}}); err != nil {
		t.Fatalf("signing client, seekable upload: %v", err)
	}
	if err := signed.Files.Archive(ctx, f.ID); err != nil {
		t.Fatalf("signed Archive: %v", err)
	}
	n := len(w.srv.Journal())
	_, err = signed.Files.Upload(ctx, hubspot.FileUpload{Name: "c.txt", Data: io.MultiReader(strings.NewReader("c")),
		FileOptions: hubspot.FileOptions{Access: hubspot.FilePrivate, FolderPath: "/s"}})
	if err == nil || !strings.Contains(err.Error(), "io.ReadSeeker") {
		t.Errorf("a signing client's one-shot upload: %v", err)
	}
	if len(w.srv.Journal()) != n {
		t.Error("the refused upload reached the server")
	}
}

func ExampleFilesService_Upload() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	c, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic(srv.NewToken("files"))), hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()

	// The content is streamed from Open's reader (an os.Open in real
	// use), never held whole in memory.
	f, err := c.Files.Upload(ctx, hubspot.FileUpload{
		Name:        "terms.txt",
		Open:        func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("The terms.")), nil },
		FileOptions: hubspot.FileOptions{Access: hubspot.FilePrivate, FolderPath: "/legal"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Path, f.Size, f.Access)

	// A private file is fetched through a short-lived signed URL, a
	// credential that prints redacted.
	su, err := c.Files.SignedURL(ctx, f.ID, &hubspot.SignedURLOptions{Expiration: 5 * time.Minute})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(su.URL)
	rc, err := c.Files.Download(ctx, su, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	fmt.Println(string(b))
	// Output:
	// /legal/terms.txt 10 PRIVATE
	// [REDACTED]
	// The terms.
}
