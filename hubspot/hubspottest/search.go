package hubspottest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// HubSpot's CRM search limits, which the server enforces.
const (
	// MaxSearchLimit is the largest page a search may ask for.
	MaxSearchLimit = 200
	// MaxSearchFilterGroups is the most filter groups in one search.
	MaxSearchFilterGroups = 5
	// MaxSearchFiltersPerGroup is the most filters in one group.
	MaxSearchFiltersPerGroup = 10
	// MaxSearchFilters is the most filters across all groups.
	MaxSearchFilters = 25
	// MaxSearchBody is the longest search request body, in characters.
	MaxSearchBody = 3000
	// MaxSearchResults is how deep a search can page: results past this
	// position are never returned, and an after at or beyond it is a 400.
	MaxSearchResults = 10000
)

// searchable are the properties a search "query" looks in, per type.
var searchable = map[string][]string{
	"contacts":   {"firstname", "lastname", "email", "phone", "mobilephone", "company", "hs_additional_emails", "fax"},
	"companies":  {"name", "domain", "website", "phone"},
	"deals":      {"dealname", "pipeline", "dealstage", "description", "dealtype"},
	"tickets":    {"subject", "content", "hs_pipeline_stage", "hs_ticket_category", "hs_ticket_id"},
	"products":   {"name", "description", "price", "hs_sku"},
	"line_items": {"name", "description", "price", "quantity", "hs_sku"},
	"quotes":     {"hs_title", "hs_sender_firstname", "hs_sender_lastname", "hs_sender_company_name", "hs_sender_email", "hs_quote_number", "hs_proposal_slug", "hs_public_url_key"},
}

type searchFilter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        any      `json:"value"`
	HighValue    any      `json:"highValue"`
	Values       []any    `json:"values"`
	values       []string // Values as strings
	value, high  string
}

type searchSort struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"`
}

// UnmarshalJSON accepts a sort as an object or as a property name string,
// "-name" meaning descending.
func (s *searchSort) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err == nil {
		if n, ok := strings.CutPrefix(name, "-"); ok {
			*s = searchSort{PropertyName: n, Direction: "DESCENDING"}
		} else {
			*s = searchSort{PropertyName: name, Direction: "ASCENDING"}
		}
		return nil
	}
	type plain searchSort
	return json.Unmarshal(b, (*plain)(s))
}

type searchBody struct {
	FilterGroups []struct {
		Filters []searchFilter `json:"filters"`
	} `json:"filterGroups"`
	Sorts      []searchSort `json:"sorts"`
	Query      string       `json:"query"`
	Properties []string     `json:"properties"`
	Limit      *int         `json:"limit"`
	After      any          `json:"after"`
}

var operators = []string{"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}

// scalar renders a JSON scalar as HubSpot compares it.
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func (q *request) search() {
	if !q.readBody() {
		return
	}
	lim := q.op.Limits
	if n := utf8.RuneCount(q.body); n > lim.Body {
		q.fail(validationError(q.corr, fmt.Sprintf("The search request body is %d characters; the maximum is %d.", n, lim.Body),
			errorDetail{Message: fmt.Sprintf("request body exceeds %d characters", lim.Body), Code: "TOO_LONG", In: "body"}))
		return
	}
	var body searchBody
	if len(strings.TrimSpace(string(q.body))) == 0 {
		q.body = []byte("{}")
	}
	if !q.decode(&body) {
		return
	}
	limit := 10
	if body.Limit != nil {
		limit = *body.Limit
	}
	var offset int
	if s, ok := scalar(body.After); ok && s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			q.fail(validationError(q.corr, fmt.Sprintf("after %q is not a paging cursor this endpoint issued.", s), errorDetail{Message: "invalid after", Code: "INVALID_AFTER", In: "after"}))
			return
		}
		offset = n
	}
	if e := q.checkSearch(&body, limit, offset); e != nil {
		q.fail(e)
		return
	}

	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.tableLocked(q.objectType)
	var matches []*record
	for _, id := range t.ids {
		r := t.byID[id]
		if !r.archived && matchesSearch(r, &body, q.objectType) {
			matches = append(matches, r)
		}
	}
	sortRecords(matches, body.Sorts)

	out := struct {
		Total   int         `json:"total"`
		Results []objectOut `json:"results"`
		Paging  *pagingOut  `json:"paging,omitempty"`
	}{Total: len(matches), Results: []objectOut{}}
	end := min(offset+limit, len(matches), lim.Total)
	o := readOpts{props: body.Properties}
	if len(o.props) == 0 {
		o.props = nil
	}
	for i := offset; i < end; i++ {
		out.Results = append(out.Results, q.render(matches[i], o))
	}
	if end < len(matches) {
		out.Paging = &pagingOut{Next: &nextOut{After: strconv.Itoa(end)}}
	}
	q.reply(http.StatusOK, out)
}

