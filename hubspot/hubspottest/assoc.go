package hubspottest

import "github.com/hubkey/hubkey/internal/scopes"

// assocType is one of HubSpot's HUBSPOT_DEFINED association types.
type assocType struct {
	id       int
	from, to string
	reverse  int
	primary  bool
}

// assocTypes lists HubSpot's documented default association type IDs
// between the standard objects. The unlabeled type of each pair comes
// first; "primary" types (a contact's primary company, say) follow.
var assocTypes = []assocType{
	{279, "contacts", "companies", 280, false},
	{1, "contacts", "companies", 2, true},
	{280, "companies", "contacts", 279, false},
	{2, "companies", "contacts", 1, true},
	{4, "contacts", "deals", 3, false},
	{3, "deals", "contacts", 4, false},
	{341, "deals", "companies", 342, false},
	{5, "deals", "companies", 6, true},
	{342, "companies", "deals", 341, false},
	{6, "companies", "deals", 5, true},
	{15, "contacts", "tickets", 16, false},
	{16, "tickets", "contacts", 15, false},
	{339, "tickets", "companies", 340, false},
	{26, "tickets", "companies", 25, true},
	{340, "companies", "tickets", 339, false},
	{25, "companies", "tickets", 26, true},
	{27, "deals", "tickets", 28, false},
	{28, "tickets", "deals", 27, false},
	{19, "deals", "line_items", 20, false},
	{20, "line_items", "deals", 19, false},
	{63, "deals", "quotes", 64, false},
	{64, "quotes", "deals", 63, false},
	{67, "quotes", "line_items", 68, false},
	{68, "line_items", "quotes", 67, false},
	{69, "quotes", "contacts", 70, false},
	{70, "contacts", "quotes", 69, false},
	{71, "quotes", "companies", 72, false},
	{72, "companies", "quotes", 71, false},
}

func assocByID(from string, id int) (assocType, bool) {
	for _, a := range assocTypes {
		if a.id == id && a.from == from {
			return a, true
		}
	}
	return assocType{}, false
}

// defaultAssociation returns the unlabeled association type IDs from a to
// b and back.
func defaultAssociation(a, b string) (int, int, bool) {
	for _, t := range assocTypes {
		if t.from == a && t.to == b && !t.primary {
			return t.id, t.reverse, true
		}
	}
	return 0, 0, false
}

// assocLabel is the v3 "type" of an association in an object's
// associations: "contact_to_company", with "_unlabeled" for the unlabeled
// type of pairs that also have a primary type.
func assocLabel(from, to string, id int) string {
	name := func(t string) string {
		if ot, ok := scopes.LookupObjectType(t); ok && ot.Singular != "" {
			return ot.Singular
		}
		return t
	}
	label := name(from) + "_to_" + name(to)
	hasPrimary := false
	for _, a := range assocTypes {
		if a.from == from && a.to == to && a.primary {
			hasPrimary = true
		}
	}
	if a, ok := assocByID(from, id); ok && hasPrimary && !a.primary {
		label += "_unlabeled"
	}
	return label
}
