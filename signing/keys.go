package signing

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/hubkey/hubkey/secrets"
)

// KeySource is where an HMAC key comes from. *secrets.Cache satisfies it,
// so signing keys live in any secrets provider and rotate like tokens.
// Get must be cheap: it is called for every signature.
type KeySource interface {
	Get(ctx context.Context) (secrets.Version, error)
}

// PreviousKeySource is a KeySource that also keeps the version it last
// replaced, as *secrets.Cache does. A KeySet accepts that previous key
// during a rollover.
type PreviousKeySource interface {
	KeySource
	Previous() (secrets.Version, bool)
}

// MinKeySize is the shortest HMAC key, in bytes, that signers and
// verifiers accept: 128 bits. Use 32 random bytes or more.
const MinKeySize = 16

type staticKey struct{ v secrets.Version }

func (s staticKey) Get(context.Context) (secrets.Version, error) { return s.v, nil }

// StaticKey returns a KeySource that always returns key, for tests and for
// keys that never rotate.
func StaticKey(key secrets.Secret) KeySource {
	return staticKey{secrets.Version{Value: key, ID: "static", Source: "static"}}
}

// Base64Key returns a KeySource whose key is the standard base64 decoding
// (padded or not) of src's value, the way RFC 9421 Appendix B.1.5 publishes
// its test key. It keeps src's Previous when src has one. A value that is
// not base64 is an error naming the version and its source, never the
// value.
func Base64Key(src KeySource) KeySource {
	return &base64Key{src: src}
}

type base64Key struct {
	src  KeySource
	memo atomic.Pointer[decodedKey]
}

type decodedKey struct {
	id, fp string
	v      secrets.Version
}

func (b *base64Key) decode(v secrets.Version) (secrets.Version, error) {
	if m := b.memo.Load(); m != nil && m.id == v.ID && m.fp == v.Value.Fingerprint() {
		return m.v, nil
	}
	s := strings.TrimRight(v.Value.Reveal(), "=")
	raw, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return secrets.Version{}, fmt.Errorf("signing: key version %q from %s is not valid base64", v.ID, v.Source)
	}
	d := v
	d.Value = secrets.NewBytes(raw)
	clear(raw)
	b.memo.Store(&decodedKey{id: v.ID, fp: v.Value.Fingerprint(), v: d})
	return d, nil
}

// Get returns the current version with its value decoded.
func (b *base64Key) Get(ctx context.Context) (secrets.Version, error) {
	v, err := b.src.Get(ctx)
	if err != nil {
		return v, err
	}
	return b.decode(v)
}

// Previous returns the decoded previous version, if src keeps one.
func (b *base64Key) Previous() (secrets.Version, bool) {
	ps, ok := b.src.(PreviousKeySource)
	if !ok {
		return secrets.Version{}, false
	}
	p, ok := ps.Previous()
	if !ok {
		return p, false
	}
	d, err := b.decode(p)
	if err != nil {
		return secrets.Version{}, false
	}
	return d, true
}

// checkKey returns an error when v cannot be an HMAC key. It names the
// version and where it lives, never the value.
func checkKey(v secrets.Version) error {
	if v.Value.IsZero() {
		return fmt.Errorf("signing: key version %q from %s is empty", v.ID, v.Source)
	}
	if v.Value.Len() < MinKeySize {
		return fmt.Errorf("signing: key version %q from %s is %d bytes; hmac-sha256 keys must be at least %d", v.ID, v.Source, v.Value.Len(), MinKeySize)
	}
	return nil
}

// maxKeyIDLen bounds a key ID: it is read from the network and logged.
const maxKeyIDLen = 256

func validKeyID(id string) error {
	if id == "" {
		return errors.New("signing: a key ID must not be empty")
	}
	if len(id) > maxKeyIDLen {
		return fmt.Errorf("signing: a key ID must be at most %d bytes, got %d", maxKeyIDLen, len(id))
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7e {
			return fmt.Errorf("signing: key ID %q has a character outside printable ASCII", id)
		}
	}
	return nil
}
