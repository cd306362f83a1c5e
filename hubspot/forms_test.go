package hubspot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// contactForm is a form as HubSpot's forms reference builds one: an email
// field, a thank-you message, the default style, no consent text.
func contactForm(name string) hubspot.Form {
	return hubspot.Form{
		Name: name,
		FieldGroups: []hubspot.FormFieldGroup{{GroupType: "default_group", RichTextType: "text", Fields: []json.RawMessage{
			json.RawMessage(`{"objectTypeId":"0-1","name":"email","label":"Email","fieldType":"email","required":true,"hidden":false,"dependentFields":[],"validation":{"blockedEmailDomains":[],"useDefaultBlockList":false}}`),
		}}},
		Configuration: json.RawMessage(`{"language":"en","createNewContactForNewEmail":false,"editable":true,"allowLinkToResetKnownValues":false,` +
			`"postSubmitAction":{"type":"thank_you","value":"Thanks"},"prePopulateKnownValues":true,"cloneable":true,"notifyContactOwner":false,` +
			`"recaptchaEnabled":false,"archivable":true,"notifyRecipients":[],"lifecycleStages":[]}`),
		DisplayOptions:      json.RawMessage(`{"renderRawHtml":false,"theme":"default_style","submitButtonText":"Send","style":{"fontFamily":"arial","backgroundWidth":"100%","labelTextColor":"#000","labelTextSize":"13px","helpTextColor":"#000","helpTextSize":"11px","legalConsentTextColor":"#000","legalConsentTextSize":"11px","submitColor":"#f00","submitAlignment":"left","submitFontColor":"#fff","submitSize":"12px"}}`),
		LegalConsentOptions: json.RawMessage(`{"type":"none"}`),
	}
}

func TestFormsCRUDAndSubmissions(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, []string{"forms"})
	ctx := context.Background()

	f, err := c.Forms.Create(ctx, contactForm("Contact us"))
	if err != nil {
		t.Fatal(err)
	}
	if f.ID == "" || f.FormType != "hubspot" || f.CreatedAt.IsZero() || len(f.FieldGroups) != 1 || !strings.Contains(string(f.FieldGroups[0].Fields[0]), `"name":"email"`) {
		t.Fatalf("created %+v", f)
	}
	got, err := c.Forms.Get(ctx, f.ID)
	if err != nil || got.Name != "Contact us" || !strings.Contains(string(got.DisplayOptions), `"submitButtonText":"Send"`) {
		t.Fatalf("get: %+v, %v", got, err)
	}
	if _, err := c.Forms.Get(ctx, "missing"); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("a missing form: %v", err)
	}
	bad := contactForm("No config")
	bad.Configuration = nil
	var he *hubspot.Error
	if _, err := c.Forms.Create(ctx, bad); !errors.Is(err, hubspot.ErrValidation) || !errors.As(err, &he) || !strings.Contains(he.Message, "configuration") {
		t.Errorf("a form without configuration: %v", err)
	}

	up, err := c.Forms.Update(ctx, f.ID, hubspot.FormUpdate{Name: "Contact us today"})
	if err != nil || up.Name != "Contact us today" || up.Configuration == nil || !up.UpdatedAt.After(f.CreatedAt.Add(-time.Second)) {
		t.Fatalf("update: %+v, %v", up, err)
	}
	for i := range 3 {
		if _, err := c.Forms.Create(ctx, contactForm(fmt.Sprint("Form ", i))); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for form, err := range c.Forms.All(ctx, &hubspot.FormListOptions{Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, form.Name)
	}
	if len(names) != 4 || names[0] != "Contact us today" {
		t.Errorf("All by pages of 2: %v", names)
	}
	if err := c.Forms.Archive(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	if p, err := c.Forms.List(ctx, &hubspot.FormListOptions{Archived: true}); err != nil || len(p.Results) != 1 || p.Results[0].ID != f.ID || !p.Results[0].Archived {
		t.Errorf("archived: %+v, %v", p, err)
	}

	// Submissions, newest first, across pages.
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 5 {
		srv.AddFormSubmission(f.ID, hubspottest.FormSubmission{SubmittedAt: base.Add(time.Duration(i) * time.Hour),
			Values: map[string]string{"email": fmt.Sprintf("v%d@example.com", i)}, PageURL: "https://example.com/contact"})
	}
	var seen []string
	for s, err := range c.Forms.Submissions(ctx, f.ID, 2) {
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Values) != 1 || s.Values[0].Name != "email" || s.PageURL == "" {
			t.Fatalf("submission %+v", s)
		}
		seen = append(seen, s.SubmittedAt.Format("15")+" "+s.Values[0].Value)
	}
	if strings.Join(seen, ",") != "13 v4@example.com,12 v3@example.com,11 v2@example.com,10 v1@example.com,09 v0@example.com" {
		t.Errorf("submissions %v", seen)
	}
	if got := calls(srv, "GET", "/form-integrations/v1/submissions/forms/"); got != 3 {
		t.Errorf("%d pages for 5 submissions by 2", got)
	}
	for _, err := range c.Forms.Submissions(ctx, f.ID, 51) {
		if !errors.Is(err, hubspot.ErrValidation) {
			t.Errorf("a page of 51: %v", err)
		}
	}
	// Forms need the forms scope.
	other, _, _ := newClient(t, srv, []string{"crm.objects.contacts.read"})
	if _, err := other.Forms.Get(ctx, f.ID); !errors.Is(err, hubspot.ErrNoCredential) && !errors.Is(err, hubspot.ErrForbidden) {
		t.Errorf("without the forms scope: %v", err)
	}
}

