package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/hashicorp/vault/api"

	"github.com/hubkey/hubkey/secrets"
)

// Option configures a [KV2] or [KV1] provider.
type Option func(*kvOptions) error

type kvOptions struct {
	field     string
	version   int
	maxSize   int64
	metaCheck bool
	setVer    bool
	setMeta   bool
}

// WithField selects the field of the secret that holds the credential, as
// in `vault kv get -field=token`. Without it the secret must have exactly
// one field, which is used.
func WithField(name string) Option {
	return func(o *kvOptions) error {
		if name == "" {
			return errors.New("vault: WithField needs a field name, got an empty one")
		}
		o.field = name
		return nil
	}
}

// WithVersion pins a KV v2 provider to version n (>= 1) of the secret
// instead of the current one; FetchPrevious then returns version n-1.
func WithVersion(n int) Option {
	return func(o *kvOptions) error {
		if n < 1 {
			return fmt.Errorf("vault: WithVersion needs a version >= 1, got %d", n)
		}
		o.version, o.setVer = n, true
		return nil
	}
}

// WithMaxSize sets the largest value accepted, in bytes (default
// secrets.DefaultMaxSize). A larger value fails with secrets.ErrTooLarge.
// Whatever the limit, no response over 2 MiB is read.
func WithMaxSize(n int64) Option {
	return func(o *kvOptions) error {
		if n <= 0 {
			return fmt.Errorf("vault: WithMaxSize needs a size > 0, got %d", n)
		}
		o.maxSize = n
		return nil
	}
}

// WithMetadataCheck turns on (or off: the default) the metadata-first
// change check of [KV2.Fetch]: once a version has been read, each Fetch
// reads only MOUNT/metadata/PATH and reads the data again only when
// metadata.current_version moved. KV v2 versions are immutable, so the same
// number means the same value.
//
// It is off by default because it is not cheaper where it was measured
// (Vault 1.21 dev server on loopback, a secret with 10 versions, 2 cores):
// an unchanged poll took 0.30 ms and 2.7 KB of response with the check, and
// 0.26 ms and 0.46 KB without (BenchmarkKV2Poll). The metadata response
// lists every kept version, so it outgrows the data of a small secret, and
// a changed secret costs two round trips instead of one. Turn it on when
// the secret value should not cross the network at every poll, or when
// storage reads are what is expensive (the check saves Vault one of its two
// storage reads). It needs the "read" capability on MOUNT/metadata/PATH;
// when the token's policies refuse it, Fetch falls back to reading the
// data, once and for all.
func WithMetadataCheck(on bool) Option {
	return func(o *kvOptions) error {
		o.metaCheck, o.setMeta = on, true
		return nil
	}
}

func applyKVOptions(kv1 bool, opts []Option) (kvOptions, error) {
	o := kvOptions{maxSize: secrets.DefaultMaxSize}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	if kv1 && o.setVer {
		return o, errors.New("vault: WithVersion applies to KV v2 only: KV v1 keeps no versions")
	}
	if kv1 && o.setMeta {
		return o, errors.New("vault: WithMetadataCheck applies to KV v2 only: KV v1 has no metadata")
	}
	return o, nil
}

// checkPath rejects a mount or secret path that would not address what it
// seems to: empty, with empty or dot segments, or with characters that
// would end or escape the URL path.
func checkPath(what, p string) error {
	if p == "" {
		return fmt.Errorf("vault: %s is empty", what)
	}
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "":
			return fmt.Errorf("vault: %s %q has an empty segment", what, p)
		case ".", "..":
			return fmt.Errorf("vault: %s %q has a %q segment", what, p, seg)
		}
	}
	if i := strings.IndexFunc(p, func(r rune) bool { return r == '?' || r == '#' || r == '%' || unicode.IsControl(r) }); i >= 0 {
		return fmt.Errorf("vault: %s %q has a character not allowed in a Vault path at byte %d", what, p, i)
	}
	return nil
}

// kv is what KV1 and KV2 share: where the secret is and how to read its
// field.
type kv struct {
	s       *Session
	mount   string
	path    string
	field   string
	maxSize int64
	source  string
	now     func() time.Time
}

