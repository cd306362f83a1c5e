package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/secrets"
)

// AdminCredential is where the admin API reads the token its callers must
// present, on every request, so that a rotated admin token takes effect at
// once. *secrets.Cache satisfies it.
type AdminCredential interface {
	Get(ctx context.Context) (secrets.Version, error)
}

// AdminOption configures NewAdminHandler.
type AdminOption func(*adminHandler) error

// WithGateway tells the admin API of the Gateway running in its process:
// g's queued audit records are written to the Store before a request for
// keys, an audit, usage or services is answered, so that reports include
// the calls just made. (Changes to keys need nothing: a Store tells the
// gateways on it before its ChangeKeys returns.)
func WithGateway(g *Gateway) AdminOption {
	return func(h *adminHandler) error {
		if g == nil {
			return errors.New("gateway: WithGateway(nil): a Gateway is required")
		}
		h.gw = g
		return nil
	}
}

// WithAdminLogger sends the admin API's own records (every change to a
// key at Info, store failures at Warn) to l. Records name keys by ID and
// fingerprint, never a token.
func WithAdminLogger(l *slog.Logger) AdminOption {
	return func(h *adminHandler) error {
		if l != nil {
			h.logger = l
		}
		return nil
	}
}

// MinAdminTokenLen is the shortest admin token the admin API accepts: a
// shorter one (or none) locks the API, answering 503.
const MinAdminTokenLen = 16

// maxAdminBody is the largest request body the admin API reads.
const maxAdminBody = 64 << 10

// maxUsageBuckets is the most buckets a usage report may ask for.
const maxUsageBuckets = 10000

// NewAdminHandler returns the admin HTTP API over a's keys and audit
// trail. Every request must carry "Authorization: Bearer <token>" where
// token is credential's current value (compared in constant time; at
// least MinAdminTokenLen bytes, else every request is answered 503);
// others are answered 401. Serve it on a listener of its own, never beside the
// gateway. Its endpoints speak JSON:
//
//	POST /v1/keys                      create a key; 201 with the key, its token and signing secret, shown once
//	GET  /v1/keys                      every key, with its last use
//	GET  /v1/keys/{id}                 one key
//	POST /v1/keys/{id}/suspend         stop a key until resume
//	POST /v1/keys/{id}/resume          make a suspended key work again
//	POST /v1/keys/{id}/revoke          end a key for good
//	POST /v1/keys/{id}/rotate          {"grace":"10m"}: a new key; the old one works for grace more
//	GET  /v1/audit?key=&service=&operation=&status=&reason=&denied=true&from=&to=&limit=
//	                                   audited calls, newest first, as JSON lines (application/x-ndjson);
//	                                   reason= keeps the calls refused for that reason ("key revoked")
//	GET  /v1/usage?from=&to=&bucket=   calls and denials per key and bucket (default: the last 24 hours, one bucket)
//	GET  /v1/services?from=&to=        per upstream credential, the services and keys that used it (default: the last 30 days)
//
// A create body is
//
//	{"name": "billing reader", "service": "billing-sync",
//	 "scopes": ["crm.objects.contacts.read"], "allowed_ips": ["10.0.0.0/8"],
//	 "expires_at": "2030-01-02T15:04:05Z", "require_signature": false,
//	 "limits": {"max": 100, "interval": "10s", "search_per_second": 5, "daily": 0}}
//
// of which name, service and scopes are required. Times are RFC 3339,
// durations Go's ("10m", "1h30m"). A request that is not valid (an unknown
// field, a body over 64 KiB, a bad value) is answered 400 with
// {"error": "...", "field": "..."} naming what was wrong, and changes
// nothing. Errors are 404 for an unknown key, 405 for a method an endpoint
// does not take, 409 for a change a key's state forbids (resuming a
// revoked key). Key records never hold a token's hash or a sealed secret.
//
// It returns an error when a or credential is nil.
func NewAdminHandler(a *Admin, credential AdminCredential, opts ...AdminOption) (http.Handler, error) {
	if a == nil {
		return nil, errors.New("gateway: NewAdminHandler needs an Admin")
	}
	if credential == nil {
		return nil, errors.New("gateway: NewAdminHandler needs an AdminCredential")
	}
	h := &adminHandler{a: a, cred: credential, logger: slog.New(slog.DiscardHandler), mux: http.NewServeMux()}
	for _, o := range opts {
		if err := o(h); err != nil {
			return nil, err
		}
	}
	h.route("/v1/keys", map[string]http.HandlerFunc{"GET": h.listKeys, "POST": h.createKey})
	h.route("/v1/keys/{id}", map[string]http.HandlerFunc{"GET": h.showKey})
	for _, act := range []string{"suspend", "resume", "revoke", "rotate"} {
		h.route("/v1/keys/{id}/"+act, map[string]http.HandlerFunc{"POST": h.changeKey(act)})
	}
	h.route("/v1/audit", map[string]http.HandlerFunc{"GET": h.audit})
	h.route("/v1/usage", map[string]http.HandlerFunc{"GET": h.usage})
	h.route("/v1/services", map[string]http.HandlerFunc{"GET": h.services})
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeAdminError(w, http.StatusNotFound, "", "no such endpoint")
	})
	if h.consoleCfg != nil {
		h.console = newConsole(h, *h.consoleCfg)
	}
	return h, nil
}

