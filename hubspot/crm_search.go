package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"unicode/utf8"
)

// A search request is checked against HubSpot's documented limits before
// it is sent (a page of at most 200; 5 filter groups, 10 filters per group
// and 25 in all, the larger numbers of HubSpot's 2024-08-26 changelog entry
// "Expanded Filtering Capabilities and Error Messaging in HubSpot's Search
// API", where some guide pages quote 6 and 18; a body of at most 3,000
// characters), so that a request HubSpot would answer with a 400 fails here
// with an error that names the limit it broke.

// ErrSearchCeiling is returned (wrapped) when a search would page past
// HubSpot's 10,000-result ceiling; SearchAllByID reads past it.
var ErrSearchCeiling = errors.New("hubspot: HubSpot's CRM search returns at most the first 10,000 results of a query")

// Operator is a search filter operator.
type Operator string

// The filter operators HubSpot's CRM search documents.
const (
	EQ               Operator = "EQ"                 // equal to Value
	NEQ              Operator = "NEQ"                // not equal to Value
	LT               Operator = "LT"                 // less than Value
	LTE              Operator = "LTE"                // less than or equal to Value
	GT               Operator = "GT"                 // greater than Value
	GTE              Operator = "GTE"                // greater than or equal to Value
	Between          Operator = "BETWEEN"            // between Value and HighValue, inclusive
	In               Operator = "IN"                 // one of Values
	NotIn            Operator = "NOT_IN"             // none of Values
	HasProperty      Operator = "HAS_PROPERTY"       // has any value
	NotHasProperty   Operator = "NOT_HAS_PROPERTY"   // has no value
	ContainsToken    Operator = "CONTAINS_TOKEN"     // contains the token Value (wildcards allowed)
	NotContainsToken Operator = "NOT_CONTAINS_TOKEN" // does not contain the token Value
)

// Filter is one condition of a search.
type Filter struct {
	PropertyName string   `json:"propertyName"`
	Operator     Operator `json:"operator"`
	Value        string   `json:"value,omitempty"`
	HighValue    string   `json:"highValue,omitempty"`
	Values       []string `json:"values,omitempty"`
}

// FilterGroup is a set of filters that must all match (AND). A record
// matches a search when it matches any of its groups (OR).
type FilterGroup struct {
	Filters []Filter `json:"filters"`
}

// SortDirection orders search results.
type SortDirection string

// Sort directions.
const (
	Ascending  SortDirection = "ASCENDING"
	Descending SortDirection = "DESCENDING"
)

// Sort orders search results by a property.
type Sort struct {
	PropertyName string        `json:"propertyName"`
	Direction    SortDirection `json:"direction,omitempty"`
}

// SearchRequest is a CRM search.
type SearchRequest struct {
	// Query searches the object's default text properties.
	Query        string        `json:"query,omitempty"`
	FilterGroups []FilterGroup `json:"filterGroups,omitempty"`
	Sorts        []Sort        `json:"sorts,omitempty"`
	// Properties to return; the object's default set when empty.
	Properties []string `json:"properties,omitempty"`
	// Limit is the page size, at most 200 (HubSpot's default, 10, when
	// 0).
	Limit int `json:"limit,omitempty"`
	// After is the cursor of the page to return (from SearchPage.After).
	After string `json:"after,omitempty"`
}

// SearchPage is one page of search results.
type SearchPage struct {
	// Total is how many records match, which may exceed the 10,000 a
	// query can page through.
	Total   int
	Results []Object
	// After is the cursor of the next page; "" on the last page.
	After string
}

// Eq, Neq, ... build filters. Values are strings as HubSpot takes them; use
// TimeValue for datetimes and strconv for numbers.

// Eq is a filter: name equals v.
func Eq(name, v string) Filter { return Filter{PropertyName: name, Operator: EQ, Value: v} }

// Neq is a filter: name does not equal v.
func Neq(name, v string) Filter { return Filter{PropertyName: name, Operator: NEQ, Value: v} }

// Lt is a filter: name is less than v.
func Lt(name, v string) Filter { return Filter{PropertyName: name, Operator: LT, Value: v} }

// Lte is a filter: name is at most v.
func Lte(name, v string) Filter { return Filter{PropertyName: name, Operator: LTE, Value: v} }

// Gt is a filter: name is greater than v.
func Gt(name, v string) Filter { return Filter{PropertyName: name, Operator: GT, Value: v} }

// Gte is a filter: name is at least v.
func Gte(name, v string) Filter { return Filter{PropertyName: name, Operator: GTE, Value: v} }

