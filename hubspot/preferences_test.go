package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

func TestPreferencesLifecycle(t *testing.T) {
	srv := hubspottest.NewServer(t)
	news, offers := srv.AddSubscriptionType("Newsletter", "Monthly news"), srv.AddSubscriptionType("Offers", "Discounts")
	c, _, _ := newClient(t, srv, []string{"communication_preferences.read", "communication_preferences.write"})
	ctx := context.Background()

	types, err := c.Preferences.Types(ctx, nil)
	if err != nil || len(types) != 2 || types[0].ID != news || types[1].Name != "Offers" || !types[0].Active {
		t.Fatalf("Types: %+v, %v", types, err)
	}
	st, err := c.Preferences.Subscribe(ctx, "ada@example.com", news, &hubspot.StatusChange{LegalBasis: "CONSENT_WITH_NOTICE", Explanation: "signed up at the fair"})
	if err != nil || st.Status != hubspot.StatusSubscribed || st.SubscriptionID != news || st.Reason != "REQUESTED_CHANGE_OCCURRED" || st.LegalBasis != "CONSENT_WITH_NOTICE" {
		t.Fatalf("Subscribe: %+v, %v", st, err)
	}
	if st, err = c.Preferences.Subscribe(ctx, "ADA@example.com", news, nil); err != nil || st.Reason != "NO_STATUS_CHANGE" {
		t.Fatalf("Subscribe again: %+v, %v", st, err)
	}
	all, err := c.Preferences.Statuses(ctx, "ada@example.com", nil)
	if err != nil || len(all) != 2 || all[0].Status != hubspot.StatusSubscribed || all[1].Status != hubspot.StatusNotSpecified || all[0].Email != "ada@example.com" {
		t.Fatalf("Statuses: %+v, %v", all, err)
	}
	if _, err := c.Preferences.Unsubscribe(ctx, "ada@example.com", news, nil); err != nil {
		t.Fatal(err)
	}
	if got := srv.SubscriptionStatus("ada@example.com", news); got != hubspot.StatusUnsubscribed {
		t.Errorf("server status %s", got)
	}
	if out, err := c.Preferences.UnsubscribedFromAll(ctx, "grace@example.com", nil); err != nil || out {
		t.Fatalf("UnsubscribedFromAll before: %v, %v", out, err)
	}
	after, err := c.Preferences.UnsubscribeAll(ctx, "grace@example.com", nil)
	if err != nil || len(after) != 2 || after[1].Status != hubspot.StatusUnsubscribed {
		t.Fatalf("UnsubscribeAll: %+v, %v", after, err)
	}
	if out, err := c.Preferences.UnsubscribedFromAll(ctx, "grace@example.com", nil); err != nil || !out {
		t.Fatalf("UnsubscribedFromAll after: %v, %v", out, err)
	}
	if _, err := c.Preferences.Subscribe(ctx, "grace@example.com", offers, nil); !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), "unsubscribed from all email") {
		t.Errorf("subscribing an address unsubscribed from all: %v", err)
	}
	if _, err := c.Preferences.Subscribe(ctx, "ada@example.com", "404", nil); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("an unknown subscription type: %v", err)
	}
}

func TestPreferencesBadInputSendsNothing(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	errs := map[string]error{}
	want := map[string]string{
		"not an email":        `preferences Subscribe: "ada" is not an email address`,
		"bad subscription":    `preferences Unsubscribe: the subscription ID "news" is not a decimal number`,
		"unknown legal basis": `preferences Subscribe: unknown legal basis "CONSENT"; HubSpot takes CONSENT_WITH_NOTICE`,
		"statuses of nobody":  `preferences Statuses: "" is not an email address`,
	}
	_, errs["not an email"] = c.Preferences.Subscribe(ctx, "ada", "1", nil)
	_, errs["bad subscription"] = c.Preferences.Unsubscribe(ctx, "ada@example.com", "news", nil)
	_, errs["unknown legal basis"] = c.Preferences.Subscribe(ctx, "ada@example.com", "1", &hubspot.StatusChange{LegalBasis: "CONSENT"})
	_, errs["statuses of nobody"] = c.Preferences.Statuses(ctx, "", nil)
	for name, err := range errs {
		if !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), want[name]) {
			t.Errorf("%s: %v, want %q", name, err, want[name])
		}
	}
	if n := len(srv.Journal()); n != 0 {
		t.Errorf("%d calls reached the server", n)
	}
}

