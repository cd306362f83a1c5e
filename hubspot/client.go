package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/endpoints"
)

// DefaultBaseURL is HubSpot's API root.
const DefaultBaseURL = "https://api.hubapi.com"

// maxResponseBody bounds a success response the client decodes. HubSpot's
// largest pages (200 search results with many properties) are far smaller.
const maxResponseBody = 64 << 20

// jsonValue is the value of the Accept and Content-Type headers.
var jsonValue = []string{"application/json"}

// version is reported in the User-Agent.
const version = "0.1.0"

// Client calls the HubSpot API. Its services share one core; it is safe
// for concurrent use. Create it with New and Close it when done.
type Client struct {
	baseURL   string // scheme://host[/prefix], no trailing slash
	formsURL  string // WithFormsURL, checked like baseURL
	basePath  string // the escaped [/prefix] of baseURL
	version   endpoints.Version
	hc        *http.Client
	userAgent []string // the User-Agent header's value, shared by every request
	clock     clock.Clock
	logger    *slog.Logger
	batchConc int

	creds     *Credentials      // nil when the Client has only a developer key
	devKey    TokenSource       // WithDeveloperKey; nil: none
	ownedBase *closingTransport // the base transport New made; nil with WithHTTPClient
	fileRT    http.RoundTripper // the base transport, for export files
	signs     bool              // WithSigner was given
	closeOnce sync.Once

	// Typed views of the CRM objects API. Objects returns one for any other
	// (custom) object type.
	Contacts, Companies, Deals, Tickets, Products, LineItems, Quotes *ObjectService

	// Typed views of the activity types: CRM objects with a timestamp, a
	// body and an owner, logged against contacts, companies, deals and
	// tickets.
	Notes, Calls, Emails, Meetings, Tasks, Communications, PostalMail *ActivityService

	// Webhooks manages an app's webhook settings and subscriptions, with
	// the developer key (WithDeveloperKey).
	Webhooks *WebhooksService

	// Associations links records (associations v4) and manages
	// association labels.
	Associations *AssociationsService
	// Properties manages property definitions and groups.
	Properties *PropertiesService
	// Schemas defines custom object types, whose records Objects reads
	// and writes.
	Schemas *SchemasService
	// Forms manages marketing forms and reads their submissions.
	Forms *FormsService
	// Files uploads, imports, finds and archives files and manages their
	// folders; it hands out signed URLs for private files.
	Files *FilesService
	// Timeline manages an app's timeline event templates (under the
	// developer key) and creates and reads timeline events.
	Timeline *TimelineService
	// Pipelines manages deal, ticket and other pipelines and their stages.
	Pipelines *PipelinesService
	// Owners reads the users records can be assigned to.
	Owners *OwnersService
	// Lists manages lists of records, their members and folders.
	Lists *ListsService
	// Users provisions and manages the account's users; lists its teams
	// and roles.
	Users *UsersService
	// Preferences reads and changes email subscription statuses.
	Preferences *PreferencesService
	// Exports exports records of a view or a list and downloads the file.
	Exports *ExportsService
	// Imports imports records from files streamed from readers.
	Imports *ImportsService
	// Transactional sends transactional email and manages SMTP API
	// tokens, whose passwords come back as secrets.Secret.
	Transactional *TransactionalService
	// MarketingEmails reads marketing emails and publishes or schedules
	// them.
	MarketingEmails *MarketingEmailsService
	// Account reads the account's details and API usage; Account.Details
	// is the cheapest check that a token works.
	Account *AccountService
}

// Option configures a Client.
type Option func(*options) error

type options struct {
	creds      []credentialSpec
	tokenIdx   int // 1 + index in creds of WithToken's credential; 0: none
	fallback   string
	devKey     TokenSource // WithDeveloperKey
	baseURL    string
	formsURL   string   // WithFormsURL
	extraHosts []string // WithCredentialHosts, as given
	hosts      []string // set by New: the base URL's host:port, then extraHosts
	httpClient *http.Client
	logger     *slog.Logger
	limit      RateLimit
	search     RateLimit
	shared     SharedBudget
	retry      RetryPolicy
	uaSuffix   string
	version    endpoints.Version
	clock      clock.Clock
	batchConc  int
	observer   Observer // WithObserver
	// innermost wraps the base transport, below the credential layer: the
	// seam for request signing (WithSigner). It sees every attempt's final
	// request, Authorization included, and nothing below it adds headers.
	innermost []func(http.RoundTripper) http.RoundTripper
	// signs says WithSigner was given.
	signs bool
}

