package endpoints

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Version is an API version of an operation: Numbered for the paths that
// carry their own number (/crm/v3/..., /crm/v4/..., /oauth/v1/...), or a
// date-based version such as "2026-03" (/crm/objects/2026-03/...).
type Version string

// The versions the catalogue knows.
const (
	// Numbered is the numbered path (v1, v3, v4) of an operation.
	Numbered Version = ""
	// Version202509 is HubSpot's date-based version 2025-09.
	Version202509 Version = "2025-09"
	// Version202603 is HubSpot's date-based version 2026-03.
	Version202603 Version = "2026-03"
	// Version202609 is HubSpot's date-based version 2026-09.
	Version202609 Version = "2026-09"
)

// DatedVersions returns the date-based versions the catalogue knows,
// oldest first.
func DatedVersions() []Version {
	return []Version{Version202509, Version202603, Version202609}
}

// String returns the version's date, or "numbered".
func (v Version) String() string {
	if v == Numbered {
		return "numbered"
	}
	return string(v)
}

// Cred is the kind of credential HubSpot authenticates an operation with.
type Cred uint8

// Credential kinds. The zero Cred is unset; every row names one.
const (
	// Bearer is a private app token or an OAuth access token in an
	// Authorization: Bearer header.
	Bearer Cred = iota + 1
	// DeveloperKey is a developer API key in the hapikey query parameter.
	DeveloperKey
	// NoCred is an operation that carries no app credential of its own,
	// such as the OAuth token endpoints, which authenticate by the client
	// secret or token in the call.
	NoCred
)

// String returns "bearer", "developer-key" or "none".
func (c Cred) String() string {
	switch c {
	case Bearer:
		return "bearer"
	case DeveloperKey:
		return "developer-key"
	case NoCred:
		return "none"
	}
	return "Cred(" + strconv.Itoa(int(c)) + ")"
}

// RateClass says which of HubSpot's rate limits an operation counts
// against.
type RateClass uint8

// Rate classes. The zero RateClass is unset; every row names one.
const (
	// Standard calls count against the app's burst (per ten seconds or
	// per second) and daily limits.
	Standard RateClass = iota + 1
	// Search calls (the CRM search endpoints) have their own limit of a
	// few requests per second per token, and count toward the daily limit.
	Search
	// Unmetered calls carry no app token that a limit could be counted
	// against: the OAuth token endpoints. hubkey's limiters let them pass.
	Unmetered
)

// String returns "standard", "search" or "unmetered".
func (r RateClass) String() string {
	switch r {
	case Standard:
		return "standard"
	case Search:
		return "search"
	case Unmetered:
		return "unmetered"
	}
	return "RateClass(" + strconv.Itoa(int(r)) + ")"
}

// Limits are an operation's documented size limits; zero means HubSpot
// documents none that hubkey relies on.
type Limits struct {
	// Batch is the most inputs one batch request may carry.
	Batch int
	// HistoryBatch, when set, is the most inputs one batch read may carry
	// when it asks for property history (propertiesWithHistory): HubSpot
	// allows fewer then than Batch.
	HistoryBatch int
	// Page is the largest page (the limit parameter) one call returns.
	Page int
	// Total is the most results one query can page through.
	Total int
	// FilterGroups is the most filter groups (ORed) in one search.
	FilterGroups int
	// GroupFilters is the most filters (ANDed) in one filter group.
	GroupFilters int
	// Filters is the most filters in one search, all groups together.
	Filters int
	// Body is the most characters a request body may have.
	Body int
}

// Requirement is what scopes a call needs: every group must be satisfied,
// and a group is satisfied by holding any one of its scopes. An empty
// Requirement is satisfied by any valid credential.
//
// An entry of a group in an Op's Scopes may be a template such as
// "{objectType}:read", which stands for the read scopes (any one of them)
// of the object type in that path parameter; AllowedScopes resolves them.
// The kinds are read, write, schema.read and schema.write (see ObjectType).
type Requirement [][]string

// SatisfiedBy reports whether granted holds a scope of every group.
func (r Requirement) SatisfiedBy(granted []string) bool {
	return len(r.Missing(granted)) == 0
}

// Missing returns the groups of r that granted holds no scope of, in order.
func (r Requirement) Missing(granted []string) Requirement {
	var out Requirement
	for _, g := range r {
		if !slices.ContainsFunc(g, func(s string) bool { return slices.Contains(granted, s) }) {
			out = append(out, g)
		}
	}
	return out
}

