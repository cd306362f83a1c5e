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

// A send reaches its contact: the server's journal of sends says what was
// sent and to whom, and the contact properties are set on the contact.
func TestTransactionalSend(t *testing.T) {
	srv := hubspottest.NewServer(t)
	receipt := srv.AddTransactionalEmail("Receipt")
	ada := srv.Seed("contacts", map[string]string{"email": "ada@example.com"})[0]
	c, tok, _ := newClient(t, srv, []string{"transactional-email"})
	ctx := context.Background()
	st, err := c.Transactional.Send(ctx, hubspot.TransactionalEmail{EmailID: receipt, To: "ada@example.com", From: "Shop <shop@example.com>",
		BCC: []string{"audit@example.com"}, SendID: "order-17",
		ContactProperties: map[string]string{"firstname": "Ada"}, CustomProperties: map[string]any{"order": "17", "total": 12.5}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != "PENDING" || st.StatusID == "" {
		t.Errorf("status %+v", st)
	}
	sends := srv.Sends()
	if len(sends) != 1 {
		t.Fatalf("%d sends", len(sends))
	}
	s := sends[0]
	if s.EmailID != receipt || s.To != "ada@example.com" || s.From != "Shop <shop@example.com>" || fmt.Sprint(s.BCC) != "[audit@example.com]" ||
		s.SendID != "order-17" || s.ContactProperties["firstname"] != "Ada" || s.CustomProperties["total"] != 12.5 || s.StatusID != st.StatusID {
		t.Errorf("send journalled as %+v", s)
	}
	if k, _ := srv.Key(tok); s.TokenFingerprint == "" || s.TokenFingerprint == tok || k.ID == "" {
		t.Errorf("send's token fingerprint %q", s.TokenFingerprint)
	}
	if got := srv.Objects("contacts")[0]; got.ID != ada.ID || got.Properties["firstname"] != "Ada" {
		t.Errorf("contact after send: %+v", got.Properties)
	}
	// The same SendID again is ignored, as HubSpot does.
	st, err = c.Transactional.Send(ctx, hubspot.TransactionalEmail{EmailID: receipt, To: "ada@example.com", SendID: "order-17"})
	if err != nil || st.SendResult != "IDEMPOTENT_IGNORE" || len(srv.Sends()) != 1 {
		t.Errorf("repeated SendID: %+v, %v, %d sends", st, err, len(srv.Sends()))
	}
}

// A send to an address that is not a contact, to an unknown email, or
// with an unknown contact property is refused with an error naming it;
// bad input is refused before sending.
func TestTransactionalSendErrors(t *testing.T) {
	srv := hubspottest.NewServer(t)
	receipt := srv.AddTransactionalEmail("Receipt")
	srv.Seed("contacts", map[string]string{"email": "ada@example.com"})
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		e       hubspot.TransactionalEmail
		is      error
		naming  string
		reached bool
	}{
		{hubspot.TransactionalEmail{EmailID: receipt, To: "stranger@example.com"}, hubspot.ErrValidation, "stranger@example.com", true},
		{hubspot.TransactionalEmail{EmailID: "999", To: "ada@example.com"}, hubspot.ErrNotFound, "999", true},
		{hubspot.TransactionalEmail{EmailID: receipt, To: "ada@example.com", ContactProperties: map[string]string{"shoe_size": "9"}}, hubspot.ErrValidation, "shoe_size", true},
		{hubspot.TransactionalEmail{EmailID: "x1", To: "ada@example.com"}, nil, `"x1"`, false},
		{hubspot.TransactionalEmail{EmailID: receipt}, nil, "no recipient", false},
		{hubspot.TransactionalEmail{EmailID: receipt, To: "ada at example.com"}, nil, "not an email address", false},
		{hubspot.TransactionalEmail{EmailID: receipt, To: "ada@example.com", CC: []string{"nope"}}, nil, `"nope"`, false},
	} {
		before := len(srv.Journal())
		_, err := c.Transactional.Send(ctx, tc.e)
		if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.naming) {
			t.Errorf("Send(%+v): %v; want %v naming %s", tc.e, err, tc.is, tc.naming)
		}
		if reached := len(srv.Journal()) > before; reached != tc.reached {
			t.Errorf("Send(%+v) reached the server: %v", tc.e, reached)
		}
	}
	if n := len(srv.Sends()); n != 0 {
		t.Errorf("%d sends accepted", n)
	}
}

