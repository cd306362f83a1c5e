package hubspot

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"time"
)

// Owner is a HubSpot user (or queue) that records can be assigned to: the
// hubspot_owner_id property of a record holds an owner's ID.
type Owner struct {
	// ID is the owner ID, the value to assign to hubspot_owner_id.
	ID string `json:"id"`
	// Email, FirstName and LastName describe the user.
	Email     string `json:"email,omitempty"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	// UserID is the user's ID in HubSpot's settings (not an owner ID);
	// zero for a deactivated user, whose ID stays in
	// UserIDIncludingInactive.
	UserID                  int64 `json:"userId,omitempty"`
	UserIDIncludingInactive int64 `json:"userIdIncludingInactive,omitempty"`
	// Type is PERSON or QUEUE.
	Type string `json:"type,omitempty"`
	// Teams lists the teams the user is on; one may be Primary.
	Teams     []OwnerTeam `json:"teams,omitempty"`
	Archived  bool        `json:"archived"`
	CreatedAt time.Time   `json:"createdAt,omitzero"`
	UpdatedAt time.Time   `json:"updatedAt,omitzero"`
}

// OwnerTeam is a team an owner belongs to.
type OwnerTeam struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Primary bool   `json:"primary"`
}

// OwnerListOptions selects what List and All return.
type OwnerListOptions struct {
	// Email keeps only the owner with this email address.
	Email string
	// Limit is the page size, at most 500 (HubSpot's default, 100, when
	// 0).
	Limit int
	// After is the cursor of the page to start at (from OwnerPage.After).
	After string
	// Archived lists archived (deactivated) owners instead of active ones.
	Archived bool
}

// OwnerPage is one page of owners.
type OwnerPage struct {
	Results []Owner
	// After is the cursor of the next page; "" on the last page.
	After string
}

// OwnerIDProperty says what the id given to OwnersService.Get is.
type OwnerIDProperty string

// How OwnersService.Get finds an owner.
const (
	// OwnerByID: the id is an owner ID (the default).
	OwnerByID OwnerIDProperty = "id"
	// OwnerByUserID: the id is a user ID.
	OwnerByUserID OwnerIDProperty = "userId"
)

// OwnerGetOptions changes how Get finds an owner.
type OwnerGetOptions struct {
	// IDProperty says whether the id is an owner ID (default) or a user ID.
	IDProperty OwnerIDProperty
	// Archived finds the owner only if it is archived.
	Archived bool
}

// OwnersService calls the CRM owners API, which is read-only. It needs the
// crm.objects.owners.read scope.
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/crm-crm-owners-v3/guide
type OwnersService struct {
	client *Client
}

type wireOwnerPage struct {
	Results []Owner `json:"results"`
	Paging  *Paging `json:"paging"`
}

// List returns one page of owners.
//
// HubSpot: GET /crm/v3/owners.
func (s *OwnersService) List(ctx context.Context, opts *OwnerListOptions) (*OwnerPage, error) {
	var o OwnerListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit < 0 || o.Limit > opOwnersList.Limits.Page {
		return nil, errorf("owners List: Limit must be between 1 and %d (0 for HubSpot's default), got %d", opOwnersList.Limits.Page, o.Limit)
	}
	q := url.Values{}
	if o.Email != "" {
		q.Set("email", o.Email)
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.After != "" {
		q.Set("after", o.After)
	}
	if o.Archived {
		q.Set("archived", "true")
	}
	var p wireOwnerPage
	if _, err := s.client.call(ctx, opOwnersList, nil, q, nil, &p); err != nil {
		return nil, err
	}
	page := &OwnerPage{Results: p.Results}
	if p.Paging != nil && p.Paging.Next != nil {
		page.After = p.Paging.Next.After
	}
	return page, nil
}

// All returns every owner that opts selects, fetching pages lazily as the
// loop consumes them, one page in memory at a time. The loop ends after the
// last owner, when it breaks, or with a final (zero Owner, error) when a
// page fails or ctx ends. opts.Limit is the page size (500, the largest,
// when 0).
func (s *OwnersService) All(ctx context.Context, opts *OwnerListOptions) iter.Seq2[Owner, error] {
	var o OwnerListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit == 0 {
		o.Limit = opOwnersList.Limits.Page
	}
	return paginate(ctx, "owners List", o.After, func(after string) (pageOf[Owner], error) {
		q := o
		q.After = after
		page, err := s.List(ctx, &q)
		if err != nil {
			return pageOf[Owner]{}, err
		}
		return pageOf[Owner]{items: page.Results, next: page.After}, nil
	})
}

// Get returns one owner by owner ID, or by user ID with
// OwnerGetOptions.IDProperty = OwnerByUserID. A missing owner is an error
// matching ErrNotFound.
//
// HubSpot: GET /crm/v3/owners/{ownerId}.
func (s *OwnersService) Get(ctx context.Context, id string, opts *OwnerGetOptions) (*Owner, error) {
	if err := checkID("owners Get", id); err != nil {
		return nil, err
	}
	q := url.Values{}
	if opts != nil {
		switch opts.IDProperty {
		case "", OwnerByID:
		case OwnerByUserID:
			q.Set("idProperty", string(OwnerByUserID))
		default:
			return nil, errorf("owners Get: IDProperty must be %q or %q, got %q", OwnerByID, OwnerByUserID, opts.IDProperty)
		}
		if opts.Archived {
			q.Set("archived", "true")
		}
	}
	o := new(Owner)
	if _, err := s.client.call(ctx, opOwnersGet, map[string]string{"ownerId": id}, q, nil, o); err != nil {
		return nil, err
	}
	return o, nil
}