// Op is one HubSpot operation: everything hubkey knows about it. Rows are
// shared: a caller must not modify an Op or its slices.
type Op struct {
	// Name is the operation's stable name, such as "crm.objects.get" or
	// "crm.associations.v4.batch.create".
	Name string
	// Method is the HTTP method.
	Method string
	// Path is the numbered path template with net/http.ServeMux-style
	// wildcards, such as "/crm/v3/objects/{objectType}/{objectId}".
	Path string
	// Dated is the date-based path template, with "{version}" where the
	// date goes, such as "/crm/objects/{version}/{objectType}/{objectId}";
	// empty when HubSpot offers none.
	Dated string
	// Versions lists the dated versions that offer the operation, oldest
	// first, as HubSpot's specs say.
	Versions []Version
	// Scopes is what a call needs (see Requirement); its entries may be
	// object type templates. Nil: any valid credential of kind Cred.
	Scopes Requirement
	// Sensitive calls (deletes and archives, merges, GDPR deletes, user
	// provisioning and removal, subscription status changes) are signed
	// by default.
	Sensitive bool
	// Idempotent calls may be sent again after a 5xx or a dropped
	// connection without harm.
	Idempotent bool
	// Rate is the rate limit the call counts against.
	Rate RateClass
	// BurstExempt reports that HubSpot's spec exempts the call from the
	// ten-secondly (burst) limit (x-hubspot-rate-limit-exemptions).
	BurstExempt bool
	// Cred is the kind of credential HubSpot authenticates the call with.
	Cred Cred
	// Limits are the documented size limits of one call.
	Limits Limits
	// Note says where and why the row departs from HubSpot's spec, or
	// which of HubSpot's guides a fact comes from.
	Note string
}

// ErrUnknownObjectType is matched (errors.Is) by the error AllowedScopes
// returns for an object type whose scopes the catalogue does not know.
var ErrUnknownObjectType = errors.New("endpoints: unknown object type")

// Lookup returns the operation named name.
func Lookup(name string) (*Op, bool) {
	i, ok := index().byName[name]
	if !ok {
		return nil, false
	}
	return &ops[i], true
}

// All returns every operation, grouped by API area.
func All() []*Op {
	out := make([]*Op, len(ops))
	for i := range ops {
		out[i] = &ops[i]
	}
	return out
}

// Template returns o's path template for version v, with the date in
// place of "{version}", ready for net/http.ServeMux
// (o.Method + " " + template), and whether o offers version v.
func (o *Op) Template(v Version) (string, bool) {
	if v == Numbered {
		return o.Path, true
	}
	j := slices.Index(o.Versions, v)
	if o.Dated == "" || j < 0 {
		return "", false
	}
	idx := index()
	if i, ok := idx.row(o); ok {
		return idx.routes[i][j], true // made once: no allocation per call
	}
	return strings.Replace(o.Dated, versionParam, string(v), 1), true
}

// Expand builds the escaped path of a call to o in version v from the
// values of its path parameters, which must be exactly the template's.
// Each value is escaped with url.PathEscape, so "/", "?" and "#" cannot
// change the path; values that would change its meaning anyway (empty,
// "." and "..") are refused, as are object types that are not a type name
// (letters, digits, '_' and '-') and app, subscription, association
// type, list, list folder, file and file folder IDs that are not decimal numbers. Errors name the parameter, never
// its value.
func (o *Op) Expand(v Version, params map[string]string) (string, error) {
	t, err := o.compiled(v)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	used := 0
	for _, s := range t.segs {
		b.WriteByte('/')
		switch s.kind {
		case segLiteral:
			b.WriteString(s.text)
		case segVersion:
			b.WriteString(string(v))
		default:
			val, ok := params[s.text]
			if !ok {
				return "", fmt.Errorf("endpoints: %s: no value for path parameter %s", o.Name, s.text)
			}
			if err := checkParam(o.Name, s, val); err != nil {
				return "", err
			}
			used++
			b.WriteString(url.PathEscape(val))
		}
	}
	if used != len(params) {
		for name := range params {
			if !slices.ContainsFunc(t.segs, func(s segment) bool { return s.kind >= segParam && s.text == name }) {
				return "", fmt.Errorf("endpoints: %s has no path parameter %s", o.Name, name)
			}
		}
	}
	return b.String(), nil
}

// AllowedScopes resolves o's Scopes for a call whose path parameters are
// params (as Match returns them): object type templates become the
// concrete scopes of the object types named. Groups that resolve to the
// same scopes (an association between two records of one type) are merged.
// It fails, matching ErrUnknownObjectType, when an object type's scopes
// are not known; the caller must then treat the call as needing a scope
// it cannot name.
func (o *Op) AllowedScopes(params map[string]string) (Requirement, error) {
	if len(o.Scopes) == 0 {
		return Requirement{}, nil
	}
	out := make(Requirement, 0, len(o.Scopes))
	for _, g := range o.Scopes {
		var group []string
		for _, s := range g {
			concrete, err := o.resolve(s, params)
			if err != nil {
				return nil, err
			}
			for _, c := range concrete {
				if !slices.Contains(group, c) {
					group = append(group, c)
				}
			}
		}
		if !slices.ContainsFunc(out, func(h []string) bool { return slices.Equal(h, group) }) {
			out = append(out, group)
		}
	}
	return out, nil
}

