package hubspot

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/secrets"
)

// TransactionalEmail is one transactional send.
type TransactionalEmail struct {
	// EmailID is the ID of the transactional email to send; required.
	EmailID string
	// To is the recipient's address; required.
	To string
	// From overrides the email's sender ("Name <address>" or an address).
	From    string
	CC      []string
	BCC     []string
	ReplyTo []string
	// SendID makes the send idempotent: HubSpot sends an email with a
	// given SendID once.
	SendID string
	// ContactProperties are set on the recipient's contact record.
	ContactProperties map[string]string
	// CustomProperties fill the email template's custom placeholders.
	CustomProperties map[string]any
}

// SendStatus is HubSpot's answer to a send.
type SendStatus struct {
	// Status is PENDING, PROCESSING, CANCELED or COMPLETE.
	Status string `json:"status"`
	// StatusID identifies the send.
	StatusID string `json:"statusId"`
	// SendResult says what became of it once known (SENT,
	// IDEMPOTENT_IGNORE, ...).
	SendResult  string    `json:"sendResult"`
	RequestedAt time.Time `json:"requestedAt"`
	CompletedAt time.Time `json:"completedAt"`
}

// SMTPToken is an SMTP API token: a credential for sending transactional
// email over SMTP. Its Password is set only in the answers that create it
// or reset it, and only as a secrets.Secret.
type SMTPToken struct {
	ID              string
	CampaignName    string
	EmailCampaignID string
	CreateContact   bool
	CreatedBy       string
	CreatedAt       time.Time
	// Password is the token's SMTP password: set by CreateSMTPToken and
	// ResetSMTPPassword, zero otherwise. HubSpot shows it once.
	Password secrets.Secret
}

type smtpTokenWire struct {
	ID              string    `json:"id"`
	CampaignName    string    `json:"campaignName"`
	EmailCampaignID string    `json:"emailCampaignId"`
	CreateContact   bool      `json:"createContact"`
	CreatedBy       string    `json:"createdBy"`
	CreatedAt       time.Time `json:"createdAt"`
	Password        string    `json:"password"`
}

func (w *smtpTokenWire) token() *SMTPToken {
	t := &SMTPToken{ID: w.ID, CampaignName: w.CampaignName, EmailCampaignID: w.EmailCampaignID, CreateContact: w.CreateContact,
		CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt}
	if w.Password != "" {
		t.Password = secrets.New(w.Password)
		w.Password = ""
	}
	return t
}

// SMTPTokenListOptions select the tokens SMTPTokens returns.
type SMTPTokenListOptions struct {
	// CampaignName and EmailCampaignID filter the tokens.
	CampaignName    string
	EmailCampaignID string
	// Limit is the page size (HubSpot's default when 0).
	Limit int
}

// TransactionalService sends transactional email and manages SMTP API
// tokens. It needs the transactional-email scope. Send is sensitive (mail
// in the account's name), and so are creating, resetting and deleting an
// SMTP API token, which mint or end a credential: a Client with a signer
// signs them by default.
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/marketing-transactional-single-send-v3/guide
type TransactionalService struct {
	client *Client
}

// Send sends a transactional email to one recipient.
//
// HubSpot: POST /marketing/v3/transactional/single-email/send (https://developers.hubspot.com/docs/api-reference/marketing-transactional-single-send-v3/single-send/post-marketing-v3-transactional-single-email-send).
func (s *TransactionalService) Send(ctx context.Context, e TransactionalEmail) (*SendStatus, error) {
	const what = "transactional Send"
	if !isTaskID(e.EmailID) {
		return nil, errorf("%s: the email ID %q is not a decimal number", what, e.EmailID)
	}
	if e.To == "" {
		return nil, errorf("%s: no recipient (To)", what)
	}
	if err := checkEmail(what, e.To); err != nil {
		return nil, err
	}
	for _, list := range [][]string{e.CC, e.BCC, e.ReplyTo} {
		for _, a := range list {
			if err := checkEmail(what, a); err != nil {
				return nil, err
			}
		}
	}
	for k := range e.ContactProperties {
		if strings.TrimSpace(k) == "" {
			return nil, errorf("%s: a contact property has an empty name", what)
		}
	}
	id, _ := strconv.ParseInt(e.EmailID, 10, 64)
	msg := map[string]any{"to": e.To}
	if e.From != "" {
		msg["from"] = e.From
	}
	if e.SendID != "" {
		msg["sendId"] = e.SendID
	}
	for k, v := range map[string][]string{"cc": e.CC, "bcc": e.BCC, "replyTo": e.ReplyTo} {
		if len(v) > 0 {
			msg[k] = v
		}
	}
	body := map[string]any{"emailId": id, "message": msg}
	if len(e.ContactProperties) > 0 {
		body["contactProperties"] = e.ContactProperties
	}
	if len(e.CustomProperties) > 0 {
		body["customProperties"] = e.CustomProperties
	}
	out := new(SendStatus)
	if _, err := s.client.call(ctx, opTransactionalSend, nil, nil, body, out); err != nil {
		return nil, err
	}
	return out, nil
}