type adminHandler struct {
	a      *Admin
	cred   AdminCredential
	gw     *Gateway
	logger *slog.Logger
	mux    *http.ServeMux

	consoleCfg *ConsoleConfig
	console    *console // nil without WithConsole
}

// route registers path with a handler per method; other methods are
// answered 405 with an Allow header.
func (h *adminHandler) route(path string, byMethod map[string]http.HandlerFunc) {
	allow := make([]string, 0, len(byMethod))
	for m := range byMethod {
		allow = append(allow, m)
	}
	slices.Sort(allow)
	h.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		f, ok := byMethod[r.Method]
		if !ok && r.Method == http.MethodHead {
			f, ok = byMethod[http.MethodGet]
		}
		if !ok {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeAdminError(w, http.StatusMethodNotAllowed, "", fmt.Sprintf("%s is not allowed here; use %s", r.Method, strings.Join(allow, " or ")))
			return
		}
		f(w, r)
	})
}

func (h *adminHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if h.console != nil && isConsolePath(r.URL.Path) {
		h.console.ServeHTTP(w, r) // its own login and sessions
		return
	}
	if !h.authorized(w, r) {
		return
	}
	h.mux.ServeHTTP(w, r)
}

// authorized checks the admin token and answers the request when it is
// missing or wrong.
func (h *adminHandler) authorized(w http.ResponseWriter, r *http.Request) bool {
	v, err := h.cred.Get(r.Context())
	if err != nil || v.Value.Len() < MinAdminTokenLen {
		if err == nil {
			err = fmt.Errorf("the admin token is %d bytes long; at least %d are required", v.Value.Len(), MinAdminTokenLen)
		}
		h.logger.Warn("gateway admin: the admin credential is unavailable", "err", err)
		writeAdminError(w, http.StatusServiceUnavailable, "", "the admin credential is unavailable or too short")
		return false
	}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "Bearer") && len(tok) <= 4096 {
		if secrets.New(strings.TrimSpace(tok)).Equal(v.Value) {
			return true
		}
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="hubkey-gateway admin"`)
	writeAdminError(w, http.StatusUnauthorized, "", "a valid admin token is required (Authorization: Bearer ...)")
	return false
}

// adminError is the body of every error the admin API answers.
type adminError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func writeAdminError(w http.ResponseWriter, status int, field, msg string) {
	writeJSON(w, status, adminError{Error: msg, Field: field})
}

// badInput is a 400 naming a field.
type badInput struct {
	field string
	msg   string
}

func (e *badInput) Error() string { return e.msg }

func badField(field, format string, args ...any) *badInput {
	return &badInput{field: field, msg: fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, `{"error":"encoding the answer failed"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// fail answers err: a *badInput is 400, an unknown key 404, anything else
// 500 (logged).
func (h *adminHandler) fail(w http.ResponseWriter, err error) {
	var bi *badInput
	switch {
	case errors.As(err, &bi):
		writeAdminError(w, http.StatusBadRequest, bi.field, bi.msg)
	case errors.Is(err, ErrKeyNotFound):
		writeAdminError(w, http.StatusNotFound, "id", "no key has this ID")
	case errors.Is(err, ErrKeyState):
		msg, _, _ := strings.Cut(strings.TrimPrefix(err.Error(), "gateway: "), ": "+ErrKeyState.Error())
		writeAdminError(w, http.StatusConflict, "", msg)
	default:
		h.logger.Warn("gateway admin: request failed", "err", err)
		writeAdminError(w, http.StatusInternalServerError, "", err.Error())
	}
}

// keyJSON is a key record as the admin API shows it: never its token's
// hash or its sealed signing secret.
type keyJSON struct {
	ID               string     `json:"id"`
	Name             string     `json:"name"`
	Service          string     `json:"service"`
	Status           string     `json:"status"`
	Fingerprint      string     `json:"fingerprint"`
	Scopes           []string   `json:"scopes"`
	AllowedIPs       []string   `json:"allowed_ips,omitempty"`
	RequireSignature bool       `json:"require_signature"`
	Limits           limitsJSON `json:"limits,omitzero"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	ExpiresAt        time.Time  `json:"expires_at,omitzero"`
	Lineage          string     `json:"lineage"`
	RotatedTo        string     `json:"rotated_to,omitempty"`
	LastUsed         time.Time  `json:"last_used,omitzero"`
}

type limitsJSON struct {
	Max             int    `json:"max,omitempty"`
	Interval        string `json:"interval,omitempty"`
	SearchPerSecond int    `json:"search_per_second,omitempty"`
	Daily           int    `json:"daily,omitempty"`
}

func toKeyJSON(k Key, lastUsed time.Time) keyJSON {
	j := keyJSON{
		ID: k.ID, Name: k.Name, Service: k.Service, Status: k.Status.String(),
		Fingerprint: k.Fingerprint, Scopes: k.Scopes, RequireSignature: k.RequireSignature,
		CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt, ExpiresAt: k.ExpiresAt,
		Lineage: k.Lineage, RotatedTo: k.RotatedTo, LastUsed: lastUsed,
		Limits: limitsJSON{Max: k.Limits.Max, SearchPerSecond: k.Limits.SearchPerSecond, Daily: k.Limits.Daily},
	}
	if j.Scopes == nil {
		j.Scopes = []string{}
	}
	if k.Limits.Interval != 0 {
		j.Limits.Interval = k.Limits.Interval.String()
	}
	for _, p := range k.AllowedIPs {
		j.AllowedIPs = append(j.AllowedIPs, p.String())
	}
	return j
}

// issuedJSON is the one answer that holds a token and a signing secret.
type issuedJSON struct {
	Key           keyJSON `json:"key"`
	Token         string  `json:"token"`
	SigningSecret string  `json:"signing_secret,omitempty"`
	Warning       string  `json:"warning"`
}

func toIssuedJSON(iss Issued) issuedJSON {
	j := issuedJSON{
		Key: toKeyJSON(iss.Key, time.Time{}),
		// The token and the signing secret are shown here once, to the
		// admin who made the key; nothing stores or logs them.
		Token:   iss.Token.Reveal(),
		Warning: "the token (and signing secret) are shown once and cannot be shown again",
	}
	if !iss.SigningSecret.IsZero() {
		j.SigningSecret = iss.SigningSecret.Reveal()
	}
	return j
}

// keySpecJSON is the body of POST /v1/keys.
type keySpecJSON struct {
	Name             string      `json:"name"`
	Service          string      `json:"service"`
	Scopes           []string    `json:"scopes"`
	AllowedIPs       []string    `json:"allowed_ips"`
	ExpiresAt        string      `json:"expires_at"`
	RequireSignature bool        `json:"require_signature"`
	Limits           *limitsJSON `json:"limits"`
}

// decodeBody reads r's JSON body into v: at most maxAdminBody bytes, no
// unknown field, one value. An empty body leaves v as it is when
// emptyOK.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, emptyOK bool) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAdminBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return badField("", "the request body is over %d bytes", maxAdminBody)
		}
		return badField("", "reading the request body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if emptyOK {
			return nil
		}
		return badField("", "the request body is empty; a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			return badField(te.Field, "field %q must be a JSON %s, not %s", te.Field, te.Type.Kind(), te.Value)
		case errors.As(err, &se):
			return badField("", "the request body is not valid JSON: %v", se)
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name = strings.Trim(name, `"`)
			return badField(name, "unknown field %q", name)
		}
		return badField("", "the request body is not valid JSON: %v", err)
	}
	if dec.More() {
		return badField("", "the request body holds more than one JSON value")
	}
	return nil
}

