package gateway

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/hubkey/hubkey/gateway/keypolicy"
)

// Key is a gateway key's record: what the key may do and its lifecycle,
// never its token. The token's SHA-256 hash identifies it; the token itself
// is shown once, when the key is created or rotated.
type Key struct {
	keypolicy.Key
	// Service is the service that owns the key ("billing-sync"): audit
	// records and usage reports group calls by it.
	Service string
	// SealedSigningKey is the key's own request-signing secret, sealed
	// (AES-256-GCM) under the gateway's store key; nil when the key was made
	// without one. The store keeps the bytes as they are.
	SealedSigningKey []byte
	// UpdatedAt is when the record last changed.
	UpdatedAt time.Time
}

// Call is one audited call through the gateway, allowed or refused. It
// names the key by ID and fingerprint and the request by its operation and
// route template: never a token, a signature, a raw path or a query.
type Call struct {
	// Time is when the call arrived.
	Time time.Time
	// KeyID is the key that made the call; empty when the presented token
	// matched no key.
	KeyID string
	// Fingerprint is the presented token's fingerprint; empty when no token
	// was presented.
	Fingerprint string
	// Service owns the key, when KeyID is set.
	Service string
	// Operation is the catalogue's name for the call ("crm.objects.get");
	// empty when the catalogue does not know it.
	Operation string
	// Method and Route (the operation's path template, or "" when unknown)
	// describe the call.
	Method string
	Route  string
	// Status is the HTTP status the caller got; 0 when the connection broke
	// before one was sent.
	Status int
	// Denial is why the gateway refused the call ("key revoked",
	// "missing scopes", ...); empty when it was forwarded.
	Denial string
	// Latency is how long the gateway took to answer, HubSpot included.
	Latency time.Duration
	// BytesIn and BytesOut count the request and response bodies.
	BytesIn, BytesOut int64
	// ClientIP is the caller's address as the gateway judged it.
	ClientIP string
	// Signature is the outcome of signature checking: "" (not checked),
	// "valid", "missing" or "invalid".
	Signature string
	// Upstream names the upstream credential the call was sent with;
	// empty when it was not forwarded.
	Upstream string
}

// CallFilter selects audited calls. Zero fields match everything.
type CallFilter struct {
	// From and To bound Time: From <= Time < To.
	From, To time.Time
	KeyID    string
	Service  string
	// Operation matches Call.Operation exactly.
	Operation string
	// Status matches Call.Status exactly.
	Status int
	// Denial matches Call.Denial exactly; DeniedOnly keeps refused calls.
	Denial     string
	DeniedOnly bool
	// Limit caps how many calls are returned, newest first; 0 means all.
	Limit int
}

// Usage is the calls and denials of one key in one bucket of time.
type Usage struct {
	KeyID   string
	Service string
	// Start is the start of the bucket.
	Start   time.Time
	Calls   int64 // every audited call, refused ones included
	Denials int64 // calls the gateway refused
	// Upstream429 counts calls HubSpot answered 429.
	Upstream429 int64
	// LastUsed is the time of the key's latest call in the bucket.
	LastUsed time.Time
}

// Store keeps key records and the audit trail for one or several gateway
// replicas. Implementations must be safe for concurrent use. A Store that
// is also a signing.NonceStore (sqlstore's is) shares the replay cache of
// signed calls: a signed call one gateway on it accepted is refused by
// every other, so a replay to another replica is refused too.
type Store interface {
	// ChangeKeys reads the keys with the given IDs (every one must exist,
	// else the error matches ErrKeyNotFound), hands them to f in the
	// order of ids, and writes every record f returns (updating those
	// whose ID exists, inserting the others) in one transaction: all or
	// nothing. Concurrent ChangeKeys calls on the same keys are
	// serialized. After commit, every watcher in every process learns the
	// IDs written: the watchers of this Store before ChangeKeys returns, so
	// that a gateway on it applies the change to its very next request.
	// An error from f aborts with nothing written and is returned as it
	// is.
	ChangeKeys(ctx context.Context, ids []string, f func(existing []Key) ([]Key, error)) error
	// Key returns one record; an unknown ID matches ErrKeyNotFound.
	Key(ctx context.Context, id string) (Key, error)
	// Keys returns every record, oldest first.
	Keys(ctx context.Context) ([]Key, error)
	// WatchKeys calls changed with the ID of each key written by any
	// process, until ctx ends; changed("") means the watcher may have
	// missed changes (a reconnect, say) and every key must be reloaded. It
	// returns once the watch is established, so a change committed after
	// WatchKeys returns is seen. changed may be called from several
	// goroutines at once, and more than once for one change.
	WatchKeys(ctx context.Context, changed func(id string)) error

	// AppendCalls adds audited calls.
	AppendCalls(ctx context.Context, calls []Call) error
	// Calls yields the calls f selects, newest first.
	Calls(ctx context.Context, f CallFilter) iter.Seq2[Call, error]
	// Usage sums calls per key into buckets of the given width, over
	// [from, to), oldest bucket first; keys without calls in a bucket are
	// left out.
	Usage(ctx context.Context, from, to time.Time, bucket time.Duration) ([]Usage, error)
	// LastUsed returns, per key ID, the time of its latest audited call.
	LastUsed(ctx context.Context) (map[string]time.Time, error)

	// Close releases the store.
	Close() error
}

// ErrKeyNotFound matches the error for a key ID no record has.
var ErrKeyNotFound = keypolicy.ErrKeyNotFound

// ErrStoreClosed is returned by a Store used after Close.
var ErrStoreClosed = errors.New("gateway: store closed")