func newKV(s *Session, mount, path string, o kvOptions) (kv, error) {
	if s == nil {
		return kv{}, errors.New("vault: a KV provider needs a *Session, got nil")
	}
	mount, path = strings.Trim(mount, "/"), strings.Trim(path, "/")
	if err := checkPath("KV mount path", mount); err != nil {
		return kv{}, err
	}
	if err := checkPath("secret path", path); err != nil {
		return kv{}, err
	}
	src := "vault:" + mount + "/" + path
	if o.field != "" {
		src += "#" + o.field
	}
	if o.version > 0 {
		src += "@v" + strconv.Itoa(o.version)
	}
	return kv{s: s, mount: mount, path: path, field: o.field, maxSize: o.maxSize, source: src, now: time.Now}, nil
}

func (k *kv) err(err error) error { return &secrets.Error{Source: k.source, Err: err} }

// get reads apiPath with query and returns the body of a 2xx response, or
// for a 404 the body too (KV v2 describes deleted versions in it) with
// found false. Other failures are errors that name apiPath, with what Vault
// said scrubbed of the token.
func (k *kv) get(ctx context.Context, apiPath string, query map[string][]string) (body []byte, found bool, err error) {
	resp, sent, err := k.s.call(ctx, func(c *api.Client) (*api.Response, error) {
		return c.Logical().ReadRawWithDataWithContext(ctx, apiPath, query)
	})
	defer closeBody(resp)
	if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
		if errors.Is(err, ErrLogin) || errors.Is(err, ErrClosed) {
			return nil, false, err
		}
		return nil, false, requestError(ctx, apiPath, resp, err, sent...)
	}
	if resp.StatusCode/100 == 3 {
		// A redirect api did not follow (a second one in a row): api
		// returns it as a success, with no body to decode.
		return nil, false, requestError(ctx, apiPath, resp, nil)
	}
	body, rerr := secrets.ReadLimited(resp.Body, maxResponseSize)
	if rerr != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, false, cerr
		}
		// A transport's read error quotes no request, but what it says
		// passes the same scrub as every other error of the call.
		return nil, false, fmt.Errorf("reading the response for %s: %w", apiPath, scrubErr(rerr, sent...))
	}
	if resp.StatusCode == http.StatusNotFound {
		msg := vaultMessages(err, sent...)
		var w struct {
			Warnings []string `json:"warnings"`
		}
		if json.Unmarshal(body, &w) == nil && len(w.Warnings) > 0 {
			// "Invalid path for a versioned K/V secrets engine", say.
			msg = strings.TrimPrefix(strings.Join(append([]string{msg}, w.Warnings...), "; "), "; ")
			msg = clip(scrub(msg, sent...), 300)
		}
		if msg != "" {
			return body, false, fmt.Errorf("%w: nothing at %s (vault said %q)", secrets.ErrNotFound, apiPath, msg)
		}
		return body, false, fmt.Errorf("%w: nothing at %s", secrets.ErrNotFound, apiPath)
	}
	return body, true, nil
}

// pick selects the configured field (or the only one) of a KV data object
// and checks its size. Errors name the field that was asked for and count
// the others, but never quote a member name of the data (a name can be
// sensitive too) or a value.
func (k *kv) pick(data map[string]json.RawMessage) (secrets.Secret, error) {
	name, what := k.field, fmt.Sprintf("field %q", k.field)
	if name == "" {
		if len(data) != 1 {
			return secrets.Secret{}, fmt.Errorf("%w: the secret has %s; choose one with WithField", secrets.ErrMalformed, countFields(len(data)))
		}
		for n := range data {
			name = n
		}
		what = "the secret's only field"
	}
	raw, ok := data[name]
	if !ok {
		return secrets.Secret{}, fmt.Errorf("%w: %s is not in the secret, which has %s", secrets.ErrNotFound, what, countFields(len(data)))
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return secrets.Secret{}, fmt.Errorf("%w: %s is a JSON %s, not a string", secrets.ErrMalformed, what, jsonKind(raw))
	}
	if int64(len(v)) > k.maxSize {
		return secrets.Secret{}, fmt.Errorf("%w: %s holds %d bytes, over the limit of %d", secrets.ErrTooLarge, what, len(v), k.maxSize)
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return secrets.Secret{}, fmt.Errorf("%w: %s is empty", secrets.ErrEmpty, what)
	}
	return secrets.New(v), nil
}