func parseDuration(field, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, badField(field, "%s %q is not a duration such as \"10s\" or \"1h30m\"", field, s)
	}
	if d < 0 {
		return 0, badField(field, "%s %s is negative", field, s)
	}
	return d, nil
}

func parseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, badField(field, "%s %q is not an RFC 3339 time such as \"2030-01-02T15:04:05Z\"", field, s)
	}
	return t, nil
}

func (j keySpecJSON) spec() (KeySpec, error) {
	s := KeySpec{Name: j.Name, Service: j.Service, Scopes: j.Scopes, RequireSignature: j.RequireSignature}
	for i, v := range j.AllowedIPs {
		field := fmt.Sprintf("allowed_ips[%d]", i)
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return KeySpec{}, badField(field, "%s %q is not an address or CIDR prefix such as 10.0.0.0/8", field, v)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		s.AllowedIPs = append(s.AllowedIPs, p)
	}
	if j.ExpiresAt != "" {
		t, err := parseTime("expires_at", j.ExpiresAt)
		if err != nil {
			return KeySpec{}, err
		}
		s.ExpiresAt = t
	}
	if l := j.Limits; l != nil {
		s.Limits = keypolicy.Limits{Max: l.Max, SearchPerSecond: l.SearchPerSecond, Daily: l.Daily}
		if l.Interval != "" {
			d, err := parseDuration("limits.interval", l.Interval)
			if err != nil {
				return KeySpec{}, err
			}
			s.Limits.Interval = d
		}
	}
	return s, nil
}