// WithToken sets where the token comes from: a TokenSource, normally a
// *secrets.Cache over a provider (read on every request, so rotation needs
// nothing more; the Client does not close it). It is the single-credential
// shorthand for
// WithCredential("default", src, EveryScope); given again, it replaces its
// earlier source. WithToken or WithCredential is required, unless the
// Client only manages app settings with WithDeveloperKey.
func WithToken(src TokenSource) Option {
	return func(o *options) error {
		if err := checkTokenSource("WithToken", src); err != nil {
			return err
		}
		sp := credentialSpec{name: "default", src: src, scopes: []string{EveryScope}}
		if o.tokenIdx > 0 {
			o.creds[o.tokenIdx-1] = sp
			return nil
		}
		o.creds = append(o.creds, sp)
		o.tokenIdx = len(o.creds)
		return nil
	}
}

// WithBaseURL sets the API root (default DefaultBaseURL), for a gateway or
// a test server. It must be an absolute https URL, or http to a loopback
// host; it may have a path prefix but no query, fragment or user info.
func WithBaseURL(u string) Option {
	return func(o *options) error { o.baseURL = u; return nil }
}

// DefaultFormsURL is the root of HubSpot's form submission host, where
// FormsService.Submit sends a visitor's data.
const DefaultFormsURL = "https://api.hsforms.com"

// WithFormsURL sets the root FormsService.Submit posts to (default
// DefaultFormsURL), such as a test server's URL. It must be an absolute
// https URL, or http to a loopback host. No credential is ever sent there.
func WithFormsURL(u string) Option {
	return func(o *options) error { o.formsURL = u; return nil }
}

// WithCredentialHosts names hosts, besides the base URL's, that the
// Client's credentials (bearer token and developer key) may go to, for
// calls through HTTPClient to another HubSpot host: each "host" or
// "host:port", a host without a port meaning 443, reached over HTTPS only.
// A request to any other host gets no credential and fails with
// ErrUnboundHost before it is sent. A loopback host is bound only as the
// base URL's host. Given again, it adds to the hosts named before.
func WithCredentialHosts(hosts ...string) Option {
	return func(o *options) error {
		o.extraHosts = append(o.extraHosts, hosts...)
		return nil
	}
}

// credentialHosts returns the hosts the credential layers bind the
// credentials to: the base URL's host:port, then each of extra, checked.
func credentialHosts(base string, extra []string) ([]string, error) {
	u, err := url.Parse(base)
	if err != nil { // checkBaseURL made it; cannot happen
		return nil, fmt.Errorf("hubspot: base URL: %w", sanitizeError(err))
	}
	hosts := []string{canonicalHost(u)}
	for _, h := range extra {
		c, ok := canonicalEntry(h, "https")
		switch {
		case !ok:
			return nil, fmt.Errorf("hubspot: WithCredentialHosts(%q): name a host or host:port, without scheme, path, query or user info", sanitizeURL(h))
		case isLoopback((&url.URL{Host: h}).Hostname()):
			return nil, fmt.Errorf("hubspot: WithCredentialHosts(%q): a loopback host gets credentials only as the base URL's host", h)
		}
		if !slices.Contains(hosts, c) {
			hosts = append(hosts, c)
		}
	}
	return hosts, nil
}

// WithHTTPClient sets the http.Client whose Transport (http.DefaultTransport
// when nil) becomes the base of the client's transport stack; its Timeout
// and Jar are kept. The client is not modified.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) error {
		if hc == nil {
			return errors.New("hubspot: WithHTTPClient(nil)")
		}
		o.httpClient = hc
		return nil
	}
}

// WithLogger sets the logger. At Debug level it records each request's
// method, path (no query), status, duration and token fingerprint, and each
// retry; never a header, a token or a body. Default: discard.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error { o.logger = l; return nil }
}

// WithRateLimit sets the client-side limit for all calls but search
// (default LimitFreeStarter()); see also LimitProfessional() and
// LimitAPIAddOn(). The zero RateLimit disables it.
func WithRateLimit(r RateLimit) Option {
	return func(o *options) error {
		if err := r.validate("WithRateLimit"); err != nil {
			return err
		}
		o.limit = r
		return nil
	}
}

// WithSearchRateLimit sets the client-side limit for CRM search calls
// (default LimitSearch()). The zero RateLimit disables it.
func WithSearchRateLimit(r RateLimit) Option {
	return func(o *options) error {
		if err := r.validate("WithSearchRateLimit"); err != nil {
			return err
		}
		o.search = r
		return nil
	}
}

