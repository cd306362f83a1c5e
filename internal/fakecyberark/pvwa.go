package fakecyberark

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error codes the fake answers with. PASWS006E, PASWS013E, PASWS041E and
// PASWS088E are the PVWA's; the PVWA's codes for a malformed request, a bad
// filter and an unknown account id vary between versions, and the fake uses
// representative ones (clients should go by the status).
const (
	codeNoSession      = "PASWS006E"
	codeLogonFailed    = "PASWS013E"
	codeNotAuthorized  = "PASWS041E"
	codeMissingReason  = "PASWS088E"
	codeBadRequest     = "PASWS003E"
	codeBadFilter      = "PASWS167E"
	codeNoSuchAccount  = "PASWS165E"
	msgNoSession       = "The session token is missing, invalid or expired."
	msgNotAuthorized   = "You are not authorized to perform this action."
	msgMissingReason   = "Missing mandatory parameter - Reason."
	defaultSearchLimit = 50
)

func (s *Server) serveIdentity(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/oauth2/platformtoken" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "POST required")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the form does not parse")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials")
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.principals[strings.ToLower(id)]
	if !ok || !p.oauth || subtle.ConstantTimeCompare([]byte(p.secret), []byte(secret)) != 1 {
		s.stats.TokenFailures++
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return
	}
	tok := newToken(48)
	s.tokens[tok] = &grant{p: p, expires: s.clock.Now().Add(s.tokenTTL)}
	s.stats.PlatformTokens++
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   "Bearer",
		"expires_in":   int(s.tokenTTL / time.Second),
	})
}

// servePVWA routes the PasswordVault API. IIS matches paths without
// regard to case, and so does the fake.
func (s *Server) servePVWA(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(strings.ToLower(r.URL.Path), "/"), "/")
	if len(parts) < 3 || parts[0] != "passwordvault" || parts[1] != "api" {
		http.NotFound(w, r)
		return
	}
	parts = parts[2:]
	switch {
	case len(parts) == 3 && parts[0] == "auth" && parts[2] == "logon" && r.Method == http.MethodPost:
		s.logon(w, r, parts[1])
	case len(parts) == 2 && parts[0] == "auth" && parts[1] == "logoff" && r.Method == http.MethodPost:
		s.logoff(w, r)
	case len(parts) == 1 && parts[0] == "accounts" && r.Method == http.MethodGet:
		s.search(w, r)
	case len(parts) == 2 && parts[0] == "accounts" && r.Method == http.MethodGet:
		s.accountDetails(w, r, pathID(r, 3))
	case len(parts) == 4 && parts[0] == "accounts" && parts[2] == "password" && parts[3] == "retrieve" && r.Method == http.MethodPost:
		s.retrieve(w, r, pathID(r, 3))
	default:
		http.NotFound(w, r)
	}
}

// pathID returns the i-th path segment in its original case.
func pathID(r *http.Request, i int) string {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if i < len(parts) {
		return parts[i]
	}
	return ""
}

func (s *Server) logon(w http.ResponseWriter, r *http.Request, method string) {
	switch method {
	case "cyberark", "ldap", "radius":
	default:
		http.NotFound(w, r)
		return
	}
	body, err := readBody(r)
	var req struct {
		Username          string `json:"username"`
		Password          string `json:"password"`
		ConcurrentSession bool   `json:"concurrentSession"`
	}
	if err != nil || json.Unmarshal(body, &req) != nil || req.Username == "" {
		pvwaError(w, http.StatusBadRequest, codeBadRequest, "The request body is not a valid logon request.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.principals[strings.ToLower(req.Username)]
	if !ok || p.oauth || p.method != method || subtle.ConstantTimeCompare([]byte(p.secret), []byte(req.Password)) != 1 {
		s.stats.FailedLogons++
		pvwaError(w, http.StatusForbidden, codeLogonFailed, fmt.Sprintf("Authentication failure for User [%s].", req.Username))
		return
	}
	tok := newToken(96)
	s.sessions[tok] = &grant{p: p, lastUsed: s.clock.Now()}
	s.stats.Logons++
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write([]byte(strconv.Quote(tok)))
}

// authenticate checks the Authorization header: "Bearer <platform token>"
// or a bare session token, unexpired. It answers 401 itself and returns
// nil when the header does not pass. The caller holds s.mu.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) *principal {
	h := r.Header.Get("Authorization")
	now := s.clock.Now()
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		if g, ok := s.tokens[tok]; ok {
			if now.Before(g.expires) {
				return g.p
			}
			delete(s.tokens, tok)
		}
	} else if g, ok := s.sessions[h]; ok && h != "" {
		if now.Sub(g.lastUsed) < s.sessionTTL {
			g.lastUsed = now
			return g.p
		}
		delete(s.sessions, h)
	}
	s.stats.Unauthorized++
	pvwaError(w, http.StatusUnauthorized, codeNoSession, msgNoSession)
	return nil
}

func (s *Server) logoff(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := r.Header.Get("Authorization")
	if _, ok := s.sessions[h]; !ok || h == "" {
		s.stats.Unauthorized++
		pvwaError(w, http.StatusUnauthorized, codeNoSession, msgNoSession)
		return
	}
	delete(s.sessions, h)
	s.stats.Logoffs++
	w.WriteHeader(http.StatusOK)
}

