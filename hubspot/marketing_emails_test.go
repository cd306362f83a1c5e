package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Marketing emails are listed and read; Schedule sets a future publish
// date and publishes, Unpublish makes a scheduled email a draft again,
// Publish sends now; a sent email cannot be unpublished.
func TestMarketingEmails(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake))
	a := srv.AddMarketingEmail("March news", "News for March")
	b := srv.AddMarketingEmail("April news", "News for April")
	c, _, _ := newClient(t, srv, []string{"content", "marketing-email"}, hubspot.WithClock(fake))
	ctx := context.Background()

	var names []string
	for e, err := range c.MarketingEmails.All(ctx, &hubspot.MarketingEmailListOptions{Limit: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, e.Name)
	}
	if fmt.Sprint(names) != "[March news April news]" {
		t.Errorf("All: %v", names)
	}
	e, err := c.MarketingEmails.Get(ctx, a)
	if err != nil || e.Subject != "News for March" || e.State != "DRAFT" || e.IsPublished {
		t.Fatalf("Get: %+v, %v", e, err)
	}
	at := fake.Now().Add(24 * time.Hour)
	if err := c.MarketingEmails.Schedule(ctx, a, at); err != nil {
		t.Fatal(err)
	}
	if e, _ := c.MarketingEmails.Get(ctx, a); e.State != "SCHEDULED" || !e.PublishDate.Equal(at) || !e.IsPublished {
		t.Errorf("after Schedule: %+v", e)
	}
	published := true
	n := 0
	for e, err := range c.MarketingEmails.All(ctx, &hubspot.MarketingEmailListOptions{Published: &published}) {
		if err != nil || e.ID != a {
			t.Errorf("All published: %+v, %v", e, err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("%d published emails listed", n)
	}
	if err := c.MarketingEmails.Unpublish(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := c.MarketingEmails.Publish(ctx, b); err != nil {
		t.Fatal(err)
	}
	got := srv.MarketingEmails()
	if got[0].State != "DRAFT" || got[1].State != "PUBLISHED" || !got[1].PublishedAt.Equal(fake.Now()) {
		t.Errorf("server state: %+v", got)
	}
	if err := c.MarketingEmails.Unpublish(ctx, b); !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), "PUBLISHED") {
		t.Errorf("Unpublish of a sent email: %v", err)
	}
	if err := c.MarketingEmails.Publish(ctx, "777"); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("Publish of a missing email: %v", err)
	}
}

// Bad input is refused before sending.
func TestMarketingEmailsBadInput(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake))
	a := srv.AddMarketingEmail("x", "y")
	c, _, _ := newClient(t, srv, nil, hubspot.WithClock(fake))
	ctx := context.Background()
	if err := c.MarketingEmails.Schedule(ctx, a, fake.Now()); err == nil || !strings.Contains(err.Error(), "not in the future") {
		t.Errorf("Schedule now: %v", err)
	}
	if err := c.MarketingEmails.Publish(ctx, "12/34"); err == nil || !strings.Contains(err.Error(), `"12/34"`) {
		t.Errorf("Publish of a bad ID: %v", err)
	}
	if _, err := c.MarketingEmails.Get(ctx, ""); err == nil {
		t.Error("Get of an empty ID succeeded")
	}
	if n := len(srv.Journal()); n != 0 {
		t.Errorf("%d calls reached the server", n)
	}
}

// Publishing is signed under the default policy and refused unsigned by a
// verifying hubspottest, as is scheduling, which publishes.
func TestMarketingEmailsPublishSigned(t *testing.T) {
	w := newSignedWorld(t)
	a := w.srv.AddMarketingEmail("a", "a")
	b := w.srv.AddMarketingEmail("b", "b")
	signed := w.client(t, hubspot.WithSigner(w.signer(t, signingKeyID, signingKey), nil))
	unsigned := w.client(t)
	ctx := context.Background()
	wantSignatureRejected(t, unsigned.MarketingEmails.Publish(ctx, a), "SIGNATURE_REQUIRED", "unsigned")
	wantSignatureRejected(t, unsigned.MarketingEmails.Schedule(ctx, b, time.Now().Add(time.Hour)), "SIGNATURE_REQUIRED", "unsigned")
	if _, err := unsigned.MarketingEmails.Get(ctx, a); err != nil {
		t.Errorf("unsigned Get (not sensitive): %v", err)
	}
	if err := signed.MarketingEmails.Publish(ctx, a); err != nil {
		t.Fatalf("signed Publish: %v", err)
	}
	got := map[string]bool{}
	for _, call := range w.srv.Journal() {
		if op, _ := opOf(call); op != "" && call.Status < 300 {
			got[op] = call.Signed
		}
	}
	if !got["marketing.emails.publish"] || got["marketing.emails.get"] {
		t.Errorf("signed by operation: %v", got)
	}
}

// Reads go to the least-privileged credential with a read scope;
// publishing to the one holding marketing-email.
func TestCredentialsRouteMarketingEmails(t *testing.T) {
	cs := mustCredentials(t, []hubspot.Credential{
		cred("admin", hubspot.EveryScope),
		cred("reader", "marketing.email.read"),
		cred("publisher", "marketing-email"),
	})
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/marketing/v3/emails", "reader"},
		{"GET", "/marketing/emails/2026-03/5", "reader"},
		{"POST", "/marketing/v3/emails/5/publish", "publisher"},
		{"POST", "/marketing/emails/2026-03/5/publish", "publisher"},
	} {
		if got := routeName(t, cs, tc.method, tc.path); got != tc.want {
			t.Errorf("%s %s went to %s, want %s", tc.method, tc.path, got, tc.want)
		}
	}
}

func ExampleMarketingEmailsService_Schedule() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	id := srv.AddMarketingEmail("April newsletter", "What's new in April")
	c, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic(srv.NewToken("content", "marketing-email"))), hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()

	if err := c.MarketingEmails.Schedule(ctx, id, time.Now().Add(48*time.Hour)); err != nil {
		fmt.Println(err)
		return
	}
	e, _ := c.MarketingEmails.Get(ctx, id)
	fmt.Println(e.Name, e.State)
	// Output:
	// April newsletter SCHEDULED
}
