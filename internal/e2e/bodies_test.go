package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/hubspot"
)

const (
	mib = 1 << 20
	// hostileBodySize is what a hostile server offers to send: far more
	// than a test could hold in memory.
	hostileBodySize = 8 << 30
	// maxSuccessBody is the most of a success response the client reads
	// (hubspot's maxResponseBody); maxErrorBody is its limit for errors.
	maxSuccessBody = 64 * mib
	maxErrorBody   = 1 * mib
	// inFlight is what loopback socket buffers and the server's last
	// writes may add to what the client read before it hung up.
	inFlight = 32 * mib
)

// endless answers with status and header, then prefix, then filler bytes
// in 64 KiB writes until the client stops reading or hostileBodySize bytes
// are out. It never holds more than one write's worth in memory, and
// counts what it wrote.
type endless struct {
	status  int
	header  map[string]string
	prefix  string
	gzip    bool // send it gzip-compressed: a decompression bomb
	written atomic.Int64
	done    chan struct{} // closed when the handler returns
}

func newEndless(status int, prefix string) *endless {
	return &endless{status: status, prefix: prefix, header: map[string]string{"Content-Type": "application/json"}, done: make(chan struct{})}
}

func (e *endless) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer close(e.done)
	for k, v := range e.header {
		w.Header().Set(k, v)
	}
	chunk := bytes.Repeat([]byte("a"), 64<<10)
	first := []byte(e.prefix)
	if e.gzip {
		w.Header().Set("Content-Encoding", "gzip")
		first, chunk = gzipBomb(e.prefix, len(chunk))
	}
	w.WriteHeader(e.status)
	n, err := w.Write(first)
	e.written.Add(int64(n))
	for offered := int64(len(e.prefix)); err == nil && offered < hostileBodySize; offered += 64 << 10 {
		n, err = w.Write(chunk)
		e.written.Add(int64(n))
	}
}

// gzipBomb returns the start of a gzip stream that decompresses to prefix
// followed by 'a's, and a block that, repeated after it, decompresses to
// size more 'a's each time: a few hundred bytes on the wire per 64 KiB.
func gzipBomb(prefix string, size int) (start, block []byte) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	filler := bytes.Repeat([]byte("a"), size)
	_, _ = zw.Write([]byte(prefix))
	_, _ = zw.Write(filler)
	_ = zw.Flush()
	start = bytes.Clone(buf.Bytes())
	buf.Reset()
	_, _ = zw.Write(filler)
	_ = zw.Flush() // a block that refers only to the last 32 KiB: all 'a's
	return start, bytes.Clone(buf.Bytes())
}

