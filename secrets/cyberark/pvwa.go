package cyberark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
)

// maxSearchBody bounds an account search or account details answer.
const maxSearchBody = 1 << 20

// PVWA reads an account's password through the PasswordVault REST API, of
// Privilege Cloud (PlatformToken) or of a self-hosted PVWA (Logon).
//
// The first Fetch finds the account with GET
// /PasswordVault/API/Accounts?search=<search>&filter=safeName eq <safe> and
// fails unless exactly one account of the safe matches. The account's id is
// kept: later fetches read its details with GET
// /PasswordVault/API/Accounts/{id} (and search again if it is gone). The
// password comes from POST /PasswordVault/API/Accounts/{id}/Password/Retrieve
// with the configured reason; its answer, a JSON string, is decoded as JSON.
//
// Version.ID is "<lastModifiedTime>/<fingerprint>": the account's
// secretManagement.lastModifiedTime (RFC 3339, UTC) joined to the value's
// fingerprint, or the fingerprint alone when the PVWA reports no
// modification time. The time says when CyberArk last changed the password,
// for the audit trail; the fingerprint keeps two changes within one second
// (the time's resolution) apart, and a value that changed between the
// details call and the retrieval.
//
// A PVWA is safe for concurrent use. Close it to log off.
type PVWA struct {
	root    string // https://host/PasswordVault
	safe    string
	search  string
	reason  string
	source  string
	hc      *http.Client
	tr      *http.Transport // non-nil when the provider owns it
	clock   clock.Clock
	maxSize int64
	timeout time.Duration
	tokens  *tokenHolder

	mu        sync.Mutex
	accountID string
	closeOnce sync.Once
}

// NewPVWA returns a provider for the one account of safe that search
// matches. baseURL is the PVWA, such as https://pvwa.example.com (the
// /PasswordVault root is added when the URL has no path) or
// https://<subdomain>.privilegecloud.cyberark.cloud/PasswordVault/API. search
// is the PVWA's keyword search (all words must match the account's name,
// user name, address or properties), typically the account's name. auth is
// PlatformToken or Logon.
//
// Options: WithHTTPClient, WithRootCAs, WithReason, WithClock, WithMaxSize,
// WithTimeout. Every configuration error is reported here.
func NewPVWA(baseURL, safe, search string, auth Auth, opts ...Option) (*PVWA, error) {
	u, err := parseBaseURL("PVWA", baseURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(safe) == "" {
		return nil, errors.New("cyberark: NewPVWA: safe name is empty")
	}
	if strings.TrimSpace(search) == "" {
		return nil, errors.New("cyberark: NewPVWA: account search is empty")
	}
	if err := auth.validate(); err != nil {
		return nil, err
	}
	o, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	if o.certPEM != nil {
		return nil, errors.New("cyberark: WithClientCertificate applies to the Central Credential Provider (NewCCP), not to NewPVWA")
	}
	hc, tr, err := o.client(nil)
	if err != nil {
		return nil, err
	}
	p := &PVWA{
		root:    serviceRoot(u, "/PasswordVault"),
		safe:    safe,
		search:  search,
		reason:  o.reason,
		source:  "cyberark-pvwa:" + safe + "/" + search,
		hc:      hc,
		tr:      tr,
		clock:   o.clock,
		maxSize: o.maxSize,
		timeout: o.timeout,
	}
	var a authenticator
	switch auth.kind {
	case authPlatformToken:
		iu, _ := parseBaseURL("identity tenant", auth.identityURL)
		a = &platformAuth{
			endpoint: strings.TrimRight(redactURL(iu), "/") + "/oauth2/platformtoken",
			clientID: auth.clientID,
			secret:   auth.secret,
			hc:       hc,
			clock:    o.clock,
		}
	case authLogon:
		a = &logonAuth{root: p.root, method: auth.method, username: auth.username, password: auth.secret, hc: hc}
	}
	p.tokens = &tokenHolder{a: a, clock: o.clock, timeout: o.timeout}
	return p, nil
}

// Source returns "cyberark-pvwa:<safe>/<search>".
func (p *PVWA) Source() string { return p.source }

// Fetch retrieves the account's current password.
func (p *PVWA) Fetch(ctx context.Context) (secrets.Version, error) {
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, p.fail(err)
	}
	acct, err := p.account(ctx)
	if err != nil {
		return secrets.Version{}, p.fail(err)
	}
	value, err := p.retrieve(ctx, acct.ID)
	if err != nil {
		if errors.Is(err, secrets.ErrNotFound) {
			p.forget(acct.ID)
		}
		return secrets.Version{}, p.fail(err)
	}
	id := value.Fingerprint()
	if t := acct.modified(); !t.IsZero() {
		id = t.UTC().Format(time.RFC3339) + "/" + id
	}
	return secrets.Version{Value: value, ID: id, Source: p.source, FetchedAt: p.clock.Now()}, nil
}

