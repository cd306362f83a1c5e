package hubspot

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// ListFilterBranch is a node of a list's filter tree. HubSpot's filter
// definition is an OR branch at the root whose branches are AND branches
// holding filters; AND branches may hold further branches. Branches of
// kinds hubkey does not type (associations, NOT_ALL, ...) read from
// HubSpot keep their definition and are sent back unchanged.
type ListFilterBranch struct {
	// Type is "OR" or "AND" (filterBranchType); others are read-only.
	Type     string
	Filters  []ListFilter
	Branches []ListFilterBranch
	raw      json.RawMessage // a branch kind hubkey does not type
}

// ListFilter is one filter of an AND branch: a property and the operation
// on its value. Filters of kinds other than PROPERTY read from HubSpot
// keep their definition and are sent back unchanged.
type ListFilter struct {
	Property  string
	Operation ListOperation
	raw       json.RawMessage // a filter kind hubkey does not type
}

// ListOperation is what a property filter tests. Type is the operation
// type, which follows the property's type, and Operator one of the
// operators HubSpot documents for it (the lists API refuses others, and
// so does hubkey before sending):
//
//   - "STRING": Value; IS_EQUAL_TO, CONTAINS, STARTS_WITH, ...
//   - "MULTISTRING": Values; IS_EQUAL_TO, CONTAINS_EXACTLY, ...
//   - "NUMBER": Value, a decimal number; IS_GREATER_THAN, ...
//   - "BOOL": Value, "true" or "false"; IS_EQUAL_TO, ...
//   - "ENUMERATION": Values; IS_ANY_OF, IS_NONE_OF, ...
//   - "ALL_PROPERTY": no value; IS_KNOWN, IS_UNKNOWN.
//
// Operations of the date and range types are kept as read from HubSpot
// and sent back unchanged; hubkey does not build them.
type ListOperation struct {
	Type     string
	Operator string
	Value    string
	Values   []string
	// IncludeObjectsWithNoValueSet also matches records that have no
	// value for the property.
	IncludeObjectsWithNoValueSet bool
	raw                          json.RawMessage // an operation type hubkey does not type
}

// OrBranch returns the root of a filter tree: an OR branch of AND branches.
func OrBranch(branches ...ListFilterBranch) *ListFilterBranch {
	return &ListFilterBranch{Type: "OR", Branches: branches}
}

// AndBranch returns an AND branch of filters.
func AndBranch(filters ...ListFilter) ListFilterBranch {
	return ListFilterBranch{Type: "AND", Filters: filters}
}

// PropertyFilter returns a filter on property.
func PropertyFilter(property string, op ListOperation) ListFilter {
	return ListFilter{Property: property, Operation: op}
}

// typedOperations are the operation types hubkey builds.
var typedOperations = []string{"STRING", "MULTISTRING", "NUMBER", "BOOL", "ENUMERATION", "ALL_PROPERTY"}

type wireBranch struct {
	Type     string             `json:"filterBranchType"`
	Operator string             `json:"filterBranchOperator"`
	Branches []ListFilterBranch `json:"filterBranches"`
	Filters  []ListFilter       `json:"filters"`
}

