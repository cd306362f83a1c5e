package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

const (
	contactsRead  = "crm.objects.contacts.read"
	contactsWrite = "crm.objects.contacts.write"
	dealsRead     = "crm.objects.deals.read"
	dealsWrite    = "crm.objects.deals.write"
)

// staticSource is a TokenSource for routing tests that never send.
type staticSource struct{}

func (staticSource) Get(context.Context) (secrets.Version, error) {
	return secrets.Version{Value: secrets.New("x"), ID: "1"}, nil
}
func (staticSource) Invalidate(secrets.Version) {}

func mustCredentials(t *testing.T, creds []hubspot.Credential, fallback ...string) *hubspot.Credentials {
	t.Helper()
	cs, err := hubspot.NewCredentials(creds, strings.Join(fallback, ""))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func cred(name string, scopes ...string) hubspot.Credential {
	return hubspot.Credential{Name: name, Source: staticSource{}, Scopes: scopes}
}

func routeName(t *testing.T, cs *hubspot.Credentials, method, path string) string {
	t.Helper()
	c, err := cs.For(method, path)
	if err != nil {
		return "error: " + err.Error()
	}
	return c.Name
}

func TestCredentialsPickTheLeastPrivileged(t *testing.T) {
	cs := mustCredentials(t, []hubspot.Credential{
		cred("admin", hubspot.EveryScope),
		cred("writer", contactsRead, contactsWrite),
		cred("reader", contactsRead),
		cred("deals", dealsRead, dealsWrite),
		cred("reader2", dealsRead),
	})
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/crm/v3/objects/contacts", "reader"},
		{"GET", "/crm/v3/objects/contacts/42?properties=email", "reader"},
		{"POST", "/crm/v3/objects/contacts/search", "reader"}, // a POST that reads
		{"POST", "/crm/v3/objects/0-1/batch/read", "reader"},
		{"POST", "/crm/v3/objects/contacts", "writer"},
		{"PATCH", "/crm/v3/objects/contact/42", "writer"},
		{"DELETE", "/crm/v3/objects/contacts/42", "writer"},
		{"GET", "/crm/v3/objects/deals", "reader2"},
		{"POST", "/crm/v3/objects/deals", "deals"},
		// Needs two scopes nobody but admin holds together.
		{"GET", "/crm/v4/objects/contacts/1/associations/deals", "admin"},
		// Any token may: the least privileged, first configured of the two
		// one-scope credentials.
		{"GET", "/account-info/v3/details", "reader"},
		// Not in the table: the credential holding every scope.
		{"GET", "/marketing/v3/campaigns", "admin"},
	} {
		if got := routeName(t, cs, tc.method, tc.path); got != tc.want {
			t.Errorf("%s %s went to %s, want %s", tc.method, tc.path, got, tc.want)
		}
	}
}

func TestCredentialsRefuseWhatNobodyMayDo(t *testing.T) {
	cs := mustCredentials(t, []hubspot.Credential{
		cred("writer", contactsRead, contactsWrite),
		cred("reader", contactsRead),
		cred("deals", dealsRead),
	})
	// A scope nobody holds.
	_, err := cs.For("POST", "/crm/v3/objects/deals")
	var se *hubspot.ScopeError
	if !errors.As(err, &se) || !errors.Is(err, hubspot.ErrForbidden) || !errors.Is(err, hubspot.ErrNoCredential) {
		t.Fatalf("err = %v", err)
	}
	if groups(se.Unheld) != dealsWrite || se.Closest != "reader" || se.Unlisted {
		t.Fatalf("%+v", se)
	}
	if !strings.Contains(err.Error(), "needs scope "+dealsWrite+", which no configured credential holds") {
		t.Fatalf("message %q", err)
	}
	// Scopes held apart, never together.
	_, err = cs.For("GET", "/crm/v4/objects/contacts/1/associations/deals")
	if !errors.As(err, &se) || len(se.Unheld) != 0 || se.Closest != "reader" || groups(se.Missing) != dealsRead ||
		groups(se.Required) != contactsRead+","+dealsRead {
		t.Fatalf("%+v", se)
	}
	if !strings.Contains(err.Error(), `no single credential holds them all ("reader" lacks crm.objects.deals.read)`) {
		t.Fatalf("message %q", err)
	}
	// Not in the table, and no fallback: refused, and not ErrForbidden.
	_, err = cs.For("GET", "/oauth/v2/access-tokens/tok-SECRET-value")
	if !errors.As(err, &se) || !se.Unlisted || errors.Is(err, hubspot.ErrForbidden) || !errors.Is(err, hubspot.ErrNoCredential) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "SECRET") || se.Path != "/oauth/v2/access-tokens/REDACTED" {
		t.Fatalf("the token in the path leaked: %q", err)
	}

	// A named fallback takes what the table does not know, and only that.
	cs = mustCredentials(t, []hubspot.Credential{cred("writer", contactsRead, contactsWrite), cred("reader", contactsRead)},
		"writer")
	if got := routeName(t, cs, "GET", "/marketing/v3/campaigns"); got != "writer" {
		t.Fatalf("unknown call went to %s", got)
	}
	if got := routeName(t, cs, "GET", "/crm/v3/objects/deals"); !strings.HasPrefix(got, "error: ") {
		t.Fatalf("a known call the fallback cannot make went to %s", got)
	}
}