// InRange is a filter: name is between low and high, inclusive (BETWEEN).
func InRange(name, low, high string) Filter {
	return Filter{PropertyName: name, Operator: Between, Value: low, HighValue: high}
}

// OneOf is a filter: name is one of vals (IN).
func OneOf(name string, vals ...string) Filter {
	return Filter{PropertyName: name, Operator: In, Values: vals}
}

// NoneOf is a filter: name is none of vals (NOT_IN).
func NoneOf(name string, vals ...string) Filter {
	return Filter{PropertyName: name, Operator: NotIn, Values: vals}
}

// Has is a filter: name has a value (HAS_PROPERTY).
func Has(name string) Filter { return Filter{PropertyName: name, Operator: HasProperty} }

// HasNot is a filter: name has no value (NOT_HAS_PROPERTY).
func HasNot(name string) Filter { return Filter{PropertyName: name, Operator: NotHasProperty} }

// Contains is a filter: name contains the token v (CONTAINS_TOKEN).
func Contains(name, v string) Filter {
	return Filter{PropertyName: name, Operator: ContainsToken, Value: v}
}

// NotContains is a filter: name does not contain the token v.
func NotContains(name, v string) Filter {
	return Filter{PropertyName: name, Operator: NotContainsToken, Value: v}
}

// validate checks r against HubSpot's documented rules and limits and
// returns its JSON body. Errors match ErrValidation (and ErrSearchCeiling
// for a cursor past the 10,000th result).
func (r *SearchRequest) validate() ([]byte, error) {
	if r.Limit < 0 || r.Limit > opObjectsSearch.Limits.Page {
		return nil, errorf("search: Limit must be between 1 and %d (0 for HubSpot's default), got %d", opObjectsSearch.Limits.Page, r.Limit)
	}
	if len(r.FilterGroups) > opObjectsSearch.Limits.FilterGroups {
		return nil, errorf("search: %d filter groups; HubSpot allows at most %d", len(r.FilterGroups), opObjectsSearch.Limits.FilterGroups)
	}
	total := 0
	for gi, g := range r.FilterGroups {
		if len(g.Filters) == 0 {
			return nil, errorf("search: filter group %d is empty", gi)
		}
		if len(g.Filters) > opObjectsSearch.Limits.GroupFilters {
			return nil, errorf("search: filter group %d has %d filters; HubSpot allows at most %d per group", gi, len(g.Filters), opObjectsSearch.Limits.GroupFilters)
		}
		total += len(g.Filters)
		for fi, f := range g.Filters {
			if err := f.validate(); err != nil {
				return nil, errorf("search: filter group %d, filter %d: %v", gi, fi, err)
			}
		}
	}
	if total > opObjectsSearch.Limits.Filters {
		return nil, errorf("search: %d filters in all; HubSpot allows at most %d across all groups", total, opObjectsSearch.Limits.Filters)
	}
	for i, s := range r.Sorts {
		if s.PropertyName == "" {
			return nil, errorf("search: sort %d has no property name", i)
		}
		if s.Direction != "" && s.Direction != Ascending && s.Direction != Descending {
			return nil, errorf("search: sort %d: direction %q is neither ASCENDING nor DESCENDING", i, s.Direction)
		}
	}
	if r.After != "" {
		n, err := strconv.Atoi(r.After)
		if err != nil || n < 0 {
			return nil, errorf("search: After %q is not a search cursor (a non-negative number)", r.After)
		}
		if n >= opObjectsSearch.Limits.Total {
			return nil, fmt.Errorf("%w: the cursor %d is past it; narrow the filters (for example hs_object_id > the last ID seen, sorted by hs_object_id) and search again", ErrSearchCeiling, n)
		}
	}
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("hubspot: encoding the search: %w", err)
	}
	if n := utf8.RuneCount(body); n > opObjectsSearch.Limits.Body {
		return nil, errorf("search: the request body is %d characters; HubSpot allows at most %d (use fewer filters, values or properties)", n, opObjectsSearch.Limits.Body)
	}
	return body, nil
}

