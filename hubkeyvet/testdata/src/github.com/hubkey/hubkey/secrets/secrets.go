// Package secrets is a stub of github.com/hubkey/hubkey/secrets for the
// analyzer's tests: the analyzer matches it by import path.
package secrets

import "context"

type Secret struct{ v string }

func New(v string) Secret            { return Secret{v} }
func NewBytes(b []byte) Secret       { return Secret{string(b)} }
func (s Secret) Reveal() string      { return s.v }
func (s Secret) Fingerprint() string { return "fp" }
func (s Secret) String() string      { return "[REDACTED]" }

type Version struct {
	Value Secret
	ID    string
}

type Provider interface {
	Fetch(ctx context.Context) (Version, error)
}

type ProviderFunc func(ctx context.Context) (Version, error)

func (f ProviderFunc) Fetch(ctx context.Context) (Version, error) { return f(ctx) }