// allocated returns how many bytes f allocated (the whole process's
// allocations while it ran; nothing else runs beside this test).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A hostile server offers 8 GiB in answer to a call: as a success body, an
// error body, a 429 body, and an error body that is a gzip bomb (a few MiB
// on the wire). The client reads each through its limit (64 MiB for a
// success, 1 MiB for an error, counted after decompression), fails the
// call with an error that says so (or with the status, for an error), and
// hangs up: the server gets to write little more than the limit, and the
// client allocates a small multiple of it.
func TestHostileEndlessBodies(t *testing.T) {
	cases := []struct {
		name   string
		status int
		gzip   bool
		limit  int64
		check  func(error) bool
	}{
		{"success body", 200, false, maxSuccessBody, func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "exceeds")
		}},
		{"gzip bomb", 500, true, maxErrorBody, func(err error) bool {
			var he *hubspot.Error
			return errors.As(err, &he) && he.StatusCode == 500
		}},
		{"error body", 500, false, maxErrorBody, func(err error) bool {
			var he *hubspot.Error
			return errors.As(err, &he) && he.StatusCode == 500
		}},
		{"429 body", 429, false, maxErrorBody, func(err error) bool {
			var rl *hubspot.RateLimitError
			return errors.As(err, &rl)
		}},
	}
	// The bomb is what it claims: 16 blocks give 1 MiB of 'a's.
	start, block := gzipBomb("{", 64<<10)
	wire := append(start, bytes.Repeat(block, 16)...)
	zr, err := gzip.NewReader(bytes.NewReader(wire))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(got) != 1+17*64<<10 || strings.Trim(string(got[1:]), "a") != "" {
		t.Fatalf("the gzip bomb decompresses to %d bytes (%v)", len(got), err)
	}
	t.Logf("gzip bomb: %d bytes on the wire per MiB", len(block)*16)

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEndless(tc.status, `{"id":"1","properties":{"note":"`)
			e.gzip = tc.gzip
			srv := newRecorder(t, e.ServeHTTP)
			c := newClientURL(t, srv.URL)
			var err error
			alloc := allocated(func() {
				ctx, cancel := context.WithTimeout(context.Background(), patience)
				defer cancel()
				_, err = c.Contacts.Get(ctx, "1", nil)
			})
			select {
			case <-e.done:
			case <-time.After(patience):
				t.Fatal("the server is still writing: the client did not hang up")
			}
			written := e.written.Load()
			t.Logf("offered=%d GiB wire_written=%.1f MiB client_allocated=%.1f MiB error=%v",
				hostileBodySize>>30, float64(written)/mib, float64(alloc)/mib, err)
			if !tc.check(err) {
				t.Errorf("error %v", err)
			}
			if !tc.gzip && written > tc.limit+inFlight {
				t.Errorf("the server wrote %d bytes for a limit of %d", written, tc.limit)
			}
			if alloc > 8*uint64(tc.limit)+16*mib {
				t.Errorf("the client allocated %d MiB reading a body it limits to %d MiB", alloc/mib, tc.limit/mib)
			}
		})
	}
}

// trickle answers after its headers (or, with rawHeaders, in the middle of
// them) with one byte every 5 ms until the client goes away or a minute
// passes.
type trickle struct {
	status     int
	rawHeaders bool
	done       chan struct{}
}

func (tr *trickle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer close(tr.done)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	stop := time.After(time.Minute)
	var write func([]byte) error
	if tr.rawHeaders {
		conn, bw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		write = func(b []byte) error {
			if _, err := bw.Write(b); err != nil {
				return err
			}
			return bw.Flush()
		}
		if write([]byte("HTTP/1.1 200 OK\r\nX-Slow: ")) != nil {
			return
		}
	} else {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(tr.status)
		rc := http.NewResponseController(w)
		write = func(b []byte) error {
			if _, err := w.Write(b); err != nil {
				return err
			}
			return rc.Flush()
		}
		if write([]byte(`{"id":"1","properties":{"note":"`)) != nil {
			return
		}
	}
	for {
		select {
		case <-tick.C:
			if write([]byte("a")) != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-stop:
			return
		}
	}
}

// A slow-loris server trickles its headers, or its body (success or
// error), a byte at a time. The call ends at its context's deadline, not
// the server's leisure, and the server sees the client go.
func TestSlowLorisEndsAtTheContext(t *testing.T) {
	const deadline = 200 * time.Millisecond
	for _, tc := range []struct {
		name string
		tr   *trickle
	}{
		{"headers", &trickle{rawHeaders: true}},
		{"success body", &trickle{status: 200}},
		{"error body", &trickle{status: 503}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.tr.done = make(chan struct{})
			srv := newRecorder(t, tc.tr.ServeHTTP)
			c := newClientURL(t, srv.URL)
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			start := time.Now()
			_, err := c.Contacts.Get(ctx, "1", nil)
			took := time.Since(start)
			t.Logf("deadline=%v took=%v error=%v", deadline, took, err)
			if err == nil {
				t.Fatal("a trickled response was accepted")
			}
			if took > patience {
				t.Errorf("the call took %v with a deadline of %v", took, deadline)
			}
			select {
			case <-tc.tr.done:
			case <-time.After(patience):
				t.Error("the server is still trickling: the client did not hang up")
			}
		})
	}
}