func (f Filter) validate() error {
	if f.PropertyName == "" {
		return errors.New("no property name")
	}
	switch f.Operator {
	case EQ, NEQ, LT, LTE, GT, GTE, ContainsToken, NotContainsToken:
		if f.Value == "" {
			return fmt.Errorf("operator %s on %q needs a Value", f.Operator, f.PropertyName)
		}
		if len(f.Values) > 0 || f.HighValue != "" {
			return fmt.Errorf("operator %s on %q takes only Value", f.Operator, f.PropertyName)
		}
	case Between:
		if f.Value == "" || f.HighValue == "" {
			return fmt.Errorf("operator BETWEEN on %q needs Value and HighValue", f.PropertyName)
		}
	case In, NotIn:
		if len(f.Values) == 0 {
			return fmt.Errorf("operator %s on %q needs Values", f.Operator, f.PropertyName)
		}
		if f.Value != "" {
			return fmt.Errorf("operator %s on %q takes Values, not Value", f.Operator, f.PropertyName)
		}
	case HasProperty, NotHasProperty:
		if f.Value != "" || f.HighValue != "" || len(f.Values) > 0 {
			return fmt.Errorf("operator %s on %q takes no value", f.Operator, f.PropertyName)
		}
	case "":
		return fmt.Errorf("filter on %q has no operator", f.PropertyName)
	default:
		return fmt.Errorf("unknown operator %q on %q", f.Operator, f.PropertyName)
	}
	return nil
}

type wireSearchPage struct {
	Total   int      `json:"total"`
	Results []Object `json:"results"`
	Paging  *Paging  `json:"paging"`
}

// Search returns one page of the records that match r. HubSpot's documented
// rules and limits (page size, filter groups and filters, body size, the
// 10,000-result ceiling) are checked before anything is sent; an error
// matches ErrValidation, or ErrSearchCeiling. Search requests have their own
// rate limit (LimitSearch()) and are retried like reads.
//
// HubSpot: POST /crm/v3/objects/{objectType}/search.
func (s *ObjectService) Search(ctx context.Context, r *SearchRequest) (*SearchPage, error) {
	if s.err != nil {
		return nil, s.err
	}
	if r == nil {
		r = &SearchRequest{}
	}
	body, err := r.validate()
	if err != nil {
		return nil, err
	}
	var p wireSearchPage
	if _, err := s.client.call(ctx, opObjectsSearch, s.typeParams, nil, body, &p); err != nil {
		return nil, err
	}
	page := &SearchPage{Total: p.Total, Results: p.Results}
	if p.Paging != nil && p.Paging.Next != nil {
		page.After = p.Paging.Next.After
	}
	return page, nil
}

// SearchAll returns every record that matches r, fetching pages lazily (one
// page in memory at a time). r.Limit is the page size (200, the largest, when
// 0). HubSpot pages through at most 10,000 results of one query: when more
// match, the loop yields the first 10,000 and then an error wrapping
// ErrSearchCeiling rather than HubSpot's bare 400 (SearchAllByID reads
// them all). The loop ends on break,
// and with a final error when a page fails or ctx ends.
func (s *ObjectService) SearchAll(ctx context.Context, r *SearchRequest) iter.Seq2[Object, error] {
	var q SearchRequest
	if r != nil {
		q = *r
	}
	if q.Limit == 0 {
		q.Limit = opObjectsSearch.Limits.Page
	}
	return paginate(ctx, s.objectType+" search", q.After, func(after string) (pageOf[Object], error) {
		req := q
		req.After = after
		page, err := s.Search(ctx, &req)
		if err != nil {
			return pageOf[Object]{}, err
		}
		p := pageOf[Object]{items: page.Results, next: page.After}
		if n, err := strconv.Atoi(page.After); err == nil && n >= opObjectsSearch.Limits.Total {
			p.next = "" // HubSpot serves nothing past the ceiling
			if page.Total > n {
				p.end = fmt.Errorf("%w: %d records match and the first %d were returned; SearchAllByID reads them all, or narrow the filters", ErrSearchCeiling, page.Total, n)
			}
		}
		return p, nil
	})
}

// objectIDProperty is the property SearchAllByID anchors on: the record
// ID, which HubSpot sorts and compares as a number.
const objectIDProperty = "hs_object_id"

