package hubspottest

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/internal/endpoints"
)

// Routing.
//
// The server routes from hubkey's operation catalogue (internal/endpoints):
// one net/http.ServeMux holds, for every row the server implements
// (operations in routes.go), the row's pattern in its numbered version and
// in every dated version the row lists, each bound to the row's handler
// (and every other row's patterns, bound to a 404, so that a wildcard
// never takes the path of a row the server does not implement). A
// call the mux routes is then authenticated as the row's credential kind
// says: a bearer token holding, for each of the row's scope groups, one of
// the scopes that allow it; a developer key in hapikey; or, for the OAuth
// token endpoints, the client credentials in the body.
//
// Everything else is answered before authentication, so a call never
// learns about its credential from a path the server does not serve:
//   - 404 OBJECT_NOT_FOUND for a path no row matches, a catalogue
//     operation the server does not implement, or a path that is not
//     clean (an empty, "." or ".." segment);
//   - 405 with an Allow header and HubSpot's VALIDATION_ERROR body for a
//     path the server serves with other methods.

// route is one pattern of the mux: a catalogue row in one version.
type route struct {
	op      *endpoints.Op
	pattern string
	handle  func(*request)
}

// router is the mux every Server shares, and its routes by pattern.
type router struct {
	mux       *http.ServeMux
	byPattern map[string]*route
	// byMatch are the routes the mux refused beside an earlier row's
	// overlapping pattern (GET .../{appId}/event-templates/{eventTemplateId}
	// beside GET .../events/{eventTemplateId}/{eventId}), by pattern: the
	// catalogue's typed parameters tell them apart, so unrouted serves
	// them by endpoints.Match.
	byMatch map[string]*route
}

var (
	routerOnce  sync.Once
	routerTable *router
)

// theRouter returns the router, built on first use from the catalogue and
// the operations table, both fixed; it never changes after.
func theRouter() *router {
	routerOnce.Do(func() { routerTable = newRouter() })
	return routerTable
}

// allVersions returns the versions op is served in: numbered first, then
// its dated versions.
func allVersions(op *endpoints.Op) []endpoints.Version {
	return append([]endpoints.Version{endpoints.Numbered}, op.Versions...)
}

func newRouter() *router {
	impl := operations()
	rt := &router{mux: http.NewServeMux(), byPattern: map[string]*route{}, byMatch: map[string]*route{}}
	for name := range impl {
		if _, ok := endpoints.Lookup(name); !ok {
			panic("hubspottest: operations names " + name + ", which the catalogue does not list")
		}
	}
	for _, op := range endpoints.All() {
		h, ok := impl[op.Name]
		if !ok {
			// Registered all the same, so that a wildcard pattern of
			// another row (GET /crm/v3/lists/{listId}) does not take a
			// path of this one (GET /crm/v3/lists/idmapping).
			for _, v := range allVersions(op) {
				tmpl, _ := op.Template(v)
				name := op.Name
				rt.handle(op.Method+" "+tmpl, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					x := w.(*exchange)
					writeNotFound(x, r, x.corr, name)
				}))
			}
			continue
		}
		for _, v := range allVersions(op) {
			tmpl, _ := op.Template(v)
			e := &route{op: op, pattern: op.Method + " " + tmpl, handle: h}
			rt.byPattern[e.pattern] = e
			if !rt.handle(e.pattern, e) {
				rt.byMatch[e.pattern] = e
			}
		}
	}
	rt.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		x := w.(*exchange)
		x.s.unrouted(x, r)
	})
	return rt
}

// handle registers h for pattern on the mux, and reports false when the
// mux refuses it because an earlier row's pattern overlaps it (see
// byMatch).
func (rt *router) handle(pattern string, h http.Handler) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if !strings.Contains(fmt.Sprint(r), "conflicts with") {
				panic(r)
			}
			ok = false
		}
	}()
	rt.mux.Handle(pattern, h)
	return true
}

// exchange is the ResponseWriter the server hands the mux: the status
// recorder, and what the server knows of the call so far.
type exchange struct {
	statusWriter
	s     *Server
	entry *keypolicy.Entry
	corr  string
	op    *endpoints.Op // the row being served, once routed
}

// ServeHTTP answers a call the mux routed to e.
func (e *route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := w.(*exchange)
	x.s.serveRoute(x, r, e)
}

