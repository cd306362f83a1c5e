package hubspot

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"
	"time"
)

// FormsService manages marketing forms (forms v3) and reads their
// submissions (form integrations v1), with the forms scope.
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/marketing-forms-v3/guide
type FormsService struct {
	client *Client
}

// Form is a marketing form. HubSpot describes a form's fields,
// configuration, display options and consent options with many variants
// (one per field type, one per consent kind); Form keeps them as HubSpot's
// JSON, so that a form read and written back loses nothing. Creating a
// form needs all of them (HubSpot's forms reference shows their members).
type Form struct {
	ID string `json:"id,omitempty"`
	// Name is the form's name in HubSpot.
	Name string `json:"name"`
	// FormType is "hubspot" for the forms the API creates.
	FormType   string    `json:"formType,omitempty"`
	Archived   bool      `json:"archived"`
	CreatedAt  time.Time `json:"createdAt,omitzero"`
	UpdatedAt  time.Time `json:"updatedAt,omitzero"`
	ArchivedAt time.Time `json:"archivedAt,omitzero"`
	// FieldGroups are the form's rows of fields, in order.
	FieldGroups         []FormFieldGroup `json:"fieldGroups"`
	Configuration       json.RawMessage  `json:"configuration,omitempty"`
	DisplayOptions      json.RawMessage  `json:"displayOptions,omitempty"`
	LegalConsentOptions json.RawMessage  `json:"legalConsentOptions,omitempty"`
}

// FormFieldGroup is one row of a form: its fields, or rich text.
type FormFieldGroup struct {
	GroupType    string `json:"groupType"`
	RichTextType string `json:"richTextType"`
	RichText     string `json:"richText,omitempty"`
	// Fields are HubSpot's field definitions (name, label, fieldType,
	// objectTypeId, required, and the members of the field's type).
	Fields []json.RawMessage `json:"fields"`
}

// FormUpdate changes a form: zero fields are left as they are.
type FormUpdate struct {
	Name                string           `json:"name,omitempty"`
	FieldGroups         []FormFieldGroup `json:"fieldGroups,omitempty"`
	Configuration       json.RawMessage  `json:"configuration,omitempty"`
	DisplayOptions      json.RawMessage  `json:"displayOptions,omitempty"`
	LegalConsentOptions json.RawMessage  `json:"legalConsentOptions,omitempty"`
	// Archived, when set, archives (true) or restores (false) the form.
	Archived *bool `json:"archived,omitempty"`
}

// FormListOptions selects a page of List and what All returns.
type FormListOptions struct {
	// Limit is the page size (HubSpot's default when 0).
	Limit int
	// After is the cursor of the page to start at (FormPage.After).
	After string
	// Archived lists archived forms instead of live ones.
	Archived bool
	// FormTypes lists only forms of these types ("hubspot", ...).
	FormTypes []string
}

// FormPage is one page of forms.
type FormPage struct {
	Results []Form
	// After is the cursor of the next page; "" on the last page.
	After string
}

// FormSubmission is one submission of a form.
type FormSubmission struct {
	SubmittedAt time.Time
	// Values are the submitted fields in HubSpot's order.
	Values  []FormValue
	PageURL string
}

// FormValue is one submitted field.
type FormValue struct {
	Name         string `json:"name"`
	Value        string `json:"value"`
	ObjectTypeID string `json:"objectTypeId,omitempty"`
}

func formParams(id string) map[string]string { return map[string]string{"formId": id} }

// List returns one page of forms.
//
// HubSpot: GET /marketing/v3/forms (https://developers.hubspot.com/docs/api-reference/marketing-forms-v3/guide).
func (s *FormsService) List(ctx context.Context, opts *FormListOptions) (*FormPage, error) {
	var o FormListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit < 0 {
		return nil, errorf("forms List: Limit %d is negative", o.Limit)
	}
	q := url.Values{}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.After != "" {
		q.Set("after", o.After)
	}
	if o.Archived {
		q.Set("archived", "true")
	}
	for _, t := range o.FormTypes {
		q.Add("formTypes", t)
	}
	var p struct {
		Results []Form  `json:"results"`
		Paging  *Paging `json:"paging"`
	}
	if _, err := s.client.call(ctx, opFormsList, nil, q, nil, &p); err != nil {
		return nil, err
	}
	page := &FormPage{Results: p.Results}
	if p.Paging != nil && p.Paging.Next != nil {
		page.After = p.Paging.Next.After
	}
	return page, nil
}