// SearchAllByID returns every record that matches r, however many: unlike
// SearchAll it does not stop at HubSpot's 10,000-result ceiling. It sorts
// by hs_object_id ascending and, instead of paging with HubSpot's cursor,
// asks each next page with a filter hs_object_id > the last ID seen added
// to every filter group (the way through the ceiling that HubSpot's search
// guide documents). So records are yielded in ID order, each once, even
// when records are created or deleted while the loop runs, which shifts
// HubSpot's offset cursors; a record created during the loop is yielded
// when its ID is above the last one seen.
//
// r must not set Sorts (other than hs_object_id ascending) or After, and
// the added filter must fit HubSpot's filter limits: each filter group
// may hold at most 9 filters of its own (HubSpot allows 10 per group),
// and all groups together at most 25 less the number of groups. A request
// that breaks a rule fails before anything is sent, with an error
// matching ErrValidation that says which. r.Limit is the page size (200,
// the largest, when 0). Pages are fetched lazily, one in memory at a
// time; the loop ends on break, and with a final error when a page fails
// or ctx ends.
//
// HubSpot: POST /crm/v3/objects/{objectType}/search (https://developers.hubspot.com/docs/api-reference/search/guide).
func (s *ObjectService) SearchAllByID(ctx context.Context, r *SearchRequest) iter.Seq2[Object, error] {
	var q SearchRequest
	if r != nil {
		q = *r
	}
	if q.Limit == 0 {
		q.Limit = opObjectsSearch.Limits.Page
	}
	if err := q.checkAnchorable(); err != nil {
		return func(yield func(Object, error) bool) { yield(Object{}, err) }
	}
	q.Sorts = []Sort{{PropertyName: objectIDProperty, Direction: Ascending}}
	what := s.objectType + " search by ID"
	return paginate(ctx, what, "", func(last string) (pageOf[Object], error) {
		req := q
		if last != "" {
			req.FilterGroups = anchored(q.FilterGroups, last)
		}
		page, err := s.Search(ctx, &req)
		if err != nil {
			return pageOf[Object]{}, err
		}
		p := pageOf[Object]{items: page.Results}
		if page.After == "" || len(page.Results) == 0 {
			return p, nil
		}
		next := page.Results[len(page.Results)-1].ID
		if !idAfter(next, last) {
			p.end = fmt.Errorf("hubspot: %s: the page after ID %q ends at ID %q, not above it; HubSpot did not sort by %s, stopping to avoid a loop", what, last, next, objectIDProperty)
			return p, nil
		}
		p.next = next
		return p, nil
	})
}

// checkAnchorable reports why SearchAllByID cannot run r, or checks r,
// with the anchor filter added, against HubSpot's limits.
func (r *SearchRequest) checkAnchorable() error {
	if r.After != "" {
		return errorf("search by ID: After must be empty: SearchAllByID pages by %s itself", objectIDProperty)
	}
	for i, s := range r.Sorts {
		if len(r.Sorts) > 1 || s.PropertyName != objectIDProperty || s.Direction == Descending {
			return errorf("search by ID: sort %d (%s %s): SearchAllByID sorts by %s ascending and cannot re-anchor a search sorted otherwise; use SearchAll, which stops at %d results", i, s.PropertyName, s.Direction, objectIDProperty, opObjectsSearch.Limits.Total)
		}
	}
	lim := opObjectsSearch.Limits
	total := 0
	for gi, g := range r.FilterGroups {
		if len(g.Filters) >= lim.GroupFilters {
			return errorf("search by ID: filter group %d has %d filters; SearchAllByID adds an %s filter to every group and HubSpot allows at most %d per group, so a group may hold at most %d", gi, len(g.Filters), objectIDProperty, lim.GroupFilters, lim.GroupFilters-1)
		}
		total += len(g.Filters)
	}
	if n := len(r.FilterGroups); n > 0 && total+n > lim.Filters {
		return errorf("search by ID: %d filters in %d groups; SearchAllByID adds an %s filter to every group, making %d, and HubSpot allows at most %d in all", total, n, objectIDProperty, total+n, lim.Filters)
	}
	// The largest request SearchAllByID sends: every check of Search,
	// the body size among them, with the longest ID HubSpot issues.
	probe := *r
	probe.Sorts = []Sort{{PropertyName: objectIDProperty, Direction: Ascending}}
	probe.FilterGroups = anchored(r.FilterGroups, "18446744073709551615")
	_, err := probe.validate()
	return err
}

// anchored returns groups, or one group when there are none, each with the
// filter hs_object_id > last added.
func anchored(groups []FilterGroup, last string) []FilterGroup {
	gt := Gt(objectIDProperty, last)
	if len(groups) == 0 {
		return []FilterGroup{{Filters: []Filter{gt}}}
	}
	out := make([]FilterGroup, len(groups))
	for i, g := range groups {
		out[i].Filters = append(slices.Clip(g.Filters), gt)
	}
	return out
}

// idAfter reports whether record ID a is above b (any ID is above "").
func idAfter(a, b string) bool {
	if b == "" {
		return true
	}
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	return errA == nil && errB == nil && x > y
}
