package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// newClient returns a client for srv with a token of the given scopes (all
// when none), without client-side rate limits unless opts set them, that
// speaks the API version $HUBKEY_TEST_API_VERSION names (versionOptions)
// unless opts say otherwise.
func newClient(t testing.TB, srv *hubspottest.Server, scopes []string, opts ...hubspot.Option) (*hubspot.Client, string, *secretstest.Static) {
	t.Helper()
	if scopes == nil {
		scopes = hubspottest.AllScopes
	}
	tok := srv.NewToken(scopes...)
	cache, st := tokenCache(t, tok)
	all := append(append([]hubspot.Option{
		hubspot.WithToken(cache),
		hubspot.WithBaseURL(srv.URL()),
		hubspot.WithRateLimit(hubspot.RateLimit{}),
		hubspot.WithSearchRateLimit(hubspot.RateLimit{}),
	}, versionOptions()...), opts...)
	c, err := hubspot.New(all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, tok, st
}

func calls(srv *hubspottest.Server, method, pathPrefix string) int {
	n := 0
	for _, c := range srv.Journal() {
		if c.Method == method && strings.HasPrefix(c.Path, pathPrefix) {
			n++
		}
	}
	return n
}

func TestObjectsCRUD(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, tok, _ := newClient(t, srv, nil)
	ctx := context.Background()

	created, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "alice@example.com", "firstname": "Alice"}})
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.Properties["email"] != "alice@example.com" || created.CreatedAt.IsZero() {
		t.Fatalf("created %+v", created)
	}

	got, err := c.Contacts.Get(ctx, created.ID, &hubspot.GetOptions{Properties: []string{"email", "firstname"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != created.ID || got.Properties["firstname"] != "Alice" {
		t.Fatalf("got %+v", got)
	}

	upd, err := c.Contacts.Update(ctx, "alice@example.com", hubspot.Properties{"firstname": "Alicia"}, &hubspot.UpdateOptions{IDProperty: "email"})
	if err != nil {
		t.Fatal(err)
	}
	if upd.ID != created.ID || upd.Properties["firstname"] != "Alicia" {
		t.Fatalf("updated %+v", upd)
	}
	byEmail, err := c.Contacts.Get(ctx, "alice@example.com", &hubspot.GetOptions{IDProperty: "email", Properties: []string{"firstname"}, PropertiesWithHistory: []string{"firstname"}})
	if err != nil {
		t.Fatal(err)
	}
	if byEmail.ID != created.ID || byEmail.Properties["firstname"] != "Alicia" || len(byEmail.PropertiesWithHistory["firstname"]) != 2 {
		t.Fatalf("by email %+v", byEmail)
	}

	company, err := c.Companies.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"name": "Acme"}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Associate("contacts", created.ID, "companies", company.ID)
	withAssoc, err := c.Contacts.Get(ctx, created.ID, &hubspot.GetOptions{Associations: []string{"companies"}})
	if err != nil {
		t.Fatal(err)
	}
	if a := withAssoc.Associations["companies"]; len(a.Results) != 1 || a.Results[0].ID != company.ID {
		t.Fatalf("associations %+v", withAssoc.Associations)
	}

	if err := c.Contacts.Archive(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.Contacts.Get(ctx, created.ID, nil)
	var he *hubspot.Error
	if !errors.Is(err, hubspot.ErrNotFound) || !errors.As(err, &he) || he.StatusCode != 404 {
		t.Fatalf("after archive: %v", err)
	}
	arch, err := c.Contacts.Get(ctx, created.ID, &hubspot.GetOptions{Archived: true})
	if err != nil || !arch.Archived {
		t.Fatalf("archived get: %+v %v", arch, err)
	}

	// The server journals the token's fingerprint, never the token.
	fp := secrets.New(tok).Fingerprint()
	for _, call := range srv.Journal() {
		if call.TokenFingerprint != fp {
			t.Fatalf("call %s %s by %q, want %q", call.Method, call.Path, call.TokenFingerprint, fp)
		}
	}
}

func TestObjectsErrors(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, tok, _ := newClient(t, srv, nil)
	ctx := context.Background()
	if _, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "bob@example.com"}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "bob@example.com"}})
	if !errors.Is(err, hubspot.ErrConflict) {
		t.Fatalf("duplicate email: %v", err)
	}
	_, err = c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "not an email"}})
	var he *hubspot.Error
	if !errors.Is(err, hubspot.ErrValidation) || !errors.As(err, &he) || he.Category != "VALIDATION_ERROR" || len(he.Errors) == 0 {
		t.Fatalf("invalid email: %v", err)
	}

	// A read-only token cannot write: 403 MISSING_SCOPES names the scope.
	ro, _, _ := newClient(t, srv, []string{"crm.objects.contacts.read"})
	_, err = ro.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "carol@example.com"}})
	if !errors.Is(err, hubspot.ErrForbidden) || !errors.As(err, &he) {
		t.Fatalf("read-only create: %v", err)
	}
	found := false
	for _, s := range he.RequiredScopes() {
		found = found || s == "crm.objects.contacts.write"
	}
	if !found {
		t.Errorf("missing scopes %v lack crm.objects.contacts.write (error: %v)", he.RequiredScopes(), err)
	}

	// A revoked token is ErrUnauthorized, and no error carries it.
	srv.RevokeToken(tok)
	_, err = c.Contacts.Get(ctx, "1", nil)
	if !errors.Is(err, hubspot.ErrUnauthorized) {
		t.Fatalf("revoked: %v", err)
	}
	secretstest.AssertNoLeak(t, "error", err.Error(), tok)

	// Client-side checks send nothing.
	before := len(srv.Journal())
	if _, err := c.Objects("no/such type").Get(ctx, "1", nil); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("bad type: %v", err)
	}
	if _, err := c.Contacts.Get(ctx, "", nil); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("empty id: %v", err)
	}
	if _, err := c.Contacts.List(ctx, &hubspot.ListOptions{Limit: 101}); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("limit 101: %v", err)
	}
	if _, err := c.Contacts.Update(ctx, "1", nil, nil); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("empty update: %v", err)
	}
	if after := len(srv.Journal()); after != before {
		t.Fatalf("%d requests sent by calls that should fail before sending", after-before)
	}
}