// All returns every form, fetching pages lazily; the loop ends after the
// last form, on break, or with a final error.
func (s *FormsService) All(ctx context.Context, opts *FormListOptions) iter.Seq2[Form, error] {
	var o FormListOptions
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, "forms List", o.After, func(after string) (pageOf[Form], error) {
		q := o
		q.After = after
		page, err := s.List(ctx, &q)
		if err != nil {
			return pageOf[Form]{}, err
		}
		return pageOf[Form]{items: page.Results, next: page.After}, nil
	})
}

// Get returns a form. A missing form is an error matching ErrNotFound.
//
// HubSpot: GET /marketing/v3/forms/{formId}.
func (s *FormsService) Get(ctx context.Context, id string) (*Form, error) {
	if err := checkSegment("forms Get", "form ID", id); err != nil {
		return nil, err
	}
	f := new(Form)
	if _, err := s.client.call(ctx, opFormsGet, formParams(id), nil, nil, f); err != nil {
		return nil, err
	}
	return f, nil
}

// Create creates a form and returns it (201). Name and FieldGroups are
// required here; HubSpot also requires Configuration, DisplayOptions and
// LegalConsentOptions, and answers 400 (ErrValidation) without them.
//
// HubSpot: POST /marketing/v3/forms.
func (s *FormsService) Create(ctx context.Context, in Form) (*Form, error) {
	if in.Name == "" {
		return nil, errorf("forms Create: Name is required")
	}
	if in.FieldGroups == nil {
		return nil, errorf("forms Create %q: FieldGroups is required (it may be empty)", in.Name)
	}
	if in.FormType == "" {
		in.FormType = "hubspot"
	}
	in.ID = ""
	f := new(Form)
	if _, err := s.client.call(ctx, opFormsCreate, nil, nil, in, f); err != nil {
		return nil, err
	}
	return f, nil
}

// Update changes a form and returns it.
//
// HubSpot: PATCH /marketing/v3/forms/{formId}.
func (s *FormsService) Update(ctx context.Context, id string, in FormUpdate) (*Form, error) {
	if err := checkSegment("forms Update", "form ID", id); err != nil {
		return nil, err
	}
	f := new(Form)
	if _, err := s.client.call(ctx, opFormsUpdate, formParams(id), nil, in, f); err != nil {
		return nil, err
	}
	return f, nil
}

// Archive archives a form (204); Update with Archived false restores it.
// The call is sensitive: it is signed when the Client has a signer.
//
// HubSpot: DELETE /marketing/v3/forms/{formId}.
func (s *FormsService) Archive(ctx context.Context, id string) error {
	if err := checkSegment("forms Archive", "form ID", id); err != nil {
		return err
	}
	_, err := s.client.call(ctx, opFormsArchive, formParams(id), nil, nil, nil)
	return err
}

