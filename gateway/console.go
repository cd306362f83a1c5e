package gateway

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/secrets"
)

// ConsoleConfig configures the web console WithConsole adds to the admin
// API. The zero value is ready to use.
type ConsoleConfig struct {
	// IdleAfter is how long a key may go unused before the Keys page
	// marks it idle, a candidate for revocation; zero means 30 days.
	IdleAfter time.Duration
	// SessionTTL is how long a login lasts; zero means 8 hours.
	SessionTTL time.Duration
}

// WithConsole serves a web console beside the admin API, under /console/
// on the same listener and behind the same admin token: a login page
// takes the token and starts a session (an HttpOnly, SameSite=Strict
// cookie; Secure over TLS); ten failed logins within a minute lock the
// form for the rest of that minute. The pages show
//
//	/console/keys   every key, its owner, scopes, allow list, status, expiry, last use and
//	                calls in the last 24 hours; idle keys and keys near expiry stand out;
//	                create, suspend, resume, revoke and rotate, each after a confirmation
//	/console/usage  calls and denials per service and per key over the last hour, day or
//	                week as charts, and each service's share of HubSpot's rate budget
//	/console/audit  the latest calls and denials, filtered by key, service, operation,
//	                status and reason, with a link exporting the same filter as JSON lines
//
// The pages need no JavaScript and load nothing from elsewhere. Every
// change is a POST carrying the session's CSRF token from a same-origin
// page; responses forbid framing, caching and inline scripts. A new key's
// token and signing secret are shown once, on the page that answers its
// creation. A change of the admin token ends every session. The JSON API
// still takes only the bearer token.
func WithConsole(cfg ConsoleConfig) AdminOption {
	return func(h *adminHandler) error {
		if cfg.IdleAfter < 0 || cfg.SessionTTL < 0 {
			return fmt.Errorf("gateway: WithConsole: IdleAfter (%v) and SessionTTL (%v) must not be negative", cfg.IdleAfter, cfg.SessionTTL)
		}
		h.consoleCfg = &cfg
		return nil
	}
}