// groups writes scope groups as "a|b,c": groups apart by commas, the
// alternatives of a group by bars.
func groups(gs [][]string) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = strings.Join(g, "|")
	}
	return strings.Join(parts, ",")
}

// A call is covered by a credential that holds a scope of every group of
// the catalogue's requirement: any one scope of a group will do.
func TestCredentialsAnyScopeOfAGroup(t *testing.T) {
	cs := mustCredentials(t, []hubspot.Credential{
		cred("shop", "e-commerce"),
		cred("products", "crm.objects.products.read"),
		cred("contacts", contactsRead, contactsWrite),
		cred("admin", hubspot.EveryScope),
	})
	for _, tc := range []struct{ method, path, want string }{
		// crm.objects.products.read or e-commerce: the first configured of
		// the two one-scope credentials.
		{"GET", "/crm/v3/objects/products/1", "shop"},
		{"PATCH", "/crm/v3/objects/products/1", "shop"},
		{"GET", "/crm/objects/2026-03/line_items", "shop"},
		// A group per object type: the contacts scope alone is not enough.
		{"PUT", "/crm/v4/objects/contacts/1/associations/products/2", "admin"},
		// Activities are guarded by the contacts scopes.
		{"GET", "/crm/v3/objects/notes/1", "contacts"},
		{"POST", "/crm/objects/2026-03/postal_mail", "contacts"},
		// An object type whose scopes the catalogue does not know: the
		// fallback, as for a call it does not know.
		{"GET", "/crm/v3/objects/leads/1", "admin"},
	} {
		if got := routeName(t, cs, tc.method, tc.path); got != tc.want {
			t.Errorf("%s %s went to %s, want %s", tc.method, tc.path, got, tc.want)
		}
	}
	cs = mustCredentials(t, []hubspot.Credential{cred("contacts", contactsRead), cred("deals", dealsRead)})
	_, err := cs.For("GET", "/crm/v3/objects/line_items/1")
	var se *hubspot.ScopeError
	if !errors.As(err, &se) || groups(se.Unheld) != "crm.objects.line_items.read|e-commerce" {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "needs scope crm.objects.line_items.read or e-commerce, which no configured credential holds") {
		t.Fatalf("message %q", err)
	}
	if _, err := cs.For("GET", "/crm/v3/objects/leads/1"); !errors.As(err, &se) || !se.Unlisted || errors.Is(err, hubspot.ErrForbidden) {
		t.Fatalf("an object type of unknown scopes: %v", err)
	}
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A Transport used alone in front of a gateway looks paths up below its
// PathPrefix; a path outside it is a call the catalogue does not know.
func TestTransportPathPrefix(t *testing.T) {
	readCache, _ := secrets.NewCache(secretstest.NewStatic("read-token"))
	anyCache, _ := secrets.NewCache(secretstest.NewStatic("any-token"))
	defer readCache.Close()
	defer anyCache.Close()
	cs := mustCredentials(t, []hubspot.Credential{
		{Name: "reader", Source: readCache, Scopes: []string{contactsRead}},
		{Name: "any", Source: anyCache, Scopes: []string{hubspot.EveryScope}},
	})
	var got string
	base := rtFunc(func(r *http.Request) (*http.Response, error) {
		got = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
	})
	tr := &hubspot.Transport{Credentials: cs, Hosts: []string{"gw.example.com"}, PathPrefix: "/hubspot/", Base: base}
	for path, want := range map[string]string{
		"/hubspot/crm/v3/objects/contacts":  "read-token",
		"/crm/v3/objects/contacts":          "any-token", // lacks the prefix: unknown
		"/hubspotx/crm/v3/objects/contacts": "any-token",
	} {
		req, _ := http.NewRequest("GET", "https://gw.example.com"+path, nil)
		res, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got != want {
			t.Errorf("GET %s went with %s, want %s", path, got, want)
		}
	}
}

func TestCredentialsValidation(t *testing.T) {
	for name, tc := range map[string]struct {
		creds    []hubspot.Credential
		fallback string
		want     string
	}{
		"none":         {nil, "", "no credentials"},
		"empty name":   {[]hubspot.Credential{cred("", contactsRead)}, "", "1 to 64 characters"},
		"long name":    {[]hubspot.Credential{cred(strings.Repeat("x", 65), contactsRead)}, "", "1 to 64 characters"},
		"bad name":     {[]hubspot.Credential{cred("a b", contactsRead)}, "", "may hold only"},
		"duplicate":    {[]hubspot.Credential{cred("a", contactsRead), cred("a", contactsWrite)}, "", `"a" is configured twice`},
		"no source":    {[]hubspot.Credential{{Name: "a", Scopes: []string{contactsRead}}}, "", `"a" has no token source`},
		"no scopes":    {[]hubspot.Credential{cred("a")}, "", `"a" lists no scopes`},
		"blank scope":  {[]hubspot.Credential{cred("a", "")}, "", "empty or contains white space"},
		"spaced scope": {[]hubspot.Credential{cred("a", "crm.objects.contacts.read crm.objects.contacts.write")}, "", "white space"},
		"fallback":     {[]hubspot.Credential{cred("a", contactsRead)}, "b", `fallback credential "b" is not configured`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := hubspot.NewCredentials(tc.creds, tc.fallback)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}

	// The client options are checked by New.
	st := secretstest.NewStatic("pat-na1-secret-value-0000")
	for name, tc := range map[string]struct {
		opts []hubspot.Option
		want string
	}{
		"nil source":   {[]hubspot.Option{hubspot.WithCredential("r", nil, contactsRead)}, `WithCredential("r")(nil)`},
		"no scopes":    {[]hubspot.Option{hubspot.WithCredential("r", st)}, `"r" lists no scopes`},
		"dup with tok": {[]hubspot.Option{hubspot.WithToken(st), hubspot.WithCredential("default", st, contactsRead)}, `"default" is configured twice`},
		"fallback":     {[]hubspot.Option{hubspot.WithCredential("r", st, contactsRead), hubspot.WithFallbackCredential("w")}, `"w" is not configured`},
		"empty fb":     {[]hubspot.Option{hubspot.WithCredential("r", st, contactsRead), hubspot.WithFallbackCredential("")}, "WithFallbackCredential"},
		"none":         {[]hubspot.Option{hubspot.WithFallbackCredential("r")}, "WithCredential once per token"},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := hubspot.New(tc.opts...)
			if err == nil {
				c.Close()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
			secretstest.AssertNoLeak(t, "error", err.Error(), "pat-na1-secret-value-0000")
		})
	}
}

// routedClient returns a client for srv with the given credentials and no
// client-side rate limits unless opts set them, that speaks the API version
// $HUBKEY_TEST_API_VERSION names (versionOptions) unless opts say
// otherwise.
func routedClient(t *testing.T, srv *hubspottest.Server, opts ...hubspot.Option) *hubspot.Client {
	t.Helper()
	all := append(append([]hubspot.Option{
		hubspot.WithBaseURL(srv.URL()),
		hubspot.WithRateLimit(hubspot.RateLimit{}),
		hubspot.WithSearchRateLimit(hubspot.RateLimit{}),
	}, versionOptions()...), opts...)
	c, err := hubspot.New(all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// lastCall returns the last journal entry.
func lastCall(t *testing.T, srv *hubspottest.Server) hubspottest.Call {
	t.Helper()
	j := srv.Journal()
	if len(j) == 0 {
		t.Fatal("empty journal")
	}
	return j[len(j)-1]
}

func fp(tok string) string { return secrets.New(tok).Fingerprint() }

// A read-only private app and a writing one: reads go with the read token,
// writes with the write token, a call neither may make is never sent, and
// rotating one does not disturb the other.
func TestRoutingEndToEnd(t *testing.T) {
	srv := hubspottest.NewServer(t)
	readTok := srv.NewToken(contactsRead)
	writeTok := srv.NewToken(contactsRead, contactsWrite)
	readCache, readSt := tokenCache(t, readTok)
	writeCache, writeSt := tokenCache(t, writeTok)
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := routedClient(t, srv,
		hubspot.WithCredential("writer", writeCache, contactsRead, contactsWrite),
		hubspot.WithCredential("reader", readCache, contactsRead),
		hubspot.WithLogger(logger),
	)
	ctx := context.Background()
	expect := func(what, tok string, status int) {
		t.Helper()
		e := lastCall(t, srv)
		if e.TokenFingerprint != fp(tok) || e.Status != status {
			who := map[string]string{fp(readTok): "read token", fp(writeTok): "write token"}[e.TokenFingerprint]
			t.Fatalf("%s: sent %s %s with %q (%s), status %d; want %s and %d", what, e.Method, e.Path, e.TokenFingerprint, who, e.Status, fp(tok), status)
		}
	}

	obj, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "ada@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	expect("create", writeTok, 201)
	if _, err := c.Contacts.Get(ctx, obj.ID, nil); err != nil {
		t.Fatal(err)
	}
	expect("get", readTok, 200)
	if _, err := c.Contacts.List(ctx, nil); err != nil {
		t.Fatal(err)
	}
	expect("list", readTok, 200)
	if _, err := c.Contacts.Search(ctx, &hubspot.SearchRequest{Query: "ada"}); err != nil {
		t.Fatal(err)
	}
	expect("search (a POST that reads)", readTok, 200)
	if _, err := c.Contacts.BatchRead(ctx, []string{obj.ID}, nil); err != nil {
		t.Fatal(err)
	}
	expect("batch read", readTok, 200)
	if _, err := c.Contacts.Update(ctx, obj.ID, hubspot.Properties{"firstname": "Ada"}, nil); err != nil {
		t.Fatal(err)
	}
	expect("update", writeTok, 200)

	// Deals: no credential holds the scope. Refused before sending.
	before := len(srv.Journal())
	_, err = c.Deals.Get(ctx, "1", nil)
	var se *hubspot.ScopeError
	if !errors.As(err, &se) || !errors.Is(err, hubspot.ErrForbidden) || !errors.Is(err, hubspot.ErrNoCredential) {
		t.Fatalf("deals: err = %v", err)
	}
	if !strings.Contains(err.Error(), dealsRead) || groups(se.Unheld) != dealsRead || se.Path != hubspot.PathFor(t, c, "crm.objects.get", "objectType", "deals", "objectId", "1") {
		t.Fatalf("deals: %v / %+v", err, se)
	}
	if _, err := c.Deals.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"dealname": "x"}}); !errors.Is(err, hubspot.ErrNoCredential) ||
		!strings.Contains(err.Error(), dealsWrite) {
		t.Fatalf("deal create: %v", err)
	}
	if after := len(srv.Journal()); after != before {
		t.Fatalf("a refused call reached the server: journal %d -> %d", before, after)
	}
	if got, err := c.Credentials().For("DELETE", "/crm/v3/objects/contacts/1"); err != nil || got.Name != "writer" {
		t.Fatalf("Credentials().For: %v %v", got.Name, err)
	}

	// Rotate the write token ("rotate and expire now"); its secret store
	// follows. The next write gets a 401, invalidates the writer only, and
	// goes again with the new token; the reader is not touched.
	newWrite := srv.RotateToken(writeTok, hubspottest.ExpireNow)
	writeSt.Rotate(newWrite)
	readFetches := readSt.Fetches()
	if _, err := c.Contacts.Update(ctx, obj.ID, hubspot.Properties{"firstname": "Augusta"}, nil); err != nil {
		t.Fatal(err)
	}
	j := srv.Journal()
	if len(j) < 2 || j[len(j)-2].TokenFingerprint != fp(writeTok) || j[len(j)-2].Status != 401 {
		t.Fatalf("the write before the retry: %+v", j[len(j)-2])
	}
	expect("update after rotation", newWrite, 200)
	if _, err := c.Contacts.Get(ctx, obj.ID, nil); err != nil {
		t.Fatal(err)
	}
	expect("get after the writer's rotation", readTok, 200)
	if readSt.Fetches() != readFetches || writeSt.Fetches() != 2 {
		t.Fatalf("fetches: reader %d (was %d), writer %d; want the reader untouched and the writer fetched twice", readSt.Fetches(), readFetches, writeSt.Fetches())
	}

	// Logs name the credential and the fingerprint, never the token.
	out := logs.String()
	for _, tok := range []string{readTok, writeTok, newWrite} {
		secretstest.AssertNoLeak(t, "logs", out, tok)
	}
	for _, want := range []string{`"credential":"reader"`, `"credential":"writer"`, fp(readTok), fp(newWrite)} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s", want)
		}
	}
}