// Submissions returns a form's submissions, newest first, fetching pages
// of limit (50, HubSpot's largest, when 0) lazily. The loop ends after
// the oldest, on break, or with a final error.
//
// HubSpot: GET /form-integrations/v1/submissions/forms/{formGuid} (https://developers.hubspot.com/docs/api/marketing/forms).
func (s *FormsService) Submissions(ctx context.Context, formID string, limit int) iter.Seq2[FormSubmission, error] {
	if err := checkSegment("forms Submissions", "form ID", formID); err != nil {
		return func(yield func(FormSubmission, error) bool) { yield(FormSubmission{}, err) }
	}
	if limit < 0 || limit > opFormSubmissions.Limits.Page {
		err := errorf("forms Submissions: limit must be between 1 and %d (0 for %d), got %d", opFormSubmissions.Limits.Page, opFormSubmissions.Limits.Page, limit)
		return func(yield func(FormSubmission, error) bool) { yield(FormSubmission{}, err) }
	}
	if limit == 0 {
		limit = opFormSubmissions.Limits.Page
	}
	return paginate(ctx, "forms Submissions", "", func(after string) (pageOf[FormSubmission], error) {
		q := url.Values{"limit": {strconv.Itoa(limit)}}
		if after != "" {
			q.Set("after", after)
		}
		var p struct {
			Results []struct {
				SubmittedAt int64       `json:"submittedAt"`
				Values      []FormValue `json:"values"`
				PageURL     string      `json:"pageUrl"`
			} `json:"results"`
			Paging *Paging `json:"paging"`
		}
		if _, err := s.client.call(ctx, opFormSubmissions, map[string]string{"formGuid": formID}, q, nil, &p); err != nil {
			return pageOf[FormSubmission]{}, err
		}
		page := pageOf[FormSubmission]{items: make([]FormSubmission, len(p.Results))}
		for i, r := range p.Results {
			page.items[i] = FormSubmission{SubmittedAt: time.UnixMilli(r.SubmittedAt).UTC(), Values: r.Values, PageURL: r.PageURL}
		}
		if p.Paging != nil && p.Paging.Next != nil {
			page.next = p.Paging.Next.After
		}
		return page, nil
	})
}

// FormSubmit is a visitor's submission of a form.
type FormSubmit struct {
	// Fields are the submitted values; a value's ObjectTypeID may be left
	// empty for a contact property.
	Fields []FormValue `json:"fields"`
	// SubmittedAt is when the visitor submitted; zero means now.
	SubmittedAt time.Time `json:"-"`
	// Context is where the submission came from: the hubspotutk cookie
	// (HUTK), the page, the visitor's IP address.
	Context *FormContext `json:"context,omitempty"`
	// LegalConsentOptions is HubSpot's consent JSON, when the form asks
	// for consent.
	LegalConsentOptions json.RawMessage `json:"legalConsentOptions,omitempty"`
}

// FormContext is the page a submission came from.
type FormContext struct {
	HUTK      string `json:"hutk,omitempty"`
	IPAddress string `json:"ipAddress,omitempty"`
	PageURI   string `json:"pageUri,omitempty"`
	PageName  string `json:"pageName,omitempty"`
}

// FormSubmitResult is HubSpot's answer to a submission: the thank-you
// message, or the page to send the visitor to.
type FormSubmitResult struct {
	InlineMessage string `json:"inlineMessage,omitempty"`
	RedirectURI   string `json:"redirectUri,omitempty"`
}

// Submit sends a visitor's submission of a form, as the form on a web page
// would. HubSpot's endpoint takes no token, and Submit sends none, whatever
// credentials the Client has: it posts to HubSpot's forms host
// (DefaultFormsURL, or WithFormsURL), which the app's rate budget does not
// count. An invalid value is an error matching ErrValidation with
// HubSpot's message.
//
// HubSpot: POST /submissions/v3/integration/submit/{portalId}/{formGuid} (https://developers.hubspot.com/docs/api-reference/legacy/marketing/forms/v3-legacy/submit-data-unauthenticated).
func (s *FormsService) Submit(ctx context.Context, portalID int64, formID string, in FormSubmit) (*FormSubmitResult, error) {
	what := "forms Submit"
	if portalID <= 0 {
		return nil, errorf("%s: portal ID %d is not an account ID", what, portalID)
	}
	if err := checkSegment(what, "form ID", formID); err != nil {
		return nil, err
	}
	if len(in.Fields) == 0 {
		return nil, errorf("%s: no Fields", what)
	}
	oc, err := s.client.prepare(opFormSubmit, map[string]string{"portalId": strconv.FormatInt(portalID, 10), "formGuid": formID})
	if err != nil {
		return nil, err
	}
	oc.base, oc.prefix = s.client.formsURL, ""
	body := struct {
		FormSubmit
		SubmittedAt string `json:"submittedAt,omitempty"`
	}{FormSubmit: in}
	if !in.SubmittedAt.IsZero() {
		body.SubmittedAt = strconv.FormatInt(in.SubmittedAt.UnixMilli(), 10)
	}
	res := new(FormSubmitResult)
	if _, err := s.client.do(ctx, oc, nil, body, res); err != nil {
		return nil, err
	}
	return res, nil
}
