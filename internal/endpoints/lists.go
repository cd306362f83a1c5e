package endpoints

import "slices"

// listOperators are the operators HubSpot's lists API documents for each
// operation type of a PROPERTY filter (the CRM/Lists spec's property
// operation schemas), in the order it lists them.
var listOperators = map[string][]string{
	"ALL_PROPERTY": {"IS_KNOWN", "IS_UNKNOWN"},
	"BOOL":         {"IS_EQUAL_TO", "IS_NOT_EQUAL_TO", "HAS_EVER_BEEN_EQUAL_TO", "HAS_NEVER_BEEN_EQUAL_TO"},
	"NUMBER": {"IS_EQUAL_TO", "IS_NOT_EQUAL_TO", "IS_GREATER_THAN", "IS_GREATER_THAN_OR_EQUAL_TO", "IS_LESS_THAN",
		"IS_LESS_THAN_OR_EQUAL_TO", "HAS_EVER_BEEN_EQUAL_TO", "HAS_NEVER_BEEN_EQUAL_TO"},
	"STRING": {"IS_EQUAL_TO", "IS_NOT_EQUAL_TO", "CONTAINS", "DOES_NOT_CONTAIN", "STARTS_WITH", "ENDS_WITH",
		"HAS_EVER_BEEN_EQUAL_TO", "HAS_NEVER_BEEN_EQUAL_TO", "HAS_EVER_CONTAINED", "HAS_NEVER_CONTAINED"},
	"MULTISTRING": {"IS_EQUAL_TO", "IS_NOT_EQUAL_TO", "CONTAINS", "CONTAINS_EXACTLY", "DOES_NOT_CONTAIN",
		"DOES_NOT_CONTAIN_EXACTLY", "STARTS_WITH", "ENDS_WITH"},
	"ENUMERATION": {"IS_ANY_OF", "IS_NONE_OF", "IS_EXACTLY", "IS_NOT_EXACTLY", "CONTAINS_ALL", "DOES_NOT_CONTAIN_ALL",
		"HAS_EVER_BEEN_ANY_OF", "HAS_NEVER_BEEN_ANY_OF", "HAS_EVER_BEEN_EXACTLY", "HAS_NEVER_BEEN_EXACTLY",
		"HAS_EVER_CONTAINED_ALL", "HAS_NEVER_CONTAINED_ALL"},
	"DATETIME":                     {"IS_BEFORE", "IS_AFTER"},
	"TIME_POINT":                   {"IS_BEFORE", "IS_AFTER"},
	"COMPARATIVE_DATE":             {"IS_BEFORE", "IS_AFTER"},
	"COMPARATIVE_PROPERTY_UPDATED": {"IS_BEFORE", "IS_AFTER"},
	"RANGED_DATE":                  {"IS_BETWEEN", "IS_NOT_BETWEEN"},
	"NUMBER_RANGED":                {"IS_BETWEEN", "IS_NOT_BETWEEN"},
	"DATE": {"IS_LESS_THAN_X_DAYS_AGO", "IS_MORE_THAN_X_DAYS_AGO", "IS_LESS_THAN_X_DAYS_FROM_NOW",
		"IS_MORE_THAN_X_DAYS_FROM_NOW"},
	"ROLLING_DATE_RANGE": {"IS_LESS_THAN_X_DAYS_AGO", "IS_MORE_THAN_X_DAYS_AGO", "IS_LESS_THAN_X_DAYS_FROM_NOW",
		"IS_MORE_THAN_X_DAYS_FROM_NOW"},
	"ROLLING_PROPERTY_UPDATED": {"UPDATED_IN_LAST_X_DAYS", "NOT_UPDATED_IN_LAST_X_DAYS"},
	"CALENDAR_DATE":            {"IN_THIS_TIME_UNIT", "IN_THIS_TIME_UNIT_SO_FAR", "IN_NEXT_TIME_UNIT", "IN_LAST_TIME_UNIT"},
}

// ListFilterOperators returns the operators HubSpot's lists API documents
// for a PROPERTY filter's operation type ("STRING", "NUMBER", ...), and
// whether it knows the type. The caller must not modify the slice.
func ListFilterOperators(operationType string) ([]string, bool) {
	ops, ok := listOperators[operationType]
	return ops, ok
}

// ListOperationTypes returns the operation types ListFilterOperators
// knows, sorted.
func ListOperationTypes() []string {
	out := make([]string, 0, len(listOperators))
	for t := range listOperators {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
