package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

// withAge defines the contacts' age property that seedPeople sets.
var withAge = hubspottest.WithProperties("contacts", "age")

func seedPeople(srv *hubspottest.Server) {
	srv.Seed("contacts",
		map[string]string{"email": "ann@acme.com", "firstname": "Ann", "age": "31", "lifecyclestage": "lead", "phone": "+1 555 0100"},
		map[string]string{"email": "bo@acme.com", "firstname": "Bo", "age": "45", "lifecyclestage": "customer"},
		map[string]string{"email": "cy@globex.com", "firstname": "Cy", "age": "27", "lifecyclestage": "lead", "phone": "+1 555 0101"},
		map[string]string{"email": "di@globex.com", "firstname": "Di", "age": "60", "lifecyclestage": "opportunity"},
	)
}

func names(t *testing.T, objs []hubspot.Object) []string {
	t.Helper()
	var out []string
	for _, o := range objs {
		out = append(out, o.Properties["firstname"])
	}
	return out
}

func TestSearchOperators(t *testing.T) {
	srv := hubspottest.NewServer(t, withAge)
	c, _, _ := newClient(t, srv, nil)
	seedPeople(srv)
	ctx := context.Background()
	for _, tc := range []struct {
		f    hubspot.Filter
		want []string
	}{
		{hubspot.Eq("firstname", "Bo"), []string{"Bo"}},
		{hubspot.Neq("lifecyclestage", "lead"), []string{"Bo", "Di"}},
		{hubspot.Lt("age", "31"), []string{"Cy"}},
		{hubspot.Lte("age", "31"), []string{"Ann", "Cy"}},
		{hubspot.Gt("age", "45"), []string{"Di"}},
		{hubspot.Gte("age", "45"), []string{"Bo", "Di"}},
		{hubspot.InRange("age", "30", "50"), []string{"Ann", "Bo"}},
		{hubspot.OneOf("lifecyclestage", "customer", "opportunity"), []string{"Bo", "Di"}},
		{hubspot.NoneOf("lifecyclestage", "lead"), []string{"Bo", "Di"}},
		{hubspot.Has("phone"), []string{"Ann", "Cy"}},
		{hubspot.HasNot("phone"), []string{"Bo", "Di"}},
		{hubspot.Contains("email", "*@globex.com"), []string{"Cy", "Di"}},
		{hubspot.NotContains("email", "*@globex.com"), []string{"Ann", "Bo"}},
	} {
		page, err := c.Contacts.Search(ctx, &hubspot.SearchRequest{
			FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{tc.f}}},
			Sorts:        []hubspot.Sort{{PropertyName: "firstname", Direction: hubspot.Ascending}},
			Properties:   []string{"firstname"},
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.f.Operator, err)
		}
		if got := names(t, page.Results); !slices.Equal(got, tc.want) || page.Total != len(tc.want) {
			t.Errorf("%s %s: got %v (total %d), want %v", tc.f.Operator, tc.f.PropertyName, got, page.Total, tc.want)
		}
	}

	// Groups are ORed, filters in a group ANDed; sorts and query apply.
	page, err := c.Contacts.Search(ctx, &hubspot.SearchRequest{
		FilterGroups: []hubspot.FilterGroup{
			{Filters: []hubspot.Filter{hubspot.Eq("lifecyclestage", "lead"), hubspot.Gt("age", "30")}},
			{Filters: []hubspot.Filter{hubspot.Eq("firstname", "Di")}},
		},
		Sorts:      []hubspot.Sort{{PropertyName: "age", Direction: hubspot.Descending}},
		Properties: []string{"firstname"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(t, page.Results); !slices.Equal(got, []string{"Di", "Ann"}) {
		t.Fatalf("groups: %v", got)
	}
	page, err = c.Contacts.Search(ctx, &hubspot.SearchRequest{Query: "globex", Properties: []string{"firstname"}, Sorts: []hubspot.Sort{{PropertyName: "firstname"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(t, page.Results); !slices.Equal(got, []string{"Cy", "Di"}) {
		t.Fatalf("query: %v", got)
	}
}

func TestSearchTimeValues(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		p := hubspot.Properties{"dealname": fmt.Sprint("d", i)}.SetTime("closedate", day.AddDate(0, 0, i))
		if _, err := c.Deals.Create(ctx, hubspot.ObjectInput{Properties: p}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := c.Deals.Search(ctx, &hubspot.SearchRequest{
		FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{hubspot.Gte("closedate", hubspot.TimeValue(day.AddDate(0, 0, 1)))}}},
		Properties:   []string{"dealname", "closedate"},
		Sorts:        []hubspot.Sort{{PropertyName: "closedate", Direction: hubspot.Ascending}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 2 {
		t.Fatalf("%d deals closing from day 2", len(page.Results))
	}
	got, err := page.Results[0].Properties.Time("closedate")
	if err != nil || !got.Equal(day.AddDate(0, 0, 1)) {
		t.Fatalf("closedate %v, %v", got, err)
	}
}

func TestSearchLimitsCheckedBeforeSending(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	eq := hubspot.Eq("firstname", "x")
	group := func(n int) hubspot.FilterGroup {
		g := hubspot.FilterGroup{}
		for range n {
			g.Filters = append(g.Filters, eq)
		}
		return g
	}
	for name, tc := range map[string]struct {
		req  hubspot.SearchRequest
		want string
	}{
		"limit":           {hubspot.SearchRequest{Limit: 201}, "Limit must be between 1 and 200"},
		"groups":          {hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{group(1), group(1), group(1), group(1), group(1), group(1)}}, "6 filter groups; HubSpot allows at most 5"},
		"per group":       {hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{group(11)}}, "11 filters; HubSpot allows at most 10 per group"},
		"total":           {hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{group(9), group(9), group(9)}}, "27 filters in all; HubSpot allows at most 25"},
		"empty group":     {hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{{}}}, "filter group 0 is empty"},
		"body":            {hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{hubspot.OneOf("email", strings.Split(strings.Repeat("someone@example.com,", 200), ",")[:200]...)}}}}, "characters; HubSpot allows at most 3000"},
		"ceiling":         {hubspot.SearchRequest{After: "10000"}, "10,000"},
		"cursor":          {hubspot.SearchRequest{After: "abc"}, "not a search cursor"},
		"between":         {hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{{PropertyName: "age", Operator: hubspot.Between, Value: "1"}}}}}, "needs Value and HighValue"},
		"in without vals": {hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{{PropertyName: "age", Operator: hubspot.In}}}}}, "needs Values"},
		"has with value":  {hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{{PropertyName: "age", Operator: hubspot.HasProperty, Value: "1"}}}}}, "takes no value"},
		"eq without":      {hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{{PropertyName: "age", Operator: hubspot.EQ}}}}}, "needs a Value"},
		"unknown op":      {hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{{PropertyName: "age", Operator: "LIKE", Value: "1"}}}}}, "unknown operator"},
		"no property":     {hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{{Operator: hubspot.EQ, Value: "1"}}}}}, "no property name"},
		"sort direction":  {hubspot.SearchRequest{Sorts: []hubspot.Sort{{PropertyName: "age", Direction: "UP"}}}, "neither ASCENDING nor DESCENDING"},
	} {
		_, err := c.Contacts.Search(ctx, &tc.req)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want it to say %q", name, err, tc.want)
		}
		if name == "ceiling" {
			if !errors.Is(err, hubspot.ErrSearchCeiling) {
				t.Errorf("ceiling: %v is not ErrSearchCeiling", err)
			}
		} else if !errors.Is(err, hubspot.ErrValidation) {
			t.Errorf("%s: %v is not ErrValidation", name, err)
		}
	}
	if n := len(srv.Journal()); n != 0 {
		t.Fatalf("%d requests sent; every one of these should fail before sending", n)
	}
	// The largest valid search goes through.
	big := hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{group(10), group(10), group(5)}, Limit: 200}
	if _, err := c.Contacts.Search(ctx, &big); err != nil {
		t.Fatalf("25 filters, limit 200: %v", err)
	}
}