// WithSharedBudget makes the rate limits of WithRateLimit and
// WithSearchRateLimit count every process that uses the same HubSpot app,
// by keeping their windows in s.Budget (see package hubspot/pgbudget)
// instead of in this process. When the Budget fails, the process keeps to
// its share of the limits and reports it; see SharedBudget.
func WithSharedBudget(s SharedBudget) Option {
	return func(o *options) error {
		if err := s.validate(); err != nil {
			return err
		}
		o.shared = s
		return nil
	}
}

// WithRetry sets the retry policy (default DefaultRetryPolicy()).
func WithRetry(p RetryPolicy) Option {
	return func(o *options) error {
		if err := p.validate(); err != nil {
			return err
		}
		o.retry = p
		return nil
	}
}

// WithUserAgent appends suffix (such as "my-app/1.2") to the User-Agent.
func WithUserAgent(suffix string) Option {
	return func(o *options) error {
		for _, r := range suffix {
			if r < 0x20 || r == 0x7f {
				return errors.New("hubspot: WithUserAgent: the suffix contains a control character")
			}
		}
		o.uaSuffix = strings.TrimSpace(suffix)
		return nil
	}
}

// WithClock sets the clock every wait (rate limit, retry backoff) and the
// token Cache built from a Provider use. Default: the system clock.
func WithClock(c clock.Clock) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("hubspot: WithClock(nil)")
		}
		o.clock = c
		return nil
	}
}

// WithBatchConcurrency sets how many chunks of one batch call are in flight
// at once (default 4, at most 32). They still pass the rate limiter.
func WithBatchConcurrency(n int) Option {
	return func(o *options) error {
		if n < 1 || n > 32 {
			return fmt.Errorf("hubspot: WithBatchConcurrency must be between 1 and 32, got %d", n)
		}
		o.batchConc = n
		return nil
	}
}

