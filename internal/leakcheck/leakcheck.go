// Package leakcheck captures everything a scenario prints, logs, returns or
// panics with, and fails the test if a canary secret shows up in any of it,
// in any of the forms secretstest.Encodings lists: as is, encoded (base64,
// hex, URL escaping), or inside Go's or JSON's quotes, once or twice over.
//
// It is the harness of hubkey's canary leak suite: scenarios run real code
// paths (clients, providers, servers) with canary credentials and hand every
// output to a Recorder.
package leakcheck

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/davecgh/go-spew/spew"
	"github.com/stretchr/testify/assert"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Recorder collects outputs. It is safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	outputs []output
	logs    []*lockedBuffer
}

type output struct{ where, text string }

// New returns an empty Recorder.
func New() *Recorder { return &Recorder{} }

// Add records text produced at where.
func (r *Recorder) Add(where, text string) {
	r.mu.Lock()
	r.outputs = append(r.outputs, output{where, text})
	r.mu.Unlock()
}

// Logger returns a debug-level logger that writes every record through both
// slog's text and JSON handlers into the Recorder, with source locations.
func (r *Recorder) Logger() *slog.Logger {
	text, js := &lockedBuffer{}, &lockedBuffer{}
	r.mu.Lock()
	r.logs = append(r.logs, text, js)
	r.mu.Unlock()
	opts := &slog.HandlerOptions{Level: slog.LevelDebug, AddSource: true}
	return slog.New(fanout{slog.NewTextHandler(text, opts), slog.NewJSONHandler(js, opts)})
}

// Err records err in every form a program might print it: Error(), %v,
// %+v, %#v, %q, each error in its Unwrap chain, and the URL of any *url.Error
// in the chain.
func (r *Recorder) Err(where string, err error) {
	if err == nil {
		return
	}
	r.Add(where+" Error()", err.Error())
	for _, verb := range []string{"%v", "%+v", "%#v", "%q", "%s"} {
		r.Add(where+" "+verb, fmt.Sprintf(verb, err))
	}
	seen := map[error]bool{}
	var walk func(error)
	walk = func(e error) {
		if e == nil || !reflect.TypeOf(e).Comparable() || seen[e] {
			return
		}
		seen[e] = true
		r.Add(where+" chain", e.Error()+" "+fmt.Sprintf("%+v", e))
		var ue *url.Error
		if errors.As(e, &ue) {
			r.Add(where+" url.Error.URL", ue.URL)
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
}

// Dump records v as %v, %+v, %#v and a spew dump (which reads unexported
// fields through reflection, as testify's failure diffs do).
func (r *Recorder) Dump(where string, v any) {
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		r.Add(where+" "+verb, fmt.Sprintf(verb, v))
	}
	cfg := spew.ConfigState{Indent: " ", DisablePointerAddresses: true, MaxDepth: 6}
	r.Add(where+" spew", cfg.Sdump(v))
}

// Testify records the failure message testify prints when it compares a and
// b (they should differ), as a test's failure diff would show them.
func (r *Recorder) Testify(where string, a, b any) {
	var t failureText
	assert.Equal(&t, a, b)
	r.Add(where+" testify", t.String())
}

type failureText struct{ strings.Builder }

func (f *failureText) Errorf(format string, args ...any) { fmt.Fprintf(f, format, args...) }

// Panic runs f and records the value of any panic it raises, formatted
// with %v and %#v, and the value as an error if it is one.
func (r *Recorder) Panic(where string, f func()) {
	defer func() {
		if v := recover(); v != nil {
			r.Add(where+" panic %v", fmt.Sprintf("%v", v))
			r.Add(where+" panic %#v", fmt.Sprintf("%#v", v))
			if err, ok := v.(error); ok {
				r.Err(where+" panic", err)
			}
		}
	}()
	f()
}

// Outputs returns how many outputs were recorded (log streams count once
// each) and their total size in bytes.
func (r *Recorder) Outputs() (n, bytes int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range r.outputs {
		n++
		bytes += len(o.text)
	}
	for _, l := range r.logs {
		n++
		bytes += l.Len()
	}
	return n, bytes
}

// Check fails t for every canary found in any recorded output, in any of
// the forms secretstest.Encodings lists (quoted forms included), naming
// the output, the form's index and the canary's fingerprint, never the
// canary. Each canary's forms are computed once per call, not once per
// output.
func (r *Recorder) Check(t testing.TB, canaries ...string) {
	t.Helper()
	r.mu.Lock()
	outs := append([]output(nil), r.outputs...)
	for i, l := range r.logs {
		outs = append(outs, output{fmt.Sprintf("log stream %d", i), l.String()})
	}
	r.mu.Unlock()
	for _, c := range canaries {
		if c == "" {
			continue
		}
		forms := secretstest.Encodings(c)
		for _, o := range outs {
			for i, f := range forms {
				if strings.Contains(o.text, f) {
					t.Errorf("%s contains the secret (encoding #%d, fingerprint %s)", o.where, i, secrets.New(c).Fingerprint())
				}
			}
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}