func smtpTokenParams(what, id string) (map[string]string, error) {
	if err := checkSegment(what, "token ID", id); err != nil {
		return nil, err
	}
	return map[string]string{"tokenId": id}, nil
}

// SMTPTokens returns the account's SMTP API tokens (without passwords),
// fetching pages as the loop consumes them.
//
// HubSpot: GET /marketing/v3/transactional/smtp-tokens (https://developers.hubspot.com/docs/api-reference/marketing-transactional-single-send-v3/smtp-tokens/get-marketing-v3-transactional-smtp-tokens).
func (s *TransactionalService) SMTPTokens(ctx context.Context, opts *SMTPTokenListOptions) iter.Seq2[SMTPToken, error] {
	var o SMTPTokenListOptions
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, "transactional SMTPTokens", "", func(after string) (pageOf[SMTPToken], error) {
		if o.Limit < 0 {
			return pageOf[SMTPToken]{}, errorf("transactional SMTPTokens: Limit %d is negative", o.Limit)
		}
		q := url.Values{}
		if o.Limit > 0 {
			q.Set("limit", strconv.Itoa(o.Limit))
		}
		if after != "" {
			q.Set("after", after)
		}
		if o.CampaignName != "" {
			q.Set("campaignName", o.CampaignName)
		}
		if o.EmailCampaignID != "" {
			q.Set("emailCampaignId", o.EmailCampaignID)
		}
		var p struct {
			Results []smtpTokenWire `json:"results"`
			Paging  *Paging         `json:"paging"`
		}
		if _, err := s.client.call(ctx, opSMTPTokensList, nil, q, nil, &p); err != nil {
			return pageOf[SMTPToken]{}, err
		}
		page := pageOf[SMTPToken]{items: make([]SMTPToken, len(p.Results))}
		for i := range p.Results {
			page.items[i] = *p.Results[i].token()
		}
		if p.Paging != nil && p.Paging.Next != nil {
			page.next = p.Paging.Next.After
		}
		return page, nil
	})
}

// GetSMTPToken returns an SMTP API token, without its password.
//
// HubSpot: GET /marketing/v3/transactional/smtp-tokens/{tokenId}.
func (s *TransactionalService) GetSMTPToken(ctx context.Context, id string) (*SMTPToken, error) {
	p, err := smtpTokenParams("transactional GetSMTPToken", id)
	if err != nil {
		return nil, err
	}
	var w smtpTokenWire
	if _, err := s.client.call(ctx, opSMTPTokensGet, p, nil, nil, &w); err != nil {
		return nil, err
	}
	return w.token(), nil
}

// CreateSMTPToken creates an SMTP API token for a campaign and returns it
// with its Password, a secrets.Secret that HubSpot shows only this once.
// createContact says whether sending to an address that is not a contact
// creates one. It is a sensitive call.
//
// HubSpot: POST /marketing/v3/transactional/smtp-tokens (https://developers.hubspot.com/docs/api-reference/marketing-transactional-single-send-v3/smtp-tokens/post-marketing-v3-transactional-smtp-tokens).
func (s *TransactionalService) CreateSMTPToken(ctx context.Context, campaignName string, createContact bool) (*SMTPToken, error) {
	if strings.TrimSpace(campaignName) == "" {
		return nil, errorf("transactional CreateSMTPToken: the campaign name is empty")
	}
	var w smtpTokenWire
	in := map[string]any{"campaignName": campaignName, "createContact": createContact}
	if _, err := s.client.call(ctx, opSMTPTokensCreate, nil, nil, in, &w); err != nil {
		return nil, err
	}
	return w.token(), nil
}

// ResetSMTPPassword gives an SMTP API token a new password and returns
// the token with it, as a secrets.Secret; the old password stops
// working. It is a sensitive call.
//
// HubSpot: POST /marketing/v3/transactional/smtp-tokens/{tokenId}/password-reset.
func (s *TransactionalService) ResetSMTPPassword(ctx context.Context, id string) (*SMTPToken, error) {
	p, err := smtpTokenParams("transactional ResetSMTPPassword", id)
	if err != nil {
		return nil, err
	}
	var w smtpTokenWire
	if _, err := s.client.call(ctx, opSMTPTokensReset, p, nil, nil, &w); err != nil {
		return nil, err
	}
	return w.token(), nil
}

// DeleteSMTPToken deletes an SMTP API token (204). It is a sensitive call.
//
// HubSpot: DELETE /marketing/v3/transactional/smtp-tokens/{tokenId}.
func (s *TransactionalService) DeleteSMTPToken(ctx context.Context, id string) error {
	p, err := smtpTokenParams("transactional DeleteSMTPToken", id)
	if err != nil {
		return err
	}
	_, err = s.client.call(ctx, opSMTPTokensDelete, p, nil, nil, nil)
	return err
}