// Defaults of ConsoleConfig and the console's fixed settings.
const (
	defaultIdleAfter  = 30 * 24 * time.Hour
	defaultSessionTTL = 8 * time.Hour
	// nearExpiry is how close to its expiry a key stands out.
	nearExpiry = 7 * 24 * time.Hour
	// maxSessions bounds the session table; the oldest session goes
	// first.
	maxSessions = 256
	// maxPending bounds the confirmations a session may have open.
	maxPending = 32
	// maxFailedLogins failed logins in loginWindow lock the login form
	// until the window has passed.
	maxFailedLogins = 10
	loginWindow     = time.Minute
	// pendingTTL is how long a confirmation page stays valid.
	pendingTTL = 15 * time.Minute
	// maxFormBody is the largest form the console reads.
	maxFormBody = 64 << 10
	// auditPageRows is how many calls the Audit page shows by default.
	auditPageRows = 100
	// consoleCSP allows the console's own stylesheet and nothing else:
	// no script at all, no frame, forms only to itself.
	consoleCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

//go:embed console
var consoleFiles embed.FS

var consoleTemplates = template.Must(template.New("console").Funcs(template.FuncMap{
	"join": strings.Join,
}).ParseFS(consoleFiles, "console/*.html"))

// console is the web console's handler; adminHandler hands it every
// request for / and /console/.
type console struct {
	h      *adminHandler
	cfg    ConsoleConfig
	mux    *http.ServeMux
	origin *http.CrossOriginProtection
	static http.Handler

	mu       sync.Mutex
	sessions map[[sha256.Size]byte]*session
	// failed holds the times of the latest failed logins, to slow down
	// whoever guesses at the admin token.
	failed []time.Time
}

// session is one login. The cookie holds a random 256-bit ID; the table is
// keyed by its SHA-256, so that the table alone cannot be replayed.
type session struct {
	csrf    string
	created time.Time
	expires time.Time
	// admin is the fingerprint of the admin token the session logged in
	// with: when the token changes, the session ends.
	admin   string
	pending map[string]*pending
}

// pending is a change an admin was shown a confirmation page for. The
// confirmation's POST names it by a single-use nonce, so that no change
// happens without the page, and a resubmitted page changes nothing twice.
type pending struct {
	act     string // create, suspend, resume, revoke, rotate
	id      string
	spec    KeySpec
	summary []string // what the confirmation page said
	expires time.Time
}

func newConsole(h *adminHandler, cfg ConsoleConfig) *console {
	if cfg.IdleAfter <= 0 {
		cfg.IdleAfter = defaultIdleAfter
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = defaultSessionTTL
	}
	static, _ := fs.Sub(consoleFiles, "console/static")
	c := &console{
		h: h, cfg: cfg, mux: http.NewServeMux(),
		origin:   http.NewCrossOriginProtection(),
		static:   http.StripPrefix("/console/static/", http.FileServerFS(static)),
		sessions: map[[sha256.Size]byte]*session{},
	}
	c.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/keys", http.StatusSeeOther)
	})
	c.mux.HandleFunc("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/keys", http.StatusSeeOther)
	})
	c.mux.HandleFunc("GET /console/static/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		c.static.ServeHTTP(w, r)
	})
	c.mux.HandleFunc("GET /console/login", c.loginPage)
	c.mux.HandleFunc("POST /console/login", c.login)
	c.mux.HandleFunc("POST /console/logout", c.authed(c.logout))
	c.mux.HandleFunc("GET /console/keys", c.authed(c.keysPage))
	c.mux.HandleFunc("GET /console/keys/new", c.authed(c.newKeyPage))
	c.mux.HandleFunc("POST /console/keys/new", c.authed(c.reviewKey))
	c.mux.HandleFunc("GET /console/keys/{id}/{act}", c.authed(c.confirmPage))
	c.mux.HandleFunc("POST /console/confirm", c.authed(c.confirm))
	c.mux.HandleFunc("GET /console/usage", c.authed(c.usagePage))
	c.mux.HandleFunc("GET /console/audit", c.authed(c.auditPage))
	c.mux.HandleFunc("GET /console/audit/export", c.authed(c.export))
	c.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c.errorPage(w, r, nil, http.StatusNotFound, "There is no such page.")
	})
	return c
}

// isConsolePath says which requests the console answers.
func isConsolePath(p string) bool {
	return p == "/" || p == "/console" || strings.HasPrefix(p, "/console/")
}

func (c *console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", consoleCSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	if r.URL.Path == "/console" {
		http.Redirect(w, r, "/console/keys", http.StatusSeeOther)
		return
	}
	c.mux.ServeHTTP(w, r)
}

const sessionCookie = "hubkey_console"

// randHex returns n random bytes, hex-encoded.
func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(b)
}

func sessionKey(id string) [sha256.Size]byte { return sha256.Sum256([]byte(id)) }

// adminToken reads the admin token, as the JSON API does, per request.
func (c *console) adminToken(r *http.Request) (secrets.Secret, bool) {
	v, err := c.h.cred.Get(r.Context())
	if err != nil || v.Value.Len() < MinAdminTokenLen {
		if err == nil {
			err = fmt.Errorf("the admin token is %d bytes long; at least %d are required", v.Value.Len(), MinAdminTokenLen)
		}
		c.h.logger.Warn("gateway console: the admin credential is unavailable", "err", err)
		return secrets.Secret{}, false
	}
	return v.Value, true
}

// current returns the request's live session, or nil.
func (c *console) current(r *http.Request, admin secrets.Secret) *session {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || len(ck.Value) != 64 {
		return nil
	}
	key := sessionKey(ck.Value)
	now := c.h.a.clock.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sessions[key]
	if s == nil {
		return nil
	}
	if !now.Before(s.expires) || s.admin != admin.Fingerprint() {
		delete(c.sessions, key)
		return nil
	}
	return s
}