func TestSearchAllStreamsAndStopsAtTheCeiling(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	props := make([]map[string]string, 10050)
	for i := range props {
		props[i] = map[string]string{"dealname": "deal " + strconv.Itoa(i), "amount": strconv.Itoa(i)}
	}
	srv.Seed("deals", props...)

	// A query under the ceiling streams every match, in order.
	n, prev := 0, -1
	for o, err := range c.Deals.SearchAll(ctx, &hubspot.SearchRequest{
		FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{hubspot.Lt("amount", "450")}}},
		Sorts:        []hubspot.Sort{{PropertyName: "amount", Direction: hubspot.Ascending}},
		Properties:   []string{"amount"},
		Limit:        100,
	}) {
		if err != nil {
			t.Fatal(err)
		}
		a, err := o.Properties.Int("amount")
		if err != nil || int(a) <= prev {
			t.Fatalf("amount %d after %d (%v)", a, prev, err)
		}
		prev = int(a)
		n++
	}
	if n != 450 {
		t.Fatalf("SearchAll yielded %d, want 450", n)
	}

	// Past 10,000 matches: the first 10,000, then ErrSearchCeiling.
	n = 0
	var last error
	for _, err := range c.Deals.SearchAll(ctx, &hubspot.SearchRequest{Properties: []string{"amount"}}) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	if n != 10000 || !errors.Is(last, hubspot.ErrSearchCeiling) || !strings.Contains(last.Error(), "10050") {
		t.Fatalf("yielded %d, then %v", n, last)
	}
}