// checkSearch applies HubSpot's limits and validates filters.
func (q *request) checkSearch(b *searchBody, limit, offset int) *apiError {
	lim := q.op.Limits
	bad := func(in, msg string) *apiError {
		return validationError(q.corr, msg, errorDetail{Message: msg, Code: "INVALID_SEARCH", In: in})
	}
	switch {
	case limit < 0:
		return bad("limit", fmt.Sprintf("limit %d must not be negative.", limit))
	case limit > lim.Page:
		return bad("limit", fmt.Sprintf("limit %d exceeds the maximum of %d.", limit, lim.Page))
	case offset >= lim.Total:
		return bad("after", fmt.Sprintf("Search results are limited to %d; after=%d pages beyond them. Narrow the search instead of paging deeper.", lim.Total, offset))
	case len(b.FilterGroups) > lim.FilterGroups:
		return bad("filterGroups", fmt.Sprintf("%d filter groups exceed the maximum of %d.", len(b.FilterGroups), lim.FilterGroups))
	}
	total := 0
	for gi := range b.FilterGroups {
		g := &b.FilterGroups[gi]
		if len(g.Filters) > lim.GroupFilters {
			return bad("filterGroups", fmt.Sprintf("filter group %d has %d filters; the maximum is %d.", gi, len(g.Filters), lim.GroupFilters))
		}
		total += len(g.Filters)
		for fi := range g.Filters {
			f := &g.Filters[fi]
			where := fmt.Sprintf("filterGroups[%d].filters[%d]", gi, fi)
			if f.PropertyName == "" {
				return bad(where, where+": propertyName is required.")
			}
			if !slices.Contains(operators, f.Operator) {
				return bad(where, fmt.Sprintf("%s: unknown operator %q; expected one of %s.", where, f.Operator, strings.Join(operators, ", ")))
			}
			f.value, _ = scalar(f.Value)
			f.high, _ = scalar(f.HighValue)
			for _, v := range f.Values {
				s, ok := scalar(v)
				if !ok {
					return bad(where, where+": values must be strings, numbers or booleans.")
				}
				f.values = append(f.values, s)
			}
			switch f.Operator {
			case "HAS_PROPERTY", "NOT_HAS_PROPERTY":
			case "IN", "NOT_IN":
				if len(f.values) == 0 {
					return bad(where, fmt.Sprintf("%s: operator %s needs values.", where, f.Operator))
				}
			case "BETWEEN":
				if _, ok := scalar(f.Value); !ok {
					return bad(where, where+": operator BETWEEN needs value and highValue.")
				}
				if _, ok := scalar(f.HighValue); !ok {
					return bad(where, where+": operator BETWEEN needs value and highValue.")
				}
			default:
				if _, ok := scalar(f.Value); !ok {
					return bad(where, fmt.Sprintf("%s: operator %s needs a value.", where, f.Operator))
				}
			}
		}
	}
	if total > lim.Filters {
		return bad("filterGroups", fmt.Sprintf("%d filters exceed the maximum of %d across all filter groups.", total, lim.Filters))
	}
	for i, s := range b.Sorts {
		if s.PropertyName == "" {
			return bad("sorts", fmt.Sprintf("sorts[%d]: propertyName is required.", i))
		}
		if s.Direction != "" && s.Direction != "ASCENDING" && s.Direction != "DESCENDING" {
			return bad("sorts", fmt.Sprintf("sorts[%d]: direction %q must be ASCENDING or DESCENDING.", i, s.Direction))
		}
	}
	return nil
}