// resolve returns the concrete scopes of one Scopes entry.
func (o *Op) resolve(entry string, params map[string]string) ([]string, error) {
	if !strings.HasPrefix(entry, "{") {
		return []string{entry}, nil
	}
	param, kind := splitTemplate(entry)
	val, ok := params[param]
	if !ok {
		return nil, fmt.Errorf("endpoints: %s: no value for path parameter %s", o.Name, param)
	}
	t, ok := LookupObjectType(val)
	if !ok {
		if !isTypeName(val) {
			return nil, fmt.Errorf("%w: %s of %s is not an object type name", ErrUnknownObjectType, param, o.Name)
		}
		return nil, fmt.Errorf("%w %q (in %s of %s): its scopes are not in the catalogue", ErrUnknownObjectType, val, param, o.Name)
	}
	scopes, _ := t.scopesOf(kind)
	return scopes, nil
}

// splitTemplate splits "{param}:kind".
func splitTemplate(s string) (param, kind string) {
	p, k, _ := strings.Cut(s, ":")
	return strings.TrimSuffix(strings.TrimPrefix(p, "{"), "}"), k
}

// Match finds the operation a call with method to escapedPath (a URL's
// EscapedPath, relative to the API root, without a query) is, in any
// version: it returns the row, the version, and the path parameters,
// unescaped. The method is compared without regard to case. Literal segments match after unescaping, as in
// net/http.ServeMux; a parameter matches any segment that Expand would
// accept. A path with an empty segment or a trailing slash matches nothing.
// When several templates match, the one with the most literal segments
// wins (the catalogue's templates never tie: see the tests).
func Match(method, escapedPath string) (*Op, Version, map[string]string, bool) {
	if !strings.HasPrefix(escapedPath, "/") {
		return nil, "", nil, false
	}
	raw := strings.Split(escapedPath[1:], "/")
	segs := make([]string, len(raw))
	for i, r := range raw {
		s, err := url.PathUnescape(r)
		if err != nil || s == "" {
			return nil, "", nil, false
		}
		segs[i] = s
	}
	var (
		best        *template
		bestLiteral = -1
	)
	for _, t := range index().byShape[shapeKey{strings.ToUpper(method), len(segs)}] {
		if n, ok := t.match(segs); ok && n > bestLiteral {
			best, bestLiteral = t, n
		}
	}
	if best == nil {
		return nil, "", nil, false
	}
	params := make(map[string]string, len(best.segs))
	var v Version
	for i, s := range best.segs {
		switch s.kind {
		case segVersion:
			v = Version(segs[i])
		case segParam, segObjectType, segDecimal:
			params[s.text] = segs[i]
		}
	}
	return &ops[best.op], v, params, true
}

const versionParam = "{version}"

type segKind uint8

const (
	segLiteral segKind = iota
	segVersion
	segParam      // any value Expand accepts
	segObjectType // an object type name
	segDecimal    // a decimal ID
)

type segment struct {
	kind segKind
	text string // the literal, or the parameter name
}

// paramKinds gives the parameters whose values are checked for more than
// being a safe segment.
var paramKinds = map[string]segKind{
	"objectType":        segObjectType,
	"fromObjectType":    segObjectType,
	"toObjectType":      segObjectType,
	"appId":             segDecimal,
	"subscriptionId":    segDecimal,
	"associationTypeId": segDecimal,
	"listId":            segDecimal,
	"sourceListId":      segDecimal,
	"folderId":          segDecimal,
	"fileId":            segDecimal,
	"newParentFolderId": segDecimal,
}

type template struct {
	op      int // index into ops
	dated   bool
	segs    []segment
	literal int
}

func (t *template) match(segs []string) (int, bool) {
	for i, s := range t.segs {
		v := segs[i]
		switch s.kind {
		case segLiteral:
			if v != s.text {
				return 0, false
			}
		case segVersion:
			if !slices.Contains(ops[t.op].Versions, Version(v)) {
				return 0, false
			}
		default:
			if checkParam("", s, v) != nil {
				return 0, false
			}
		}
	}
	return t.literal, true
}

// checkParam reports whether val may fill the parameter s.
func checkParam(op string, s segment, val string) error {
	switch {
	case val == "":
		return fmt.Errorf("endpoints: %s: path parameter %s is empty", op, s.text)
	case val == "." || val == "..":
		return fmt.Errorf("endpoints: %s: path parameter %s is %q, which would change the path", op, s.text, val)
	case s.kind == segObjectType && !isTypeName(val):
		return fmt.Errorf("endpoints: %s: path parameter %s is not an object type name (letters, digits, '_' and '-', at most 100)", op, s.text)
	case s.kind == segDecimal && (len(val) > 19 || !allDigits(val)):
		return fmt.Errorf("endpoints: %s: path parameter %s is not a decimal ID", op, s.text)
	}
	return nil
}

