package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

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

// HubSpot-defined association type IDs between the standard objects, from
// HubSpot's association type table. Types are directional: a contact's
// company is AssocContactToCompany (279), the reverse AssocCompanyToContact
// (280). The unlabeled type of each pair is what CreateDefault creates; the
// "primary" types are labeled "Primary" and a record has at most one
// primary company.
const (
	AssocContactToContact        = 449
	AssocContactToCompany        = 279
	AssocContactToCompanyPrimary = 1
	AssocContactToDeal           = 4
	AssocContactToTicket         = 15
	AssocContactToQuote          = 70

	AssocCompanyToCompany        = 450
	AssocParentToChildCompany    = 13
	AssocChildToParentCompany    = 14
	AssocCompanyToContact        = 280
	AssocCompanyToContactPrimary = 2
	AssocCompanyToDeal           = 342
	AssocCompanyToDealPrimary    = 6
	AssocCompanyToTicket         = 340
	AssocCompanyToTicketPrimary  = 25
	AssocCompanyToQuote          = 72

	AssocDealToDeal           = 451
	AssocDealToContact        = 3
	AssocDealToCompany        = 341
	AssocDealToCompanyPrimary = 5
	AssocDealToTicket         = 27
	AssocDealToLineItem       = 19
	AssocDealToQuote          = 63

	AssocTicketToTicket         = 452
	AssocTicketToContact        = 16
	AssocTicketToCompany        = 339
	AssocTicketToCompanyPrimary = 26
	AssocTicketToDeal           = 28

	AssocLineItemToDeal  = 20
	AssocLineItemToQuote = 68

	AssocQuoteToContact  = 69
	AssocQuoteToCompany  = 71
	AssocQuoteToDeal     = 64
	AssocQuoteToLineItem = 67
)

// defaultAssocTypes maps a pair of standard object types to the unlabeled
// HubSpot-defined type between them.
var defaultAssocTypes = map[[2]string]int{
	{"contacts", "contacts"}:   AssocContactToContact,
	{"contacts", "companies"}:  AssocContactToCompany,
	{"contacts", "deals"}:      AssocContactToDeal,
	{"contacts", "tickets"}:    AssocContactToTicket,
	{"contacts", "quotes"}:     AssocContactToQuote,
	{"companies", "companies"}: AssocCompanyToCompany,
	{"companies", "contacts"}:  AssocCompanyToContact,
	{"companies", "deals"}:     AssocCompanyToDeal,
	{"companies", "tickets"}:   AssocCompanyToTicket,
	{"companies", "quotes"}:    AssocCompanyToQuote,
	{"deals", "deals"}:         AssocDealToDeal,
	{"deals", "contacts"}:      AssocDealToContact,
	{"deals", "companies"}:     AssocDealToCompany,
	{"deals", "tickets"}:       AssocDealToTicket,
	{"deals", "line_items"}:    AssocDealToLineItem,
	{"deals", "quotes"}:        AssocDealToQuote,
	{"tickets", "tickets"}:     AssocTicketToTicket,
	{"tickets", "contacts"}:    AssocTicketToContact,
	{"tickets", "companies"}:   AssocTicketToCompany,
	{"tickets", "deals"}:       AssocTicketToDeal,
	{"line_items", "deals"}:    AssocLineItemToDeal,
	{"line_items", "quotes"}:   AssocLineItemToQuote,
	{"quotes", "contacts"}:     AssocQuoteToContact,
	{"quotes", "companies"}:    AssocQuoteToCompany,
	{"quotes", "deals"}:        AssocQuoteToDeal,
	{"quotes", "line_items"}:   AssocQuoteToLineItem,
}