// specFields maps KeySpec's fields to the request's.
var specFields = map[string]string{"Name": "name", "Service": "service", "Scopes": "scopes", "AllowedIPs": "allowed_ips", "ExpiresAt": "expires_at", "Limits": "limits"}

func (h *adminHandler) createKey(w http.ResponseWriter, r *http.Request) {
	var body keySpecJSON
	if err := decodeBody(w, r, &body, false); err != nil {
		h.fail(w, err)
		return
	}
	spec, err := body.spec()
	if err != nil {
		h.fail(w, err)
		return
	}
	if err := spec.Validate(h.a.clock.Now()); err != nil {
		var fe *FieldError
		field := ""
		if errors.As(err, &fe) {
			field = specFields[fe.Field]
		}
		h.fail(w, badField(field, "%s", strings.TrimPrefix(err.Error(), "gateway: ")))
		return
	}
	iss, err := h.a.Create(r.Context(), spec)
	if err != nil {
		h.fail(w, err)
		return
	}
	h.logger.Info("gateway admin: key created", "key", iss.Key.ID, "fingerprint", iss.Key.Fingerprint, "service", iss.Key.Service)
	writeJSON(w, http.StatusCreated, toIssuedJSON(iss))
}

func (h *adminHandler) listKeys(w http.ResponseWriter, r *http.Request) {
	ks, err := h.a.Keys(r.Context())
	if err != nil {
		h.fail(w, err)
		return
	}
	h.flushAudit(r.Context())
	last, err := h.a.store.LastUsed(r.Context())
	if err != nil {
		h.fail(w, err)
		return
	}
	out := make([]keyJSON, 0, len(ks))
	for _, k := range ks {
		out = append(out, toKeyJSON(k, last[k.ID]))
	}
	writeJSON(w, http.StatusOK, struct {
		Keys []keyJSON `json:"keys"`
	}{out})
}

