package secrets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Version is one value of a credential as a provider returned it.
type Version struct {
	// Value is the credential.
	Value Secret
	// ID is the provider's version identifier (AWS VersionId, Vault KV
	// version, a content fingerprint for env and files). It changes when the
	// value changes and is safe to log.
	ID string
	// Source says where the value came from, such as
	// "vault:secret/hubspot#token"; it never contains the value.
	Source string
	// FetchedAt is when the provider read the value.
	FetchedAt time.Time
	// ExpiresAt is when the value stops being valid; zero means it does not
	// expire (OAuth access tokens do, private-app tokens do not).
	ExpiresAt time.Time
	// Lineage names what every version of the credential belongs to when
	// the values themselves differ from process to process: the OAuth app
	// and installation whose access tokens each process refreshes for
	// itself, all counted under one of HubSpot's rate limits. It is safe to
	// log, and the same in every process that reads the same credential.
	// Empty: each value stands for itself.
	Lineage string
}

// IsZero reports whether v holds no value.
func (v Version) IsZero() bool { return v.Value.IsZero() }

// Expired reports whether v has an expiry and now is at or past it.
func (v Version) Expired(now time.Time) bool {
	return !v.ExpiresAt.IsZero() && !now.Before(v.ExpiresAt)
}

// Same reports whether v and o are the same version of the same value.
func (v Version) Same(o Version) bool { return v.ID == o.ID && v.Value.Equal(o.Value) }

// LogValue shows the version's identity, never its value.
func (v Version) LogValue() slog.Value { return versionLogValue(v) }

// Provider fetches the current version of one credential. Fetch makes one
// round trip to the source and caches nothing: [Cache] does the caching.
// Implementations must be safe for concurrent use, honour ctx, and return
// errors that name where the secret lives but never contain its value.
type Provider interface {
	Fetch(ctx context.Context) (Version, error)
}

// ProviderFunc adapts a function to Provider.
type ProviderFunc func(ctx context.Context) (Version, error)

// Fetch calls f.
func (f ProviderFunc) Fetch(ctx context.Context) (Version, error) { return f(ctx) }

// PreviousFetcher is implemented by providers whose backend keeps the
// version before the current one (AWS AWSPREVIOUS, Vault KV version n-1), for
// fallback while a rotation settles.
type PreviousFetcher interface {
	FetchPrevious(ctx context.Context) (Version, error)
}

// Errors that providers wrap so callers can tell failures apart with
// errors.Is, whatever the backend.
var (
	ErrNotFound   = errors.New("secret not found")
	ErrEmpty      = errors.New("secret is empty")
	ErrPermission = errors.New("permission denied")
	ErrTooLarge   = errors.New("secret exceeds the size limit")
	ErrMalformed  = errors.New("secret payload is malformed")
	ErrExpired    = errors.New("secret has expired")
	ErrClosed     = errors.New("cache is closed")
)

// ErrRefused is wrapped by the error of a Cache's refresh when the
// WithValidate function refused the new version, which was not adopted.
var ErrRefused = errors.New("failed validation and was not adopted")

// DefaultMaxSize is the size limit providers apply to a secret payload unless
// configured otherwise. Nothing read from a provider is trusted for size.
const DefaultMaxSize = 64 << 10

// Error is the error providers return. It names the secret's location and
// never carries its value.
type Error struct {
	Source string // where the secret lives, e.g. "env:HUBSPOT_TOKEN"
	Err    error  // what went wrong; wraps the sentinels above where one fits
}

func (e *Error) Error() string {
	if e.Source == "" {
		return "secrets: " + e.Err.Error()
	}
	return "secrets: " + e.Source + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Chain returns a Provider that asks each provider in turn and returns the
// first version fetched without error. When all fail, the error joins every
// provider's error (none of which carries a value). Chain stops early when ctx
// ends.
func Chain(providers ...Provider) Provider {
	ps := append([]Provider(nil), providers...)
	return ProviderFunc(func(ctx context.Context) (Version, error) {
		if len(ps) == 0 {
			return Version{}, &Error{Source: "chain", Err: errors.New("no providers configured")}
		}
		var errs []error
		for _, p := range ps {
			if err := ctx.Err(); err != nil {
				errs = append(errs, err)
				break
			}
			v, err := p.Fetch(ctx)
			if err == nil {
				return v, nil
			}
			errs = append(errs, err)
		}
		return Version{}, &Error{Source: "chain", Err: errors.Join(errs...)}
	})
}

// ReadLimited reads all of r, failing with ErrTooLarge when r holds more
// than max bytes (DefaultMaxSize when max <= 0).
func ReadLimited(r io.Reader, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxSize
	}
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w (%d bytes)", ErrTooLarge, max)
	}
	return b, nil
}

// JSONField parses data as a JSON object and returns the string value of its
// top-level member field. Its errors describe the problem (not JSON, not an
// object, field missing, field not a string) by position, type and count
// only: besides field, the caller's own name, an error may carry a byte
// offset, a JSON type name and the number of members the object has. Unlike
// encoding/json's own syntax errors, they never quote a byte of data, member
// names included: a payload is all secret as far as JSONField knows, and a
// name can be as telling as a value.
func JSONField(data []byte, field string) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return "", fmt.Errorf("%w: payload is a JSON %s, not an object", ErrMalformed, typeErr.Value)
		}
		return "", fmt.Errorf("%w: payload is not valid JSON (error at byte %d)", ErrMalformed, dec.InputOffset())
	}
	// dec.More reports false for a stray '}' or ']', so ask for the next
	// token instead: anything but the end of input is trailing data.
	if _, err := dec.Token(); err != io.EOF {
		return "", fmt.Errorf("%w: payload has data after the JSON object", ErrMalformed)
	}
	raw, ok := obj[field]
	if !ok {
		return "", fmt.Errorf("%w: field %q not in the JSON object (it has %d members; names are not shown, as a name may be secret too)", ErrNotFound, field, len(obj))
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%w: field %q is a JSON %s, not a string", ErrMalformed, field, jsonKind(raw))
	}
	return s, nil
}

func jsonKind(raw json.RawMessage) string {
	switch t := bytes.TrimSpace(raw); {
	case len(t) == 0:
		return "nothing"
	case t[0] == '{':
		return "object"
	case t[0] == '[':
		return "array"
	case t[0] == 't' || t[0] == 'f':
		return "bool"
	case t[0] == 'n':
		return "null"
	default:
		return "number"
	}
}
