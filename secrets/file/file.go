// Package file reads a credential from a mounted file at every Fetch:
// Kubernetes secret volumes (which swap a "..data" symlink atomically), and
// the sink files Vault Agent and Conjur's secrets provider rewrite.
package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/hubkey/hubkey/secrets"
)

// Provider reads one file, or one string field of a JSON object in it.
type Provider struct {
	path    string
	field   string
	maxSize int64
	now     func() time.Time
}

// Option configures a Provider. An option given a value it cannot use
// makes New fail, naming it.
type Option func(*Provider) error

// WithJSONField selects the string member name of a JSON object in the
// file, as in {"token": "..."}.
func WithJSONField(name string) Option {
	return func(p *Provider) error {
		if name == "" {
			return errors.New(`file: WithJSONField(""): name the member that holds the secret`)
		}
		p.field = name
		return nil
	}
}

// WithMaxSize sets the largest file accepted, in bytes (default
// secrets.DefaultMaxSize).
func WithMaxSize(n int64) Option {
	return func(p *Provider) error {
		if n <= 0 {
			return fmt.Errorf("file: WithMaxSize(%d): the size must be > 0", n)
		}
		p.maxSize = n
		return nil
	}
}

// New returns a Provider for the file at path. The file need not exist yet.
func New(path string, opts ...Option) (*Provider, error) {
	if path == "" {
		return nil, errors.New("file: path is empty")
	}
	p := &Provider{path: path, maxSize: secrets.DefaultMaxSize, now: time.Now}
	for _, o := range opts {
		if err := o(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Source returns "file:PATH", with "#FIELD" when a JSON field is selected.
func (p *Provider) Source() string {
	if p.field != "" {
		return "file:" + p.path + "#" + p.field
	}
	return "file:" + p.path
}

// Fetch reads the file (following symlinks, so an atomic symlink swap is
// seen whole), trims surrounding white space, selects the JSON field if one
// was configured, and returns the value with its fingerprint as version ID.
func (p *Provider) Fetch(ctx context.Context) (secrets.Version, error) {
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, p.err(err)
	}
	f, err := os.Open(p.path)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return secrets.Version{}, p.err(fmt.Errorf("%w: no file at %s", secrets.ErrNotFound, p.path))
		case errors.Is(err, fs.ErrPermission):
			return secrets.Version{}, p.err(fmt.Errorf("%w: cannot open %s", secrets.ErrPermission, p.path))
		}
		return secrets.Version{}, p.err(err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return secrets.Version{}, p.err(fmt.Errorf("%w: %s is a directory", secrets.ErrMalformed, p.path))
	}
	data, err := secrets.ReadLimited(f, p.maxSize)
	if err != nil {
		return secrets.Version{}, p.err(err)
	}
	v := strings.TrimSpace(string(data))
	if v == "" {
		return secrets.Version{}, p.err(fmt.Errorf("%w: %s is empty", secrets.ErrEmpty, p.path))
	}
	if p.field != "" {
		v, err = secrets.JSONField([]byte(v), p.field)
		if err != nil {
			return secrets.Version{}, p.err(err)
		}
		v = strings.TrimSpace(v)
		if v == "" {
			return secrets.Version{}, p.err(fmt.Errorf("%w: field %q is empty", secrets.ErrEmpty, p.field))
		}
	}
	s := secrets.New(v)
	return secrets.Version{Value: s, ID: s.Fingerprint(), Source: p.Source(), FetchedAt: p.now()}, nil
}

func (p *Provider) err(err error) error { return &secrets.Error{Source: p.Source(), Err: err} }

var _ secrets.Provider = (*Provider)(nil)
