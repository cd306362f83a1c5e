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

const appID = int64(1160452)

// newHooksClient returns a client for srv with a developer key for appID
// and no token (unless opts add one), without client-side rate limits.
func newHooksClient(t testing.TB, srv *hubspottest.Server, opts ...hubspot.Option) (*hubspot.Client, string) {
	t.Helper()
	key := srv.NewDeveloperKey(appID)
	all := append([]hubspot.Option{
		hubspot.WithDeveloperKey(secretstest.NewStatic(key)),
		hubspot.WithBaseURL(srv.URL()),
		hubspot.WithRateLimit(hubspot.RateLimit{}),
		hubspot.WithSearchRateLimit(hubspot.RateLimit{}),
	}, opts...)
	c, err := hubspot.New(all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, key
}

func TestWebhookSettingsEndToEnd(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	c, _ := newHooksClient(t, srv)
	ctx := context.Background()

	if _, err := c.Webhooks.GetSettings(ctx, appID); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("settings before any: %v", err)
	}
	want := hubspot.WebhookSettings{
		TargetURL:  "https://example.com/hubspot/target",
		Throttling: hubspot.WebhookThrottling{MaxConcurrentRequests: 10},
	}
	got, err := c.Webhooks.UpdateSettings(ctx, appID, want)
	if err != nil {
		t.Fatal(err)
	}
	created := clk.Now()
	if got.TargetURL != want.TargetURL || got.Throttling != want.Throttling || !got.CreatedAt.Equal(created) || !got.UpdatedAt.Equal(created) {
		t.Fatalf("UpdateSettings returned %+v", got)
	}

	clk.Advance(time.Hour)
	got.Throttling = hubspot.WebhookThrottling{MaxConcurrentRequests: 50}
	got.CreatedAt = time.Time{} // ignored either way
	if _, err := c.Webhooks.UpdateSettings(ctx, appID, *got); err != nil {
		t.Fatal(err)
	}
	read, err := c.Webhooks.GetSettings(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	if read.Throttling.MaxConcurrentRequests != 50 ||
		!read.CreatedAt.Equal(created) || !read.UpdatedAt.Equal(clk.Now()) {
		t.Fatalf("GetSettings returned %+v", read)
	}

	if err := c.Webhooks.DeleteSettings(ctx, appID); err != nil {
		t.Fatal(err)
	}
	_, err = c.Webhooks.GetSettings(ctx, appID)
	var he *hubspot.Error
	if !errors.As(err, &he) || he.StatusCode != 404 || he.Path != fmt.Sprintf("/webhooks/v3/%d/settings", appID) || he.CorrelationID == "" {
		t.Fatalf("settings after delete: %#v", err)
	}

	// A key for another app's developer account is refused.
	if _, err := c.Webhooks.GetSettings(ctx, appID+1); !errors.Is(err, hubspot.ErrForbidden) {
		t.Fatalf("another app: %v", err)
	}
}

func TestWebhookSubscriptionsEndToEnd(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	c, _ := newHooksClient(t, srv)
	ctx := context.Background()

	email, err := c.Webhooks.CreateSubscription(ctx, appID, hubspot.WebhookSubscriptionInput{EventType: "contact.propertyChange", PropertyName: "email"})
	if err != nil {
		t.Fatal(err)
	}
	if email.ID <= 0 || email.Active || email.EventType != "contact.propertyChange" || email.PropertyName != "email" || !email.CreatedAt.Equal(clk.Now()) {
		t.Fatalf("created %+v", email)
	}
	deals, err := c.Webhooks.CreateSubscription(ctx, appID, hubspot.WebhookSubscriptionInput{EventType: "deal.creation", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if !deals.Active || deals.ID == email.ID {
		t.Fatalf("created %+v", deals)
	}

	list, err := c.Webhooks.ListSubscriptions(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0] != *email || list[1] != *deals {
		t.Fatalf("list %+v", list)
	}

	clk.Advance(time.Minute)
	upd, err := c.Webhooks.UpdateSubscription(ctx, appID, email.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if !upd.Active || !upd.UpdatedAt.Equal(clk.Now()) || !upd.CreatedAt.Equal(email.CreatedAt) {
		t.Fatalf("updated %+v", upd)
	}
	got, err := c.Webhooks.GetSubscription(ctx, appID, email.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *upd {
		t.Fatalf("got %+v, want %+v", got, upd)
	}

	if err := c.Webhooks.DeleteSubscription(ctx, appID, email.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Webhooks.GetSubscription(ctx, appID, email.ID); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := c.Webhooks.DeleteSubscription(ctx, appID, email.ID); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := c.Webhooks.UpdateSubscription(ctx, appID, email.ID, false); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("update after delete: %v", err)
	}

	// HubSpot's own checks come back as typed errors.
	_, err = c.Webhooks.CreateSubscription(ctx, appID, hubspot.WebhookSubscriptionInput{EventType: "contact.exploded"})
	var he *hubspot.Error
	if !errors.Is(err, hubspot.ErrValidation) || !errors.As(err, &he) || he.StatusCode != 400 || !strings.Contains(he.Message, "contact.exploded") {
		t.Fatalf("unknown event type: %v", err)
	}
	if _, err := c.Webhooks.CreateSubscription(ctx, appID, hubspot.WebhookSubscriptionInput{EventType: "deal.creation"}); !errors.Is(err, hubspot.ErrConflict) {
		t.Fatalf("duplicate: %v", err)
	}
}

func TestWebhookBatchUpdateEndToEnd(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _ := newHooksClient(t, srv)
	ctx := context.Background()
	var ids []int64
	for _, ev := range []string{"contact.creation", "company.creation", "deal.creation"} {
		s, err := c.Webhooks.CreateSubscription(ctx, appID, hubspot.WebhookSubscriptionInput{EventType: ev})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}

	res, err := c.Webhooks.BatchUpdateSubscriptions(ctx, appID, []hubspot.WebhookSubscriptionUpdate{
		{ID: ids[2], Active: true}, {ID: ids[0], Active: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 2 || res.Failed() != 0 || res.Items[0].Value.ID != ids[2] || res.Items[1].Value.ID != ids[0] ||
		!res.Items[0].Value.Active || !res.Items[1].Value.Active {
		t.Fatalf("batch %+v", res)
	}

	const unknown = 987654
	res, err = c.Webhooks.BatchUpdateSubscriptions(ctx, appID, []hubspot.WebhookSubscriptionUpdate{
		{ID: ids[0], Active: false}, {ID: unknown, Active: true}, {ID: ids[1], Active: true},
	})
	var be *hubspot.BatchError
	if !errors.As(err, &be) || be.Failed != 1 || be.Total != 3 || be.FirstIndex != 1 || !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("partial batch error: %v", err)
	}
	if res.Failed() != 1 || res.Items[0].Err != nil || res.Items[0].Value.Active || res.Items[2].Value.ID != ids[1] ||
		!errors.Is(res.Items[1].Err, hubspot.ErrNotFound) {
		t.Fatalf("partial batch %+v", res)
	}
	list, err := c.Webhooks.ListSubscriptions(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if want := s.ID != ids[0]; s.Active != want {
			t.Errorf("subscription %d (%s) active %v, want %v", s.ID, s.EventType, s.Active, want)
		}
	}

	if res, err := c.Webhooks.BatchUpdateSubscriptions(ctx, appID, nil); err != nil || len(res.Items) != 0 {
		t.Fatalf("empty batch: %+v %v", res, err)
	}
}

func TestWebhooksClientValidation(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _ := newHooksClient(t, srv)
	ctx := context.Background()
	good := hubspot.WebhookSettings{TargetURL: "https://example.com/x", Throttling: hubspot.WebhookThrottling{MaxConcurrentRequests: 10}}
	with := func(f func(*hubspot.WebhookSettings)) hubspot.WebhookSettings { s := good; f(&s); return s }
	tooMany := make([]hubspot.WebhookSubscriptionUpdate, 1001) // HubSpot allows 1,000 per app
	for i := range tooMany {
		tooMany[i].ID = int64(i + 1)
	}
	for _, tc := range []struct {
		name, want string
		call       func() error
	}{
		{"app 0", "app ID must be positive, got 0", func() error { _, err := c.Webhooks.GetSettings(ctx, 0); return err }},
		{"negative app", "app ID must be positive, got -3", func() error { return c.Webhooks.DeleteSettings(ctx, -3) }},
		{"subscription 0", "subscription ID must be positive, got 0", func() error { _, err := c.Webhooks.GetSubscription(ctx, appID, 0); return err }},
		{"empty target", "targetUrl is empty", func() error {
			_, err := c.Webhooks.UpdateSettings(ctx, appID, with(func(s *hubspot.WebhookSettings) { s.TargetURL = "" }))
			return err
		}},
		{"http target", `targetUrl "http://example.com/x" must be an absolute https URL`, func() error {
			_, err := c.Webhooks.UpdateSettings(ctx, appID, with(func(s *hubspot.WebhookSettings) { s.TargetURL = "http://example.com/x?token=s3cr3t" }))
			return err
		}},
		{"five", "maxConcurrentRequests must be at least 6", func() error {
			_, err := c.Webhooks.UpdateSettings(ctx, appID, with(func(s *hubspot.WebhookSettings) { s.Throttling.MaxConcurrentRequests = 5 }))
			return err
		}},
		{"event type", `eventType "contact" is not of the form object.kind`, func() error {
			_, err := c.Webhooks.CreateSubscription(ctx, appID, hubspot.WebhookSubscriptionInput{EventType: "contact"})
			return err
		}},
		{"no property", "a deal.propertyChange subscription needs a propertyName", func() error {
			_, err := c.Webhooks.CreateSubscription(ctx, appID, hubspot.WebhookSubscriptionInput{EventType: "deal.propertyChange"})
			return err
		}},
		{"stray property", `propertyName "amount" applies only to propertyChange event types, not deal.creation`, func() error {
			_, err := c.Webhooks.CreateSubscription(ctx, appID, hubspot.WebhookSubscriptionInput{EventType: "deal.creation", PropertyName: "amount"})
			return err
		}},
		{"repeated id", "input 1 repeats subscription 7 (first at input 0)", func() error {
			_, err := c.Webhooks.BatchUpdateSubscriptions(ctx, appID, []hubspot.WebhookSubscriptionUpdate{{ID: 7}, {ID: 7, Active: true}})
			return err
		}},
		{"batch id 0", "BatchUpdateSubscriptions input 1: subscription ID must be positive", func() error {
			_, err := c.Webhooks.BatchUpdateSubscriptions(ctx, appID, []hubspot.WebhookSubscriptionUpdate{{ID: 7}, {}})
			return err
		}},
		{"too many", "1001 updates; an app has at most 1000 subscriptions", func() error {
			_, err := c.Webhooks.BatchUpdateSubscriptions(ctx, appID, tooMany)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a validation error containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Fatalf("the error quotes the target URL's query: %v", err)
			}
		})
	}
	if n := len(srv.Journal()); n != 0 {
		t.Fatalf("%d calls reached the server", n)
	}
}

func TestWebhooksWithoutDeveloperKey(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	if _, err := c.Webhooks.ListSubscriptions(ctx, appID); !errors.Is(err, hubspot.ErrNoDeveloperKey) {
		t.Fatalf("ListSubscriptions: %v", err)
	}
	// The bearer token is not sent to a developer-key endpoint either.
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/webhooks/v3/%d/settings", srv.URL(), appID), nil)
	resp, err := c.HTTPClient().Do(req)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, hubspot.ErrNoDeveloperKey) {
		t.Fatalf("HTTPClient: %v", err)
	}
	if n := len(srv.Journal()); n != 0 {
		t.Fatalf("%d calls reached the server", n)
	}
}

func TestDeveloperKeyOnlyClient(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _ := newHooksClient(t, srv)
	ctx := context.Background()
	if _, err := c.Webhooks.ListSubscriptions(ctx, appID); err != nil {
		t.Fatal(err)
	}
	_, err := c.Contacts.Get(ctx, "1", nil)
	if err == nil || !strings.Contains(err.Error(), "no token") || !strings.Contains(err.Error(), "WithToken") {
		t.Fatalf("a CRM call without a token: %v", err)
	}
	if calls(srv, "GET", "/crm") != 0 {
		t.Fatal("a CRM call was sent without a token")
	}
	if _, err := hubspot.New(hubspot.WithBaseURL(srv.URL())); err == nil {
		t.Fatal("New without any credential succeeded")
	}
	if _, err := hubspot.New(hubspot.WithDeveloperKey(nil)); err == nil {
		t.Fatal("WithDeveloperKey(nil) succeeded")
	}
}

func TestTokenAndDeveloperKeyNeverMix(t *testing.T) {
	srv := hubspottest.NewServer(t)
	key := srv.NewDeveloperKey(appID)
	c, token, _ := newClient(t, srv, nil, hubspot.WithDeveloperKey(secretstest.NewStatic(key)))
	ctx := context.Background()

	if _, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "a@example.com"}}); err != nil {
		t.Fatal(err)
	}
	// hubspottest refuses any Authorization header on these endpoints, so
	// success shows the bearer token was not sent with the key.
	if _, err := c.Webhooks.CreateSubscription(ctx, appID, hubspot.WebhookSubscriptionInput{EventType: "contact.creation"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Webhooks.ListSubscriptions(ctx, appID); err != nil {
		t.Fatal(err)
	}
	tokenFP, keyFP := secrets.New(token).Fingerprint(), secrets.New(key).Fingerprint()
	for _, call := range srv.Journal() {
		op, _ := opOf(call)
		webhooks := strings.HasPrefix(op, "webhooks.")
		switch {
		case webhooks && (call.TokenFingerprint != keyFP || call.Query != "hapikey=REDACTED"):
			t.Errorf("webhooks call %s %s sent with %s, query %q", call.Method, call.Path, call.TokenFingerprint, call.Query)
		case !webhooks && (call.TokenFingerprint != tokenFP || strings.Contains(call.Query, "hapikey")):
			t.Errorf("CRM call %s %s sent with %s, query %q", call.Method, call.Path, call.TokenFingerprint, call.Query)
		}
		if call.Status >= 300 {
			t.Errorf("%s %s: %d", call.Method, call.Path, call.Status)
		}
	}
	if len(srv.Journal()) != 3 {
		t.Fatalf("%d calls", len(srv.Journal()))
	}
}

func TestDeveloperKeyRotationAfter401(t *testing.T) {
	srv := hubspottest.NewServer(t)
	old := srv.NewDeveloperKey(appID)
	st := secretstest.NewStatic(old)
	cache, err := secrets.NewCache(st, secrets.WithMinInvalidateInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	c, err := hubspot.New(hubspot.WithDeveloperKey(cache), hubspot.WithBaseURL(srv.URL()), hubspot.WithRateLimit(hubspot.RateLimit{}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Webhooks.ListSubscriptions(ctx, appID); err != nil {
		t.Fatal(err)
	}

	// The key is replaced at the source and revoked at HubSpot: the next
	// call is refused once, the cache is invalidated, and the call is sent
	// again with the new key.
	next := srv.NewDeveloperKey(appID)
	st.Rotate(next)
	srv.RevokeDeveloperKey(old)
	srv.ResetJournal()
	if _, err := c.Webhooks.ListSubscriptions(ctx, appID); err != nil {
		t.Fatal(err)
	}
	j := srv.Journal()
	if len(j) != 2 || j[0].Status != 401 || j[0].TokenFingerprint != secrets.New(old).Fingerprint() ||
		j[1].Status != 200 || j[1].TokenFingerprint != secrets.New(next).Fingerprint() {
		t.Fatalf("journal %+v", j)
	}

	// A key the source cannot replace stays refused, as ErrUnauthorized.
	srv.RevokeDeveloperKey(next)
	if _, err := c.Webhooks.ListSubscriptions(ctx, appID); !errors.Is(err, hubspot.ErrUnauthorized) {
		t.Fatalf("revoked key: %v", err)
	}
}

// HubSpot's older documentation shows subscriptions as a bare array with
// numeric IDs and millisecond timestamps; both shapes are read.
func TestWebhookLegacyShapes(t *testing.T) {
	ts := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/webhooks/v3/1/subscriptions":
			fmt.Fprint(w, `[{"id": 25, "createdAt": 1461704185000, "createdBy": 529872, "eventType": "contact.propertyChange", "propertyName": "lifecyclestage", "active": false},
				{"id": "108", "createdAt": "1463423132000", "eventType": "deal.creation", "active": true, "updatedAt": null}]`)
		case "/webhooks/v3/1/settings":
			fmt.Fprint(w, `{"createdAt": "2020-01-24T16:27:59Z", "targetUrl": "https://www.example.com/hubspot/target", "throttling": {"maxConcurrentRequests": 10, "period": "SECONDLY"}, "updatedAt": 1579883563000}`)
		case "/webhooks/v3/1/subscriptions/9":
			fmt.Fprint(w, `{"id": "nine", "eventType": "deal.creation", "active": true}`)
		}
	})
	c, err := hubspot.New(hubspot.WithDeveloperKey(secretstest.NewStatic("legacy-key")), hubspot.WithBaseURL(ts.URL), hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	list, err := c.Webhooks.ListSubscriptions(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != 25 || list[0].CreatedBy != 529872 || !list[0].CreatedAt.Equal(time.UnixMilli(1461704185000)) ||
		list[0].PropertyName != "lifecyclestage" || list[1].ID != 108 || !list[1].Active || !list[1].CreatedAt.Equal(time.UnixMilli(1463423132000)) ||
		!list[1].UpdatedAt.IsZero() {
		t.Fatalf("list %+v", list)
	}
	s, err := c.Webhooks.GetSettings(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !s.CreatedAt.Equal(time.Date(2020, 1, 24, 16, 27, 59, 0, time.UTC)) || !s.UpdatedAt.Equal(time.UnixMilli(1579883563000)) {
		t.Fatalf("settings %+v", s)
	}
	if _, err := c.Webhooks.GetSubscription(ctx, 1, 9); err == nil || !strings.Contains(err.Error(), "not an integer") {
		t.Fatalf("a non-numeric id: %v", err)
	}
}

// A Client manages an app's webhooks with a developer key; a Client with
// both a token and a developer key sends each to its own endpoints only.
func ExampleWebhooksService() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	const app = 1160452
	key := srv.NewDeveloperKey(app)

	c, err := hubspot.New(
		hubspot.WithDeveloperKey(secretstest.NewStatic(key)), // any secrets.Provider, or a *secrets.Cache
		hubspot.WithBaseURL(srv.URL()),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()

	settings, err := c.Webhooks.UpdateSettings(ctx, app, hubspot.WebhookSettings{
		TargetURL:  "https://example.com/hubspot/events",
		Throttling: hubspot.WebhookThrottling{MaxConcurrentRequests: 10},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("target:", settings.TargetURL)

	sub, err := c.Webhooks.CreateSubscription(ctx, app, hubspot.WebhookSubscriptionInput{EventType: "contact.propertyChange", PropertyName: "email"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created:", sub.EventType, sub.PropertyName, "active:", sub.Active)
	if _, err := c.Webhooks.UpdateSubscription(ctx, app, sub.ID, true); err != nil {
		fmt.Println(err)
		return
	}
	subs, _ := c.Webhooks.ListSubscriptions(ctx, app)
	for _, s := range subs {
		fmt.Println("listed:", s.EventType, s.PropertyName, "active:", s.Active)
	}
	fmt.Println("journal shows:", srv.Journal()[0].Query)
	// Output:
	// target: https://example.com/hubspot/events
	// created: contact.propertyChange email active: false
	// listed: contact.propertyChange email active: true
	// journal shows: hapikey=REDACTED
}

// BatchUpdateSubscriptions accounts for every input: an unknown
// subscription is that input's error, and the others are applied.
func ExampleWebhooksService_BatchUpdateSubscriptions() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	const app = 1160452
	c, err := hubspot.New(hubspot.WithDeveloperKey(secretstest.NewStatic(srv.NewDeveloperKey(app))), hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()
	sub, err := c.Webhooks.CreateSubscription(ctx, app, hubspot.WebhookSubscriptionInput{EventType: "deal.creation"})
	if err != nil {
		fmt.Println(err)
		return
	}

	res, err := c.Webhooks.BatchUpdateSubscriptions(ctx, app, []hubspot.WebhookSubscriptionUpdate{
		{ID: sub.ID, Active: true},
		{ID: 42, Active: true},
	})
	fmt.Println(errors.Is(err, hubspot.ErrNotFound), res.Failed())
	fmt.Println(res.Items[0].Value.EventType, res.Items[0].Value.Active)
	fmt.Println(res.Items[1].Err)
	// Output:
	// true 1
	// deal.creation true
	// hubspot: POST /webhooks/v3/1160452/subscriptions/batch/update: 207 Multi-Status OBJECT_NOT_FOUND: Subscription 42 was not found.
}
