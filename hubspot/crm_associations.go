package hubspot

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// AssociationsService calls HubSpot's CRM associations API (v4): it links
// records with labeled and unlabeled association types, lists and removes
// those links, in batches of any size, and manages association labels.
// Object types are given the ways HubSpot accepts them ("contacts",
// "contact", "0-1", "2-12345", "p12345_cars").
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/crm-associations-v4/guide
type AssociationsService struct {
	client *Client
}

func checkObjectTypes(what string, types ...string) error {
	for _, t := range types {
		if !validObjectType(t) {
			return errorf("%s: invalid object type %q: use a name such as \"contacts\", an ID such as \"2-12345\" or a fully qualified name such as \"p12345_cars\"", what, t)
		}
	}
	return nil
}

// pairParams are the path parameters of a call between two object types.
func pairParams(fromType, toType string) map[string]string {
	return map[string]string{"fromObjectType": fromType, "toObjectType": toType}
}

// linkParams are the path parameters of a call between two records.
func linkParams(fromType, fromID, toType, toID string) map[string]string {
	return map[string]string{"fromObjectType": fromType, "fromObjectId": fromID, "toObjectType": toType, "toObjectId": toID}
}

// Create links two records with the given association types (HubSpot adds
// the pair's unlabeled type as well) and returns the labels now between
// them. Creating a link that exists is harmless, so the call is retried
// like a read.
//
// HubSpot: PUT /crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/{toObjectType}/{toObjectId}.
func (s *AssociationsService) Create(ctx context.Context, fromType, fromID, toType, toID string, types ...AssociationType) (*AssociationPair, error) {
	what := "associations Create"
	if err := checkObjectTypes(what, fromType, toType); err != nil {
		return nil, err
	}
	if err := checkPairIDs(what, fromID, toID); err != nil {
		return nil, err
	}
	if len(types) == 0 {
		return nil, errorf("%s: no association types; use CreateDefault for the unlabeled association", what)
	}
	for i, t := range types {
		if err := checkAssocType(fmt.Sprintf("%s: type %d", what, i), t); err != nil {
			return nil, err
		}
	}
	out := new(AssociationPair)
	if _, err := s.client.call(ctx, opAssocCreate, linkParams(fromType, fromID, toType, toID), nil, types, out); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateDefault links two records with the unlabeled association type
// HubSpot defines between their object types, in both directions, and
// returns what was created.
//
// HubSpot: PUT /crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}.
func (s *AssociationsService) CreateDefault(ctx context.Context, fromType, fromID, toType, toID string) ([]DefaultAssociation, error) {
	what := "associations CreateDefault"
	if err := checkObjectTypes(what, fromType, toType); err != nil {
		return nil, err
	}
	if err := checkPairIDs(what, fromID, toID); err != nil {
		return nil, err
	}
	var w wireDefaultBatch
	call, err := s.client.prepare(opAssocCreateDefault, linkParams(fromType, fromID, toType, toID))
	if err != nil {
		return nil, err
	}
	if _, err := s.client.do(ctx, call, nil, nil, &w); err != nil {
		return nil, err
	}
	if len(w.Errors) > 0 {
		e := w.Errors[0].toError(http.StatusOK, call.method, call.path)
		return w.defaults(), e
	}
	return w.defaults(), nil
}

type wireDefaultBatch struct {
	Results []wireDefault `json:"results"`
	Errors  []wireError   `json:"errors"`
}

// wireDefault is one link of HubSpot's answer to a default association:
// the records and the type now linking them.
type wireDefault struct {
	From struct {
		ID string `json:"id"`
	} `json:"from"`
	To struct {
		ID string `json:"id"`
	} `json:"to"`
	Spec AssociationType `json:"associationSpec"`
}

func (r *wireDefault) value() DefaultAssociation {
	return DefaultAssociation{FromID: r.From.ID, ToID: r.To.ID, Type: r.Spec}
}

func (w *wireDefaultBatch) defaults() []DefaultAssociation {
	out := make([]DefaultAssociation, 0, len(w.Results))
	for i := range w.Results {
		out = append(out, w.Results[i].value())
	}
	return out
}

func checkPairIDs(what, fromID, toID string) error {
	if err := checkSegment(what, "from record id", fromID); err != nil {
		return err
	}
	return checkSegment(what, "to record id", toID)
}

func checkAssocType(what string, t AssociationType) error {
	switch t.Category {
	case CategoryHubSpotDefined, CategoryUserDefined, CategoryIntegratorDefined:
	case "":
		return errorf("%s (id %d) has no category: use CategoryHubSpotDefined, CategoryUserDefined or CategoryIntegratorDefined", what, t.TypeID)
	default:
		return errorf("%s has an unknown category %q", what, t.Category)
	}
	if t.TypeID <= 0 {
		return errorf("%s has no type id (got %d)", what, t.TypeID)
	}
	return nil
}

// Delete removes every association between two records, in both
// directions (204). Removing links that do not exist is not an error.
//
// HubSpot: DELETE /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}.
func (s *AssociationsService) Delete(ctx context.Context, fromType, fromID, toType, toID string) error {
	what := "associations Delete"
	if err := checkObjectTypes(what, fromType, toType); err != nil {
		return err
	}
	if err := checkPairIDs(what, fromID, toID); err != nil {
		return err
	}
	_, err := s.client.call(ctx, opAssocArchive, linkParams(fromType, fromID, toType, toID), nil, nil, nil)
	return err
}

// List returns one page of the records of toType associated with a
// record.
//
// HubSpot: GET /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}.
func (s *AssociationsService) List(ctx context.Context, fromType, fromID, toType string, opts *AssociationListOptions) (*AssociationPage, error) {
	what := "associations List"
	if err := checkObjectTypes(what, fromType, toType); err != nil {
		return nil, err
	}
	if err := checkID(what, fromID); err != nil {
		return nil, err
	}
	var o AssociationListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit < 0 || o.Limit > opAssocList.Limits.Page {
		return nil, errorf("%s: Limit must be between 1 and %d (0 for HubSpot's default), got %d", what, opAssocList.Limits.Page, o.Limit)
	}
	q := url.Values{}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.After != "" {
		q.Set("after", o.After)
	}
	var w struct {
		Results []AssociatedObject `json:"results"`
		Paging  *Paging            `json:"paging"`
	}
	params := map[string]string{"fromObjectType": fromType, "fromObjectId": fromID, "toObjectType": toType}
	if _, err := s.client.call(ctx, opAssocList, params, q, nil, &w); err != nil {
		return nil, err
	}
	p := &AssociationPage{Results: w.Results}
	if w.Paging != nil && w.Paging.Next != nil {
		p.After = w.Paging.Next.After
	}
	return p, nil
}

// All returns every record of toType associated with a record, fetching
// pages lazily as the loop consumes them, one page held at a time. The loop
// ends after the last record, when it breaks, or with a final (zero
// AssociatedObject, error) when a page fails or ctx ends. opts.Limit is the
// page size (500 when 0).
func (s *AssociationsService) All(ctx context.Context, fromType, fromID, toType string, opts *AssociationListOptions) iter.Seq2[AssociatedObject, error] {
	var o AssociationListOptions
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, "associations List", o.After, func(after string) (pageOf[AssociatedObject], error) {
		q := o
		q.After = after
		page, err := s.List(ctx, fromType, fromID, toType, &q)
		if err != nil {
			return pageOf[AssociatedObject]{}, err
		}
		return pageOf[AssociatedObject]{items: page.Results, next: page.After}, nil
	})
}