// The server's send limit answers 429 past it, on its clock.
func TestTransactionalSendLimit(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake), hubspottest.WithTransactionalSendLimit(2, time.Minute))
	receipt := srv.AddTransactionalEmail("Receipt")
	srv.Seed("contacts", map[string]string{"email": "ada@example.com"})
	c, _, _ := newClient(t, srv, nil, hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}))
	ctx := context.Background()
	send := func() error {
		_, err := c.Transactional.Send(ctx, hubspot.TransactionalEmail{EmailID: receipt, To: "ada@example.com"})
		return err
	}
	for i := range 2 {
		if err := send(); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if err := send(); !errors.Is(err, hubspot.ErrRateLimited) {
		t.Fatalf("third send in a minute: %v; want ErrRateLimited", err)
	}
	fake.Advance(time.Minute)
	if err := send(); err != nil {
		t.Fatalf("send after the window: %v", err)
	}
	if n := len(srv.Sends()); n != 3 {
		t.Errorf("%d sends journalled, want 3", n)
	}
}

// SMTP API tokens are credentials: a created or reset password is a
// secrets.Secret that prints redacted, matches the server's, and is
// absent from reads.
func TestTransactionalSMTPTokens(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, []string{"transactional-email"})
	ctx := context.Background()
	tok, err := c.Transactional.CreateSMTPToken(ctx, "Receipts", true)
	if err != nil {
		t.Fatal(err)
	}
	pw := tok.Password
	if pw.IsZero() || pw.Fingerprint() != srv.SMTPTokenPasswordFingerprint(tok.ID) {
		t.Fatalf("created password: zero %v, fingerprint %s, server %s", pw.IsZero(), pw.Fingerprint(), srv.SMTPTokenPasswordFingerprint(tok.ID))
	}
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%+v", *tok), fmt.Sprintf("%#v", tok)} {
		if strings.Contains(s, pw.Reveal()) {
			t.Fatalf("the password printed: %s", s)
		}
	}
	got, err := c.Transactional.GetSMTPToken(ctx, tok.ID)
	if err != nil || !got.Password.IsZero() || got.CampaignName != "Receipts" || !got.CreateContact {
		t.Fatalf("Get: %+v, %v", got, err)
	}
	reset, err := c.Transactional.ResetSMTPPassword(ctx, tok.ID)
	if err != nil || reset.Password.IsZero() || reset.Password.Equal(pw) || reset.Password.Fingerprint() != srv.SMTPTokenPasswordFingerprint(tok.ID) {
		t.Fatalf("Reset: %+v, %v", reset, err)
	}
	if _, err := c.Transactional.CreateSMTPToken(ctx, "Other", false); err != nil {
		t.Fatal(err)
	}
	var names []string
	for tk, err := range c.Transactional.SMTPTokens(ctx, &hubspot.SMTPTokenListOptions{Limit: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		if !tk.Password.IsZero() {
			t.Error("a listed token carries a password")
		}
		names = append(names, tk.CampaignName)
	}
	if fmt.Sprint(names) != "[Receipts Other]" {
		t.Errorf("tokens %v", names)
	}
	if err := c.Transactional.DeleteSMTPToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Transactional.GetSMTPToken(ctx, tok.ID); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("Get after delete: %v", err)
	}
	if _, err := c.Transactional.CreateSMTPToken(ctx, " ", true); err == nil {
		t.Error("a token without a campaign name was created")
	}
}