// MarshalJSON writes the branch as HubSpot's lists API takes it.
func (b ListFilterBranch) MarshalJSON() ([]byte, error) {
	if b.raw != nil {
		return b.raw, nil
	}
	w := wireBranch{Type: b.Type, Operator: b.Type, Branches: b.Branches, Filters: b.Filters}
	if w.Branches == nil {
		w.Branches = []ListFilterBranch{}
	}
	if w.Filters == nil {
		w.Filters = []ListFilter{}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a branch as HubSpot sends it.
func (b *ListFilterBranch) UnmarshalJSON(data []byte) error {
	var head struct {
		Type string `json:"filterBranchType"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	*b = ListFilterBranch{Type: head.Type}
	if head.Type != "OR" && head.Type != "AND" {
		b.raw = slices.Clone(data)
		return nil
	}
	var w wireBranch
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	b.Branches, b.Filters = w.Branches, w.Filters
	return nil
}

type wireFilter struct {
	Type      string        `json:"filterType"`
	Property  string        `json:"property"`
	Operation ListOperation `json:"operation"`
}

// MarshalJSON writes the filter as HubSpot's lists API takes it.
func (f ListFilter) MarshalJSON() ([]byte, error) {
	if f.raw != nil {
		return f.raw, nil
	}
	return json.Marshal(wireFilter{Type: "PROPERTY", Property: f.Property, Operation: f.Operation})
}

// UnmarshalJSON reads a filter as HubSpot sends it.
func (f *ListFilter) UnmarshalJSON(data []byte) error {
	var head struct {
		Type     string `json:"filterType"`
		Property string `json:"property"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	*f = ListFilter{Property: head.Property}
	if head.Type != "PROPERTY" {
		f.raw = slices.Clone(data)
		return nil
	}
	var w wireFilter
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	f.Operation = w.Operation
	return nil
}

// MarshalJSON writes the operation with its value in the JSON type its
// operation type takes.
func (o ListOperation) MarshalJSON() ([]byte, error) {
	if o.raw != nil {
		return o.raw, nil
	}
	m := map[string]any{"operationType": o.Type, "operator": o.Operator, "includeObjectsWithNoValueSet": o.IncludeObjectsWithNoValueSet}
	switch o.Type {
	case "STRING":
		m["value"] = o.Value
	case "NUMBER":
		m["value"] = json.Number(strings.TrimSpace(o.Value))
	case "BOOL":
		m["value"] = strings.EqualFold(strings.TrimSpace(o.Value), "true")
	case "MULTISTRING", "ENUMERATION":
		vals := o.Values
		if vals == nil {
			vals = []string{}
		}
		m["values"] = vals
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads an operation as HubSpot sends it.
func (o *ListOperation) UnmarshalJSON(data []byte) error {
	var w struct {
		Type     string          `json:"operationType"`
		Operator string          `json:"operator"`
		Value    json.RawMessage `json:"value"`
		Values   []string        `json:"values"`
		Include  bool            `json:"includeObjectsWithNoValueSet"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*o = ListOperation{Type: w.Type, Operator: w.Operator, Values: w.Values, IncludeObjectsWithNoValueSet: w.Include}
	if !slices.Contains(typedOperations, w.Type) {
		o.raw = slices.Clone(data)
		return nil
	}
	if len(w.Value) > 0 && string(w.Value) != "null" {
		var s string
		if json.Unmarshal(w.Value, &s) == nil {
			o.Value = s
		} else {
			o.Value = string(w.Value) // a number or a boolean, as written
		}
	}
	return nil
}

// check validates the filter tree rooted at b before it is sent: the
// root is an OR branch with no filters of its own, its branches are AND
// branches, and every filter names a property and an operator HubSpot
// documents for its operation type, with a value of the right kind.
// Parts read from HubSpot that hubkey does not type are not checked.
func (b *ListFilterBranch) check(what string) error {
	if b.raw != nil {
		return nil
	}
	if b.Type != "OR" {
		return errorf("%s: the root filter branch is %q; HubSpot requires an OR branch (OrBranch) of AND branches", what, b.Type)
	}
	if len(b.Filters) > 0 {
		return errorf("%s: the root OR branch holds %d filters; put filters in its AND branches", what, len(b.Filters))
	}
	if len(b.Branches) == 0 {
		return errorf("%s: the root OR branch has no AND branches; a list's filters need at least one", what)
	}
	for i := range b.Branches {
		c := &b.Branches[i]
		where := what + ": filter branch " + strconv.Itoa(i)
		if c.raw == nil && c.Type != "AND" {
			return errorf("%s is %q; the branches of the root OR branch must be AND branches (AndBranch)", where, c.Type)
		}
		if err := c.checkNested(where); err != nil {
			return err
		}
	}
	return nil
}

func (b *ListFilterBranch) checkNested(where string) error {
	if b.raw != nil {
		return nil
	}
	for i := range b.Filters {
		if err := b.Filters[i].check(where + ", filter " + strconv.Itoa(i)); err != nil {
			return err
		}
	}
	for i := range b.Branches {
		c := &b.Branches[i]
		w := where + ", branch " + strconv.Itoa(i)
		if c.raw == nil && c.Type != "AND" && c.Type != "OR" {
			return errorf("%s has type %q; use OR or AND", w, c.Type)
		}
		if err := c.checkNested(w); err != nil {
			return err
		}
	}
	return nil
}

func (f *ListFilter) check(where string) error {
	if f.raw != nil {
		return nil
	}
	if strings.TrimSpace(f.Property) == "" {
		return errorf("%s names no property", where)
	}
	where += " (property " + strconv.Quote(f.Property) + ")"
	o := &f.Operation
	if o.raw != nil {
		return nil
	}
	ops, known := endpoints.ListFilterOperators(o.Type)
	if !known {
		return errorf("%s: unknown operation type %q; HubSpot documents %s", where, o.Type, strings.Join(endpoints.ListOperationTypes(), ", "))
	}
	if !slices.Contains(typedOperations, o.Type) {
		return errorf("%s: operation type %s is not one hubkey builds (%s); send it with Client.Do", where, o.Type, strings.Join(typedOperations, ", "))
	}
	if !slices.Contains(ops, o.Operator) {
		return errorf("%s: unknown operator %q for operation type %s; HubSpot documents %s", where, o.Operator, o.Type, strings.Join(ops, ", "))
	}
	switch o.Type {
	case "NUMBER":
		if _, err := strconv.ParseFloat(strings.TrimSpace(o.Value), 64); err != nil {
			return errorf("%s: NUMBER value %q is not a decimal number", where, o.Value)
		}
	case "BOOL":
		if v := strings.ToLower(strings.TrimSpace(o.Value)); v != "true" && v != "false" {
			return errorf("%s: BOOL value %q is neither true nor false", where, o.Value)
		}
	case "MULTISTRING", "ENUMERATION":
		if len(o.Values) == 0 {
			return errorf("%s: operator %s needs Values", where, o.Operator)
		}
	}
	return nil
}
