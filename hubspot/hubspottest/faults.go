package hubspottest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Fault is a failure the server injects into the next matching calls,
// before it looks at authentication. Faults are consumed in the order they
// were injected.
type Fault struct {
	// Status, when not 0, is sent instead of the real answer, with Body
	// (or, when Body is empty, a HubSpot-style error body for the status:
	// a 429 gets a TEN_SECONDLY_ROLLING body).
	Status int
	Body   string
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter string
	// Count is how many matching calls the fault applies to; 0 means 1.
	Count int
	// Latency delays the answer, on the server's clock; the wait ends
	// early if the client gives up (its request context ends). With no
	// Status and no Drop, the call is then answered normally.
	Latency time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// Method and PathPrefix restrict which calls match; empty matches all.
	Method     string
	PathPrefix string
}

func (f *Fault) matches(r *http.Request) bool {
	return (f.Method == "" || strings.EqualFold(f.Method, r.Method)) &&
		strings.HasPrefix(r.URL.Path, f.PathPrefix)
}

// InjectFault queues f for the next matching calls.
func (s *Server) InjectFault(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 999) {
		s.t.Helper()
		s.t.Fatalf("hubspottest: fault status %d is not an HTTP status", f.Status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults drops every fault not yet used.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// PendingFaults returns how many fault applications are still queued.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.Count
	}
	return n
}

// takeFault consumes one application of the first fault matching r.
func (s *Server) takeFault(r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if !f.matches(r) {
			continue
		}
		f.Count--
		if f.Count <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

// applyFault carries out f. It reports a note for the journal and whether
// the call has been answered (or abandoned).
func (s *Server) applyFault(w *statusWriter, r *http.Request, f *Fault, corr string) (string, bool) {
	var notes []string
	if f.Latency > 0 {
		notes = append(notes, "latency "+f.Latency.String())
		// net/http notices that the client went away (and ends
		// r.Context()) only once the request body has been read: read it
		// first, so that the wait ends with the caller (or Close) for a
		// POST too, and put it back for the handler.
		if r.Body != nil && r.Body != http.NoBody {
			b, _ := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
		}
		if err := s.sleep(r.Context(), f.Latency); err != nil {
			notes = append(notes, "client gave up")
			return "fault: " + strings.Join(notes, ", "), true
		}
	}
	switch {
	case f.Drop:
		notes = append(notes, "dropped connection")
		dropConnection(w)
		return "fault: " + strings.Join(notes, ", "), true
	case f.Status != 0:
		notes = append(notes, fmt.Sprintf("status %d", f.Status))
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.Body != "" {
			w.Header().Set("Content-Type", jsonContentType)
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte(f.Body))
		} else {
			writeError(w, faultError(f.Status, corr))
		}
		return "fault: " + strings.Join(notes, ", "), true
	}
	return "fault: " + strings.Join(notes, ", "), false
}

// dropConnection closes the client's connection without a response.
func dropConnection(w *statusWriter) {
	if conn, _, err := w.Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// faultError is the body HubSpot would send with status.
func faultError(status int, corr string) *apiError {
	switch status {
	case http.StatusTooManyRequests:
		return rateLimitError(corr, "TEN_SECONDLY_ROLLING")
	case http.StatusUnauthorized:
		return authError(corr)
	case http.StatusNotFound:
		return &apiError{status: status, Message: "resource not found", Category: catNotFound, CorrelationID: corr}
	}
	msg := http.StatusText(status)
	if msg == "" {
		msg = fmt.Sprintf("status %d", status)
	}
	cat := "INTERNAL_ERROR"
	if status < 500 {
		cat = catValidation
	}
	return &apiError{status: status, Message: msg, Category: cat, CorrelationID: corr}
}