func countFields(n int) string {
	switch n {
	case 0:
		return "no fields"
	case 1:
		return "1 field"
	}
	return strconv.Itoa(n) + " fields"
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

// decode parses a Vault response body into out. Its error says only that
// the body is not what Vault sends: encoding/json's own errors can quote
// bytes of the body, which holds the secret.
func decode(body []byte, out any, what string) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%w: the response for %s is not the JSON Vault sends (error at byte %d)", secrets.ErrMalformed, what, dec.InputOffset())
	}
	return nil
}

// KV2 reads one field of a secret in a KV version 2 secrets engine. It is
// safe for concurrent use.
type KV2 struct {
	kv
	version   int
	metaCheck bool

	last       atomic.Pointer[secrets.Version] // last current version read, for the metadata check
	metaDenied atomic.Bool                     // the token may not read metadata: stop trying
}

// NewKV2 returns a provider for the secret at path in the KV v2 engine
// mounted at mount (as in `vault kv get -mount=MOUNT PATH`; the API paths
// are MOUNT/data/PATH and MOUNT/metadata/PATH). It does no I/O.
func NewKV2(s *Session, mount, path string, opts ...Option) (*KV2, error) {
	o, err := applyKVOptions(false, opts)
	if err != nil {
		return nil, err
	}
	k, err := newKV(s, mount, path, o)
	if err != nil {
		return nil, err
	}
	return &KV2{kv: k, version: o.version, metaCheck: o.metaCheck}, nil
}

// Source returns "vault:MOUNT/PATH", with "#FIELD" when a field is chosen
// and "@vN" when a version is pinned.
func (p *KV2) Source() string { return p.source }

func (p *KV2) dataPath() string { return p.mount + "/data/" + p.path }
func (p *KV2) metaPath() string { return p.mount + "/metadata/" + p.path }

// Fetch returns the current version of the secret (or the pinned one),
// with the KV version number as ID. It reads MOUNT/data/PATH: one round
// trip. KV v2 secrets carry no lease, so a Cache detects rotation by
// polling Fetch (secrets.WithRefreshInterval) and seeing the version
// number change; see WithMetadataCheck for polling on metadata instead.
func (p *KV2) Fetch(ctx context.Context) (secrets.Version, error) {
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, p.err(err)
	}
	if p.version > 0 {
		return p.FetchVersion(ctx, p.version)
	}
	if last := p.last.Load(); last != nil && p.metaCheck && !p.metaDenied.Load() {
		v, ok, err := p.unchanged(ctx, last)
		if err != nil {
			return secrets.Version{}, p.err(err)
		}
		if ok {
			return v, nil
		}
	}
	v, err := p.read(ctx, 0)
	if err != nil {
		return secrets.Version{}, p.err(err)
	}
	p.last.Store(&v)
	return v, nil
}

// unchanged reads the metadata and reports whether last is still the
// current version; if so it returns last with a new FetchedAt.
func (p *KV2) unchanged(ctx context.Context, last *secrets.Version) (secrets.Version, bool, error) {
	md, err := p.metadata(ctx)
	if errors.Is(err, secrets.ErrPermission) && !errors.Is(err, ErrLogin) {
		p.metaDenied.Store(true)
		p.s.logger.Info("vault: the token may not read KV metadata; reading the data at every fetch instead",
			slog.String("source", p.source), slog.String("path", p.metaPath()))
		return secrets.Version{}, false, nil
	}
	if err != nil {
		return secrets.Version{}, false, err
	}
	if strconv.Itoa(md.CurrentVersion) != last.ID {
		return secrets.Version{}, false, nil
	}
	if err := md.Versions[last.ID].check(md.CurrentVersion); err != nil {
		return secrets.Version{}, false, err
	}
	v := *last
	v.FetchedAt = p.now()
	return v, true, nil
}

