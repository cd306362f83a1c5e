package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// The credential layer works with any http.Client: it reads the token from
// a Cache on every request, so a rotated token is used without restarts.
func ExampleTransport() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		fmt.Println("server saw token", secrets.New(tok).Fingerprint() == secrets.New("pat-na1-example").Fingerprint())
	}))
	defer srv.Close()

	cache, _ := secrets.NewCache(secretstest.NewStatic("pat-na1-example"))
	defer cache.Close()
	u, _ := url.Parse(srv.URL)
	hc := &http.Client{
		// The token goes only to the hosts named (HubSpot's own when none is).
		Transport:     &hubspot.Transport{Source: cache, Hosts: []string{u.Host}},
		CheckRedirect: hubspot.CheckRedirect,
	}
	resp, err := hc.Get(srv.URL + "/crm/v3/objects/contacts")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	// Output: server saw token true
}

// New checks its options at once: credentials go only over HTTPS, except
// to loopback.
func ExampleNew_insecureBaseURL() {
	_, err := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic("pat-na1-example")),
		hubspot.WithBaseURL("http://api.hubapi.com"),
	)
	fmt.Println(err)
	// Output: hubspot: base URL "http://api.hubapi.com" uses plain http to a host that is not loopback; credentials go only over https (http is allowed for 127.0.0.1, ::1 and localhost)
}

// Property values are strings on the wire; the typed accessors parse them.
func ExampleProperties() {
	p := hubspot.Properties{"amount": "1250.50", "hs_is_closed": "true", "closedate": "2024-05-01T12:30:00.000Z"}
	amount, _ := p.Float("amount")
	closed, _ := p.Bool("hs_is_closed")
	when, _ := p.Time("closedate")
	_, err := p.Int("num_employees")
	fmt.Println(amount, closed, when.Format("2006-01-02"))
	fmt.Println(err)
	// Output:
	// 1250.5 true 2024-05-01
	// hubspot: property "num_employees" has no value
}

// A client against the in-memory HubSpot: create, read back, stream all.
func Example() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	token := srv.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write")

	c, err := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(token)), // in production, a *secrets.Cache over a provider
		hubspot.WithBaseURL(srv.URL()),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()

	created, err := c.Contacts.Create(ctx, hubspot.ObjectInput{
		Properties: hubspot.Properties{"email": "ada@example.com", "firstname": "Ada"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	got, _ := c.Contacts.Get(ctx, created.ID, &hubspot.GetOptions{Properties: []string{"firstname"}})
	fmt.Println(got.Properties["firstname"])

	_, err = c.Contacts.Get(ctx, "404404", nil)
	fmt.Println(errors.Is(err, hubspot.ErrNotFound))

	for o, err := range c.Contacts.All(ctx, &hubspot.ListOptions{Properties: []string{"email"}}) {
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(o.Properties["email"])
	}
	// Output:
	// Ada
	// true
	// ada@example.com
}

// Batch calls take any number of inputs and account for each one.
func ExampleObjectService_BatchUpsert() {
	var t testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	c, _ := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken(hubspottest.AllScopes...))),
		hubspot.WithBaseURL(srv.URL()),
	)
	defer c.Close()

	inputs := []hubspot.BatchInput{
		{ID: "ada@example.com", IDProperty: "email", Properties: hubspot.Properties{"firstname": "Ada"}},
		{ID: "not-an-email", IDProperty: "email", Properties: hubspot.Properties{"firstname": "?"}},
	}
	res, err := c.Contacts.BatchUpsert(context.Background(), inputs)
	for i, it := range res.Items {
		if it.Err != nil {
			fmt.Println(i, "failed:", errors.Is(it.Err, hubspot.ErrValidation))
			continue
		}
		fmt.Println(i, "ok, new:", it.Value.New)
	}
	var be *hubspot.BatchError
	fmt.Println(errors.As(err, &be), be.Failed, "of", be.Total)
	// Output:
	// 0 ok, new: true
	// 1 failed: true
	// true 1 of 2
}

// BatchRead reports each name: a property the object type lacks fails
// alone, matching ErrNotFound, and the others are read.
func ExamplePropertiesService_BatchRead() {
	var t testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	c, _ := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken(hubspottest.AllScopes...))),
		hubspot.WithBaseURL(srv.URL()),
	)
	defer c.Close()

	names := []string{"email", "favourite_colour", "lifecyclestage"}
	res, err := c.Properties.BatchRead(context.Background(), "contacts", names, nil)
	for i, it := range res.Items {
		if it.Err != nil {
			fmt.Println(names[i], "not found:", errors.Is(it.Err, hubspot.ErrNotFound))
			continue
		}
		fmt.Println(names[i], "type:", it.Value.Type)
	}
	var be *hubspot.BatchError
	fmt.Println(errors.As(err, &be), be.Failed, "of", be.Total)
	// Output:
	// email type: string
	// favourite_colour not found: true
	// lifecyclestage type: enumeration
	// true 1 of 3
}

// SearchAllByID streams every match of a search, past the 10,000 results
// that one HubSpot search can page through: it re-anchors each page on the
// last record ID seen.
func ExampleObjectService_SearchAllByID() {
	var t testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	deals := make([]map[string]string, 10200)
	for i := range deals {
		deals[i] = map[string]string{"dealname": fmt.Sprint("deal ", i), "amount": fmt.Sprint(i % 1000)}
	}
	srv.Seed("deals", deals...)
	c, _ := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken("crm.objects.deals.read"))),
		hubspot.WithBaseURL(srv.URL()),
		hubspot.WithSearchRateLimit(hubspot.RateLimit{}),
	)
	defer c.Close()

	ctx := context.Background()
	r := &hubspot.SearchRequest{
		FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{hubspot.Gte("amount", "10")}}},
		Properties:   []string{"amount"},
	}
	n := 0
	for _, err := range c.Deals.SearchAll(ctx, r) {
		if errors.Is(err, hubspot.ErrSearchCeiling) {
			fmt.Println("SearchAll stops after", n)
			break
		}
		n++
	}
	n = 0
	for _, err := range c.Deals.SearchAllByID(ctx, r) {
		if err != nil {
			fmt.Println(err)
			return
		}
		n++
	}
	fmt.Println("SearchAllByID yields", n)
	// Output:
	// SearchAll stops after 10000
	// SearchAllByID yields 10090
}