func (h *adminHandler) showKey(w http.ResponseWriter, r *http.Request) {
	k, err := h.a.Key(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, err)
		return
	}
	h.flushAudit(r.Context())
	last, err := h.a.store.LastUsed(r.Context())
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toKeyJSON(k, last[k.ID]))
}

// changeKey handles suspend, resume, revoke and rotate.
func (h *adminHandler) changeKey(act string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		var body struct {
			Grace string `json:"grace"`
		}
		var grace time.Duration
		if act == "rotate" {
			if err := decodeBody(w, r, &body, true); err != nil {
				h.fail(w, err)
				return
			}
			if body.Grace != "" {
				d, err := parseDuration("grace", body.Grace)
				if err != nil {
					h.fail(w, err)
					return
				}
				grace = d
			}
		} else if err := decodeBody(w, r, &struct{}{}, true); err != nil {
			h.fail(w, err)
			return
		}
		ctx := r.Context()
		var (
			k   Key
			err error
		)
		switch act {
		case "rotate":
			iss, err := h.a.Rotate(ctx, id, grace)
			if err != nil {
				h.fail(w, err)
				return
			}
			h.logger.Info("gateway admin: key rotated", "key", id, "new_key", iss.Key.ID, "fingerprint", iss.Key.Fingerprint, "grace", grace)
			writeJSON(w, http.StatusCreated, toIssuedJSON(iss))
			return
		case "suspend":
			k, err = h.a.Suspend(ctx, id)
		case "resume":
			k, err = h.a.Resume(ctx, id)
		case "revoke":
			k, err = h.a.Revoke(ctx, id)
		}
		if err != nil {
			h.fail(w, err)
			return
		}
		h.logger.Info("gateway admin: key "+pastTense(act), "key", id, "fingerprint", k.Fingerprint)
		writeJSON(w, http.StatusOK, toKeyJSON(k, time.Time{}))
	}
}

func pastTense(act string) string {
	switch act {
	case "suspend":
		return "suspended"
	case "resume":
		return "resumed"
	case "revoke":
		return "revoked"
	}
	return "rotated"
}

// flushAudit writes the gateway's queued audit records, when the handler
// has a gateway, so that reports include the latest calls.
func (h *adminHandler) flushAudit(ctx context.Context) {
	if h.gw == nil {
		return
	}
	if err := h.gw.FlushAudit(ctx); err != nil {
		h.logger.Warn("gateway admin: flushing the audit queue", "err", err)
	}
}

