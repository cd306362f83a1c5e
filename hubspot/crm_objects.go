package hubspot

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Object is a CRM record (contact, company, deal, ticket, custom object...)
// as the CRM objects API returns it.
type Object struct {
	ID string `json:"id"`
	// Properties holds the requested properties' values, all strings on the
	// wire; see Properties' typed accessors.
	Properties Properties `json:"properties"`
	// PropertiesWithHistory holds the value history of the properties asked
	// for in PropertiesWithHistory, newest first.
	PropertiesWithHistory map[string][]PropertyVersion `json:"propertiesWithHistory,omitempty"`
	// Associations holds the associated records of each requested type,
	// keyed by the type as HubSpot names it in the response.
	Associations map[string]AssociationList `json:"associations,omitempty"`
	CreatedAt    time.Time                  `json:"createdAt,omitzero"`
	UpdatedAt    time.Time                  `json:"updatedAt,omitzero"`
	Archived     bool                       `json:"archived"`
	ArchivedAt   time.Time                  `json:"archivedAt,omitzero"`
	// URL is the record's page in HubSpot, when the API includes it.
	URL string `json:"url,omitempty"`
	// New reports that BatchUpsert created the record rather than updated
	// it; false in every other answer.
	New bool `json:"new,omitempty"`
}

// PropertyVersion is one value in a property's history.
type PropertyVersion struct {
	Value           string    `json:"value"`
	Timestamp       time.Time `json:"timestamp"`
	SourceType      string    `json:"sourceType,omitempty"`
	SourceID        string    `json:"sourceId,omitempty"`
	SourceLabel     string    `json:"sourceLabel,omitempty"`
	UpdatedByUserID int64     `json:"updatedByUserId,omitempty"`
}

// AssociationList is one page of a record's associations of one type.
type AssociationList struct {
	Results []Association `json:"results"`
	Paging  *Paging       `json:"paging,omitempty"`
}

// Association is one associated record.
type Association struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// Paging is HubSpot's paging block; Next is nil on the last page.
type Paging struct {
	Next *PagingNext `json:"next,omitempty"`
}

// PagingNext points at the next page.
type PagingNext struct {
	After string `json:"after"`
	Link  string `json:"link,omitempty"`
}

// ObjectInput is a record to create.
type ObjectInput struct {
	Properties   Properties         `json:"properties"`
	Associations []AssociationInput `json:"associations,omitempty"`
}

// AssociationInput associates a record being created with an existing one.
type AssociationInput struct {
	To    ObjectRef         `json:"to"`
	Types []AssociationType `json:"types"`
}

// ObjectRef names a record by ID.
type ObjectRef struct {
	ID string `json:"id"`
}

// AssociationType is an association's kind: Category HUBSPOT_DEFINED,
// USER_DEFINED or INTEGRATOR_DEFINED, and the type's numeric ID (for
// example 279 for contact to company, HubSpot-defined).
type AssociationType struct {
	Category string `json:"associationCategory"`
	TypeID   int    `json:"associationTypeId"`
}

// GetOptions selects what Get returns.
type GetOptions struct {
	// Properties to return; HubSpot's defaults when empty.
	Properties []string
	// PropertiesWithHistory to return with their past values.
	PropertiesWithHistory []string
	// Associations: object types whose associated IDs to return.
	Associations []string
	// IDProperty, when set, means id is a value of this unique property
	// (such as email) rather than the record ID.
	IDProperty string
	// Archived returns the record only if it is archived.
	Archived bool
}

// ListOptions selects what List and All return.
type ListOptions struct {
	// Limit is the page size, at most 100 (HubSpot's default, 10, when 0).
	Limit int
	// After is the cursor of the page to start at (from ObjectPage.After).
	After                 string
	Properties            []string
	PropertiesWithHistory []string
	Associations          []string
	// Archived lists archived records instead of live ones.
	Archived bool
}

// UpdateOptions changes how Update finds the record.
type UpdateOptions struct {
	// IDProperty, when set, means id is a value of this unique property.
	IDProperty string
}

// ObjectPage is one page of a list.
type ObjectPage struct {
	Results []Object
	// After is the cursor of the next page; "" on the last page.
	After string
}

// ObjectService calls the CRM objects API for one object type. The
// Client's Contacts, Companies, Deals, Tickets, Products, LineItems and
// Quotes are ObjectServices; Client.Objects returns one for any other type.
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/crm-objects-v3
type ObjectService struct {
	client     *Client
	objectType string
	typeParams map[string]string // {objectType}; read only
	err        error             // a bad object type, reported by every call
}

// Objects returns the service for objectType: a standard type ("contacts",
// "0-1"), a custom object's ID ("2-12345") or its fully qualified name
// ("p12345_cars"). A malformed type is reported by the first call.
func (c *Client) Objects(objectType string) *ObjectService {
	s := &ObjectService{client: c, objectType: objectType, typeParams: map[string]string{"objectType": objectType}}
	if !validObjectType(objectType) {
		s.err = errorf("invalid object type %q: use a name such as \"contacts\", an ID such as \"2-12345\" or a fully qualified name such as \"p12345_cars\"", objectType)
	}
	return s
}

// ObjectType returns the object type the service calls.
func (s *ObjectService) ObjectType() string { return s.objectType }