// Sends and SMTP token creation, reset and deletion are signed under the
// default policy, and a verifying hubspottest refuses them unsigned.
func TestTransactionalSensitiveCallsSigned(t *testing.T) {
	w := newSignedWorld(t)
	receipt := w.srv.AddTransactionalEmail("Receipt")
	w.srv.Seed("contacts", map[string]string{"email": "ada@example.com"})
	signed := w.client(t, hubspot.WithSigner(w.signer(t, signingKeyID, signingKey), nil))
	unsigned := w.client(t)
	ctx := context.Background()
	mail := hubspot.TransactionalEmail{EmailID: receipt, To: "ada@example.com"}
	_, err := unsigned.Transactional.Send(ctx, mail)
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	_, err = unsigned.Transactional.CreateSMTPToken(ctx, "Receipts", false)
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	if _, err := signed.Transactional.Send(ctx, mail); err != nil {
		t.Fatalf("signed Send: %v", err)
	}
	tok, err := signed.Transactional.CreateSMTPToken(ctx, "Receipts", false)
	if err != nil {
		t.Fatalf("signed CreateSMTPToken: %v", err)
	}
	_, err = unsigned.Transactional.ResetSMTPPassword(ctx, tok.ID)
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	wantSignatureRejected(t, unsigned.Transactional.DeleteSMTPToken(ctx, tok.ID), "SIGNATURE_REQUIRED", "unsigned")
	if _, err := unsigned.Transactional.GetSMTPToken(ctx, tok.ID); err != nil {
		t.Errorf("unsigned Get (not sensitive): %v", err)
	}
	if _, err := signed.Transactional.ResetSMTPPassword(ctx, tok.ID); err != nil {
		t.Fatalf("signed ResetSMTPPassword: %v", err)
	}
	if err := signed.Transactional.DeleteSMTPToken(ctx, tok.ID); err != nil {
		t.Fatalf("signed DeleteSMTPToken: %v", err)
	}
	got := map[string]bool{}
	for _, call := range w.srv.Journal() {
		if op, _ := opOf(call); op != "" && call.Status < 300 {
			got[op] = call.Signed
		}
	}
	for _, op := range []string{"marketing.transactional.send", "marketing.transactional.smtp-tokens.create",
		"marketing.transactional.smtp-tokens.reset-password", "marketing.transactional.smtp-tokens.delete"} {
		if !got[op] {
			t.Errorf("%s not signed: %v", op, got)
		}
	}
}

// Transactional calls go to the credential holding transactional-email.
func TestCredentialsRouteTransactional(t *testing.T) {
	cs := mustCredentials(t, []hubspot.Credential{
		cred("admin", hubspot.EveryScope),
		cred("mailer", "transactional-email"),
		cred("exporter", "crm.export"),
	})
	for _, tc := range []struct{ method, path, want string }{
		{"POST", "/marketing/v3/transactional/single-email/send", "mailer"},
		{"POST", "/marketing/transactional/2026-09/single-email/send", "mailer"},
		{"POST", "/marketing/transactional/2026-03/smtp-tokens/1/password-reset", "mailer"},
		{"DELETE", "/marketing/v3/transactional/smtp-tokens/1", "mailer"},
	} {
		if got := routeName(t, cs, tc.method, tc.path); got != tc.want {
			t.Errorf("%s %s went to %s, want %s", tc.method, tc.path, got, tc.want)
		}
	}
}

func ExampleTransactionalService_Send() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	receipt := srv.AddTransactionalEmail("Receipt")
	srv.Seed("contacts", map[string]string{"email": "ada@example.com"})
	c, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic(srv.NewToken("transactional-email"))), hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()

	st, err := c.Transactional.Send(ctx, hubspot.TransactionalEmail{
		EmailID: receipt, To: "ada@example.com",
		ContactProperties: map[string]string{"firstname": "Ada"},
		CustomProperties:  map[string]any{"order": "A-17"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Status, srv.Sends()[0].To, srv.Sends()[0].CustomProperties["order"])

	_, err = c.Transactional.Send(ctx, hubspot.TransactionalEmail{EmailID: receipt, To: "nobody@example.com"})
	fmt.Println(errors.Is(err, hubspot.ErrValidation))

	// An SMTP API token's password is a secrets.Secret: it prints redacted.
	tok, _ := c.Transactional.CreateSMTPToken(ctx, "Receipts", false)
	fmt.Println(tok.Password, tok.Password.IsZero())
	// Output:
	// PENDING ada@example.com A-17
	// true
	// [REDACTED] false
}