// matchesSearch reports whether r passes the query and any filter group
// (groups are ORed, filters within a group ANDed).
func matchesSearch(r *record, b *searchBody, objectType string) bool {
	if q := strings.TrimSpace(b.Query); q != "" && !matchesQuery(r, q, objectType) {
		return false
	}
	if len(b.FilterGroups) == 0 {
		return true
	}
	for _, g := range b.FilterGroups {
		ok := true
		for i := range g.Filters {
			if !matchesFilter(r, &g.Filters[i]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// matchesQuery reports whether every word of q appears in one of the
// type's searchable properties (case-insensitive).
func matchesQuery(r *record, q, objectType string) bool {
	props, ok := searchable[objectType]
	if !ok {
		for k := range r.props {
			props = append(props, k)
		}
	}
	for _, word := range strings.Fields(strings.ToLower(q)) {
		found := false
		for _, p := range props {
			if strings.Contains(strings.ToLower(r.props[p]), word) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func matchesFilter(r *record, f *searchFilter) bool {
	v, has := r.props[f.PropertyName]
	has = has && v != ""
	switch f.Operator {
	case "HAS_PROPERTY":
		return has
	case "NOT_HAS_PROPERTY":
		return !has
	case "EQ":
		return has && equalValues(v, f.value)
	case "NEQ":
		return !has || !equalValues(v, f.value)
	case "IN":
		return has && slices.ContainsFunc(f.values, func(x string) bool { return equalValues(v, x) })
	case "NOT_IN":
		return !has || !slices.ContainsFunc(f.values, func(x string) bool { return equalValues(v, x) })
	case "CONTAINS_TOKEN":
		return has && containsToken(v, f.value)
	case "NOT_CONTAINS_TOKEN":
		return !has || !containsToken(v, f.value)
	}
	if !has {
		return false
	}
	c := compareValues(v, f.value)
	switch f.Operator {
	case "LT":
		return c < 0
	case "LTE":
		return c <= 0
	case "GT":
		return c > 0
	case "GTE":
		return c >= 0
	case "BETWEEN":
		return c >= 0 && compareValues(v, f.high) <= 0
	}
	return false
}

func equalValues(a, b string) bool { return compareValues(a, b) == 0 }

// compareValues compares a property value with a filter value as HubSpot
// does: as numbers when both are numbers, as instants when both are dates
// (epoch milliseconds or ISO 8601), otherwise as case-insensitive strings.
func compareValues(a, b string) int {
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	if ta, ok := parseTimeValue(a); ok {
		if tb, ok := parseTimeValue(b); ok {
			return ta.Compare(tb)
		}
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

// containsToken reports whether a word of v (split on white space), or v
// itself, matches pattern, where "*" in the pattern matches any run of
// characters; case does not matter.
func containsToken(v, pattern string) bool {
	pattern, v = strings.ToLower(pattern), strings.ToLower(v)
	if wildcard(pattern, v) {
		return true
	}
	for _, w := range strings.Fields(v) {
		if wildcard(pattern, w) {
			return true
		}
	}
	return false
}

// wildcard reports whether s matches pattern, in which "*" matches any run
// of characters (including none) and everything else matches itself.
func wildcard(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return s == pattern
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// sortRecords orders records by the sorts, then by ID; objects without a
// value for a sort property come last.
func sortRecords(rs []*record, sorts []searchSort) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		for _, s := range sorts {
			va, hasA := a.props[s.PropertyName]
			vb, hasB := b.props[s.PropertyName]
			hasA, hasB = hasA && va != "", hasB && vb != ""
			switch {
			case !hasA && !hasB:
				continue
			case !hasA:
				return false
			case !hasB:
				return true
			}
			c := compareValues(va, vb)
			if c == 0 {
				continue
			}
			if s.Direction == "DESCENDING" {
				return c > 0
			}
			return c < 0
		}
		return a.id < b.id
	})
}