// Close logs off a self-hosted PVWA session (POST
// /PasswordVault/API/Auth/Logoff) and releases idle connections. Fetch
// fails with ErrClosed afterwards. Close is safe to call more than once;
// only the first call reports an error.
func (p *PVWA) Close() error {
	var err error
	p.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
		defer cancel()
		if e := p.tokens.close(ctx); e != nil {
			err = &secrets.Error{Source: p.source, Err: e}
		}
		if p.tr != nil {
			p.tr.CloseIdleConnections()
		}
	})
	return err
}

func (p *PVWA) fail(err error) error { return &secrets.Error{Source: p.source, Err: err} }

// accountJSON is the part of a PVWA account that the provider reads.
type accountJSON struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	SafeName         string `json:"safeName"`
	SecretManagement struct {
		LastModifiedTime json.Number `json:"lastModifiedTime"`
	} `json:"secretManagement"`
}

// modified returns secretManagement.lastModifiedTime (Unix seconds), or
// the zero time when the PVWA did not report one.
func (a accountJSON) modified() time.Time {
	if a.SecretManagement.LastModifiedTime == "" {
		return time.Time{}
	}
	f, err := strconv.ParseFloat(string(a.SecretManagement.LastModifiedTime), 64)
	if err != nil || f <= 0 || f > 1e11 {
		return time.Time{}
	}
	return time.Unix(int64(f), 0)
}

// account returns the account, from its cached id or by searching.
func (p *PVWA) account(ctx context.Context) (accountJSON, error) {
	p.mu.Lock()
	id := p.accountID
	p.mu.Unlock()
	if id != "" {
		a, err := p.details(ctx, id)
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, secrets.ErrNotFound) {
			return accountJSON{}, err
		}
		// The account was deleted (or moved out of reach): find it again.
		p.forget(id)
	}
	a, err := p.find(ctx)
	if err != nil {
		return accountJSON{}, err
	}
	p.mu.Lock()
	p.accountID = a.ID
	p.mu.Unlock()
	return a, nil
}

func (p *PVWA) forget(id string) {
	p.mu.Lock()
	if p.accountID == id {
		p.accountID = ""
	}
	p.mu.Unlock()
}

// find runs the account search and insists on exactly one match.
func (p *PVWA) find(ctx context.Context) (accountJSON, error) {
	q := "search=" + queryEscape(p.search) + "&filter=" + queryEscape("safeName eq "+p.safe)
	body, s, err := p.call(ctx, request{
		op:     "account search",
		method: http.MethodGet,
		url:    p.root + "/API/Accounts?" + q,
		limit:  maxSearchBody,
	})
	if err != nil {
		return accountJSON{}, err
	}
	var r struct {
		Value []accountJSON `json:"value"`
		Count *int          `json:"count"`
	}
	if err := decodeJSONObject(body, &r, "account search"); err != nil {
		return accountJSON{}, fmt.Errorf("cyberark: account search: %w", err)
	}
	// The filter should already have done this; a PVWA that ignores
	// the filter must not hand back an account of another safe.
	matches := r.Value[:0:0]
	for _, a := range r.Value {
		if strings.EqualFold(a.SafeName, p.safe) {
			matches = append(matches, a)
		}
	}
	total := len(matches)
	if r.Count != nil && len(matches) == len(r.Value) && *r.Count > total {
		total = *r.Count // more pages
	}
	switch {
	case total == 0:
		return accountJSON{}, fmt.Errorf("cyberark: account search: %w: no account in safe %q matches search %q (0 results; check the search, the safe name, and that the user is a member of the safe)", secrets.ErrNotFound, p.safe, p.search)
	case total > 1:
		names := make([]string, 0, 5)
		for _, a := range matches[:min(len(matches), 5)] {
			// Scrubbed before it is quoted: the server may have echoed
			// the session token there.
			names = append(names, strconv.Quote(cleanMessage(a.Name, []secrets.Secret{s.header, s.token})))
		}
		more := ""
		if total > len(names) {
			more = ", ..."
		}
		return accountJSON{}, fmt.Errorf("cyberark: account search: %w: search %q in safe %q matches %d accounts (%s%s); make the search match exactly one, for example with the account's full name", ErrAmbiguous, p.search, p.safe, total, strings.Join(names, ", "), more)
	}
	a := matches[0]
	if !validAccountID(a.ID) {
		return accountJSON{}, fmt.Errorf("cyberark: account search: %w: the matching account has an unusable id", secrets.ErrMalformed)
	}
	return a, nil
}

