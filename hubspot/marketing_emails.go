package hubspot

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"time"
)

// MarketingEmail is a marketing email (its settings, not its content).
type MarketingEmail struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Subject string `json:"subject"`
	// State is DRAFT, SCHEDULED, PUBLISHED, ... (HubSpot's list is long).
	State           string    `json:"state"`
	Type            string    `json:"type"`
	IsPublished     bool      `json:"isPublished"`
	IsTransactional bool      `json:"isTransactional"`
	Archived        bool      `json:"archived"`
	PublishDate     time.Time `json:"publishDate"`
	PublishedAt     time.Time `json:"publishedAt"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
}

// MarketingEmailListOptions select the emails All returns.
type MarketingEmailListOptions struct {
	// Published, when not nil, keeps only published (true) or
	// unpublished (false) emails.
	Published *bool
	// Limit is the page size (HubSpot's default when 0).
	Limit int
}

// MarketingEmailsService reads marketing emails and publishes them:
// sending one now or scheduling it. Reading needs content,
// marketing.email.read or marketing.email.write; publishing
// marketing-email (or transactional-email). Publish and Schedule send a
// campaign to its lists and are sensitive: a Client with a signer signs
// them by default.
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/marketing-marketing-emails-v3/guide
type MarketingEmailsService struct {
	client *Client
}

func marketingEmailParams(what, id string) (map[string]string, error) {
	if !isTaskID(id) {
		return nil, errorf("%s: the email ID %q is not a decimal number", what, id)
	}
	return map[string]string{"emailId": id}, nil
}

// All returns the marketing emails, fetching pages as the loop consumes
// them.
//
// HubSpot: GET /marketing/v3/emails (https://developers.hubspot.com/docs/api-reference/marketing-marketing-emails-v3/marketing-emails/get-marketing-v3-emails-).
func (s *MarketingEmailsService) All(ctx context.Context, opts *MarketingEmailListOptions) iter.Seq2[MarketingEmail, error] {
	var o MarketingEmailListOptions
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, "marketing emails List", "", func(after string) (pageOf[MarketingEmail], error) {
		if o.Limit < 0 {
			return pageOf[MarketingEmail]{}, errorf("marketing emails List: Limit %d is negative", o.Limit)
		}
		q := url.Values{}
		if o.Limit > 0 {
			q.Set("limit", strconv.Itoa(o.Limit))
		}
		if after != "" {
			q.Set("after", after)
		}
		if o.Published != nil {
			q.Set("isPublished", strconv.FormatBool(*o.Published))
		}
		var p struct {
			Results []MarketingEmail `json:"results"`
			Paging  *Paging          `json:"paging"`
		}
		if _, err := s.client.call(ctx, opMarketingEmailsList, nil, q, nil, &p); err != nil {
			return pageOf[MarketingEmail]{}, err
		}
		page := pageOf[MarketingEmail]{items: p.Results}
		if p.Paging != nil && p.Paging.Next != nil {
			page.next = p.Paging.Next.After
		}
		return page, nil
	})
}

// Get returns a marketing email.
//
// HubSpot: GET /marketing/v3/emails/{emailId} (https://developers.hubspot.com/docs/api-reference/marketing-marketing-emails-v3/marketing-emails/get-marketing-v3-emails-emailId).
func (s *MarketingEmailsService) Get(ctx context.Context, id string) (*MarketingEmail, error) {
	p, err := marketingEmailParams("marketing emails Get", id)
	if err != nil {
		return nil, err
	}
	e := new(MarketingEmail)
	if _, err := s.client.call(ctx, opMarketingEmailsGet, p, nil, nil, e); err != nil {
		return nil, err
	}
	return e, nil
}

// Publish publishes a marketing email: it is sent now, or at its publish
// date when that is in the future. It is a sensitive call.
//
// HubSpot: POST /marketing/v3/emails/{emailId}/publish (https://developers.hubspot.com/docs/api-reference/marketing-marketing-emails-v3/marketing-emails/post-marketing-v3-emails-emailId-publish).
func (s *MarketingEmailsService) Publish(ctx context.Context, id string) error {
	p, err := marketingEmailParams("marketing emails Publish", id)
	if err != nil {
		return err
	}
	_, err = s.client.call(ctx, opMarketingEmailsPublish, p, nil, nil, nil)
	return err
}

// Schedule sets a marketing email's publish date to at and publishes it,
// so that HubSpot sends it then. at must be in the future on the Client's
// clock. Publishing is a sensitive call.
//
// HubSpot: PATCH /marketing/v3/emails/{emailId}, then POST .../publish.
func (s *MarketingEmailsService) Schedule(ctx context.Context, id string, at time.Time) error {
	p, err := marketingEmailParams("marketing emails Schedule", id)
	if err != nil {
		return err
	}
	if !at.After(s.client.clock.Now()) {
		return errorf("marketing emails Schedule: %s is not in the future; use Publish to send now", at.UTC().Format(time.RFC3339))
	}
	in := map[string]string{"publishDate": at.UTC().Format(time.RFC3339)}
	if _, err := s.client.call(ctx, opMarketingEmailsUpdate, p, nil, in, nil); err != nil {
		return err
	}
	_, err = s.client.call(ctx, opMarketingEmailsPublish, p, nil, nil, nil)
	return err
}

// Unpublish cancels a scheduled marketing email; it becomes a draft.
//
// HubSpot: POST /marketing/v3/emails/{emailId}/unpublish.
func (s *MarketingEmailsService) Unpublish(ctx context.Context, id string) error {
	p, err := marketingEmailParams("marketing emails Unpublish", id)
	if err != nil {
		return err
	}
	_, err = s.client.call(ctx, opMarketingEmailsUnpublish, p, nil, nil, nil)
	return err
}
