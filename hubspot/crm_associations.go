package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// Association categories, as HubSpot names them in associationCategory.
const (
	// CategoryHubSpotDefined: the association types HubSpot defines, such
	// as contact to company (279) or a contact's primary company (1).
	CategoryHubSpotDefined = "HUBSPOT_DEFINED"
	// CategoryUserDefined: labels created in the account.
	CategoryUserDefined = "USER_DEFINED"
	// CategoryIntegratorDefined: labels created by an app.
	CategoryIntegratorDefined = "INTEGRATOR_DEFINED"
)

// HubSpotAssociationType returns the association type HubSpot defines
// (CategoryHubSpotDefined) from fromType to toType, standard objects named
// any way HubSpot accepts ("contacts", "contact", "0-1"), with the given
// label: "" for the pair's unlabeled type, the one CreateDefault creates
// (contact to company: 279), "Primary" for a record's primary company
// (contact to company: 1), "Parent Company" and "Child Company" between
// companies. Types are directional: company to contact is 280. It reports
// false when HubSpot defines no such type. The types come from hubkey's
// catalogue of HubSpot's association type table.
func HubSpotAssociationType(fromType, toType, label string) (AssociationType, bool) {
	f, ok1 := endpoints.LookupObjectType(fromType)
	t, ok2 := endpoints.LookupObjectType(toType)
	if !ok1 || !ok2 {
		return AssociationType{}, false
	}
	for _, a := range endpoints.AssociationTypes() {
		if a.From == f.Name && a.To == t.Name && strings.EqualFold(a.Label, label) {
			return AssociationType{Category: CategoryHubSpotDefined, TypeID: a.ID}, true
		}
	}
	return AssociationType{}, false
}

// Limits of the associations v4 API. Batch calls take any number of inputs
// and send them in chunks of these sizes.
const (
	// MaxAssociationListLimit is the largest page List accepts (and
	// HubSpot's default).
	MaxAssociationListLimit = 500
	// MaxAssociationBatchRead is the most ids one batch read may carry.
	MaxAssociationBatchRead = 1000
	// MaxAssociationBatchCreate is the most inputs one batch create may
	// carry.
	MaxAssociationBatchCreate = 2000
	// MaxAssociationBatchArchive is the most inputs one batch archive may
	// carry.
	MaxAssociationBatchArchive = 2000
)

// AssociationLabel is an association type with its label, as HubSpot lists
// the types linking two records and the types defined between two object
// types. Label is "" for an unlabeled type.
type AssociationLabel struct {
	Category string `json:"category"`
	TypeID   int    `json:"typeId"`
	Label    string `json:"label"`
}

// Type returns the association type, as Create takes it.
func (l AssociationLabel) Type() AssociationType {
	return AssociationType{Category: l.Category, TypeID: l.TypeID}
}

// AssociatedObject is a record associated with another, and every type
// that links them (the unlabeled type and any labels).
type AssociatedObject struct {
	ID    string             `json:"toObjectId"`
	Types []AssociationLabel `json:"associationTypes"`
}

// UnmarshalJSON accepts the record ID as a JSON number (as HubSpot sends
// it) or a string.
func (a *AssociatedObject) UnmarshalJSON(b []byte) error {
	var w struct {
		ID    flexID             `json:"toObjectId"`
		Types []AssociationLabel `json:"associationTypes"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*a = AssociatedObject{ID: idString(w.ID), Types: w.Types}
	return nil
}

// Labels returns the labels of the types linking the records, leaving out
// unlabeled types.
func (a AssociatedObject) Labels() []string {
	var out []string
	for _, t := range a.Types {
		if t.Label != "" {
			out = append(out, t.Label)
		}
	}
	return out
}

// HasType reports whether the records are linked by the type with this ID.
func (a AssociatedObject) HasType(typeID int) bool {
	for _, t := range a.Types {
		if t.TypeID == typeID {
			return true
		}
	}
	return false
}

// AssociationPair is what HubSpot reports after creating associations
// between two records: both ends, as object type IDs ("0-1") and record
// IDs, and the labels now between them (unlabeled types are not listed).
type AssociationPair struct {
	FromObjectTypeID string   `json:"fromObjectTypeId"`
	FromObjectID     string   `json:"fromObjectId"`
	ToObjectTypeID   string   `json:"toObjectTypeId"`
	ToObjectID       string   `json:"toObjectId"`
	Labels           []string `json:"labels"`
}

// UnmarshalJSON accepts record IDs as JSON numbers (as HubSpot sends them)
// or strings.
func (p *AssociationPair) UnmarshalJSON(b []byte) error {
	var w struct {
		FromObjectTypeID string   `json:"fromObjectTypeId"`
		FromObjectID     flexID   `json:"fromObjectId"`
		ToObjectTypeID   string   `json:"toObjectTypeId"`
		ToObjectID       flexID   `json:"toObjectId"`
		Labels           []string `json:"labels"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = AssociationPair{FromObjectTypeID: w.FromObjectTypeID, FromObjectID: idString(w.FromObjectID),
		ToObjectTypeID: w.ToObjectTypeID, ToObjectID: idString(w.ToObjectID), Labels: w.Labels}
	return nil
}

// DefaultAssociation is one direction of a default association
// CreateDefault made.
type DefaultAssociation struct {
	FromID, ToID string
	Type         AssociationType
}

// idString is the text of a record ID read with flexID ("" for none).
func idString(id flexID) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(int64(id), 10)
}

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
	Results []struct {
		From struct {
			ID string `json:"id"`
		} `json:"from"`
		To struct {
			ID string `json:"id"`
		} `json:"to"`
		Spec AssociationType `json:"associationSpec"`
	} `json:"results"`
	Errors []wireError `json:"errors"`
}

