package hubspot

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"

	"github.com/hubkey/hubkey/internal/credhttp"
	"github.com/hubkey/hubkey/internal/endpoints"
)

// EveryScope, given as a credential's scope, says that the credential holds
// every scope: it can make any call, including calls the operation
// catalogue does not know. WithToken's credential holds EveryScope.
const EveryScope = "*"

// ErrNoCredential is matched (with errors.Is) by the error a call gets when
// none of the configured credentials may make it. Such a call is never
// sent. The error is a *ScopeError.
var ErrNoCredential = errors.New("hubspot: no configured credential can make this call")

// Credential is a token source and the HubSpot scopes its token was
// granted (for a private app, the scopes ticked in its settings).
type Credential struct {
	// Name identifies the credential in logs and errors ("reader",
	// "writer"): 1 to 64 letters, digits, '.', '_', ':' or '-'.
	Name string
	// Source provides the token. Required.
	Source TokenSource
	// Scopes are the scopes the token holds, as HubSpot spells them
	// ("crm.objects.contacts.read"), or EveryScope. At least one.
	Scopes []string
}

// Credentials is a set of credentials with the scopes each holds. It sends
// each call with the least-privileged credential that may make it: of the
// credentials whose scopes cover the call, the one holding the fewest
// scopes, ties going to the one configured first. A credential holding
// EveryScope counts as the most privileged.
//
// What a call needs comes from hubkey's catalogue of HubSpot operations,
// which gives each operation's scopes as groups: a credential covers the
// call when it holds, for every group, at least one of the group's scopes
// (HubSpot accepts any one of them). Linking a contact to a deal needs a
// contacts scope and a deals scope; reading products needs
// crm.objects.products.read or e-commerce.
//
// A call the catalogue does not know (an endpoint this package does not
// cover), or whose scopes it cannot name (an object type it does not know
// the scopes of, such as notes), goes to the fallback credential when one
// is named (NewCredentials' fallback), else to the first credential holding
// EveryScope; with neither it is refused. The catalogue cannot say what
// such a call needs, and sending it with a guess would either fail at
// HubSpot or quietly use more privilege than the call needs; an explicit
// fallback makes that choice visible.
//
// A call no credential may make fails before it is sent with a *ScopeError
// naming the missing scopes. Credentials is immutable and safe for
// concurrent use; give it to a Transport.
type Credentials struct {
	creds    []routed // in privilege order: fewest scopes first
	fallback int      // index in creds for unknown calls; -1: refuse
}

type routed struct {
	Credential
	set   map[string]bool
	every bool
	order int
}

// NewCredentials checks creds and returns the set that routes between them.
// Names must be unique, and every credential needs a Source and at least
// one scope. fallback names the credential, one of creds, for calls the
// operation catalogue does not know; with "", such calls go to the first
// credential holding EveryScope, or are refused when there is none.
func NewCredentials(creds []Credential, fallback string) (*Credentials, error) {
	if len(creds) == 0 {
		return nil, errors.New("hubspot: NewCredentials: no credentials")
	}
	cs := &Credentials{fallback: -1}
	seen := make(map[string]bool, len(creds))
	for i, c := range creds {
		if err := checkCredentialName(c.Name); err != nil {
			return nil, err
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("hubspot: credential %q is configured twice", c.Name)
		}
		seen[c.Name] = true
		if c.Source == nil {
			return nil, fmt.Errorf("hubspot: credential %q has no token source", c.Name)
		}
		if len(c.Scopes) == 0 {
			return nil, fmt.Errorf("hubspot: credential %q lists no scopes: list the scopes its token holds, or hubspot.EveryScope", c.Name)
		}
		r := routed{set: make(map[string]bool, len(c.Scopes)), order: i}
		r.Name, r.Source = c.Name, c.Source
		for _, s := range c.Scopes {
			if s == "" || strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
				return nil, fmt.Errorf("hubspot: credential %q has scope %q, which is empty or contains white space or a control character", c.Name, s)
			}
			if s == EveryScope {
				r.every = true
			}
			if !r.set[s] {
				r.set[s] = true
				r.Scopes = append(r.Scopes, s)
			}
		}
		cs.creds = append(cs.creds, r)
	}
	slices.SortStableFunc(cs.creds, func(a, b routed) int {
		switch {
		case a.every != b.every:
			if a.every {
				return 1
			}
			return -1
		case !a.every && len(a.set) != len(b.set):
			return len(a.set) - len(b.set)
		}
		return a.order - b.order
	})
	if fallback != "" {
		i := slices.IndexFunc(cs.creds, func(r routed) bool { return r.Name == fallback })
		if i < 0 {
			return nil, fmt.Errorf("hubspot: fallback credential %q is not configured", fallback)
		}
		cs.fallback = i
	} else {
		cs.fallback = slices.IndexFunc(cs.creds, func(r routed) bool { return r.every })
	}
	return cs, nil
}