// New returns a Client. It checks its options now, so a missing token
// source or a bad base URL fails here rather than on the first call.
//
// The credential layer is bound to the base URL's host and port and the
// hosts named with WithCredentialHosts (see Transport.Hosts).
//
// Each request passes, outermost first: RetryTransport; the credential
// layer, Transport, which adds the bearer token of the credential picked
// for the call, or the developer API key for the operations HubSpot
// authenticates with one; RateLimitTransport (keyed by the credential the request carries); the
// signing layer (WithSigner); then the base transport. Every layer reads
// what it needs to know of the call (scopes, credential kind, safe to
// repeat, rate limit, sensitive) from hubkey's catalogue of HubSpot
// operations: a typed method names its operation, and a request through
// HTTPClient is looked up by its method and path under the base URL.
func New(opts ...Option) (*Client, error) {
	o := options{
		version:   defaultAPIVersion,
		baseURL:   DefaultBaseURL,
		formsURL:  DefaultFormsURL,
		limit:     LimitFreeStarter(),
		search:    LimitSearch(),
		retry:     DefaultRetryPolicy(),
		batchConc: 4,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if len(o.creds) == 0 && o.devKey == nil {
		return nil, errors.New("hubspot: no token source: pass WithToken(cache) with a *secrets.Cache, or WithCredential once per token")
	}
	base, err := checkBaseURL(o.baseURL)
	if err != nil {
		return nil, err
	}
	if o.hosts, err = credentialHosts(base, o.extraHosts); err != nil {
		return nil, err
	}
	o.clock = clock.Or(o.clock)
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}

	forms, err := checkBaseURL(o.formsURL)
	if err != nil {
		return nil, fmt.Errorf("hubspot: WithFormsURL: %w", err)
	}
	c := &Client{baseURL: base, basePath: basePath(base), formsURL: forms, version: o.version, clock: o.clock, logger: o.logger, batchConc: o.batchConc}
	if c.creds, err = buildCredentials(o); err != nil {
		return nil, err
	}

	var rt http.RoundTripper = http.DefaultTransport
	hc := &http.Client{CheckRedirect: CheckRedirect}
	if o.httpClient != nil {
		if o.httpClient.Transport != nil {
			rt = o.httpClient.Transport
		}
		hc.Timeout, hc.Jar = o.httpClient.Timeout, o.httpClient.Jar
		if user := o.httpClient.CheckRedirect; user != nil {
			hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
				if err := CheckRedirect(req, via); err != nil {
					return err
				}
				return user(req, via)
			}
		}
	} else {
		c.ownedBase = &closingTransport{t: defaultBase()}
		rt = c.ownedBase
	}
	// Export files go through the base transport alone: no credential,
	// limit or signature (crm_exports.go).
	c.fileRT = rt
	c.signs = o.signs
	for _, wrap := range o.innermost {
		rt = wrap(rt)
	}
	if o.limit != (RateLimit{}) || o.search != (RateLimit{}) {
		// Below the credential layer, so each request is limited under the
		// credential it actually carries.
		rt = &RateLimitTransport{Base: rt, Limit: o.limit, Search: o.search, Shared: o.shared, Clock: o.clock, Logger: o.logger}
	}
	c.devKey = o.devKey
	cred := &Transport{Credentials: c.creds, DeveloperKey: c.devKey, Hosts: o.hosts, PathPrefix: c.basePath,
		Base: rt, Logger: o.logger, Clock: o.clock}
	if c.creds == nil {
		cred.Source = noToken{} // only a developer key
	}
	rt = cred
	if o.retry.MaxAttempts > 1 {
		rt = &RetryTransport{Base: rt, Policy: o.retry, Clock: o.clock, Logger: o.logger}
	}
	hc.Transport = &matchTransport{prefix: c.basePath, next: rt, obs: o.observer, clk: o.clock}
	c.hc = hc

	ua := "hubkey/" + version + " (+https://github.com/hubkey/hubkey)"
	if o.uaSuffix != "" {
		ua += " " + o.uaSuffix
	}
	c.userAgent = []string{ua}

	c.Contacts = c.Objects("contacts")
	c.Companies = c.Objects("companies")
	c.Deals = c.Objects("deals")
	c.Tickets = c.Objects("tickets")
	c.Products = c.Objects("products")
	c.LineItems = c.Objects("line_items")
	c.Quotes = c.Objects("quotes")
	c.Notes = c.activities("notes", "hs_note_body")
	c.Calls = c.activities("calls", "hs_call_body")
	c.Emails = c.activities("emails", "hs_email_text")
	c.Meetings = c.activities("meetings", "hs_meeting_body")
	c.Tasks = c.activities("tasks", "hs_task_body")
	c.Communications = c.activities("communications", "hs_communication_body")
	c.PostalMail = c.activities("postal_mail", "hs_postal_mail_body")
	c.Associations = &AssociationsService{client: c}
	c.Properties = &PropertiesService{client: c}
	c.Schemas = &SchemasService{client: c}
	c.Forms = &FormsService{client: c}
	c.Files = &FilesService{client: c}
	c.Timeline = &TimelineService{client: c}
	c.Pipelines = &PipelinesService{client: c}
	c.Owners = &OwnersService{client: c}
	c.Lists = &ListsService{client: c}
	c.Users = &UsersService{client: c}
	c.Preferences = &PreferencesService{client: c}
	c.Exports = &ExportsService{client: c}
	c.Imports = &ImportsService{client: c}
	c.Transactional = &TransactionalService{client: c}
	c.MarketingEmails = &MarketingEmailsService{client: c}
	c.Account = &AccountService{client: c}
	c.Webhooks = &WebhooksService{client: c}
	return c, nil
}

// errClientClosed is the error of a request sent through a closed Client's
// own transport.
var errClientClosed = errors.New("hubspot: the Client is closed")

// closingTransport is the base transport New makes when the caller gives
// none. Once closed it refuses requests and closes its connections: the
// idle ones at once, the busy ones as they become idle (when their
// response body has been read and closed).
type closingTransport struct {
	t      *http.Transport
	closed atomic.Bool
}

func (ct *closingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if ct.closed.Load() {
		closeBody(req)
		return nil, errClientClosed
	}
	resp, err := ct.t.RoundTrip(req)
	if ct.closed.Load() {
		// Closed while this request was on its way. CloseIdleConnections
		// makes http.Transport close every connection that becomes idle
		// from then on, until a request asks it for a connection, as
		// this one may have done after close; so ask once more.
		ct.t.CloseIdleConnections()
	}
	return resp, err
}

func (ct *closingTransport) close() {
	ct.closed.Store(true)
	ct.t.CloseIdleConnections()
}

func defaultBase() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	t.ResponseHeaderTimeout = 90 * time.Second
	return t
}

func checkBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// Not even a sanitized form: what does not parse cannot be cut
		// safely, and it may hold a credential pasted in by mistake.
		return "", fmt.Errorf("hubspot: base URL (%d bytes) does not parse as a URL", len(raw))
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return "", fmt.Errorf("hubspot: base URL %q must be an absolute https URL", sanitizeURL(raw))
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("hubspot: base URL %q has no host", sanitizeURL(raw))
	case u.User != nil:
		return "", fmt.Errorf("hubspot: base URL %q must not contain user info; credentials come from WithToken", sanitizeURL(raw))
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("hubspot: base URL %q must not have a query or a fragment", sanitizeURL(raw))
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return "", fmt.Errorf("hubspot: base URL %q uses plain http to a host that is not loopback; credentials go only over https (http is allowed for 127.0.0.1, ::1 and localhost)", sanitizeURL(raw))
	}
	return strings.TrimSuffix(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// Close releases what New created: without WithHTTPClient, the
// http.Transport it built and its connections (idle ones at once, busy ones
// as soon as their response body is closed); requests made after Close then
// fail. The token sources passed to WithToken, WithCredential and
// WithDeveloperKey, and the transport of an http.Client passed to
// WithHTTPClient, are the caller's to close. Close is safe to call more
// than once.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		if c.ownedBase != nil {
			c.ownedBase.close()
		}
	})
	return nil
}

// HTTPClient returns the http.Client the Client sends with, its transport
// stack included, for calling endpoints this package does not cover yet
// (Do does that for JSON calls, and returns HubSpot's errors as *Error).
// A request is looked up in hubkey's operation catalogue by its method
// and its path under the base URL, as Do's are.
// Its credentials go only to the base URL's host and the hosts named with
// WithCredentialHosts; a request to another host fails with
// ErrUnboundHost before it is sent.
func (c *Client) HTTPClient() *http.Client { return c.hc }

// BaseURL returns the API root the Client calls.
func (c *Client) BaseURL() string { return c.baseURL }

// do sends one API call, oc, with query and the JSON encoding of in as
// body, and decodes a 2xx response into out (when out is not nil). Other
// statuses become *Error or *RateLimitError.
//
// When out can hold HubSpot errors (a batch answer's errors[], which 200
// and 207 answers carry), the credential layers scrub the 2xx body as they
// scrub error bodies, since those errors are printed.
func (c *Client) do(ctx context.Context, oc opCall, query url.Values, in, out any) (int, error) {
	if out != nil && !oc.scrub && holdsErrors(reflect.TypeOf(out)) {
		oc.scrub = true
	}
	resp, err := c.send(ctx, oc, query, in)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, newResponseError(resp, c.clock.Now())
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		drainAndClose(resp.Body)
		return resp.StatusCode, nil
	}
	if err := decodeBody(resp, out); err != nil {
		return resp.StatusCode, err
	}
	return resp.StatusCode, nil
}