// isCleanPath reports whether p is a path the mux would match as it is
// rather than redirect: no empty, "." or ".." segment, except that a
// trailing slash is allowed (and then matches no row).
func isCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}

// serveRoute authenticates a routed call as its row says and runs the
// row's handler.
func (s *Server) serveRoute(x *exchange, r *http.Request, e *route) {
	if r.Method != e.op.Method { // HEAD, which the mux lets a GET pattern take
		s.unrouted(x, r)
		return
	}
	x.op = e.op
	q := &request{s: s, w: x, r: r, corr: x.corr, op: e.op, entry: x.entry}
	switch e.op.Cred {
	case endpoints.NoCred: // the OAuth token endpoints: the handler checks the client credentials
	case endpoints.DeveloperKey:
		if !s.authorizeDeveloperKey(q) {
			return
		}
	default:
		if !s.authorizeBearer(q) {
			return
		}
		s.countCall(q)
	}
	if !q.resolvePath() {
		return
	}
	e.handle(q)
}

// authorizeBearer checks the call's bearer token against the key policy
// and the row's scopes. It answers the call and returns false when the
// call may not go ahead.
func (s *Server) authorizeBearer(q *request) bool {
	token := bearer(q.r)
	var need []string
	// An object type whose scopes the catalogue does not know needs none:
	// any valid token gets the handler's 400, as on HubSpot.
	if req, err := q.op.AllowedScopes(pathParams(q.r, q.op)); err == nil {
		need = s.scopesToCheck(token, req)
	}
	d, err := s.keys.Authorize(q.r, token, need)
	if err != nil {
		var deny *keypolicy.DenyError
		if !errors.As(err, &deny) {
			deny = &keypolicy.DenyError{Reason: keypolicy.ReasonUnknownToken}
		}
		q.entry.KeyID, q.entry.Reason, q.entry.Policy = deny.KeyID, deny.Reason, deny.Policy
		if !s.writeOAuthExpired(q.w, deny, q.corr) {
			s.writeDenied(q.w, q.r, deny, q.corr)
		}
		return false
	}
	q.entry.KeyID, q.keyID = d.Key.ID, d.Key.ID
	s.oauth.mu.Lock()
	oauth := s.oauth.issued[d.Key.ID] != nil
	s.oauth.mu.Unlock()
	setRateHeaders(q.w.Header(), s.defaultUsage(d.Key, d.Usage, oauth))
	return true
}

// scopesToCheck turns a requirement (every group, any one scope of each)
// into the list the key policy checks (every scope): from each group, a
// scope the token's key holds, or the whole group when it holds none, so
// that a refusal lists every scope that would allow the call, as HubSpot's
// requiredGranularScopes does.
func (s *Server) scopesToCheck(token string, req endpoints.Requirement) []string {
	var granted []string
	if token != "" {
		if k, ok := s.keys.Lookup(token); ok {
			granted = k.Scopes
		}
	}
	var out []string
	for _, g := range req {
		if i := slices.IndexFunc(g, func(sc string) bool { return slices.Contains(granted, sc) }); i >= 0 {
			out = append(out, g[i])
			continue
		}
		out = append(out, g...)
	}
	return out
}

// pathParams returns the values of op's path parameters in r, as the mux
// matched them.
func pathParams(r *http.Request, op *endpoints.Op) map[string]string {
	params := map[string]string{}
	for _, seg := range strings.Split(op.Path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			name = strings.TrimSuffix(name, "}")
			params[name] = r.PathValue(name)
		}
	}
	return params
}

// resolvePath reads the object types and record ID of the path, answering
// HubSpot's 400 for an object type it cannot resolve.
func (q *request) resolvePath() bool {
	for _, p := range []struct {
		name string
		dst  *string
	}{{"objectType", &q.objectType}, {"fromObjectType", &q.fromType}, {"toObjectType", &q.toType}} {
		raw := q.r.PathValue(p.name)
		if raw == "" { // not a parameter of this row: a wildcard never matches ""
			continue
		}
		ot, ok := endpoints.LookupObjectType(raw)
		if !ok {
			q.fail(validationError(q.corr, "Unable to infer object type from: "+raw))
			return false
		}
		*p.dst = ot.Name
		if ot.Custom { // a schema's fully qualified name is its type ID
			q.s.db.mu.Lock()
			*p.dst = q.s.db.canonLocked(ot.Name)
			q.s.db.mu.Unlock()
		}
	}
	q.objectID = q.r.PathValue("objectId")
	return true
}