func checkCredentialName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("hubspot: credential name %q must be 1 to 64 characters", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == ':' || r == '-') {
			return fmt.Errorf("hubspot: credential name %q may hold only letters, digits, '.', '_', ':' and '-'", name)
		}
	}
	return nil
}

// For returns the credential a call to method and path (escaped, as in
// URL.EscapedPath, relative to the API root, such as
// "/crm/v3/objects/contacts/1"; a query string is ignored) is sent with,
// or a *ScopeError when no credential may make it.
func (cs *Credentials) For(method, path string) (Credential, error) {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	oc := matchCall(method, path, "")
	r, err := cs.pick(&oc)
	if err != nil {
		return Credential{}, err
	}
	return r.public(), nil
}

func (r *routed) public() Credential {
	return Credential{Name: r.Name, Source: r.Source, Scopes: slices.Clone(r.Scopes)}
}

// pick returns the credential for oc.
func (cs *Credentials) pick(oc *opCall) (*routed, error) {
	if len(cs.creds) == 1 && cs.creds[0].every {
		return &cs.creds[0], nil // one credential that can do anything: no lookup
	}
	var required endpoints.Requirement
	known := oc.op != nil
	if known {
		var err error
		if required, err = oc.op.AllowedScopes(oc.params); err != nil {
			known = false // an object type whose scopes the catalogue does not know
		}
	}
	if !known {
		if cs.fallback >= 0 {
			return &cs.creds[cs.fallback], nil
		}
		return nil, &ScopeError{Method: oc.method, Path: credhttp.RedactPath(oc.path), Unlisted: true}
	}
	var closest *routed
	var closestMissing endpoints.Requirement
	for i := range cs.creds {
		r := &cs.creds[i]
		if r.every {
			return r, nil
		}
		missing := r.missing(required)
		if len(missing) == 0 {
			return r, nil
		}
		if closest == nil || len(missing) < len(closestMissing) {
			closest, closestMissing = r, missing
		}
	}
	e := &ScopeError{Method: oc.method, Path: credhttp.RedactPath(oc.path), Required: required, Missing: closestMissing, Closest: closest.Name}
	for _, g := range closestMissing {
		if !cs.anyHolds(g) {
			e.Unheld = append(e.Unheld, g)
		}
	}
	return nil, e
}

// missing returns the groups of req that r holds no scope of.
func (r *routed) missing(req endpoints.Requirement) endpoints.Requirement {
	var out endpoints.Requirement
	for _, g := range req {
		if !r.holdsAny(g) {
			out = append(out, g)
		}
	}
	return out
}

func (r *routed) holdsAny(group []string) bool {
	for _, s := range group {
		if r.set[s] {
			return true
		}
	}
	return false
}

// anyHolds reports whether some credential holds a scope of group.
func (cs *Credentials) anyHolds(group []string) bool {
	for i := range cs.creds {
		if cs.creds[i].holdsAny(group) {
			return true
		}
	}
	return false
}

// ScopeError is the error of a call that none of the configured
// credentials may make; the call was not sent. It matches ErrNoCredential,
// and also ErrForbidden when the operation catalogue knows the call (the
// call needs a scope that no credential holds, as HubSpot's 403
// MISSING_SCOPES would say). It names scopes and credential names, never a
// token.
//
// Scopes come in groups: the call needs a scope of every group, and any
// one scope of a group will do.
type ScopeError struct {
	// Method and Path identify the call; Path has no query string, and a
	// token in an OAuth token-introspection path is redacted.
	Method, Path string
	// Required lists the groups of scopes the call needs, from the
	// catalogue.
	Required [][]string
	// Missing lists the groups of Required that Closest, the credential
	// lacking the fewest of them (ties: the least privileged), holds no
	// scope of.
	Missing [][]string
	Closest string
	// Unheld lists the groups of Missing that no credential holds a scope
	// of: add one of a group's scopes to a credential (a private app) to
	// make the call possible. Empty when each group is covered by some
	// credential but none covers all.
	Unheld [][]string
	// Unlisted reports that the catalogue does not know the call, or the
	// scopes of its object type, and no fallback credential (nor one
	// holding EveryScope) is configured.
	Unlisted bool
}