func TestObjectsRotatedTokenRecovers(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, tok, st := newClient(t, srv, nil)
	ctx := context.Background()
	if _, err := c.Companies.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"name": "Acme"}}); err != nil {
		t.Fatal(err)
	}
	// Rotate with no grace: the old token dies now; the secret store is
	// updated; the client's cache does not know yet.
	newTok := srv.RotateToken(tok, 0)
	st.Rotate(newTok)
	page, err := c.Companies.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 1 {
		t.Fatalf("%d companies", len(page.Results))
	}
	j := srv.Journal()
	last, prev := j[len(j)-1], j[len(j)-2]
	if prev.Status != 401 || last.Status != 200 || last.TokenFingerprint != secrets.New(newTok).Fingerprint() {
		t.Fatalf("journal tail: %+v / %+v; want a 401 then a 200 with the new token", prev, last)
	}
}

func TestObjectsListAndAll(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	props := make([]map[string]string, 250)
	for i := range props {
		props[i] = map[string]string{"email": fmt.Sprintf("user%03d@example.com", i)}
	}
	srv.Seed("contacts", props...)

	page, err := c.Contacts.List(ctx, &hubspot.ListOptions{Limit: 100, Properties: []string{"email"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 100 || page.After == "" {
		t.Fatalf("first page: %d results, after %q", len(page.Results), page.After)
	}

	seen := map[string]bool{}
	for o, err := range c.Contacts.All(ctx, &hubspot.ListOptions{Properties: []string{"email"}}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[o.ID] {
			t.Fatalf("%s seen twice", o.ID)
		}
		seen[o.ID] = true
		if !strings.HasSuffix(o.Properties["email"], "@example.com") {
			t.Fatalf("object %s without its email", o.ID)
		}
	}
	if len(seen) != 250 {
		t.Fatalf("All yielded %d, want 250", len(seen))
	}

	// Breaking early fetches no further page.
	srv.ResetJournal()
	n := 0
	for _, err := range c.Contacts.All(ctx, &hubspot.ListOptions{Limit: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 5 {
			break
		}
	}
	if got := opCalls(t, srv, "crm.objects.list", "objectType", "contacts"); got != 1 {
		t.Fatalf("%d list calls after breaking in the first page", got)
	}

	// Cancelling the context ends the loop with its error.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var last error
	n = 0
	for _, err := range c.Contacts.All(cctx, &hubspot.ListOptions{Limit: 10}) {
		if err != nil {
			last = err
			break
		}
		if n++; n == 15 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) || n != 15 {
		t.Fatalf("after cancel: %d objects, err %v", n, last)
	}
}

func TestObjectsCustomType(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithProperties("2-12345", "model"))
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	cars := c.Objects("2-12345")
	o, err := cars.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"model": "T"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := cars.Get(ctx, o.ID, &hubspot.GetOptions{Properties: []string{"model"}})
	if err != nil || got.Properties["model"] != "T" {
		t.Fatalf("got %+v, %v", got, err)
	}
	if cars.ObjectType() != "2-12345" || c.LineItems.ObjectType() != "line_items" {
		t.Fatal("object types")
	}
}

func TestObjectsRetryOnFaults(t *testing.T) {
	srv := hubspottest.NewServer(t)
	fake := clock.NewFake(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	c, _, _ := newClient(t, srv, nil, hubspot.WithClock(fake))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go advance(ctx, fake) // backoffs pass on the fake clock
	o, err := c.Deals.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"dealname": "big"}})
	if err != nil {
		t.Fatal(err)
	}
	// Two 503s on a GET: retried, then served.
	srv.InjectFault(hubspottest.Fault{Status: http.StatusServiceUnavailable, Count: 2, Method: "GET"})
	if _, err := c.Deals.Get(ctx, o.ID, nil); err != nil {
		t.Fatalf("GET after two 503s: %v", err)
	}
	// A 503 on a create is not retried: the deal might exist.
	srv.ResetJournal()
	srv.InjectFault(hubspottest.Fault{Status: http.StatusBadGateway, Method: "POST"})
	_, err = c.Deals.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"dealname": "again"}})
	var he *hubspot.Error
	if !errors.As(err, &he) || he.StatusCode != 502 {
		t.Fatalf("create after 502: %v", err)
	}
	if n := opCalls(t, srv, "crm.objects.create", "objectType", "deals"); n != 1 {
		t.Fatalf("create sent %d times", n)
	}
	// A dropped connection on a GET is retried.
	srv.InjectFault(hubspottest.Fault{Drop: true, Method: "GET"})
	if _, err := c.Deals.Get(ctx, o.ID, nil); err != nil {
		t.Fatalf("GET after a dropped connection: %v", err)
	}
}