// probeMethods are the methods a 405's Allow header can name, in the
// order it names them.
var probeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// unrouted answers a call no implemented row matches: 404, or 405 when
// the path is served with other methods.
func (s *Server) unrouted(x *exchange, r *http.Request) {
	rt := theRouter()
	if op, v, params, ok := endpoints.Match(r.Method, r.URL.EscapedPath()); ok && op.Method == r.Method {
		tmpl, _ := op.Template(v)
		if e := rt.byMatch[op.Method+" "+tmpl]; e != nil && isCleanPath(r.URL.Path) {
			// A row the mux could not hold: serve it as the mux would.
			r.Pattern = e.pattern
			for name, val := range params {
				r.SetPathValue(name, val)
			}
			s.serveRoute(x, r, e)
			return
		}
		writeNotFound(x, r, x.corr, op.Name)
		return
	}
	var allowed []string
	tokenEndpoint := false
	for _, m := range probeMethods {
		if m == r.Method {
			continue
		}
		_, pattern := rt.mux.Handler(&http.Request{Method: m, URL: r.URL, Host: r.Host})
		e := rt.byPattern[pattern]
		if e == nil {
			e = rt.matched(m, r.URL.EscapedPath())
		}
		if e != nil {
			allowed = append(allowed, m)
			tokenEndpoint = tokenEndpoint || isTokenEndpoint(e.op)
		}
	}
	if len(allowed) == 0 {
		writeNotFound(x, r, x.corr, "")
		return
	}
	if tokenEndpoint { // counted and noted as every answer of the token endpoint is
		s.oauth.calls.Add(1)
		x.Header().Set("Cache-Control", "no-store")
		x.entry.Note = "oauth token endpoint: method not allowed"
	}
	x.Header().Set("Allow", strings.Join(allowed, ","))
	writeError(x, &apiError{status: http.StatusMethodNotAllowed, Message: fmt.Sprintf("HTTP %d Method Not Allowed", http.StatusMethodNotAllowed), Category: catValidation, CorrelationID: x.corr})
}

// matched returns the route of a row the mux could not hold (byMatch)
// that a call with method to escapedPath is, or nil.
func (rt *router) matched(method, escapedPath string) *route {
	op, v, _, ok := endpoints.Match(method, escapedPath)
	if !ok || op.Method != method {
		return nil
	}
	tmpl, _ := op.Template(v)
	return rt.byMatch[op.Method+" "+tmpl]
}

// writeNotFound answers HubSpot's 404 for a call the server does not
// serve; unimplemented names the catalogue operation it would be, if any.
// The path is redacted, and the query never shown.
func writeNotFound(w http.ResponseWriter, r *http.Request, corr, unimplemented string) {
	msg := fmt.Sprintf("hubspottest serves no %s %s", r.Method, keypolicy.RedactPath(r.URL.Path))
	if unimplemented != "" {
		msg = fmt.Sprintf("hubspottest does not implement %s (%s %s)", unimplemented, r.Method, keypolicy.RedactPath(r.URL.Path))
	}
	writeError(w, &apiError{status: http.StatusNotFound, Message: msg, Category: catNotFound, CorrelationID: corr})
}

// SensitiveCall reports whether r calls an operation that hubkey's
// operation catalogue marks sensitive: deletes and archives (single and
// batch), merges and GDPR deletes, list deletions, user provisioning and
// removal, and subscription status changes, the calls hubkey's client
// signs by default. It knows r's operation from the server's routing, or else by
// matching r's method and path against the catalogue.
// Give it to WithSignaturePolicy so that tokens made with RequireSignature
// must sign those calls and no others:
//
//	srv := hubspottest.NewServer(t,
//		hubspottest.WithSignatureVerifier(v),
//		hubspottest.WithSignaturePolicy(hubspottest.SensitiveCall))
func SensitiveCall(r *http.Request) bool {
	if e := theRouter().byPattern[r.Pattern]; e != nil {
		return e.op.Sensitive
	}
	op, _, _, ok := endpoints.Match(r.Method, r.URL.EscapedPath())
	return ok && op.Method == r.Method && op.Sensitive
}

// isSearchCall reports whether r is a call the mux routed to a row of
// HubSpot's search rate limit.
func isSearchCall(r *http.Request) bool {
	e := theRouter().byPattern[r.Pattern]
	return e != nil && e.op.Rate == endpoints.Search
}