// DefaultAssociationType returns HubSpot's unlabeled association type from
// fromType to toType (standard objects, by any name HubSpot accepts:
// "contacts", "contact", "0-1"), and false when HubSpot defines none.
func DefaultAssociationType(fromType, toType string) (AssociationType, bool) {
	f, ok1 := endpoints.LookupObjectType(fromType)
	t, ok2 := endpoints.LookupObjectType(toType)
	if !ok1 || !ok2 {
		return AssociationType{}, false
	}
	id, ok := defaultAssocTypes[[2]string{f.Name, t.Name}]
	if !ok {
		return AssociationType{}, false
	}
	return AssociationType{Category: CategoryHubSpotDefined, TypeID: id}, true
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

// noAssociationsFound is the subCategory of HubSpot's batch read error for
// a record with no associations of the requested type.
const noAssociationsFound = "crm.associations.NO_ASSOCIATIONS_FOUND"

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
	if o.Limit < 0 || o.Limit > MaxAssociationListLimit {
		return nil, errorf("%s: Limit must be between 1 and %d (0 for HubSpot's default), got %d", what, MaxAssociationListLimit, o.Limit)
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

// AssociationReadResult accounts for every id of a BatchRead: Items[i] is
// the outcome of ids[i].
type AssociationReadResult struct {
	Items []AssociationReadItem
}

// AssociationReadItem is the outcome of one id of a BatchRead: the
// associated records (all pages of them), or an error.
type AssociationReadItem struct {
	// FromID is the id as given.
	FromID string
	// To lists the associated records; empty when there are none (HubSpot
	// reports that as NO_ASSOCIATIONS_FOUND, which is not an error here).
	To []AssociatedObject
	// Err is the id's error: a *Error from HubSpot (such as
	// VALIDATION_ERROR for an id that is not a record ID), the error of the
	// request that carried the id, or ErrNotInResponse.
	Err error
}

// Failed returns how many ids failed.
func (r *AssociationReadResult) Failed() int {
	return failedOf(len(r.Items), func(i int) error { return r.Items[i].Err })
}

// AssociationBatchInput is one association to create: the records at both
// ends and the types to link them with.
type AssociationBatchInput struct {
	FromID, ToID string
	Types        []AssociationType
}

// AssociationArchiveInput names the links to remove: every association
// from one record to each of ToIDs.
type AssociationArchiveInput struct {
	FromID string
	ToIDs  []string
}

// AssociationBatchResult accounts for every input of BatchCreate or
// BatchArchive: Items[i] is the outcome of input i.
type AssociationBatchResult struct {
	Items []AssociationBatchItem
}

// AssociationBatchItem is the outcome of one input.
type AssociationBatchItem struct {
	// Pair is the pair as HubSpot reports it after BatchCreate, with the
	// labels now between the records. Zero for BatchArchive and when Err is
	// set.
	Pair AssociationPair
	// Err is the input's error: a *Error from HubSpot (errors.Is matches
	// ErrNotFound for a record that does not exist, ErrValidation for a
	// type that is not valid between the objects...), the error of the
	// request that carried the input, or ErrNotInResponse.
	Err error
}

// Failed returns how many inputs failed.
func (r *AssociationBatchResult) Failed() int {
	return failedOf(len(r.Items), func(i int) error { return r.Items[i].Err })
}

// BatchRead returns the records of toType associated with each of ids,
// following HubSpot's per-record paging until every association is read.
// ids are sent in chunks of MaxAssociationBatchRead; repeated ids are read
// once and reported at each index. When an id failed, the error is a
// *BatchError alongside the result.
//
// HubSpot: POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read.
func (s *AssociationsService) BatchRead(ctx context.Context, fromType, toType string, ids []string) (*AssociationReadResult, error) {
	what := fromType + " to " + toType + " associations batch read"
	if err := checkObjectTypes("associations BatchRead", fromType, toType); err != nil {
		return nil, err
	}
	uniq, index, err := dedupe("associations BatchRead", ids)
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, errors.New("hubspot: nil context")
	}
	items := make([]AssociationReadItem, len(uniq))
	after := make([]string, len(uniq)) // cursor of the next page, per id
	more := make([]bool, len(uniq))    // id has another page to read
	pending := make([]int, len(uniq))
	for i := range uniq {
		items[i].FromID = uniq[i]
		pending[i] = i
	}
	call, err := s.client.prepare(opAssocBatchRead, pairParams(fromType, toType))
	if err != nil {
		return nil, err
	}
	for len(pending) > 0 {
		s.client.eachChunk(ctx, len(pending), MaxAssociationBatchRead,
			func(lo, hi int) { s.readChunk(ctx, call, pending[lo:hi], uniq, after, more, items) },
			func(lo, hi int, err error) {
				for _, i := range pending[lo:hi] {
					items[i] = AssociationReadItem{FromID: uniq[i], Err: err}
				}
			})
		next := pending[:0]
		for _, i := range pending {
			if more[i] && items[i].Err == nil {
				next = append(next, i)
			}
			more[i] = false
		}
		pending = next
	}

	out := &AssociationReadResult{Items: make([]AssociationReadItem, len(ids))}
	for i, j := range index {
		out.Items[i] = items[j]
		out.Items[i].FromID = ids[i]
	}
	return out, batchErrorOf(what, len(out.Items), func(i int) error { return out.Items[i].Err })
}

type wireAssocRead struct {
	Results []struct {
		From struct {
			ID string `json:"id"`
		} `json:"from"`
		To     []AssociatedObject `json:"to"`
		Paging *Paging            `json:"paging"`
	} `json:"results"`
	Errors []wireError `json:"errors"`
}

// readChunk reads one page for each id index in chunk and records, per
// index, the records read, its error, and whether another page follows.
func (s *AssociationsService) readChunk(ctx context.Context, call opCall, chunk []int, uniq, after []string, more []bool, items []AssociationReadItem) {
	type input struct {
		ID    string `json:"id"`
		After string `json:"after,omitempty"`
	}
	inputs := make([]input, len(chunk))
	byID := make(map[string][]int, len(chunk)) // "7" and "07" are one record
	for k, i := range chunk {
		inputs[k] = input{ID: uniq[i], After: after[i]}
		byID[idKey(uniq[i])] = append(byID[idKey(uniq[i])], i)
	}
	body := struct {
		Inputs []input `json:"inputs"`
	}{inputs}
	var w wireAssocRead
	status, err := s.client.do(ctx, call, nil, body, &w)
	if err != nil {
		for _, i := range chunk {
			items[i].Err = err
		}
		return
	}
	done := make(map[int]bool, len(chunk))
	for _, r := range w.Results {
		for _, i := range byID[idKey(r.From.ID)] {
			if done[i] {
				continue
			}
			done[i] = true
			items[i].To = append(items[i].To, r.To...)
			if r.Paging == nil || r.Paging.Next == nil || r.Paging.Next.After == "" {
				continue
			}
			if r.Paging.Next.After == after[i] {
				items[i].Err = fmt.Errorf("hubspot: associations batch read returned the cursor it was given for %s; stopping to avoid a loop", uniq[i])
				continue
			}
			after[i], more[i] = r.Paging.Next.After, true
		}
	}
	var general error
	for k := range w.Errors {
		e := w.Errors[k].toError(status, call.method, call.path)
		named := false
		for _, key := range []string{"fromObjectId", "ids"} {
			for _, id := range e.Context[key] {
				for _, i := range byID[idKey(id)] {
					named = true
					if done[i] {
						continue
					}
					done[i] = true
					if e.SubCategory != noAssociationsFound {
						items[i].Err = e
					}
				}
			}
		}
		if !named && general == nil {
			general = e
		}
	}
	for _, i := range chunk {
		if done[i] {
			continue
		}
		if general != nil {
			items[i].Err = general
		} else {
			items[i].Err = ErrNotInResponse
		}
	}
}

// BatchCreate creates associations, sending them in chunks of
// MaxAssociationBatchCreate, and accounts for every input: HubSpot's 207
// partial failures are matched to their inputs by record IDs. Creating a
// link that exists is harmless, so chunks are retried like reads. When an
// input failed, the error is a *BatchError alongside the result.
//
// HubSpot: POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/create.
func (s *AssociationsService) BatchCreate(ctx context.Context, fromType, toType string, inputs []AssociationBatchInput) (*AssociationBatchResult, error) {
	what := fromType + " to " + toType + " associations batch create"
	if err := checkObjectTypes("associations BatchCreate", fromType, toType); err != nil {
		return nil, err
	}
	for i, in := range inputs {
		if err := checkPairIDs(fmt.Sprintf("associations BatchCreate: input %d", i), in.FromID, in.ToID); err != nil {
			return nil, err
		}
		if len(in.Types) == 0 {
			return nil, errorf("associations BatchCreate: input %d (%s to %s) has no association types", i, in.FromID, in.ToID)
		}
		for j, t := range in.Types {
			if err := checkAssocType(fmt.Sprintf("associations BatchCreate: input %d type %d", i, j), t); err != nil {
				return nil, err
			}
		}
	}
	type ref struct {
		ID string `json:"id"`
	}
	type wireIn struct {
		From  ref               `json:"from"`
		To    ref               `json:"to"`
		Types []AssociationType `json:"types"`
	}
	op := assocBatchOp{
		op: opAssocBatchCreate, n: len(inputs), size: MaxAssociationBatchCreate,
		body: func(lo, hi int) any {
			in := make([]wireIn, 0, hi-lo)
			for _, x := range inputs[lo:hi] {
				in = append(in, wireIn{From: ref{x.FromID}, To: ref{x.ToID}, Types: x.Types})
			}
			return struct {
				Inputs []wireIn `json:"inputs"`
			}{in}
		},
		from: func(i int) string { return inputs[i].FromID },
		to:   func(i int) []string { return []string{inputs[i].ToID} },
	}
	return s.client.runAssocBatch(ctx, what, pairParams(fromType, toType), op)
}

// BatchArchive removes associations, every link from each input's record
// to each of its ToIDs, sending inputs in chunks of
// MaxAssociationBatchArchive. Removing links that do not exist is not an
// error, so chunks are retried like reads. When an input failed, the error
// is a *BatchError alongside the result.
//
// HubSpot: POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/archive.
func (s *AssociationsService) BatchArchive(ctx context.Context, fromType, toType string, inputs []AssociationArchiveInput) (*AssociationBatchResult, error) {
	what := fromType + " to " + toType + " associations batch archive"
	if err := checkObjectTypes("associations BatchArchive", fromType, toType); err != nil {
		return nil, err
	}
	for i, in := range inputs {
		if in.FromID == "" {
			return nil, errorf("associations BatchArchive: input %d: the from record id is empty", i)
		}
		if len(in.ToIDs) == 0 {
			return nil, errorf("associations BatchArchive: input %d (%s) has no to record ids", i, in.FromID)
		}
		for j, id := range in.ToIDs {
			if id == "" {
				return nil, errorf("associations BatchArchive: input %d (%s): to record id %d is empty", i, in.FromID, j)
			}
		}
	}
	type ref struct {
		ID string `json:"id"`
	}
	type wireIn struct {
		From ref   `json:"from"`
		To   []ref `json:"to"`
	}
	op := assocBatchOp{
		op: opAssocBatchArchive, n: len(inputs), size: MaxAssociationBatchArchive, archive: true,
		body: func(lo, hi int) any {
			in := make([]wireIn, 0, hi-lo)
			for _, x := range inputs[lo:hi] {
				to := make([]ref, len(x.ToIDs))
				for j, id := range x.ToIDs {
					to[j] = ref{id}
				}
				in = append(in, wireIn{From: ref{x.FromID}, To: to})
			}
			return struct {
				Inputs []wireIn `json:"inputs"`
			}{in}
		},
		from: func(i int) string { return inputs[i].FromID },
		to:   func(i int) []string { return inputs[i].ToIDs },
	}
	return s.client.runAssocBatch(ctx, what, pairParams(fromType, toType), op)
}

// assocBatchOp describes a batch create or archive to runAssocBatch.
type assocBatchOp struct {
	op      *endpoints.Op
	n, size int
	archive bool // success is 204 with no body
	// body builds the request body of inputs [lo, hi).
	body func(lo, hi int) any
	// from and to return input i's record IDs, to match HubSpot's answers.
	from func(i int) string
	to   func(i int) []string
}

type wireAssocBatch struct {
	Results []AssociationPair `json:"results"`
	Errors  []wireError       `json:"errors"`
}

func (c *Client) runAssocBatch(ctx context.Context, what string, params map[string]string, op assocBatchOp) (*AssociationBatchResult, error) {
	if ctx == nil {
		return nil, errors.New("hubspot: nil context")
	}
	call, err := c.prepare(op.op, params)
	if err != nil {
		return nil, err
	}
	res := &AssociationBatchResult{Items: make([]AssociationBatchItem, op.n)}
	c.eachChunk(ctx, op.n, op.size,
		func(lo, hi int) { c.assocChunk(ctx, op, call, lo, hi, res.Items[lo:hi]) },
		func(lo, hi int, err error) {
			for i := lo; i < hi; i++ {
				res.Items[i] = AssociationBatchItem{Err: err}
			}
		})
	return res, batchErrorOf(what, op.n, func(i int) error { return res.Items[i].Err })
}

// assocChunk sends inputs [lo, hi) and fills items (items[k] is input
// lo+k).
func (c *Client) assocChunk(ctx context.Context, op assocBatchOp, call opCall, lo, hi int, items []AssociationBatchItem) {
	var w wireAssocBatch
	status, err := c.do(ctx, call, nil, op.body(lo, hi), &w)
	if err != nil {
		for k := range items {
			items[k] = AssociationBatchItem{Err: err}
		}
		return
	}
	if op.archive && len(w.Errors) == 0 {
		// 204, or a 2xx body that reports no failure.
		return
	}
	pair := func(from, to string) string { return idKey(from) + "\x00" + idKey(to) }
	byPair := make(map[string][]int, hi-lo)
	for i := lo; i < hi; i++ {
		for _, to := range op.to(i) {
			k := pair(op.from(i), to)
			byPair[k] = append(byPair[k], i-lo)
		}
	}
	done := make([]bool, len(items))
	for _, r := range w.Results {
		for _, k := range byPair[pair(r.FromObjectID, r.ToObjectID)] {
			if !done[k] {
				done[k] = true
				items[k] = AssociationBatchItem{Pair: r}
			}
		}
	}
	var general error
	for j := range w.Errors {
		e := w.Errors[j].toError(status, call.method, call.path)
		froms, tos := e.Context["fromObjectId"], e.Context["toObjectId"]
		if len(froms) == 0 && len(tos) == 0 {
			if general == nil {
				general = e
			}
			continue
		}
		for k := range items {
			i := lo + k
			if len(froms) > 0 && !containsKey(froms, op.from(i)) {
				continue
			}
			if len(tos) > 0 && !containsAnyKey(tos, op.to(i)) {
				continue
			}
			// An error overrides a result only if no result names the
			// input: HubSpot reports each pair once.
			if !done[k] {
				done[k] = true
				items[k] = AssociationBatchItem{Err: e}
			}
		}
	}
	for k := range items {
		switch {
		case done[k]:
		case general != nil:
			items[k] = AssociationBatchItem{Err: general}
		case op.archive:
			// Archives report failures only; an input not named succeeded.
		default:
			items[k] = AssociationBatchItem{Err: ErrNotInResponse}
		}
	}
}

// idKey is the match key of a record ID: its number without leading zeros,
// or the normalized text of an ID that is not a number.
func idKey(s string) string {
	if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
		return strconv.FormatInt(n, 10)
	}
	return normKey(s)
}

func containsKey(list []string, s string) bool {
	s = idKey(s)
	for _, x := range list {
		if idKey(x) == s {
			return true
		}
	}
	return false
}

func containsAnyKey(list, ss []string) bool {
	for _, s := range ss {
		if containsKey(list, s) {
			return true
		}
	}
	return false
}

// eachChunk calls send(lo, hi) for the chunks of n inputs of at most size,
// with at most c.batchConc in flight, and returns when all are done. A
// chunk that cannot start because ctx ended gets fail(lo, hi, ctx.Err()).
func (c *Client) eachChunk(ctx context.Context, n, size int, send func(lo, hi int), fail func(lo, hi int, err error)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, c.batchConc)
	for lo := 0; lo < n; lo += size {
		hi := min(lo+size, n)
		acquired := false
		select {
		case sem <- struct{}{}:
			acquired = true
		case <-ctx.Done():
		}
		if err := ctx.Err(); err != nil {
			if acquired {
				<-sem
			}
			fail(lo, hi, err)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			send(lo, hi)
		}()
	}
	wg.Wait()
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