// FetchPrevious returns the version before the current one (before the
// pinned one, with WithVersion), for fallback while a rotation settles. It
// fails with secrets.ErrNotFound when there is none (version 1, or no longer
// kept under max_versions) and also with ErrVersionDeleted or
// ErrVersionDestroyed when that version's data is gone.
func (p *KV2) FetchPrevious(ctx context.Context) (secrets.Version, error) {
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, p.err(err)
	}
	n := p.version
	if n == 0 {
		cur, err := p.currentVersion(ctx)
		if err != nil {
			return secrets.Version{}, p.err(err)
		}
		n = cur
	}
	if n <= 1 {
		return secrets.Version{}, p.err(fmt.Errorf("%w: version %d is the first; there is no previous version", secrets.ErrNotFound, n))
	}
	return p.FetchVersion(ctx, n-1)
}

// currentVersion returns metadata.current_version, from the metadata when
// the token may read it, else from a read of the current data.
func (p *KV2) currentVersion(ctx context.Context) (int, error) {
	if !p.metaDenied.Load() {
		md, err := p.metadata(ctx)
		switch {
		case err == nil:
			if md.CurrentVersion == 0 {
				return 0, fmt.Errorf("%w: no versions at %s", secrets.ErrNotFound, p.metaPath())
			}
			return md.CurrentVersion, nil
		case errors.Is(err, secrets.ErrPermission) && !errors.Is(err, ErrLogin):
			p.metaDenied.Store(true)
		default:
			return 0, err
		}
	}
	var env kv2Response
	body, found, err := p.get(ctx, p.dataPath(), nil)
	if !found && body != nil {
		// The current version is deleted or destroyed: its number is still
		// in the 404's metadata, and the previous one may be readable.
		if derr := decode(body, &env, p.dataPath()); derr == nil && env.Data.Metadata.Version > 0 {
			return env.Data.Metadata.Version, nil
		}
	}
	if err != nil {
		return 0, err
	}
	if err := decode(body, &env, p.dataPath()); err != nil {
		return 0, err
	}
	return env.Data.Metadata.Version, nil
}

// FetchVersion returns version n of the secret, whatever the provider is
// pinned to.
func (p *KV2) FetchVersion(ctx context.Context, n int) (secrets.Version, error) {
	if n < 1 {
		return secrets.Version{}, p.err(fmt.Errorf("version must be >= 1, got %d", n))
	}
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, p.err(err)
	}
	v, err := p.read(ctx, n)
	if err != nil {
		return secrets.Version{}, p.err(err)
	}
	return v, nil
}

type kv2Response struct {
	Data struct {
		Data     map[string]json.RawMessage `json:"data"`
		Metadata kv2VersionMeta             `json:"metadata"`
	} `json:"data"`
}

type kv2VersionMeta struct {
	Version      int    `json:"version"`
	DeletionTime string `json:"deletion_time"`
	Destroyed    bool   `json:"destroyed"`
}

// check fails when the version holds no data.
func (m kv2VersionMeta) check(n int) error {
	switch {
	case m.Destroyed:
		return fmt.Errorf("%w: %w: version %d", secrets.ErrNotFound, ErrVersionDestroyed, n)
	case m.DeletionTime != "":
		// A future deletion_time is a scheduled delete (delete_version_after).
		// The field comes from the server: only a parsed time is printed.
		t, err := time.Parse(time.RFC3339Nano, m.DeletionTime)
		if err != nil {
			return fmt.Errorf("%w: %w: version %d was deleted (deletion_time is not an RFC 3339 time)", secrets.ErrNotFound, ErrVersionDeleted, n)
		}
		if !t.After(time.Now()) {
			return fmt.Errorf("%w: %w: version %d was deleted at %s", secrets.ErrNotFound, ErrVersionDeleted, n, t.Format(time.RFC3339Nano))
		}
	}
	return nil
}