func TestSearchRateLimitedOnItsOwnBudget(t *testing.T) {
	fake := clock.NewFake(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := hubspottest.NewServer(t, withAge, hubspottest.WithClock(fake), hubspottest.WithRateLimit(hubspottest.RateLimit{SearchPerSecond: 5}))
	// No client-side limit: the server's SECONDLY 429s are waited out on
	// the shared fake clock and retried.
	c, _, _ := newClient(t, srv, nil, hubspot.WithClock(fake))
	seedPeople(srv)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go advance(ctx, fake)
	for range 7 {
		if _, err := c.Contacts.Search(ctx, &hubspot.SearchRequest{Query: "acme"}); err != nil {
			t.Fatal(err)
		}
	}
	limited := 0
	for _, call := range srv.Journal() {
		if call.Status == 429 {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("the server never rate limited; the test proves nothing")
	}

	// With the client's own search limit (5/s) the server never has to.
	srv2 := hubspottest.NewServer(t, hubspottest.WithClock(fake), hubspottest.WithRateLimit(hubspottest.RateLimit{SearchPerSecond: 5}))
	c2, _, _ := newClient(t, srv2, nil, hubspot.WithClock(fake), hubspot.WithSearchRateLimit(hubspot.LimitSearch()))
	for range 12 {
		if _, err := c2.Contacts.Search(ctx, &hubspot.SearchRequest{Query: "acme"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, call := range srv2.Journal() {
		if call.Status == 429 {
			t.Fatalf("429 with the client-side limit on: %+v", call)
		}
	}
}

// advance fires fake's timers as soon as one is waiting, until ctx ends.
func advance(ctx context.Context, fake *clock.Fake) {
	for {
		if err := fake.WaitForTimers(ctx, 1); err != nil {
			return
		}
		fake.AdvanceToNext()
	}
}

func TestSearchAllByIDPassesTheCeiling(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	props := make([]map[string]string, 10050)
	for i := range props {
		props[i] = map[string]string{"dealname": "deal " + strconv.Itoa(i), "amount": strconv.Itoa(i)}
	}
	srv.Seed("deals", props...)
	searches := func() int {
		return calls(srv, "POST", "/crm/v3/objects/deals/search") + calls(srv, "POST", "/crm/objects/")
	}

	// every ranges over seq and checks that IDs ascend, each once.
	every := func(seq func(func(hubspot.Object, error) bool), each func(n int, o hubspot.Object)) int {
		t.Helper()
		n, prev := 0, uint64(0)
		for o, err := range seq {
			if err != nil {
				t.Fatalf("after %d records: %v", n, err)
			}
			id, err := strconv.ParseUint(o.ID, 10, 64)
			if err != nil || id <= prev {
				t.Fatalf("record %d: ID %s after %d", n, o.ID, prev)
			}
			prev = id
			if each != nil {
				each(n, o)
			}
			n++
		}
		return n
	}

	before := searches()
	if n := every(c.Deals.SearchAllByID(ctx, &hubspot.SearchRequest{Properties: []string{"amount"}}), nil); n != 10050 {
		t.Fatalf("SearchAllByID yielded %d, want all 10050", n)
	}
	if got := searches() - before; got != 51 {
		t.Errorf("%d searches for 10050 records by pages of 200, want 51", got)
	}

	// Filter groups (ORed) each get the anchor; together they match
	// everything, the overlap once.
	if n := every(c.Deals.SearchAllByID(ctx, &hubspot.SearchRequest{
		FilterGroups: []hubspot.FilterGroup{
			{Filters: []hubspot.Filter{hubspot.Lt("amount", "6000")}},
			{Filters: []hubspot.Filter{hubspot.Gte("amount", "5000"), hubspot.Has("dealname")}},
		},
		Sorts: []hubspot.Sort{{PropertyName: "hs_object_id"}},
	}), nil); n != 10050 {
		t.Fatalf("two groups yielded %d, want 10050", n)
	}

	// Records archived while the loop runs shift HubSpot's offset
	// cursors; anchoring on the last ID skips nothing that is left.
	var archived int
	var first []string
	n := every(c.Deals.SearchAllByID(ctx, &hubspot.SearchRequest{Limit: 100}), func(n int, o hubspot.Object) {
		if n < 3 {
			first = append(first, o.ID)
		}
		if n == 150 {
			for _, id := range append(first, o.ID) {
				if err := c.Deals.Archive(ctx, id); err != nil {
					t.Fatal(err)
				}
				archived++
			}
		}
	})
	if n != 10050 {
		t.Fatalf("with %d archived mid-loop (all seen already), yielded %d, want 10050", archived, n)
	}
	if n := every(c.Deals.SearchAllByID(ctx, nil), nil); n != 10050-archived {
		t.Fatalf("after archiving %d, yielded %d", archived, n)
	}
}

func TestSearchAllByIDSaysWhatItCannotAnchor(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	group := func(n int) hubspot.FilterGroup {
		g := hubspot.FilterGroup{}
		for i := range n {
			g.Filters = append(g.Filters, hubspot.Gt("amount", strconv.Itoa(i)))
		}
		return g
	}
	for _, c2 := range []struct {
		name string
		r    hubspot.SearchRequest
		want string
	}{
		{"a full group", hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{group(1), group(10)}}, "filter group 1 has 10 filters"},
		{"filters in all", hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{group(5), group(5), group(5), group(5), group(5)}}, "making 30"},
		{"another sort", hubspot.SearchRequest{Sorts: []hubspot.Sort{{PropertyName: "amount", Direction: hubspot.Ascending}}}, "cannot re-anchor"},
		{"descending", hubspot.SearchRequest{Sorts: []hubspot.Sort{{PropertyName: "hs_object_id", Direction: hubspot.Descending}}}, "cannot re-anchor"},
		{"a cursor", hubspot.SearchRequest{After: "200"}, "After must be empty"},
		{"a bad filter", hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{{PropertyName: "amount"}}}}}, "no operator"},
	} {
		t.Run(c2.name, func(t *testing.T) {
			n := 0
			for _, err := range c.Deals.SearchAllByID(ctx, &c2.r) {
				n++
				if !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), c2.want) {
					t.Errorf("err = %v, want ErrValidation saying %q", err, c2.want)
				}
			}
			if n != 1 {
				t.Errorf("yielded %d times, want the error alone", n)
			}
		})
	}
	if len(srv.Journal()) != 0 {
		t.Errorf("%d calls sent for requests that break the rules", len(srv.Journal()))
	}
	// Four groups of five fit: 20 filters and four anchors.
	for _, err := range c.Deals.SearchAllByID(ctx, &hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{group(5), group(5), group(5), group(5)}}) {
		t.Fatal(err)
	}
}
