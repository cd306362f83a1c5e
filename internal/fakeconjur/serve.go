package fakeconjur

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hubkey/hubkey/secrets"
)

// Limits on what the fake reads from a request.
const (
	maxCredentialBody = 64 << 10 // API key or JWT form
	maxSecretBody     = 10 << 20 // a value being stored
)

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rec := Request{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery}
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		s.mu.Lock()
		rec.Status = sw.status
		s.journal = append(s.journal, rec)
		s.mu.Unlock()
	}()
	if status, ok := s.injected(rec.Path); ok {
		writeStatus(sw, status)
		return
	}
	segs := strings.Split(strings.TrimPrefix(rec.Path, "/"), "/")
	switch {
	case segs[0] == "authn" && len(segs) == 4 && segs[3] == "authenticate" && r.Method == http.MethodPost:
		s.authnAPIKey(sw, r, segs, &rec)
	case segs[0] == "authn-jwt" && (len(segs) == 4 || len(segs) == 5) && segs[len(segs)-1] == "authenticate" && r.Method == http.MethodPost:
		s.authnJWT(sw, r, segs, &rec)
	case segs[0] == "secrets" && (len(segs) == 1 || len(segs) == 2 && segs[1] == "") && r.Method == http.MethodGet:
		s.batch(sw, r, &rec)
	case segs[0] == "secrets" && len(segs) >= 4 && r.Method == http.MethodGet:
		s.showSecret(sw, r, segs, &rec)
	case segs[0] == "secrets" && len(segs) >= 4 && r.Method == http.MethodPost:
		s.createSecret(sw, r, segs, &rec)
	case segs[0] == "resources" && len(segs) >= 4 && r.Method == http.MethodGet:
		s.showResource(sw, r, segs, &rec)
	default:
		writeJSONError(sw, http.StatusNotFound, "not_found", "No route matches ["+r.Method+"] "+rec.Path)
	}
}

func (s *Server) injected(path string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if strings.HasPrefix(path, f.prefix) {
			f.left--
			if f.left <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f.status, true
		}
	}
	return 0, false
}

// writeStatus answers status the way Conjur does: 401, 403 and the 5xx
// codes have an empty body.
func writeStatus(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusNotFound:
		writeJSONError(w, status, "not_found", "injected failure")
	case http.StatusUnprocessableEntity:
		writeJSONError(w, status, "unprocessable_entity", "injected failure")
	default:
		w.WriteHeader(status)
	}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Target  string        `json:"target,omitempty"`
	Details *errorDetails `json:"details,omitempty"`
}