type accountOut struct {
	ID                        string            `json:"id"`
	Name                      string            `json:"name"`
	Address                   string            `json:"address"`
	UserName                  string            `json:"userName"`
	PlatformID                string            `json:"platformId"`
	SafeName                  string            `json:"safeName"`
	SecretType                string            `json:"secretType"`
	PlatformAccountProperties map[string]string `json:"platformAccountProperties"`
	SecretManagement          struct {
		AutomaticManagementEnabled bool   `json:"automaticManagementEnabled"`
		ManualManagementReason     string `json:"manualManagementReason,omitempty"`
		Status                     string `json:"status,omitempty"`
		LastModifiedTime           int64  `json:"lastModifiedTime"`
	} `json:"secretManagement"`
	CreatedTime int64 `json:"createdTime"`
}

func (a *account) out() accountOut {
	o := accountOut{
		ID: a.id, Name: a.Name, Address: a.Address, UserName: a.UserName,
		PlatformID: a.PlatformID, SafeName: a.Safe, SecretType: "password",
		PlatformAccountProperties: map[string]string{},
		CreatedTime:               a.created.Unix(),
	}
	o.SecretManagement.ManualManagementReason = "Managed by the application owner"
	o.SecretManagement.LastModifiedTime = a.modified.Unix()
	return o
}

// matches applies the PVWA keyword search: every word of search must
// occur (searchType contains) or start (startswith) one of the account's
// name, user name, address or platform.
func (a *account) matches(words []string, startsWith bool) bool {
	fields := []string{strings.ToLower(a.Name), strings.ToLower(a.UserName), strings.ToLower(a.Address), strings.ToLower(a.PlatformID)}
	for _, w := range words {
		w = strings.ToLower(w)
		found := false
		for _, f := range fields {
			if (startsWith && strings.HasPrefix(f, w)) || (!startsWith && strings.Contains(f, w)) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.authenticate(w, r)
	if p == nil {
		return
	}
	s.stats.Searches++
	q := r.URL.Query()
	safe := ""
	if f := q.Get("filter"); f != "" {
		key, rest, ok1 := strings.Cut(strings.TrimSpace(f), " ")
		op, val, ok2 := strings.Cut(strings.TrimSpace(rest), " ")
		if !ok1 || !ok2 || !strings.EqualFold(key, "safeName") || !strings.EqualFold(op, "eq") || strings.TrimSpace(val) == "" {
			pvwaError(w, http.StatusBadRequest, codeBadFilter, "The filter is not valid; use safeName eq <safe name>.")
			return
		}
		safe = strings.TrimSpace(val)
	}
	startsWith := false
	switch st := strings.ToLower(q.Get("searchType")); st {
	case "", "contains":
	case "startswith":
		startsWith = true
	default:
		pvwaError(w, http.StatusBadRequest, codeBadRequest, "searchType must be contains or startswith.")
		return
	}
	limit, offset := defaultSearchLimit, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			pvwaError(w, http.StatusBadRequest, codeBadRequest, "limit must be between 1 and 1000.")
			return
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			pvwaError(w, http.StatusBadRequest, codeBadRequest, "offset must be 0 or more.")
			return
		}
		offset = n
	}
	words := strings.Fields(q.Get("search"))
	found := sortedAccounts(s.accounts, func(a *account) bool {
		return p.safes[strings.ToLower(a.Safe)] &&
			(safe == "" || strings.EqualFold(a.Safe, safe)) &&
			a.matches(words, startsWith)
	})
	page := []accountOut{}
	for i := offset; i < len(found) && len(page) < limit; i++ {
		page = append(page, found[i].out())
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": page, "count": len(found)})
}

// visible returns account id if p is a member of its safe.
func (s *Server) visible(p *principal, id string) *account {
	a, ok := s.accounts[id]
	if !ok || !p.safes[strings.ToLower(a.Safe)] {
		return nil
	}
	return a
}

func (s *Server) accountDetails(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.authenticate(w, r)
	if p == nil {
		return
	}
	s.stats.AccountReads++
	a := s.visible(p, id)
	if a == nil {
		pvwaError(w, http.StatusNotFound, codeNoSuchAccount, fmt.Sprintf("Account [%s] was not found.", id))
		return
	}
	writeJSON(w, http.StatusOK, a.out())
}

func (s *Server) retrieve(w http.ResponseWriter, r *http.Request, id string) {
	body, err := readBody(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.authenticate(w, r)
	if p == nil {
		return
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err != nil || (len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &req) != nil) {
		pvwaError(w, http.StatusBadRequest, codeBadRequest, "The request body is not valid JSON.")
		return
	}
	a := s.visible(p, id)
	if a == nil {
		pvwaError(w, http.StatusNotFound, codeNoSuchAccount, fmt.Sprintf("Account [%s] was not found.", id))
		return
	}
	if !p.retrieve[strings.ToLower(a.Safe)] {
		pvwaError(w, http.StatusForbidden, codeNotAuthorized, msgNotAuthorized)
		return
	}
	if s.requireReason && strings.TrimSpace(req.Reason) == "" {
		pvwaError(w, http.StatusBadRequest, codeMissingReason, msgMissingReason)
		return
	}
	s.stats.Retrieves++
	s.reasons = append(s.reasons, req.Reason)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write([]byte(escapedJSONString(a.Password)))
}