// Forms reads a form's submissions newest first, paging lazily.
func ExampleFormsService_Submissions() {
	var t testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	c, _ := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken("forms"))),
		hubspot.WithBaseURL(srv.URL()),
	)
	defer c.Close()
	ctx := context.Background()

	form, err := c.Forms.Create(ctx, contactForm("Newsletter"))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv.AddFormSubmission(form.ID, hubspottest.FormSubmission{Values: map[string]string{"email": "ada@example.com"}})
	srv.AddFormSubmission(form.ID, hubspottest.FormSubmission{Values: map[string]string{"email": "grace@example.com"}})
	for s, err := range c.Forms.Submissions(ctx, form.ID, 0) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(s.Values[0].Name, s.Values[0].Value)
	}
	// Output:
	// email grace@example.com
	// email ada@example.com
}

func TestFormsSubmitSendsNoToken(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil, hubspot.WithFormsURL(srv.URL()))
	ctx := context.Background()
	f, err := c.Forms.Create(ctx, contactForm("Contact us"))
	if err != nil {
		t.Fatal(err)
	}
	portal := srv.Account().PortalID
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	res, err := c.Forms.Submit(ctx, portal, f.ID, hubspot.FormSubmit{
		Fields:      []hubspot.FormValue{{Name: "email", Value: "ada@example.com"}},
		SubmittedAt: at,
		Context:     &hubspot.FormContext{PageURI: "https://example.com/contact"},
	})
	if err != nil || res.InlineMessage != "Thanks" {
		t.Fatalf("submit: %+v, %v", res, err)
	}
	j := srv.Journal()
	last := j[len(j)-1]
	if !strings.HasPrefix(last.Path, "/submissions/v3/integration/submit/") || last.TokenFingerprint != "" || last.Status != 200 {
		t.Fatalf("the submission went as %+v; it must carry no token", last)
	}
	for s, err := range c.Forms.Submissions(ctx, f.ID, 0) {
		if err != nil || !s.SubmittedAt.Equal(at) || s.Values[0].Value != "ada@example.com" || s.PageURL != "https://example.com/contact" {
			t.Fatalf("stored as %+v, %v", s, err)
		}
	}

	for _, tc := range []struct {
		name   string
		portal int64
		form   string
		fields []hubspot.FormValue
		want   error
	}{
		{"a bad email", portal, f.ID, []hubspot.FormValue{{Name: "email", Value: "nope"}}, hubspot.ErrValidation},
		{"a field the form lacks", portal, f.ID, []hubspot.FormValue{{Name: "email", Value: "a@b.io"}, {Name: "shoe_size", Value: "9"}}, hubspot.ErrValidation},
		{"a required field missing", portal, f.ID, []hubspot.FormValue{{Name: "firstname", Value: "Ada"}}, hubspot.ErrValidation},
		{"another portal", portal + 1, f.ID, []hubspot.FormValue{{Name: "email", Value: "a@b.io"}}, hubspot.ErrNotFound},
		{"no fields", portal, f.ID, nil, hubspot.ErrValidation},
		{"no portal", 0, f.ID, []hubspot.FormValue{{Name: "email", Value: "a@b.io"}}, hubspot.ErrValidation},
	} {
		if _, err := c.Forms.Submit(ctx, tc.portal, tc.form, hubspot.FormSubmit{Fields: tc.fields}); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic("t")), hubspot.WithFormsURL("http://forms.example.com")); err == nil {
		t.Error("WithFormsURL took plain http to a remote host")
	}
}