func validObjectType(t string) bool {
	if t == "" || len(t) > 100 {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// record returns the path parameters of the record id.
func (s *ObjectService) record(id string) map[string]string {
	return map[string]string{"objectType": s.objectType, "objectId": id}
}

// checkID checks a record ID (or a unique property's value) given by the
// caller; see checkSegment.
func checkID(what, id string) error { return checkSegment(what, "id", id) }

func joinList(q url.Values, key string, vals []string) {
	if len(vals) > 0 {
		q.Set(key, strings.Join(vals, ","))
	}
}

// Get returns one record by ID (or by a unique property's value, with
// GetOptions.IDProperty). A missing record is an error matching
// ErrNotFound.
//
// HubSpot: GET /crm/v3/objects/{objectType}/{objectId}.
func (s *ObjectService) Get(ctx context.Context, id string, opts *GetOptions) (*Object, error) {
	if s.err != nil {
		return nil, s.err
	}
	if err := checkID(s.objectType+" Get", id); err != nil {
		return nil, err
	}
	var q url.Values
	if opts != nil {
		q = url.Values{}
		joinList(q, "properties", opts.Properties)
		joinList(q, "propertiesWithHistory", opts.PropertiesWithHistory)
		joinList(q, "associations", opts.Associations)
		if opts.IDProperty != "" {
			q.Set("idProperty", opts.IDProperty)
		}
		if opts.Archived {
			q.Set("archived", "true")
		}
	}
	obj := new(Object)
	if _, err := s.client.call(ctx, opObjectsGet, s.record(id), q, nil, obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// Create creates a record and returns it as HubSpot stored it (201).
//
// HubSpot: POST /crm/v3/objects/{objectType}.
func (s *ObjectService) Create(ctx context.Context, in ObjectInput) (*Object, error) {
	if s.err != nil {
		return nil, s.err
	}
	if in.Properties == nil {
		in.Properties = Properties{}
	}
	obj := new(Object)
	if _, err := s.client.call(ctx, opObjectsCreate, s.typeParams, nil, in, obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// Update sets properties of a record (by ID, or by a unique property's value
// with UpdateOptions.IDProperty) and returns the record. An empty string
// clears a property.
//
// HubSpot: PATCH /crm/v3/objects/{objectType}/{objectId}.
func (s *ObjectService) Update(ctx context.Context, id string, props Properties, opts *UpdateOptions) (*Object, error) {
	if s.err != nil {
		return nil, s.err
	}
	if err := checkID(s.objectType+" Update", id); err != nil {
		return nil, err
	}
	if len(props) == 0 {
		return nil, errorf("%s Update %s: no properties to update", s.objectType, id)
	}
	var q url.Values
	if opts != nil && opts.IDProperty != "" {
		q = url.Values{"idProperty": {opts.IDProperty}}
	}
	body := struct {
		Properties Properties `json:"properties"`
	}{props}
	obj := new(Object)
	if _, err := s.client.call(ctx, opObjectsUpdate, s.record(id), q, body, obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// Archive moves a record to the recycling bin (204).
//
// HubSpot: DELETE /crm/v3/objects/{objectType}/{objectId}.
func (s *ObjectService) Archive(ctx context.Context, id string) error {
	if s.err != nil {
		return s.err
	}
	if err := checkID(s.objectType+" Archive", id); err != nil {
		return err
	}
	_, err := s.client.call(ctx, opObjectsArchive, s.record(id), nil, nil, nil)
	return err
}

type wirePage struct {
	Results []Object `json:"results"`
	Paging  *Paging  `json:"paging"`
}

func (p *wirePage) after() string {
	if p.Paging == nil || p.Paging.Next == nil {
		return ""
	}
	return p.Paging.Next.After
}

// List returns one page of records.
//
// HubSpot: GET /crm/v3/objects/{objectType}.
func (s *ObjectService) List(ctx context.Context, opts *ListOptions) (*ObjectPage, error) {
	if s.err != nil {
		return nil, s.err
	}
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit < 0 || o.Limit > opObjectsList.Limits.Page {
		return nil, errorf("%s List: Limit must be between 1 and %d (0 for HubSpot's default), got %d", s.objectType, opObjectsList.Limits.Page, o.Limit)
	}
	q := url.Values{}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.After != "" {
		q.Set("after", o.After)
	}
	joinList(q, "properties", o.Properties)
	joinList(q, "propertiesWithHistory", o.PropertiesWithHistory)
	joinList(q, "associations", o.Associations)
	if o.Archived {
		q.Set("archived", "true")
	}
	var p wirePage
	if _, err := s.client.call(ctx, opObjectsList, s.typeParams, q, nil, &p); err != nil {
		return nil, err
	}
	return &ObjectPage{Results: p.Results, After: p.after()}, nil
}

// All returns every record, fetching pages lazily as the loop consumes them:
// one page is held at a time, so memory stays flat however many records
// there are. The loop ends after the last record, when it breaks, or with a
// final (zero Object, error) when a page fails or ctx ends. opts.Limit is
// the page size (100 when 0).
func (s *ObjectService) All(ctx context.Context, opts *ListOptions) iter.Seq2[Object, error] {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit == 0 {
		o.Limit = opObjectsList.Limits.Page
	}
	return paginate(ctx, s.objectType+" List", o.After, func(after string) (pageOf[Object], error) {
		q := o
		q.After = after
		page, err := s.List(ctx, &q)
		if err != nil {
			return pageOf[Object]{}, err
		}
		return pageOf[Object]{items: page.Results, next: page.After}, nil
	})
}