func (e *ScopeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hubspot: %s %s: ", e.Method, e.Path)
	switch {
	case e.Unlisted:
		b.WriteString("the operation catalogue does not know this call or its scopes, and no fallback credential is configured (name one with WithFallbackCredential or NewCredentials' fallback, or give a credential hubspot.EveryScope); not sent")
	case len(e.Unheld) > 0:
		fmt.Fprintf(&b, "needs scope %s, which no configured credential holds; not sent", scopeGroups(e.Unheld))
	default:
		fmt.Fprintf(&b, "needs scopes %s together, and no single credential holds them all (%q lacks %s); not sent",
			scopeGroups(e.Required), e.Closest, scopeGroups(e.Missing))
	}
	return b.String()
}

// scopeGroups writes groups as "a, b or c": groups apart by commas, the
// alternatives of a group by "or".
func scopeGroups(groups [][]string) string {
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = strings.Join(g, " or ")
	}
	return strings.Join(parts, ", ")
}

// Is matches ErrNoCredential, and ErrForbidden unless the call is unlisted.
func (e *ScopeError) Is(target error) bool {
	return target == ErrNoCredential || (target == ErrForbidden && !e.Unlisted)
}

// source returns the token source for oc and the name of its credential
// ("" for a Transport with a single Source).
func (t *Transport) source(oc *opCall) (TokenSource, string, error) {
	switch {
	case t.Credentials != nil && t.Source != nil:
		return nil, "", errors.New("hubspot: Transport has both Source and Credentials; set one")
	case t.Credentials != nil:
		r, err := t.Credentials.pick(oc)
		if err != nil {
			return nil, "", err
		}
		return r.Source, r.Name, nil
	case t.Source != nil:
		return t.Source, "", nil
	}
	return nil, "", fmt.Errorf("hubspot: %s %s takes a bearer token, and the Transport has no Source or Credentials", oc.method, credhttp.RedactPath(oc.path))
}

// credentialSpec is one WithToken or WithCredential option.
type credentialSpec struct {
	name   string
	src    TokenSource
	scopes []string
}

func checkTokenSource(what string, src TokenSource) error {
	if src == nil || isNilPointer(src) {
		return fmt.Errorf("hubspot: %s(nil): a token source is required", what)
	}
	return nil
}

// isNilPointer reports whether v is a typed nil pointer, such as a
// (*secrets.Cache)(nil) that a failed NewCache left behind.
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// WithCredential adds a credential: a token source (a TokenSource,
// normally a *secrets.Cache, which the Client does not close) and the
// scopes its token holds, or
// EveryScope. Give it once per token (say, a read-only private app and a
// writing one); each call is then sent with the least-privileged
// credential that may make it, and a call none may make fails before it is
// sent with a *ScopeError (see Credentials). Each credential has its own
// cache and its own client-side rate limiter.
func WithCredential(name string, src TokenSource, scopes ...string) Option {
	return func(o *options) error {
		if err := checkTokenSource(fmt.Sprintf("WithCredential(%q)", name), src); err != nil {
			return err
		}
		o.creds = append(o.creds, credentialSpec{name: name, src: src, scopes: slices.Clone(scopes)})
		return nil
	}
}

// WithFallbackCredential names the credential for calls the operation
// catalogue does not know, such as endpoints this package does not cover yet called
// through Client.HTTPClient. Without it, such calls go to a credential
// holding EveryScope (WithToken's), or are refused with a *ScopeError when
// there is none.
func WithFallbackCredential(name string) Option {
	return func(o *options) error {
		if name == "" {
			return errors.New("hubspot: WithFallbackCredential(\"\"): name a configured credential")
		}
		o.fallback = name
		return nil
	}
}

// buildCredentials builds the routing set.
func buildCredentials(o options) (*Credentials, error) {
	if len(o.creds) == 0 {
		return nil, nil // only a developer key
	}
	creds := make([]Credential, 0, len(o.creds))
	for _, sp := range o.creds {
		creds = append(creds, Credential{Name: sp.name, Source: sp.src, Scopes: sp.scopes})
	}
	return NewCredentials(creds, o.fallback)
}

// basePath returns the escaped path of a base URL checkBaseURL accepted.
func basePath(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.EscapedPath(), "/")
}

// Credentials returns the credentials the Client routes calls between,
// for asking which one a call would use (Credentials().For); nil for a
// Client that has only a developer key.
func (c *Client) Credentials() *Credentials { return c.creds }