// read reads version n (0: the current one) of the data.
func (p *KV2) read(ctx context.Context, n int) (secrets.Version, error) {
	var query map[string][]string
	if n > 0 {
		query = map[string][]string{"version": {strconv.Itoa(n)}}
	}
	path := p.dataPath()
	body, found, err := p.get(ctx, path, query)
	var env kv2Response
	if !found && body != nil {
		// A 404 with metadata is a version that exists without data.
		if derr := decode(body, &env, path); derr == nil && env.Data.Metadata.Version > 0 {
			if merr := env.Data.Metadata.check(env.Data.Metadata.Version); merr != nil {
				return secrets.Version{}, merr
			}
		}
	}
	if err != nil {
		return secrets.Version{}, err
	}
	if err := decode(body, &env, path); err != nil {
		return secrets.Version{}, err
	}
	md := env.Data.Metadata
	if md.Version < 1 {
		return secrets.Version{}, fmt.Errorf("%w: the response for %s has no metadata.version; is %s a KV v1 mount?", secrets.ErrMalformed, path, p.mount)
	}
	if err := md.check(md.Version); err != nil {
		return secrets.Version{}, err
	}
	if env.Data.Data == nil {
		return secrets.Version{}, fmt.Errorf("%w: version %d at %s has no data", secrets.ErrNotFound, md.Version, path)
	}
	s, err := p.pick(env.Data.Data)
	if err != nil {
		return secrets.Version{}, fmt.Errorf("version %d: %w", md.Version, err)
	}
	return secrets.Version{Value: s, ID: strconv.Itoa(md.Version), Source: p.source, FetchedAt: p.now()}, nil
}

type kv2Metadata struct {
	CurrentVersion int                       `json:"current_version"`
	Versions       map[string]kv2VersionMeta `json:"versions"`
}

func (p *KV2) metadata(ctx context.Context) (kv2Metadata, error) {
	path := p.metaPath()
	body, _, err := p.get(ctx, path, nil)
	if err != nil {
		return kv2Metadata{}, err
	}
	var env struct {
		Data kv2Metadata `json:"data"`
	}
	if err := decode(body, &env, path); err != nil {
		return kv2Metadata{}, err
	}
	return env.Data, nil
}

// KV1 reads one field of a secret in a KV version 1 secrets engine. KV v1
// keeps no versions, so its version ID is the value's fingerprint and it has
// no FetchPrevious. It is safe for concurrent use.
type KV1 struct {
	kv
}

// NewKV1 returns a provider for the secret at path in the KV v1 engine
// mounted at mount (API path MOUNT/PATH). It does no I/O.
func NewKV1(s *Session, mount, path string, opts ...Option) (*KV1, error) {
	o, err := applyKVOptions(true, opts)
	if err != nil {
		return nil, err
	}
	k, err := newKV(s, mount, path, o)
	if err != nil {
		return nil, err
	}
	return &KV1{kv: k}, nil
}

// Source returns "vault:MOUNT/PATH", with "#FIELD" when a field is chosen.
func (p *KV1) Source() string { return p.source }

// Fetch reads the secret and returns the chosen field, with its
// fingerprint as version ID.
func (p *KV1) Fetch(ctx context.Context) (secrets.Version, error) {
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, p.err(err)
	}
	path := p.mount + "/" + p.path
	body, _, err := p.get(ctx, path, nil)
	if err != nil {
		return secrets.Version{}, p.err(err)
	}
	var env struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	if err := decode(body, &env, path); err != nil {
		return secrets.Version{}, p.err(err)
	}
	if env.Data == nil {
		return secrets.Version{}, p.err(fmt.Errorf("%w: the response for %s has no data", secrets.ErrNotFound, path))
	}
	s, err := p.pick(env.Data)
	if err != nil {
		return secrets.Version{}, p.err(err)
	}
	return secrets.Version{Value: s, ID: s.Fingerprint(), Source: p.source, FetchedAt: p.now()}, nil
}

var (
	_ secrets.Provider        = (*KV2)(nil)
	_ secrets.PreviousFetcher = (*KV2)(nil)
	_ secrets.Provider        = (*KV1)(nil)
)