type errorDetails struct {
	Code    string `json:"code"`
	Target  string `json:"target"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeJSONError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: message}})
}

// writeMissingSecret is Conjur's answer when a variable does not exist, is
// not visible to the role, has no value, or lacks the version asked for.
func writeMissingSecret(w http.ResponseWriter, fullID string) {
	writeJSONError(w, http.StatusNotFound, "not_found", "CONJ00076E Variable "+fullID+" is empty or not found.")
}

// writeRecordNotFound is Conjur's answer for a resource that does not exist
// or that the role cannot see.
func writeRecordNotFound(w http.ResponseWriter, account, kind, id string) {
	full := account + ":" + kind + ":" + id
	writeJSON(w, http.StatusNotFound, errorBody{Error: errorDetail{
		Code:    "not_found",
		Message: fmt.Sprintf("%s '%s' not found in account '%s'", capitalize(kind), id, account),
		Target:  kind,
		Details: &errorDetails{Code: "not_found", Target: "id", Message: full},
	}})
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// identifier joins and unescapes the path segments of a resource
// identifier: conjur-api-go escapes "/" in it as %2F, other clients send it
// as is, and Conjur's route (/secrets/:account/:kind/*identifier) accepts
// both.
func identifier(segs []string) (string, bool) {
	parts := make([]string, len(segs))
	for i, seg := range segs {
		p, err := url.PathUnescape(seg)
		if err != nil {
			return "", false
		}
		parts[i] = p
	}
	id := strings.Join(parts, "/")
	return id, id != ""
}

// authnAPIKey is POST /authn/{account}/{login}/authenticate.
func (s *Server) authnAPIKey(w http.ResponseWriter, r *http.Request, segs []string, rec *Request) {
	login, err := url.PathUnescape(segs[2])
	rec.Login = login
	if err != nil {
		s.refuseAuthn(w)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCredentialBody))
	if err != nil {
		s.refuseAuthn(w)
		return
	}
	rec.Credential = secrets.NewBytes(body).Fingerprint()
	s.mu.Lock()
	ro := s.roles[login]
	ok := segs[1] == s.Account && ro != nil && equalKeys(ro.apiKey, string(body))
	var tok []byte
	if ok {
		tok = s.issueLocked(login)
	}
	s.mu.Unlock()
	if !ok {
		s.refuseAuthn(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(tok)
}

func (s *Server) refuseAuthn(w http.ResponseWriter) {
	s.mu.Lock()
	s.stats.FailedAuthentications++
	s.mu.Unlock()
	w.WriteHeader(http.StatusUnauthorized)
}

// authnJWT is POST /authn-jwt/{service-id}/{account}[/{host-id}]/authenticate.
func (s *Server) authnJWT(w http.ResponseWriter, r *http.Request, segs []string, rec *Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxCredentialBody)
	if err := r.ParseForm(); err != nil {
		s.refuseAuthn(w)
		return
	}
	jwt := r.PostForm.Get("jwt")
	if jwt != "" {
		rec.Credential = secrets.New(jwt).Fingerprint()
	}
	serviceID, err := url.PathUnescape(segs[1])
	if err != nil {
		s.refuseAuthn(w)
		return
	}
	urlHost := ""
	if len(segs) == 5 {
		if urlHost, err = url.PathUnescape(segs[3]); err != nil {
			s.refuseAuthn(w)
			return
		}
		rec.Login = urlHost
	}
	s.mu.Lock()
	svc := s.services[serviceID]
	now := s.clk.Now()
	s.mu.Unlock()
	if svc == nil || segs[2] != s.Account || jwt == "" {
		s.refuseAuthn(w)
		return
	}
	claims, err := svc.verify(jwt, now)
	if err != nil {
		s.refuseAuthn(w)
		return
	}
	login := "host/" + claims.Subject
	if urlHost != "" {
		// With the host in the URL, Conjur matches the host's annotations
		// against the token's claims; here, the subject must name it.
		if urlHost != login {
			s.refuseAuthn(w)
			return
		}
	}
	rec.Login = login
	s.mu.Lock()
	ok := s.roles[login] != nil && svc.allowed[login]
	var tok []byte
	if ok {
		tok = s.issueLocked(login)
	}
	s.mu.Unlock()
	if !ok {
		s.refuseAuthn(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(tok)
}

// authenticate checks the Authorization header of a call and returns the
// role it carries. On failure it has answered 401.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, rec *Request) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	login, err := s.verifyTokenLocked(r.Header.Get("Authorization"))
	if err != nil {
		s.stats.Unauthorized++
		w.WriteHeader(http.StatusUnauthorized)
		return "", false
	}
	rec.Login = login
	return login, true
}

var errBadToken = errors.New("bad access token")

func (s *Server) verifyTokenLocked(header string) (string, error) {
	const prefix, suffix = `Token token="`, `"`
	if !strings.HasPrefix(header, prefix) || !strings.HasSuffix(header, suffix) || len(header) < len(prefix)+len(suffix) {
		return "", errBadToken
	}
	raw, err := base64.StdEncoding.DecodeString(header[len(prefix) : len(header)-len(suffix)])
	if err != nil {
		return "", errBadToken
	}
	c, err := s.parseTokenLocked(raw)
	if err != nil {
		return "", err
	}
	if !s.clk.Now().Before(time.Unix(c.Exp, 0)) {
		return "", errBadToken
	}
	if s.roles[c.Sub] == nil {
		return "", errBadToken
	}
	return c.Sub, nil
}

// showSecret is GET /secrets/{account}/{kind}/{identifier}[?version=N].
func (s *Server) showSecret(w http.ResponseWriter, r *http.Request, segs []string, rec *Request) {
	login, ok := s.authenticate(w, r, rec)
	if !ok {
		return
	}
	account, kind := segs[1], segs[2]
	id, ok := identifier(segs[3:])
	full := account + ":" + kind + ":" + id
	if !ok {
		writeMissingSecret(w, full)
		return
	}
	q := r.URL.Query()
	want := 0
	if q.Has("version") {
		n, err := strconv.Atoi(q.Get("version"))
		if err != nil || n < 1 {
			writeJSONError(w, http.StatusUnprocessableEntity, "unprocessable_entity", "version must be a positive integer, got "+strconv.Quote(q.Get("version")))
			return
		}
		want = n
	}
	s.mu.Lock()
	v := s.vars[id]
	exists := account == s.Account && kind == "variable" && v != nil
	visible := exists && s.visibleLocked(login, id)
	allowed := visible && s.allowedLocked(login, id, "execute")
	var value []byte
	found := false
	if allowed {
		value, found = v.get(want)
		if found {
			s.stats.SecretReads++
		}
	}
	s.mu.Unlock()
	switch {
	case !visible:
		writeMissingSecret(w, full)
	case !allowed:
		w.WriteHeader(http.StatusForbidden)
	case !found:
		writeMissingSecret(w, full)
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(value)
	}
}

// get returns version n, or the latest when n is 0.
func (v *variable) get(n int) ([]byte, bool) {
	if len(v.versions) == 0 {
		return nil, false
	}
	if n == 0 {
		return v.versions[len(v.versions)-1].value, true
	}
	for _, ver := range v.versions {
		if ver.n == n {
			return ver.value, true
		}
	}
	return nil, false
}

// createSecret is POST /secrets/{account}/{kind}/{identifier}.
func (s *Server) createSecret(w http.ResponseWriter, r *http.Request, segs []string, rec *Request) {
	login, ok := s.authenticate(w, r, rec)
	if !ok {
		return
	}
	account, kind := segs[1], segs[2]
	id, ok := identifier(segs[3:])
	if !ok {
		writeRecordNotFound(w, account, kind, id)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSecretBody))
	if err != nil {
		writeJSONError(w, http.StatusRequestEntityTooLarge, "payload_too_large", "the value is larger than this server accepts")
		return
	}
	s.mu.Lock()
	exists := account == s.Account && kind == "variable" && s.vars[id] != nil
	visible := exists && s.visibleLocked(login, id)
	allowed := visible && s.allowedLocked(login, id, "update")
	if allowed && len(strings.TrimSpace(string(body))) > 0 {
		s.addVersionLocked(id, body)
	}
	s.mu.Unlock()
	switch {
	case !visible:
		writeRecordNotFound(w, account, kind, id)
	case !allowed:
		w.WriteHeader(http.StatusForbidden)
	case len(strings.TrimSpace(string(body))) == 0:
		writeJSONError(w, http.StatusUnprocessableEntity, "argument_error", "'value' may not be empty")
	default:
		w.WriteHeader(http.StatusCreated)
	}
}

// batch is GET /secrets?variable_ids=a,b (and /secrets/?...).
func (s *Server) batch(w http.ResponseWriter, r *http.Request, rec *Request) {
	login, ok := s.authenticate(w, r, rec)
	if !ok {
		return
	}
	raw := r.URL.Query().Get("variable_ids")
	ids := strings.Split(raw, ",")
	if raw == "" || containsEmpty(ids) {
		writeJSONError(w, http.StatusUnprocessableEntity, "argument_error", "variable_ids")
		return
	}
	if dups := duplicates(ids); len(dups) > 0 {
		writeJSONError(w, http.StatusBadRequest, "bad_request", "Duplicate variable IDs in the request: "+strings.Join(dups, ","))
		return
	}
	useBase64 := strings.EqualFold(r.Header.Get("Accept-Encoding"), "base64")

	s.mu.Lock()
	values := make(map[string][]byte, len(ids))
	missing, forbidden := "", false
	for _, full := range ids {
		parts := strings.SplitN(full, ":", 3)
		if len(parts) != 3 || parts[0] != s.Account || parts[1] != "variable" || s.vars[parts[2]] == nil {
			missing = full
			break
		}
	}
	if missing == "" {
		for _, full := range ids {
			if !s.allowedLocked(login, strings.SplitN(full, ":", 3)[2], "execute") {
				forbidden = true
				break
			}
		}
	}
	if missing == "" && !forbidden {
		for _, full := range ids {
			value, found := s.vars[strings.SplitN(full, ":", 3)[2]].get(0)
			if !found {
				missing = full
				break
			}
			values[full] = value
		}
	}
	if missing == "" && !forbidden {
		s.stats.BatchReads++
	}
	s.mu.Unlock()

	switch {
	case missing != "":
		writeMissingSecret(w, missing)
		return
	case forbidden:
		w.WriteHeader(http.StatusForbidden)
		return
	}
	out := make(map[string]string, len(values))
	for id, v := range values {
		if useBase64 {
			out[id] = encode64(v)
			continue
		}
		if !utf8.Valid(v) {
			writeJSONError(w, http.StatusNotAcceptable, "not_acceptable", "CONJ00074E Issue encoding secret into JSON format, try including 'Accept-Encoding: base64' header in request.")
			return
		}
		out[id] = string(v)
	}
	if useBase64 {
		w.Header().Set("Content-Encoding", "base64")
	}
	writeJSON(w, http.StatusOK, out)
}

// encode64 is Ruby's Base64.encode64: standard base64 with a newline after
// every 60 characters and at the end.
func encode64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	for len(s) > 60 {
		sb.WriteString(s[:60])
		sb.WriteByte('\n')
		s = s[60:]
	}
	if s != "" {
		sb.WriteString(s)
		sb.WriteByte('\n')
	}
	return sb.String()
}

func containsEmpty(ids []string) bool {
	for _, id := range ids {
		if id == "" {
			return true
		}
	}
	return false
}

func duplicates(ids []string) []string {
	seen := map[string]int{}
	var dups []string
	for _, id := range ids {
		seen[id]++
		if seen[id] == 2 {
			dups = append(dups, id)
		}
	}
	return dups
}

type resourceJSON struct {
	CreatedAt   string          `json:"created_at"`
	ID          string          `json:"id"`
	Owner       string          `json:"owner"`
	Policy      string          `json:"policy"`
	Permissions []any           `json:"permissions"`
	Annotations []any           `json:"annotations"`
	Secrets     []secretVersion `json:"secrets"`
}

type secretVersion struct {
	Version   int     `json:"version"`
	ExpiresAt *string `json:"expires_at"`
}

// showResource is GET /resources/{account}/{kind}/{identifier}.
func (s *Server) showResource(w http.ResponseWriter, r *http.Request, segs []string, rec *Request) {
	login, ok := s.authenticate(w, r, rec)
	if !ok {
		return
	}
	account, kind := segs[1], segs[2]
	id, ok := identifier(segs[3:])
	if !ok {
		writeRecordNotFound(w, account, kind, id)
		return
	}
	s.mu.Lock()
	v := s.vars[id]
	visible := account == s.Account && kind == "variable" && v != nil && s.visibleLocked(login, id)
	var res resourceJSON
	if visible {
		res = resourceJSON{
			CreatedAt:   "2024-01-01T00:00:00.000+00:00",
			ID:          account + ":variable:" + id,
			Owner:       account + ":policy:root",
			Policy:      account + ":policy:root",
			Permissions: []any{},
			Annotations: []any{},
			Secrets:     make([]secretVersion, 0, len(v.versions)),
		}
		for _, ver := range v.versions {
			res.Secrets = append(res.Secrets, secretVersion{Version: ver.n})
		}
		s.stats.ResourceReads++
	}
	s.mu.Unlock()
	if !visible {
		writeRecordNotFound(w, account, kind, id)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