// authed runs f for a request with a live session; others go to the login
// page (GET) or are refused (anything else). Every POST must also come
// from a page of the console's own origin and carry the session's CSRF
// token.
func (c *console) authed(f func(w http.ResponseWriter, r *http.Request, s *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		admin, ok := c.adminToken(r)
		if !ok {
			c.errorPage(w, r, nil, http.StatusServiceUnavailable, "The admin credential is unavailable or too short; the console is locked.")
			return
		}
		s := c.current(r, admin)
		if s == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/console/login", http.StatusSeeOther)
				return
			}
			c.errorPage(w, r, nil, http.StatusUnauthorized, "Your session has ended. Log in again.")
			return
		}
		if r.Method == http.MethodPost {
			if err := c.origin.Check(r); err != nil {
				c.errorPage(w, r, s, http.StatusForbidden, "This form did not come from the console's own pages.")
				return
			}
			if err := parseForm(w, r); err != nil {
				c.errorPage(w, r, s, http.StatusBadRequest, err.Error())
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(s.csrf)) != 1 {
				c.errorPage(w, r, s, http.StatusForbidden, "This form has expired or did not come from the console; reload the page and try again.")
				return
			}
		}
		f(w, r, s)
	}
}

func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		return errors.New("the form could not be read")
	}
	return nil
}

// page is what every template gets.
type page struct {
	Title string
	Nav   string
	CSRF  string // empty when logged out
	Flash string
	Error string
	Data  any
}

// render executes a template into a buffer and sends it, so that a
// failing template is a clean 500.
func (c *console) render(w http.ResponseWriter, status int, name string, p page) {
	var buf bytes.Buffer
	if err := consoleTemplates.ExecuteTemplate(&buf, name, p); err != nil {
		c.h.logger.Warn("gateway console: rendering a page", "page", name, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (c *console) errorPage(w http.ResponseWriter, r *http.Request, s *session, status int, msg string) {
	p := page{Title: http.StatusText(status), Error: msg}
	if s != nil {
		p.CSRF = s.csrf
	}
	c.render(w, status, "error.html", p)
}

func (c *console) loginPage(w http.ResponseWriter, r *http.Request) {
	if admin, ok := c.adminToken(r); ok && c.current(r, admin) != nil {
		http.Redirect(w, r, "/console/keys", http.StatusSeeOther)
		return
	}
	c.render(w, http.StatusOK, "login.html", page{Title: "Log in"})
}

// login checks the admin token a person typed and starts a session.
func (c *console) login(w http.ResponseWriter, r *http.Request) {
	if err := c.origin.Check(r); err != nil {
		c.errorPage(w, r, nil, http.StatusForbidden, "This form did not come from the console's own pages.")
		return
	}
	admin, ok := c.adminToken(r)
	if !ok {
		c.errorPage(w, r, nil, http.StatusServiceUnavailable, "The admin credential is unavailable or too short; the console is locked.")
		return
	}
	if err := parseForm(w, r); err != nil {
		c.errorPage(w, r, nil, http.StatusBadRequest, err.Error())
		return
	}
	if c.throttled() {
		w.Header().Set("Retry-After", strconv.Itoa(int(loginWindow/time.Second)))
		c.render(w, http.StatusTooManyRequests, "login.html", page{Title: "Log in", Error: "Too many failed logins; wait a minute and try again."})
		return
	}
	typed := r.PostForm.Get("token")
	if len(typed) > 4096 || !secrets.New(strings.TrimSpace(typed)).Equal(admin) {
		c.mu.Lock()
		c.failed = append(c.failed, c.h.a.clock.Now())
		if len(c.failed) > maxFailedLogins {
			c.failed = c.failed[len(c.failed)-maxFailedLogins:]
		}
		c.mu.Unlock()
		c.h.logger.Warn("gateway console: a login with a wrong admin token", "client", r.RemoteAddr)
		c.render(w, http.StatusUnauthorized, "login.html", page{Title: "Log in", Error: "That is not the admin token."})
		return
	}
	// A login always gets a new session, never one a cookie already named.
	if old, err := r.Cookie(sessionCookie); err == nil {
		c.mu.Lock()
		delete(c.sessions, sessionKey(old.Value))
		c.mu.Unlock()
	}
	id := randHex(32)
	now := c.h.a.clock.Now()
	s := &session{csrf: randHex(32), created: now, expires: now.Add(c.cfg.SessionTTL), admin: admin.Fingerprint(), pending: map[string]*pending{}}
	c.mu.Lock()
	for k, o := range c.sessions {
		if !now.Before(o.expires) {
			delete(c.sessions, k)
		}
	}
	for len(c.sessions) >= maxSessions {
		var oldest [sha256.Size]byte
		var at time.Time
		for k, o := range c.sessions {
			if at.IsZero() || o.created.Before(at) {
				oldest, at = k, o.created
			}
		}
		delete(c.sessions, oldest)
	}
	c.sessions[sessionKey(id)] = s
	c.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/console/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: int(c.cfg.SessionTTL / time.Second),
	})
	c.h.logger.Info("gateway console: logged in", "client", r.RemoteAddr)
	http.Redirect(w, r, "/console/keys", http.StatusSeeOther)
}

// throttled says whether maxFailedLogins logins failed in the last
// loginWindow.
func (c *console) throttled() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.failed) >= maxFailedLogins && c.h.a.clock.Now().Sub(c.failed[0]) < loginWindow
}