// details reads the account by id.
func (p *PVWA) details(ctx context.Context, id string) (accountJSON, error) {
	body, _, err := p.call(ctx, request{
		op:     "account details",
		method: http.MethodGet,
		url:    p.root + "/API/Accounts/" + url.PathEscape(id),
		limit:  maxSearchBody,
	})
	if err != nil {
		return accountJSON{}, err
	}
	var a accountJSON
	if err := decodeJSONObject(body, &a, "account details"); err != nil {
		return accountJSON{}, fmt.Errorf("cyberark: account details: %w", err)
	}
	if a.ID != id {
		return accountJSON{}, fmt.Errorf("cyberark: account details: %w: asked for account %s, the answer is for another id", secrets.ErrMalformed, id)
	}
	return a, nil
}

// retrieve reads the password of account id.
func (p *PVWA) retrieve(ctx context.Context, id string) (secrets.Secret, error) {
	reqBody, err := json.Marshal(struct {
		Reason string `json:"reason"`
	}{p.reason})
	if err != nil {
		return secrets.Secret{}, fmt.Errorf("cyberark: password retrieve: encoding the request: %w", err)
	}
	body, _, err := p.call(ctx, request{
		op:          "password retrieve",
		method:      http.MethodPost,
		url:         p.root + "/API/Accounts/" + url.PathEscape(id) + "/Password/Retrieve",
		body:        reqBody,
		contentType: "application/json",
		// A JSON string escapes a byte as at most 6 (\u00XX).
		limit: 6*p.maxSize + 2 + 1024,
	})
	if err != nil {
		return secrets.Secret{}, err
	}
	pw, err := decodeJSONString(body)
	if err != nil {
		return secrets.Secret{}, fmt.Errorf("cyberark: password retrieve of account %s: %w", id, err)
	}
	if pw == "" {
		return secrets.Secret{}, fmt.Errorf("cyberark: password retrieve of account %s: %w", id, secrets.ErrEmpty)
	}
	if int64(len(pw)) > p.maxSize {
		return secrets.Secret{}, fmt.Errorf("cyberark: password retrieve of account %s: %w (%d bytes)", id, secrets.ErrTooLarge, p.maxSize)
	}
	return secrets.New(pw), nil
}

// call sends r with the current session, and when the PVWA answers 401
// drops that session, obtains a new one, and sends r once more. It returns
// the answer's body and the session it was sent with.
func (p *PVWA) call(ctx context.Context, r request) ([]byte, *session, error) {
	for attempt := 0; ; attempt++ {
		s, err := p.tokens.get(ctx)
		if err != nil {
			return nil, nil, err
		}
		r.auth, r.token = s.header, s.token
		resp, err := send(ctx, p.hc, r)
		if err != nil {
			return nil, nil, err
		}
		if resp.status == http.StatusUnauthorized && attempt == 0 {
			p.tokens.reject(s)
			continue
		}
		if resp.status/100 != 2 {
			return nil, nil, apiError(r.op, resp.status, resp.body, s.header, s.token)
		}
		return resp.body, s, nil
	}
}

// validAccountID accepts the ids the PVWA hands out ("12_34") and
// rejects anything that could change the request path.
func validAccountID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		if !(r == '_' || r == '-' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')) {
			return false
		}
	}
	return true
}

var _ secrets.Provider = (*PVWA)(nil)