// send sends oc: the request carries oc in its context, for the layers of
// the stack.
func (c *Client) send(ctx context.Context, oc opCall, query url.Values, in any) (*http.Response, error) {
	if ctx == nil {
		return nil, errors.New("hubspot: nil context")
	}
	method, path := oc.method, oc.path
	if err := checkRequestPath(method, path); err != nil {
		return nil, err
	}
	u := c.baseURL + path
	if oc.base != "" {
		u = oc.base + path
	}
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body io.Reader
	stream, _ := in.(*streamBody)
	if stream != nil {
		body = stream.r
	} else if in != nil {
		b, ok := in.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(in); err != nil {
				return nil, fmt.Errorf("hubspot: encoding the %s %s request: %w", method, path, err)
			}
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(withCall(ctx, oc), method, u, body)
	if err != nil {
		return nil, fmt.Errorf("hubspot: building the %s %s request: %w", method, path, sanitizeError(err))
	}
	// Values shared by every request, never written to: a layer that
	// changes a header replaces its slice (Set) or appends past its
	// capacity (Add), and clones copy them.
	req.Header["Accept"] = jsonValue
	switch {
	case stream != nil:
		req.Header.Set("Content-Type", stream.contentType)
		req.GetBody = stream.getBody
	case in != nil:
		req.Header["Content-Type"] = jsonValue
	}
	req.Header["User-Agent"] = c.userAgent
	resp, err := c.hc.Do(req)
	if err != nil {
		var se *ScopeError
		if errors.As(err, &se) {
			return nil, se // refused before sending: no URL to report
		}
		return nil, sanitizeError(err)
	}
	return resp, nil
}

// streamBody is a request body that send passes on as it is, not JSON:
// a stream of unknown length with its content type, and getBody when it
// can be made again (for signing, retries and the re-send after a 401).
type streamBody struct {
	r           io.ReadCloser
	contentType string
	getBody     func() (io.ReadCloser, error)
}

// holdsErrors reports whether a value of type t can hold a wireError,
// which the client turns into a printable *Error. Answers are cached per
// type.
func holdsErrors(t reflect.Type) bool {
	if v, ok := holdsErrorsCache.Load(t); ok {
		return v.(bool)
	}
	v := reachesType(t, reflect.TypeFor[wireError](), map[reflect.Type]bool{})
	holdsErrorsCache.Store(t, v)
	return v
}

var holdsErrorsCache sync.Map // reflect.Type -> bool

// reachesType reports whether a value of type t can contain a target,
// through pointers, fields, elements and map values.
func reachesType(t, target reflect.Type, seen map[reflect.Type]bool) bool {
	if t == target {
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return reachesType(t.Elem(), target, seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if reachesType(t.Field(i).Type, target, seen) {
				return true
			}
		}
	}
	return false
}

// decodeBody decodes resp's JSON body into out, reading at most
// maxResponseBody bytes.
func decodeBody(resp *http.Response, out any) error {
	lr := &limitedBody{r: resp.Body, n: maxResponseBody + 1}
	dec := json.NewDecoder(lr)
	if err := dec.Decode(out); err != nil {
		method, path := "", ""
		if resp.Request != nil {
			method, path = resp.Request.Method, resp.Request.URL.Path
		}
		if lr.n <= 0 {
			return fmt.Errorf("hubspot: %s %s: response body exceeds %d bytes", method, path, maxResponseBody)
		}
		// The caller's deadline or cancellation cut the body short: say
		// so, rather than that the JSON is truncated.
		for _, ctxErr := range []error{context.DeadlineExceeded, context.Canceled} {
			if errors.Is(lr.err, ctxErr) {
				return fmt.Errorf("hubspot: %s %s: reading the %d response: %w", method, path, resp.StatusCode, ctxErr)
			}
		}
		return fmt.Errorf("hubspot: %s %s: decoding the %d response: %w", method, path, resp.StatusCode, describeJSONError(err))
	}
	drainAndClose(resp.Body)
	return nil
}

// limitedBody is io.LimitedReader that also keeps the first error of
// reading r other than io.EOF.
type limitedBody struct {
	r   io.Reader
	n   int64
	err error
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if err != nil && err != io.EOF && l.err == nil {
		l.err = err
	}
	return n, err
}

// describeJSONError describes an error of decoding a response by what
// went wrong, the Go type and field it concerns and the byte offset where
// encoding/json knows them, and never by any text of the response: a
// server may echo a credential anywhere. It builds a new error from the
// facts it picks and never wraps err, whose text quotes data in several
// cases (time.ParseError quotes the value, UnmarshalTypeError quotes a
// number that overflows, the ",string" option quotes the value). An error
// it does not know is reduced to its Go type.
func describeJSONError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	var she *shapeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return errors.New("truncated JSON")
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		var b strings.Builder
		fmt.Fprintf(&b, "a JSON %s at byte %d does not fit", jsonKind(te.Value), te.Offset)
		if te.Field != "" {
			fmt.Fprintf(&b, " field %s", te.Field)
			if te.Struct != "" {
				fmt.Fprintf(&b, " of %s", te.Struct)
			}
		}
		if te.Type != nil {
			fmt.Fprintf(&b, " (%s)", te.Type)
		}
		return errors.New(b.String())
	case errors.As(err, &pe):
		return errors.New("a time value is not an RFC 3339 timestamp")
	case errors.As(err, &she):
		return errors.New(she.msg)
	}
	return fmt.Errorf("the JSON does not fit the expected shape (%T)", err)
}

// jsonKind is the kind of JSON value an UnmarshalTypeError names ("string",
// "number", ...), without the number itself that it sometimes appends.
func jsonKind(v string) string {
	kind, _, _ := strings.Cut(v, " ")
	switch kind {
	case "string", "number", "bool", "array", "object", "null":
		return kind
	}
	return "value"
}

// shapeError is the error of the package's own UnmarshalJSON methods: it
// says what did not fit and never quotes the value. describeJSONError
// keeps its text, and drops the text of every other error.
type shapeError struct{ msg string }

func (e *shapeError) Error() string { return e.msg }