// isTypeName reports whether s has the form of an object type: 1 to 100
// ASCII letters, digits, '_' and '-'.
func isTypeName(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// compiled returns o's template for v: the compiled one for a catalogue
// row, else o's own compiled afresh.
func (o *Op) compiled(v Version) (*template, error) {
	if v != Numbered {
		if o.Dated == "" {
			return nil, fmt.Errorf("endpoints: %s has no date-based version", o.Name)
		}
		if !slices.Contains(o.Versions, v) {
			return nil, fmt.Errorf("endpoints: %s is not offered in version %s", o.Name, v)
		}
	}
	idx := index()
	if i, ok := idx.row(o); ok {
		if v == Numbered {
			return idx.numbered[i], nil
		}
		return idx.dated[i], nil
	}
	path := o.Path
	if v != Numbered {
		path = o.Dated
	}
	t, err := compile(path, v != Numbered)
	if err != nil {
		return nil, fmt.Errorf("endpoints: %s: %w", o.Name, err)
	}
	return t, nil
}

type shapeKey struct {
	method string
	n      int
}

type catalogueIndex struct {
	byName   map[string]int
	numbered []*template
	dated    []*template
	// routes holds, per row, its dated template with each of its
	// versions in place, in the order of its Versions: Template's
	// answers, made once.
	routes  [][]string
	byShape map[shapeKey][]*template
	known   []string
}

// index compiles the table once. A malformed row is a programming error
// caught by the tests, so it panics.
var index = sync.OnceValue(func() *catalogueIndex {
	idx := &catalogueIndex{
		byName:   make(map[string]int, len(ops)),
		numbered: make([]*template, len(ops)),
		dated:    make([]*template, len(ops)),
		routes:   make([][]string, len(ops)),
		byShape:  make(map[shapeKey][]*template),
	}
	for i := range ops {
		o := &ops[i]
		if _, dup := idx.byName[o.Name]; dup {
			panic("endpoints: duplicate row " + o.Name)
		}
		idx.byName[o.Name] = i
		t, err := compile(o.Path, false)
		if err != nil {
			panic(fmt.Sprintf("endpoints: %s: %v", o.Name, err))
		}
		t.op = i
		idx.numbered[i] = t
		idx.add(o.Method, t)
		if o.Dated != "" {
			d, err := compile(o.Dated, true)
			if err != nil {
				panic(fmt.Sprintf("endpoints: %s: %v", o.Name, err))
			}
			d.op, d.dated = i, true
			idx.dated[i] = d
			idx.add(o.Method, d)
			for _, v := range o.Versions {
				idx.routes[i] = append(idx.routes[i], strings.Replace(o.Dated, versionParam, string(v), 1))
			}
		}
	}
	idx.known = collectKnownScopes()
	return idx
})

// row returns the index of o in the catalogue, when o is a catalogue row
// (and not a copy of one, or an Op made elsewhere).
func (idx *catalogueIndex) row(o *Op) (int, bool) {
	i, ok := idx.byName[o.Name]
	return i, ok && &ops[i] == o
}

func (idx *catalogueIndex) add(method string, t *template) {
	k := shapeKey{method, len(t.segs)}
	idx.byShape[k] = append(idx.byShape[k], t)
}

// compile parses a path template. A dated template has exactly one
// "{version}" segment; a numbered one has none.
func compile(path string, dated bool) (*template, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("template %q does not start with '/'", path)
	}
	t := &template{}
	seen := map[string]bool{}
	versions := 0
	for _, s := range strings.Split(path[1:], "/") {
		switch {
		case s == "":
			return nil, fmt.Errorf("template %q has an empty segment", path)
		case s == versionParam:
			versions++
			t.segs = append(t.segs, segment{kind: segVersion})
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			name := s[1 : len(s)-1]
			if name == "" || seen[name] || strings.ContainsAny(name, "{}.") {
				return nil, fmt.Errorf("template %q: bad or repeated wildcard %s", path, s)
			}
			seen[name] = true
			kind, ok := paramKinds[name]
			if !ok {
				kind = segParam
			}
			t.segs = append(t.segs, segment{kind: kind, text: name})
		case strings.ContainsAny(s, "{}%?#"):
			return nil, fmt.Errorf("template %q: segment %q is neither a literal nor a whole wildcard", path, s)
		default:
			t.literal++
			t.segs = append(t.segs, segment{kind: segLiteral, text: s})
		}
	}
	if dated && versions != 1 || !dated && versions != 0 {
		return nil, fmt.Errorf("template %q: want %d {version} segments, have %d", path, btoi(dated), versions)
	}
	return t, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