func (c *console) logout(w http.ResponseWriter, r *http.Request, s *session) {
	c.mu.Lock()
	for k, o := range c.sessions {
		if o == s {
			delete(c.sessions, k)
		}
	}
	c.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/console/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// propose records a change awaiting confirmation and returns its nonce.
func (c *console) propose(s *session, p *pending) string {
	now := c.h.a.clock.Now()
	p.expires = now.Add(pendingTTL)
	nonce := randHex(16)
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, o := range s.pending {
		if !now.Before(o.expires) {
			delete(s.pending, k)
		}
	}
	for len(s.pending) >= maxPending {
		for k := range s.pending {
			delete(s.pending, k)
			break
		}
	}
	s.pending[nonce] = p
	return nonce
}

// take removes and returns the pending change a nonce names.
func (c *console) take(s *session, nonce string) *pending {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := s.pending[nonce]
	delete(s.pending, nonce)
	if p == nil || !c.h.a.clock.Now().Before(p.expires) {
		return nil
	}
	return p
}

// keyForm is the New key form's fields, kept to show again on an error.
type keyForm struct {
	Name, Service, Scopes, AllowedIPs, ExpiresIn string
	RequireSignature                             bool
	Field                                        string
}

// expiryChoices are the New key form's expiry options.
var expiryChoices = []struct{ Value, Label string }{
	{"", "never"}, {"24h", "in a day"}, {"168h", "in a week"}, {"720h", "in 30 days"}, {"2160h", "in 90 days"}, {"8760h", "in a year"},
}

func (c *console) newKeyPage(w http.ResponseWriter, r *http.Request, s *session) {
	c.render(w, http.StatusOK, "newkey.html", page{Title: "New key", Nav: "keys", CSRF: s.csrf,
		Data: map[string]any{"Form": keyForm{}, "Expiry": expiryChoices}})
}

// reviewKey checks the New key form and shows what will be made, with a
// button that makes it.
func (c *console) reviewKey(w http.ResponseWriter, r *http.Request, s *session) {
	f := keyForm{
		Name: strings.TrimSpace(r.PostForm.Get("name")), Service: strings.TrimSpace(r.PostForm.Get("service")),
		Scopes: r.PostForm.Get("scopes"), AllowedIPs: r.PostForm.Get("allowed_ips"),
		ExpiresIn: r.PostForm.Get("expires_in"), RequireSignature: r.PostForm.Get("require_signature") != "",
	}
	spec, field, err := c.specFromForm(f)
	if err != nil {
		f.Field = field
		c.render(w, http.StatusBadRequest, "newkey.html", page{Title: "New key", Nav: "keys", CSRF: s.csrf,
			Error: err.Error(), Data: map[string]any{"Form": f, "Expiry": expiryChoices}})
		return
	}
	summary := []string{
		"Name: " + spec.Name, "Service: " + spec.Service, "Scopes: " + strings.Join(spec.Scopes, ", "),
		"Allowed IPs: " + orAny(prefixStrings(spec.AllowedIPs)),
		"Expires: " + fmtTime(spec.ExpiresAt, "never"),
		"Signs its sensitive calls: " + yesNo(spec.RequireSignature),
	}
	nonce := c.propose(s, &pending{act: "create", spec: spec, summary: summary})
	c.render(w, http.StatusOK, "confirm.html", page{Title: "Create this key?", Nav: "keys", CSRF: s.csrf, Data: map[string]any{
		"Act": "create", "Button": "Create key", "Nonce": nonce, "Summary": summary,
	}})
}

func (c *console) specFromForm(f keyForm) (KeySpec, string, error) {
	spec := KeySpec{Name: f.Name, Service: f.Service, RequireSignature: f.RequireSignature}
	spec.Scopes = strings.FieldsFunc(f.Scopes, splitList)
	for _, v := range strings.FieldsFunc(f.AllowedIPs, splitList) {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return KeySpec{}, "allowed_ips", fmt.Errorf("%q is not an address or CIDR prefix such as 10.0.0.0/8", v)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		spec.AllowedIPs = append(spec.AllowedIPs, p)
	}
	now := c.h.a.clock.Now()
	if f.ExpiresIn != "" {
		ok := false
		for _, e := range expiryChoices {
			ok = ok || e.Value == f.ExpiresIn
		}
		d, err := time.ParseDuration(f.ExpiresIn)
		if !ok || err != nil {
			return KeySpec{}, "expires_in", errors.New("choose an expiry from the list")
		}
		spec.ExpiresAt = now.Add(d).UTC().Truncate(time.Second)
	}
	if err := spec.Validate(now); err != nil {
		var fe *FieldError
		field := ""
		if errors.As(err, &fe) {
			field = specFields[fe.Field]
		}
		return KeySpec{}, field, errors.New(strings.TrimPrefix(err.Error(), "gateway: "))
	}
	return spec, "", nil
}

func splitList(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }

// graceChoices are the Rotate page's grace periods.
var graceChoices = []struct{ Value, Label string }{
	{"0s", "at once"}, {"10m", "10 minutes"}, {"1h", "1 hour"}, {"24h", "1 day"}, {"168h", "1 week"},
}

var actions = map[string]struct{ title, button string }{
	"suspend": {"Suspend this key?", "Suspend key"},
	"resume":  {"Resume this key?", "Resume key"},
	"revoke":  {"Revoke this key for good?", "Revoke key"},
	"rotate":  {"Rotate this key?", "Rotate key"},
}

// confirmPage shows what a change will do, with the button that does it.
func (c *console) confirmPage(w http.ResponseWriter, r *http.Request, s *session) {
	act := r.PathValue("act")
	a, ok := actions[act]
	if !ok {
		c.errorPage(w, r, s, http.StatusNotFound, "There is no such page.")
		return
	}
	k, err := c.h.a.Key(r.Context(), r.PathValue("id"))
	if err != nil {
		c.storeError(w, r, s, err)
		return
	}
	summary := []string{"Key: " + k.ID, "Name: " + k.Name, "Service: " + k.Service, "Status: " + k.Status.String()}
	switch act {
	case "revoke":
		summary = append(summary, "Every call with this key will be refused from now on. This cannot be undone.")
	case "suspend":
		summary = append(summary, "Calls with this key will be refused until it is resumed.")
	case "rotate":
		summary = append(summary, "A new key with the same scopes replaces it; its token is shown once. The old key keeps working for the grace period chosen below.")
	}
	nonce := c.propose(s, &pending{act: act, id: k.ID, summary: summary})
	data := map[string]any{"Act": act, "Button": a.button, "Nonce": nonce, "Summary": summary}
	if act == "rotate" {
		data["Grace"] = graceChoices
	}
	c.render(w, http.StatusOK, "confirm.html", page{Title: a.title, Nav: "keys", CSRF: s.csrf, Data: data})
}

// confirm carries out a confirmed change.
func (c *console) confirm(w http.ResponseWriter, r *http.Request, s *session) {
	p := c.take(s, r.PostForm.Get("nonce"))
	if p == nil {
		c.errorPage(w, r, s, http.StatusConflict, "This confirmation was used already or has expired; nothing was changed. Start again from the Keys page.")
		return
	}
	ctx := r.Context()
	log := c.h.logger
	switch p.act {
	case "create":
		iss, err := c.h.a.Create(ctx, p.spec)
		if err != nil {
			c.storeError(w, r, s, err)
			return
		}
		log.Info("gateway console: key created", "key", iss.Key.ID, "fingerprint", iss.Key.Fingerprint, "service", iss.Key.Service)
		c.reveal(w, s, "Key created", iss)
		return
	case "rotate":
		grace, err := time.ParseDuration(r.PostForm.Get("grace"))
		if err != nil || grace < 0 || grace > 30*24*time.Hour {
			c.errorPage(w, r, s, http.StatusBadRequest, "Choose a grace period from the list; nothing was changed.")
			return
		}
		iss, err := c.h.a.Rotate(ctx, p.id, grace)
		if err != nil {
			c.storeError(w, r, s, err)
			return
		}
		log.Info("gateway console: key rotated", "key", p.id, "new_key", iss.Key.ID, "fingerprint", iss.Key.Fingerprint, "grace", grace)
		c.reveal(w, s, "Key rotated", iss)
		return
	}
	var (
		k   Key
		err error
	)
	switch p.act {
	case "suspend":
		k, err = c.h.a.Suspend(ctx, p.id)
	case "resume":
		k, err = c.h.a.Resume(ctx, p.id)
	case "revoke":
		k, err = c.h.a.Revoke(ctx, p.id)
	}
	if err != nil {
		c.storeError(w, r, s, err)
		return
	}
	log.Info("gateway console: key "+pastTense(p.act), "key", k.ID, "fingerprint", k.Fingerprint)
	http.Redirect(w, r, "/console/keys?done="+p.act+"&key="+k.ID, http.StatusSeeOther)
}

// reveal shows a new key's token and signing secret: the one page that
// holds a secret, never cached, never logged, never shown again.
func (c *console) reveal(w http.ResponseWriter, s *session, title string, iss Issued) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	data := map[string]any{"Key": iss.Key, "Token": iss.Token.Reveal()}
	if !iss.SigningSecret.IsZero() {
		data["SigningSecret"] = iss.SigningSecret.Reveal()
	}
	c.render(w, http.StatusCreated, "reveal.html", page{Title: title, Nav: "keys", CSRF: s.csrf, Data: data})
}

// storeError answers an error from the Admin or the Store.
func (c *console) storeError(w http.ResponseWriter, r *http.Request, s *session, err error) {
	switch {
	case errors.Is(err, ErrKeyNotFound):
		c.errorPage(w, r, s, http.StatusNotFound, "No key has this ID.")
	case errors.Is(err, ErrKeyState):
		msg, _, _ := strings.Cut(strings.TrimPrefix(err.Error(), "gateway: "), ": "+ErrKeyState.Error())
		c.errorPage(w, r, s, http.StatusConflict, msg+".")
	default:
		c.h.logger.Warn("gateway console: request failed", "err", err)
		c.errorPage(w, r, s, http.StatusInternalServerError, "The store failed; see the gateway's log.")
	}
}

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func orAny(v []string) string {
	if len(v) == 0 {
		return "any"
	}
	return strings.Join(v, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func fmtTime(t time.Time, zero string) string {
	if t.IsZero() {
		return zero
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
