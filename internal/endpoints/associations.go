package endpoints

import "slices"

// AssociationType is one of HubSpot's HUBSPOT_DEFINED association types
// between standard object types: a link from a record of From to a record
// of To. Types are directional: contact to company is 279, company to
// contact 280.
type AssociationType struct {
	// ID is the association type ID (associationTypeId).
	ID int
	// From and To are the object types' canonical names ("contacts").
	From, To string
	// Reverse is the ID of the same link seen from To.
	Reverse int
	// Primary marks a "Primary" type (a contact's primary company): a
	// record has at most one link of it.
	Primary bool
	// Label is the label HubSpot reports for a labeled type ("Primary",
	// "Parent Company"); empty for the pair's unlabeled type, the one a
	// default association creates.
	Label string
}

// primaryLabel is the label of HubSpot's primary types.
const primaryLabel = "Primary"

// associationTypes are HubSpot's HUBSPOT_DEFINED association types between
// the standard objects, from HubSpot's associations v4 guide (association
// type IDs). Within a pair, the unlabeled type comes first.
var associationTypes = []AssociationType{
	{ID: 449, From: "contacts", To: "contacts", Reverse: 449},
	{ID: 279, From: "contacts", To: "companies", Reverse: 280},
	{ID: 1, From: "contacts", To: "companies", Reverse: 2, Primary: true, Label: primaryLabel},
	{ID: 4, From: "contacts", To: "deals", Reverse: 3},
	{ID: 15, From: "contacts", To: "tickets", Reverse: 16},
	{ID: 70, From: "contacts", To: "quotes", Reverse: 69},

	{ID: 450, From: "companies", To: "companies", Reverse: 450},
	{ID: 13, From: "companies", To: "companies", Reverse: 14, Label: "Child Company"},
	{ID: 14, From: "companies", To: "companies", Reverse: 13, Label: "Parent Company"},
	{ID: 280, From: "companies", To: "contacts", Reverse: 279},
	{ID: 2, From: "companies", To: "contacts", Reverse: 1, Primary: true, Label: primaryLabel},
	{ID: 342, From: "companies", To: "deals", Reverse: 341},
	{ID: 6, From: "companies", To: "deals", Reverse: 5, Primary: true, Label: primaryLabel},
	{ID: 340, From: "companies", To: "tickets", Reverse: 339},
	{ID: 25, From: "companies", To: "tickets", Reverse: 26, Primary: true, Label: primaryLabel},
	{ID: 72, From: "companies", To: "quotes", Reverse: 71},

	{ID: 451, From: "deals", To: "deals", Reverse: 451},
	{ID: 3, From: "deals", To: "contacts", Reverse: 4},
	{ID: 341, From: "deals", To: "companies", Reverse: 342},
	{ID: 5, From: "deals", To: "companies", Reverse: 6, Primary: true, Label: primaryLabel},
	{ID: 27, From: "deals", To: "tickets", Reverse: 28},
	{ID: 19, From: "deals", To: "line_items", Reverse: 20},
	{ID: 63, From: "deals", To: "quotes", Reverse: 64},

	{ID: 452, From: "tickets", To: "tickets", Reverse: 452},
	{ID: 16, From: "tickets", To: "contacts", Reverse: 15},
	{ID: 339, From: "tickets", To: "companies", Reverse: 340},
	{ID: 26, From: "tickets", To: "companies", Reverse: 25, Primary: true, Label: primaryLabel},
	{ID: 28, From: "tickets", To: "deals", Reverse: 27},

	{ID: 20, From: "line_items", To: "deals", Reverse: 19},
	{ID: 68, From: "line_items", To: "quotes", Reverse: 67},

	{ID: 69, From: "quotes", To: "contacts", Reverse: 70},
	{ID: 71, From: "quotes", To: "companies", Reverse: 72},
	{ID: 64, From: "quotes", To: "deals", Reverse: 63},
	{ID: 67, From: "quotes", To: "line_items", Reverse: 68},
}

// AssociationTypes returns HubSpot's HUBSPOT_DEFINED association types
// between standard objects, grouped by From; within a pair the unlabeled
// type comes first.
func AssociationTypes() []AssociationType { return slices.Clone(associationTypes) }

// AssociationTypeByID returns the HUBSPOT_DEFINED association type with
// the given ID.
func AssociationTypeByID(id int) (AssociationType, bool) {
	i := slices.IndexFunc(associationTypes, func(a AssociationType) bool { return a.ID == id })
	if i < 0 {
		return AssociationType{}, false
	}
	return associationTypes[i], true
}

// DefaultAssociationType returns the unlabeled HUBSPOT_DEFINED type from
// from to to (standard object types by any name LookupObjectType accepts),
// the type a default association creates, and false when HubSpot defines
// none.
func DefaultAssociationType(from, to string) (AssociationType, bool) {
	f, ok1 := LookupObjectType(from)
	t, ok2 := LookupObjectType(to)
	if !ok1 || !ok2 {
		return AssociationType{}, false
	}
	for _, a := range associationTypes {
		if a.From == f.Name && a.To == t.Name && a.Label == "" {
			return a, true
		}
	}
	return AssociationType{}, false
}
