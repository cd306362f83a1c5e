package keypolicy

import (
	"github.com/hubkey/hubkey/internal/credhttp"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Entry is one call in a [Journal]. It names the key by ID and token
// fingerprint and never holds a token: the query string and path are
// redacted before they are stored.
type Entry struct {
	// Time is when the call arrived.
	Time time.Time
	// Method and Path of the call; Path has credentials in it redacted
	// (see [RedactPath]).
	Method string
	Path   string
	// Query is the raw query string with credential values redacted (see
	// [RedactQuery]).
	Query string
	// Status is the HTTP status sent, 0 if the connection was dropped.
	Status int
	// KeyID is the key that made the call, when its token matched one.
	KeyID string
	// TokenFingerprint is the presented token's fingerprint
	// (secrets.New(token).Fingerprint()), also for unknown tokens; empty
	// when no token was presented.
	TokenFingerprint string
	// Signed reports whether the call carried a request signature (an
	// RFC 9421 Signature header), whether or not it verified.
	Signed bool
	// Reason is why the call was refused; zero when it was allowed.
	Reason Reason
	// Policy is the rate-limit policy that refused the call, if any.
	Policy Policy
	// RemoteAddr is the client's address as the server saw it.
	RemoteAddr string
	// CorrelationID is the id the response carried, if any.
	CorrelationID string
	// Duration is how long the call took to answer.
	Duration time.Duration
	// Note is free text the recorder adds (a test server notes injected
	// faults here). It must not hold secrets.
	Note string
}

// NewEntry starts an entry for r at now: method, redacted path and query,
// remote address, and whether r carries a Signature header.
func NewEntry(r *http.Request, now time.Time) Entry {
	return Entry{
		Time:       now,
		Method:     r.Method,
		Path:       RedactPath(r.URL.Path),
		Query:      RedactQuery(r.URL.RawQuery),
		RemoteAddr: r.RemoteAddr,
		Signed:     r.Header.Get("Signature") != "",
	}
}

// Journal is a bounded, concurrency-safe log of calls: when full, the
// oldest entries give way.
type Journal struct {
	mu    sync.Mutex
	buf   []Entry
	start int // index of the oldest entry
	n     int
	total uint64
}

// DefaultJournalSize is the capacity NewJournal uses for a size <= 0.
const DefaultJournalSize = 10000

// NewJournal returns a Journal that keeps the last size entries.
func NewJournal(size int) *Journal {
	if size <= 0 {
		size = DefaultJournalSize
	}
	return &Journal{buf: make([]Entry, size)}
}

// Record adds e, redacting its path and query again in case the caller
// built the entry by hand.
func (j *Journal) Record(e Entry) {
	e.Path = RedactPath(e.Path)
	e.Query = RedactQuery(e.Query)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.total++
	if j.n < len(j.buf) {
		j.buf[(j.start+j.n)%len(j.buf)] = e
		j.n++
		return
	}
	j.buf[j.start] = e
	j.start = (j.start + 1) % len(j.buf)
}

// Entries returns the kept entries, oldest first.
func (j *Journal) Entries() []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Entry, j.n)
	for i := range j.n {
		out[i] = j.buf[(j.start+i)%len(j.buf)]
	}
	return out
}

// Total returns how many entries were ever recorded, including those that
// gave way; Total()-len(Entries()) were dropped.
func (j *Journal) Total() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.total
}

// Reset empties the journal.
func (j *Journal) Reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.buf)
	j.start, j.n, j.total = 0, 0, 0
}

// redactedValue replaces a credential in a query string or path.
const redactedValue = "REDACTED"

// credentialParams are query parameters that carry credentials in
// HubSpot's and OAuth's APIs. Matching ignores case.
var credentialParams = []string{
	"hapikey", "access_token", "refresh_token", "id_token", "token", "client_secret",
	"code", "code_verifier", "api_key", "apikey", "key", "password", "secret", "signature", "sig",
	"x-amz-signature", "x-amz-credential", "x-amz-security-token",
}

func isCredentialParam(name string) bool {
	l := strings.ToLower(name)
	for _, p := range credentialParams {
		if l == p {
			return true
		}
	}
	return strings.Contains(l, "token") || strings.Contains(l, "secret") || strings.Contains(l, "password") ||
		strings.HasSuffix(l, "apikey") || strings.HasSuffix(l, "api_key")
}

// RedactQuery returns a raw query string with the value of every parameter
// that carries a credential (hapikey, access_token, refresh_token,
// client_secret, code, and any name containing token, secret or password)
// replaced by "REDACTED". Order and the other parameters are kept as sent.
func RedactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	changed := false
	for i, p := range parts {
		name, _, hasValue := strings.Cut(p, "=")
		dec := name
		if u, err := url.QueryUnescape(name); err == nil {
			dec = u
		}
		if hasValue && isCredentialParam(dec) {
			parts[i] = name + "=" + redactedValue
			changed = true
		}
	}
	if !changed {
		return raw
	}
	return strings.Join(parts, "&")
}

// RedactPath returns p with credentials that HubSpot's API takes in the
// path (the token in /oauth/v1/access-tokens/{token} and
// /oauth/v1/refresh-tokens/{token}) replaced by "REDACTED".
func RedactPath(p string) string { return credhttp.RedactPath(p) }