func (w *wireDefaultBatch) defaults() []DefaultAssociation {
	out := make([]DefaultAssociation, 0, len(w.Results))
	for _, r := range w.Results {
		out = append(out, DefaultAssociation{FromID: r.From.ID, ToID: r.To.ID, Type: r.Spec})
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

// AssociationListOptions selects a page of List and the page size of All.
type AssociationListOptions struct {
	// Limit is the page size, at most MaxAssociationListLimit (HubSpot's
	// default, 500, when 0).
	Limit int
	// After is the cursor of the page to start at (AssociationPage.After).
	After string
}

// AssociationPage is one page of a record's associations.
type AssociationPage struct {
	Results []AssociatedObject
	// After is the cursor of the next page; "" on the last page.
	After string
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

// Labels lists the association types defined from fromType to toType:
// HubSpot's own (the unlabeled type has Label "") and the account's labels.
//
// HubSpot: GET /crm/v4/associations/{fromObjectType}/{toObjectType}/labels.
func (s *AssociationsService) Labels(ctx context.Context, fromType, toType string) ([]AssociationLabel, error) {
	if err := checkObjectTypes("associations Labels", fromType, toType); err != nil {
		return nil, err
	}
	var w struct {
		Results []AssociationLabel `json:"results"`
	}
	if _, err := s.client.call(ctx, opAssocLabelsList, pairParams(fromType, toType), nil, nil, &w); err != nil {
		return nil, err
	}
	return w.Results, nil
}

// AssociationLabelInput defines an association label.
type AssociationLabelInput struct {
	// Name is the label's internal name.
	Name string `json:"name"`
	// Label is what HubSpot shows, such as "Manager".
	Label string `json:"label"`
	// InverseLabel, when set, makes a pair of labels: Label from fromType
	// to toType and InverseLabel back (such as "Manager" and "Employee").
	InverseLabel string `json:"inverseLabel,omitempty"`
}

// AssociationLabelUpdate renames an association label.
type AssociationLabelUpdate struct {
	// TypeID is the label's association type ID.
	TypeID int `json:"associationTypeId"`
	// Label is the new label.
	Label string `json:"label"`
	// InverseLabel, when set, renames the other label of a pair.
	InverseLabel string `json:"inverseLabel,omitempty"`
}

// CreateLabel defines an association label from fromType to toType and
// returns the association types HubSpot created for it (two for a pair of
// labels between records of one object type).
//
// HubSpot: POST /crm/v4/associations/{fromObjectType}/{toObjectType}/labels.
func (s *AssociationsService) CreateLabel(ctx context.Context, fromType, toType string, in AssociationLabelInput) ([]AssociationLabel, error) {
	what := "associations CreateLabel"
	if err := checkObjectTypes(what, fromType, toType); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Name) == "" {
		return nil, errorf("%s: the label's Name is empty", what)
	}
	if strings.TrimSpace(in.Label) == "" {
		return nil, errorf("%s: the Label of %q is empty", what, in.Name)
	}
	var w struct {
		Results []AssociationLabel `json:"results"`
	}
	if _, err := s.client.call(ctx, opAssocLabelsCreate, pairParams(fromType, toType), nil, in, &w); err != nil {
		return nil, err
	}
	return w.Results, nil
}

// UpdateLabel renames an association label (204).
//
// HubSpot: PUT /crm/v4/associations/{fromObjectType}/{toObjectType}/labels.
func (s *AssociationsService) UpdateLabel(ctx context.Context, fromType, toType string, in AssociationLabelUpdate) error {
	what := "associations UpdateLabel"
	if err := checkObjectTypes(what, fromType, toType); err != nil {
		return err
	}
	if in.TypeID <= 0 {
		return errorf("%s: no association type id (got %d)", what, in.TypeID)
	}
	if strings.TrimSpace(in.Label) == "" {
		return errorf("%s: the new Label of type %d is empty", what, in.TypeID)
	}
	_, err := s.client.call(ctx, opAssocLabelsUpdate, pairParams(fromType, toType), nil, in, nil)
	return err
}

// DeleteLabel deletes an association label (204).
//
// HubSpot: DELETE /crm/v4/associations/{fromObjectType}/{toObjectType}/labels/{associationTypeId}.
func (s *AssociationsService) DeleteLabel(ctx context.Context, fromType, toType string, typeID int) error {
	what := "associations DeleteLabel"
	if err := checkObjectTypes(what, fromType, toType); err != nil {
		return err
	}
	if typeID <= 0 {
		return errorf("%s: no association type id (got %d)", what, typeID)
	}
	params := pairParams(fromType, toType)
	params["associationTypeId"] = strconv.Itoa(typeID)
	_, err := s.client.call(ctx, opAssocLabelsArchive, params, nil, nil, nil)
	return err
}