// period reads the from and to parameters, defaulting to the span dflt
// before now.
func (h *adminHandler) period(q map[string][]string, dflt time.Duration) (time.Time, time.Time, error) {
	to := h.a.clock.Now().UTC()
	var from time.Time
	if v := first(q, "to"); v != "" {
		t, err := parseTime("to", v)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		to = t
	}
	from = to.Add(-dflt)
	if v := first(q, "from"); v != "" {
		t, err := parseTime("from", v)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		from = t
	}
	if !from.Before(to) {
		return time.Time{}, time.Time{}, badField("from", "from %s is not before to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	return from, to, nil
}

func first(q map[string][]string, name string) string {
	if vs := q[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// checkParams refuses query parameters an endpoint does not take.
func checkParams(q map[string][]string, known ...string) error {
	for name := range q {
		if !slices.Contains(known, name) {
			return badField(name, "unknown parameter %q; this endpoint takes %s", name, strings.Join(known, ", "))
		}
	}
	return nil
}

// callJSON is one audited call as the audit export writes it.
type callJSON struct {
	Time        time.Time `json:"time"`
	KeyID       string    `json:"key_id,omitempty"`
	Fingerprint string    `json:"fingerprint,omitempty"`
	Service     string    `json:"service,omitempty"`
	Operation   string    `json:"operation,omitempty"`
	Method      string    `json:"method"`
	Route       string    `json:"route,omitempty"`
	Status      int       `json:"status"`
	Denial      string    `json:"denial,omitempty"`
	LatencyMS   float64   `json:"latency_ms"`
	BytesIn     int64     `json:"bytes_in"`
	BytesOut    int64     `json:"bytes_out"`
	ClientIP    string    `json:"client_ip,omitempty"`
	Signature   string    `json:"signature,omitempty"`
	Upstream    string    `json:"upstream,omitempty"`
}

func (h *adminHandler) callFilter(q map[string][]string) (CallFilter, error) {
	if err := checkParams(q, "key", "service", "operation", "status", "reason", "denied", "from", "to", "limit"); err != nil {
		return CallFilter{}, err
	}
	f := CallFilter{KeyID: first(q, "key"), Service: first(q, "service"), Operation: first(q, "operation"), Denial: first(q, "reason")}
	if v := first(q, "status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 599 {
			return f, badField("status", "status %q is not an HTTP status code", v)
		}
		f.Status = n
	}
	if v := first(q, "denied"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, badField("denied", "denied %q is not true or false", v)
		}
		f.DeniedOnly = b
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := first(q, p.name); v != "" {
			t, err := parseTime(p.name, v)
			if err != nil {
				return f, err
			}
			*p.dst = t
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, badField("from", "from is not before to")
	}
	if v := first(q, "limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return f, badField("limit", "limit %q is not a whole number of calls", v)
		}
		f.Limit = n
	}
	return f, nil
}

func (h *adminHandler) audit(w http.ResponseWriter, r *http.Request) {
	f, err := h.callFilter(r.URL.Query())
	if err != nil {
		h.fail(w, err)
		return
	}
	h.flushAudit(r.Context())
	w.Header().Set("Content-Type", "application/x-ndjson")
	rc := http.NewResponseController(w)
	enc := json.NewEncoder(w)
	n := 0
	for c, err := range h.a.store.Calls(r.Context(), f) {
		if err != nil {
			// The status has been sent with the first line: a final line
			// holding "error" tells the reader the export is incomplete.
			if n == 0 {
				h.fail(w, err)
				return
			}
			h.logger.Warn("gateway admin: audit export failed", "err", err)
			_ = enc.Encode(adminError{Error: "the export stopped early: " + err.Error()})
			return
		}
		if err := enc.Encode(callJSON{
			Time: c.Time.UTC(), KeyID: c.KeyID, Fingerprint: c.Fingerprint, Service: c.Service,
			Operation: c.Operation, Method: c.Method, Route: c.Route, Status: c.Status, Denial: c.Denial,
			LatencyMS: float64(c.Latency.Microseconds()) / 1000, BytesIn: c.BytesIn, BytesOut: c.BytesOut,
			ClientIP: c.ClientIP, Signature: c.Signature, Upstream: c.Upstream,
		}); err != nil {
			return // the reader went away
		}
		n++
		if n%256 == 0 {
			_ = rc.Flush()
		}
		if f.Limit > 0 && n >= f.Limit {
			break
		}
	}
}

// usageJSON is one key's calls in one bucket.
type usageJSON struct {
	KeyID       string    `json:"key_id"`
	Service     string    `json:"service"`
	Start       time.Time `json:"start"`
	Calls       int64     `json:"calls"`
	Denials     int64     `json:"denials"`
	Upstream429 int64     `json:"upstream_429"`
	LastUsed    time.Time `json:"last_used,omitzero"`
}

func (h *adminHandler) usage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(q, "from", "to", "bucket"); err != nil {
		h.fail(w, err)
		return
	}
	from, to, err := h.period(q, 24*time.Hour)
	if err != nil {
		h.fail(w, err)
		return
	}
	bucket := to.Sub(from)
	if v := first(q, "bucket"); v != "" {
		if bucket, err = parseDuration("bucket", v); err != nil {
			h.fail(w, err)
			return
		}
		if bucket <= 0 {
			h.fail(w, badField("bucket", "bucket must be longer than zero"))
			return
		}
		if to.Sub(from)/bucket > maxUsageBuckets {
			h.fail(w, badField("bucket", "bucket %s splits the period into more than %d buckets", bucket, maxUsageBuckets))
			return
		}
	}
	h.flushAudit(r.Context())
	us, err := h.a.store.Usage(r.Context(), from, to, bucket)
	if err != nil {
		h.fail(w, err)
		return
	}
	out := make([]usageJSON, 0, len(us))
	for _, u := range us {
		out = append(out, usageJSON{KeyID: u.KeyID, Service: u.Service, Start: u.Start.UTC(), Calls: u.Calls,
			Denials: u.Denials, Upstream429: u.Upstream429, LastUsed: u.LastUsed.UTC()})
	}
	writeJSON(w, http.StatusOK, struct {
		From   time.Time   `json:"from"`
		To     time.Time   `json:"to"`
		Bucket string      `json:"bucket"`
		Usage  []usageJSON `json:"usage"`
	}{from, to, bucket.String(), out})
}

// useJSON counts the calls of a key, a service or an upstream credential.
type useJSON struct {
	Calls    int64     `json:"calls"`
	LastUsed time.Time `json:"last_used"`
}

func (u *useJSON) add(t time.Time) {
	u.Calls++
	if t.After(u.LastUsed) {
		u.LastUsed = t.UTC()
	}
}

type serviceKeyJSON struct {
	KeyID string `json:"key_id"`
	useJSON
}

type serviceJSON struct {
	Service string `json:"service"`
	useJSON
	Keys []serviceKeyJSON `json:"keys"`
}

type upstreamJSON struct {
	// Upstream is the name of the upstream credential ("token" for a
	// gateway with one).
	Upstream string `json:"upstream"`
	useJSON
	Services []serviceJSON `json:"services"`
}

// services answers which services (and keys) used each upstream
// credential over a period: the forwarded calls of the audit trail,
// grouped.
func (h *adminHandler) services(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(q, "from", "to"); err != nil {
		h.fail(w, err)
		return
	}
	from, to, err := h.period(q, 30*24*time.Hour)
	if err != nil {
		h.fail(w, err)
		return
	}
	h.flushAudit(r.Context())
	type svcAcc struct {
		use  useJSON
		keys map[string]*useJSON
	}
	type upAcc struct {
		use  useJSON
		svcs map[string]*svcAcc
	}
	ups := map[string]*upAcc{}
	for c, err := range h.a.store.Calls(r.Context(), CallFilter{From: from, To: to}) {
		if err != nil {
			h.fail(w, err)
			return
		}
		if c.Upstream == "" || c.Denial != "" {
			continue
		}
		u := ups[c.Upstream]
		if u == nil {
			u = &upAcc{svcs: map[string]*svcAcc{}}
			ups[c.Upstream] = u
		}
		u.use.add(c.Time)
		s := u.svcs[c.Service]
		if s == nil {
			s = &svcAcc{keys: map[string]*useJSON{}}
			u.svcs[c.Service] = s
		}
		s.use.add(c.Time)
		k := s.keys[c.KeyID]
		if k == nil {
			k = &useJSON{}
			s.keys[c.KeyID] = k
		}
		k.add(c.Time)
	}
	out := make([]upstreamJSON, 0, len(ups))
	for name, u := range ups {
		uj := upstreamJSON{Upstream: name, useJSON: u.use}
		for svc, s := range u.svcs {
			sj := serviceJSON{Service: svc, useJSON: s.use}
			for id, k := range s.keys {
				sj.Keys = append(sj.Keys, serviceKeyJSON{KeyID: id, useJSON: *k})
			}
			slices.SortFunc(sj.Keys, func(a, b serviceKeyJSON) int { return strings.Compare(a.KeyID, b.KeyID) })
			uj.Services = append(uj.Services, sj)
		}
		slices.SortFunc(uj.Services, func(a, b serviceJSON) int { return strings.Compare(a.Service, b.Service) })
		out = append(out, uj)
	}
	slices.SortFunc(out, func(a, b upstreamJSON) int { return strings.Compare(a.Upstream, b.Upstream) })
	writeJSON(w, http.StatusOK, struct {
		From      time.Time      `json:"from"`
		To        time.Time      `json:"to"`
		Upstreams []upstreamJSON `json:"upstreams"`
	}{from, to, out})
}