func TestPreferencesScopes(t *testing.T) {
	srv := hubspottest.NewServer(t)
	news := srv.AddSubscriptionType("Newsletter", "")
	ro, _, _ := newClient(t, srv, []string{"communication_preferences.read"})
	rw, _, _ := newClient(t, srv, []string{"communication_preferences.read_write"})
	ctx := context.Background()
	if _, err := ro.Preferences.Unsubscribe(ctx, "ada@example.com", news, nil); !errors.Is(err, hubspot.ErrForbidden) {
		t.Errorf("unsubscribe with communication_preferences.read: %v, want 403", err)
	}
	if _, err := rw.Preferences.Unsubscribe(ctx, "ada@example.com", news, nil); err != nil {
		t.Errorf("unsubscribe with communication_preferences.read_write: %v", err)
	}
	if _, err := ro.Preferences.Statuses(ctx, "ada@example.com", nil); err != nil {
		t.Errorf("statuses with communication_preferences.read: %v", err)
	}
}

func TestPreferencesSensitiveCallsSigned(t *testing.T) {
	w := newSignedWorld(t)
	news := w.srv.AddSubscriptionType("Newsletter", "")
	signed := w.client(t, hubspot.WithSigner(w.signer(t, signingKeyID, signingKey), nil))
	unsigned := w.client(t)
	ctx := context.Background()
	_, err := unsigned.Preferences.Subscribe(ctx, "ada@example.com", news, nil)
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	_, err = unsigned.Preferences.Unsubscribe(ctx, "ada@example.com", news, nil)
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	_, err = unsigned.Preferences.UnsubscribeAll(ctx, "ada@example.com", nil)
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	if _, err := unsigned.Preferences.Statuses(ctx, "ada@example.com", nil); err != nil {
		t.Errorf("Statuses (not sensitive, unsigned): %v", err)
	}
	if _, err := signed.Preferences.Subscribe(ctx, "ada@example.com", news, nil); err != nil {
		t.Fatalf("signed Subscribe: %v", err)
	}
	if _, err := signed.Preferences.UnsubscribeAll(ctx, "ada@example.com", nil); err != nil {
		t.Fatalf("signed UnsubscribeAll: %v", err)
	}
	got := map[string]bool{}
	for _, call := range w.srv.Journal() {
		if op, _ := opOf(call); op != "" && call.Status < 300 {
			got[op] = call.Signed
		}
	}
	if !got["preferences.statuses.update"] || !got["preferences.statuses.unsubscribe-all"] || got["preferences.statuses.get"] {
		t.Errorf("signed by operation: %v", got)
	}
}

func ExamplePreferencesService() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	news := srv.AddSubscriptionType("Newsletter", "Monthly news")
	token := srv.NewToken("communication_preferences.read", "communication_preferences.write")
	c, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic(token)), hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()

	st, err := c.Preferences.Subscribe(ctx, "ada@example.com", news, &hubspot.StatusChange{LegalBasis: "CONSENT_WITH_NOTICE", Explanation: "newsletter form"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.SubscriptionName, st.Status)
	st, _ = c.Preferences.Unsubscribe(ctx, "ada@example.com", news, nil)
	fmt.Println(st.SubscriptionName, st.Status)

	_, err = c.Preferences.Subscribe(ctx, "ada", news, nil)
	fmt.Println(err)
	// Output:
	// Newsletter SUBSCRIBED
	// Newsletter UNSUBSCRIBED
	// hubspot: preferences Subscribe: "ada" is not an email address
}

// An action answer of 200 that carries errors is an error, as HubSpot's
// batch answers are.
func TestPreferencesActionErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"COMPLETE","results":[],"numErrors":1,"errors":[{"status":"error","category":"VALIDATION_ERROR","message":"Subscription 7 is archived."}],`+
			`"startedAt":"2026-03-01T00:00:00Z","completedAt":"2026-03-01T00:00:00Z"}`)
	}))
	defer srv.Close()
	c, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic("pat-na1-test")), hubspot.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Preferences.Statuses(context.Background(), "ada@example.com", nil)
	var he *hubspot.Error
	if !errors.As(err, &he) || he.Message != "Subscription 7 is archived." || !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("err = %v", err)
	}
}