// WithToken is one credential holding every scope: with a narrower
// credential beside it, it gets only what the narrower one cannot do, and
// the calls the table does not know.
func TestRoutingWithTokenBesideNarrowCredentials(t *testing.T) {
	srv := hubspottest.NewServer(t)
	adminTok, readTok := srv.NewToken(hubspottest.AllScopes...), srv.NewToken(contactsRead)
	c := routedClient(t, srv,
		hubspot.WithToken(secretstest.NewStatic(adminTok)),
		hubspot.WithCredential("reader", secretstest.NewStatic(readTok), contactsRead),
	)
	ctx := context.Background()
	if _, err := c.Contacts.List(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if e := lastCall(t, srv); e.TokenFingerprint != fp(readTok) {
		t.Fatal("a read went with the admin token")
	}
	if _, err := c.Deals.List(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if e := lastCall(t, srv); e.TokenFingerprint != fp(adminTok) {
		t.Fatal("a deals read did not go with the admin token")
	}
	// An endpoint this package does not cover, through HTTPClient.
	res, err := c.HTTPClient().Get(c.BaseURL() + "/marketing/v3/campaigns")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if e := lastCall(t, srv); e.TokenFingerprint != fp(adminTok) || e.Path != "/marketing/v3/campaigns" {
		t.Fatalf("an unknown call went %+v", e)
	}
}

// An endpoint the table does not know is refused without a fallback, and
// goes to the named fallback with one.
func TestRoutingUnknownEndpoint(t *testing.T) {
	srv := hubspottest.NewServer(t)
	readTok, writeTok := srv.NewToken(contactsRead), srv.NewToken(contactsRead, contactsWrite)
	opts := []hubspot.Option{
		hubspot.WithCredential("reader", secretstest.NewStatic(readTok), contactsRead),
		hubspot.WithCredential("writer", secretstest.NewStatic(writeTok), contactsRead, contactsWrite),
	}
	c := routedClient(t, srv, opts...)
	_, err := c.HTTPClient().Get(c.BaseURL() + "/marketing/v3/campaigns")
	var se *hubspot.ScopeError
	if !errors.As(err, &se) || !se.Unlisted || len(srv.Journal()) != 0 {
		t.Fatalf("err = %v, journal %d", err, len(srv.Journal()))
	}
	c = routedClient(t, srv, append(opts, hubspot.WithFallbackCredential("reader"))...)
	res, err := c.HTTPClient().Get(c.BaseURL() + "/marketing/v3/campaigns")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if e := lastCall(t, srv); e.TokenFingerprint != fp(readTok) || e.Status != http.StatusNotFound {
		t.Fatalf("fallback call %+v", e)
	}
}

// Providers get a Cache each, which Close closes; a 401 invalidates only
// the cache of the credential that was used.
func TestRoutingCredentialsKeepTheirOwnCaches(t *testing.T) {
	srv := hubspottest.NewServer(t)
	readTok, writeTok := srv.NewToken(contactsRead), srv.NewToken(contactsRead, contactsWrite)
	readCache, readSt := tokenCache(t, readTok)
	writeCache, writeSt := tokenCache(t, writeTok)
	c := routedClient(t, srv,
		hubspot.WithCredential("reader", readCache, contactsRead),
		hubspot.WithCredential("writer", writeCache, contactsRead, contactsWrite),
	)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				_, err = c.Contacts.List(ctx, nil)
			} else {
				_, err = c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": fmt.Sprintf("u%d@example.com", i)}})
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if readSt.Fetches() != 1 || writeSt.Fetches() != 1 {
		t.Fatalf("fetches: reader %d, writer %d; want one each", readSt.Fetches(), writeSt.Fetches())
	}
	// The reader's token is revoked and its store rotated: only the
	// reader's cache refetches.
	srv.RevokeToken(readTok)
	readSt.Rotate(srv.NewToken(contactsRead))
	if _, err := c.Contacts.List(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if readSt.Fetches() != 2 || writeSt.Fetches() != 1 {
		t.Fatalf("after the reader's 401: reader %d, writer %d fetches", readSt.Fetches(), writeSt.Fetches())
	}
	c.Close()
	c.Close()
}

// Each credential has its own client-side rate limiter: a reader that has
// spent its budget does not hold up the writer.
func TestRoutingRateLimiterPerCredential(t *testing.T) {
	srv := hubspottest.NewServer(t)
	readTok, writeTok := srv.NewToken(contactsRead), srv.NewToken(contactsRead, contactsWrite)
	fake := clock.NewFake(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	c := routedClient(t, srv,
		hubspot.WithCredential("reader", secretstest.NewStatic(readTok), contactsRead),
		hubspot.WithCredential("writer", secretstest.NewStatic(writeTok), contactsRead, contactsWrite),
		hubspot.WithRateLimit(hubspot.RateLimit{Requests: 1, Interval: time.Hour}),
		hubspot.WithClock(fake),
	)
	// A wait would outlast this deadline, so the limiter fails at once
	// instead of waiting (the fake clock never moves here).
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.Contacts.List(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Contacts.List(ctx, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second read: err = %v, want the reader's limiter to refuse", err)
	}
	if _, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "w@example.com"}}); err != nil {
		t.Fatalf("the writer waited on the reader's limiter: %v", err)
	}
	if n := len(srv.Journal()); n != 2 {
		t.Fatalf("journal has %d calls, want 2", n)
	}
}

// Transport routes on its own, with any http.Client.
func TestTransportWithCredentialsAlone(t *testing.T) {
	srv := hubspottest.NewServer(t)
	readTok, writeTok := srv.NewToken(contactsRead), srv.NewToken(contactsRead, contactsWrite)
	readCache, _ := secrets.NewCache(secretstest.NewStatic(readTok))
	writeCache, _ := secrets.NewCache(secretstest.NewStatic(writeTok))
	defer readCache.Close()
	defer writeCache.Close()
	cs := mustCredentials(t, []hubspot.Credential{
		{Name: "writer", Source: writeCache, Scopes: []string{contactsRead, contactsWrite}},
		{Name: "reader", Source: readCache, Scopes: []string{contactsRead}},
	})
	hc := &http.Client{Transport: &hubspot.Transport{Credentials: cs, Hosts: []string{hostOf(srv.URL())}}, CheckRedirect: hubspot.CheckRedirect}
	res, err := hc.Get(srv.URL() + "/crm/v3/objects/contacts")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if e := lastCall(t, srv); e.TokenFingerprint != fp(readTok) || e.Status != 200 {
		t.Fatalf("%+v", e)
	}
	res, err = hc.Post(srv.URL()+"/crm/v3/objects/contacts", "application/json", strings.NewReader(`{"properties":{"email":"t@example.com"}}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if e := lastCall(t, srv); e.TokenFingerprint != fp(writeTok) || e.Status != 201 {
		t.Fatalf("%+v", e)
	}
	// Source and Credentials together is a mistake.
	both := &http.Client{Transport: &hubspot.Transport{Credentials: cs, Source: readCache, Hosts: []string{hostOf(srv.URL())}}}
	if _, err := both.Get(srv.URL() + "/crm/v3/objects/contacts"); err == nil || !strings.Contains(err.Error(), "both Source and Credentials") {
		t.Fatalf("err = %v", err)
	}
}

// syncBuffer is a concurrency-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Each call goes with the least-privileged credential that may make it;
// a call none may make is refused before it is sent.
func ExampleWithCredential() {
	srv, err := hubspottest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	reader := secretstest.NewStatic(srv.NewToken("crm.objects.contacts.read"))
	writer := secretstest.NewStatic(srv.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write"))
	c, err := hubspot.New(
		hubspot.WithBaseURL(srv.URL()),
		hubspot.WithCredential("reader", reader, "crm.objects.contacts.read"),
		hubspot.WithCredential("writer", writer, "crm.objects.contacts.read", "crm.objects.contacts.write"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	for _, call := range [][2]string{{"GET", "/crm/objects/2026-03/contacts"}, {"POST", "/crm/objects/2026-03/contacts/search"}, {"PATCH", "/crm/v3/objects/contacts/1"}} {
		cred, _ := c.Credentials().For(call[0], call[1])
		fmt.Println(call[0], call[1], "->", cred.Name)
	}
	_, err = c.Deals.Get(context.Background(), "1", nil)
	fmt.Println(errors.Is(err, hubspot.ErrNoCredential), len(srv.Journal()))
	fmt.Println(err)
	// Output:
	// GET /crm/objects/2026-03/contacts -> reader
	// POST /crm/objects/2026-03/contacts/search -> reader
	// PATCH /crm/v3/objects/contacts/1 -> writer
	// true 0
	// hubspot: GET /crm/objects/2026-03/deals/1: needs scope crm.objects.deals.read, which no configured credential holds; not sent
}

// BenchmarkCredentialsFor is the per-request cost of routing between
// several credentials (a scope-table lookup and the pick).
//
//	go test -run '^$' -bench BenchmarkCredentialsFor -benchmem ./hubspot/
func BenchmarkCredentialsFor(b *testing.B) {
	cs, err := hubspot.NewCredentials([]hubspot.Credential{
		cred("writer", contactsRead, contactsWrite),
		cred("reader", contactsRead),
		cred("deals", dealsRead, dealsWrite),
	}, "")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, method, path string }{
		{"get", "GET", "/crm/v3/objects/contacts/12345"},
		{"search", "POST", "/crm/v3/objects/contacts/search"},
		{"write", "PATCH", "/crm/v3/objects/deals/12345"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cs.For(bc.method, bc.path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A redirect an http.Client follows keeps the first request's context,
// and so its operation; the hop is looked up afresh by its own URL, and
// goes with the credential for what it is.
func TestRoutingFollowsARedirectByItsOwnPath(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.Path+" "+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		mu.Unlock()
		if strings.Contains(r.URL.Path, "/contacts/1") {
			http.Redirect(w, r, "/crm/v3/objects/deals/1", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"1"}`))
	}))
	defer srv.Close()
	c, err := hubspot.New(hubspot.WithBaseURL(srv.URL), hubspot.WithRateLimit(hubspot.RateLimit{}),
		hubspot.WithCredential("contacts", secretstest.NewStatic("contacts-token"), contactsRead),
		hubspot.WithCredential("deals", secretstest.NewStatic("deals-token"), dealsRead))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Contacts.Get(context.Background(), "1", nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	first := hubspot.PathFor(t, c, "crm.objects.get", "objectType", "contacts", "objectId", "1")
	if want := first + " contacts-token\n/crm/v3/objects/deals/1 deals-token"; strings.Join(got, "\n") != want {
		t.Fatalf("sent\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
}
