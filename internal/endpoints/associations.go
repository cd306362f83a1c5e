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

	// Activities to and from contacts, companies, deals and tickets: the
	// types HubSpot's associations v4 guide lists for calls, emails,
	// meetings, notes, tasks, communications (SMS, WhatsApp, LinkedIn
	// messages) and postal mail.
	{ID: 194, From: "calls", To: "contacts", Reverse: 193},
	{ID: 182, From: "calls", To: "companies", Reverse: 181},
	{ID: 206, From: "calls", To: "deals", Reverse: 205},
	{ID: 220, From: "calls", To: "tickets", Reverse: 219},
	{ID: 193, From: "contacts", To: "calls", Reverse: 194},
	{ID: 181, From: "companies", To: "calls", Reverse: 182},
	{ID: 205, From: "deals", To: "calls", Reverse: 206},
	{ID: 219, From: "tickets", To: "calls", Reverse: 220},
	{ID: 198, From: "emails", To: "contacts", Reverse: 197},
	{ID: 186, From: "emails", To: "companies", Reverse: 185},
	{ID: 210, From: "emails", To: "deals", Reverse: 209},
	{ID: 224, From: "emails", To: "tickets", Reverse: 223},
	{ID: 197, From: "contacts", To: "emails", Reverse: 198},
	{ID: 185, From: "companies", To: "emails", Reverse: 186},
	{ID: 209, From: "deals", To: "emails", Reverse: 210},
	{ID: 223, From: "tickets", To: "emails", Reverse: 224},
	{ID: 200, From: "meetings", To: "contacts", Reverse: 199},
	{ID: 188, From: "meetings", To: "companies", Reverse: 187},
	{ID: 212, From: "meetings", To: "deals", Reverse: 211},
	{ID: 226, From: "meetings", To: "tickets", Reverse: 225},
	{ID: 199, From: "contacts", To: "meetings", Reverse: 200},
	{ID: 187, From: "companies", To: "meetings", Reverse: 188},
	{ID: 211, From: "deals", To: "meetings", Reverse: 212},
	{ID: 225, From: "tickets", To: "meetings", Reverse: 226},
	{ID: 202, From: "notes", To: "contacts", Reverse: 201},
	{ID: 190, From: "notes", To: "companies", Reverse: 189},
	{ID: 214, From: "notes", To: "deals", Reverse: 213},
	{ID: 228, From: "notes", To: "tickets", Reverse: 227},
	{ID: 201, From: "contacts", To: "notes", Reverse: 202},
	{ID: 189, From: "companies", To: "notes", Reverse: 190},
	{ID: 213, From: "deals", To: "notes", Reverse: 214},
	{ID: 227, From: "tickets", To: "notes", Reverse: 228},
	{ID: 204, From: "tasks", To: "contacts", Reverse: 203},
	{ID: 192, From: "tasks", To: "companies", Reverse: 191},
	{ID: 216, From: "tasks", To: "deals", Reverse: 215},
	{ID: 230, From: "tasks", To: "tickets", Reverse: 229},
	{ID: 203, From: "contacts", To: "tasks", Reverse: 204},
	{ID: 191, From: "companies", To: "tasks", Reverse: 192},
	{ID: 215, From: "deals", To: "tasks", Reverse: 216},
	{ID: 229, From: "tickets", To: "tasks", Reverse: 230},
	{ID: 81, From: "communications", To: "contacts", Reverse: 82},
	{ID: 87, From: "communications", To: "companies", Reverse: 88},
	{ID: 85, From: "communications", To: "deals", Reverse: 86},
	{ID: 83, From: "communications", To: "tickets", Reverse: 84},
	{ID: 82, From: "contacts", To: "communications", Reverse: 81},
	{ID: 88, From: "companies", To: "communications", Reverse: 87},
	{ID: 86, From: "deals", To: "communications", Reverse: 85},
	{ID: 84, From: "tickets", To: "communications", Reverse: 83},
	{ID: 453, From: "postal_mail", To: "contacts", Reverse: 454},
	{ID: 459, From: "postal_mail", To: "companies", Reverse: 460},
	{ID: 457, From: "postal_mail", To: "deals", Reverse: 458},
	{ID: 455, From: "postal_mail", To: "tickets", Reverse: 456},
	{ID: 454, From: "contacts", To: "postal_mail", Reverse: 453},
	{ID: 460, From: "companies", To: "postal_mail", Reverse: 459},
	{ID: 458, From: "deals", To: "postal_mail", Reverse: 457},
	{ID: 456, From: "tickets", To: "postal_mail", Reverse: 455},
}

// AssociationTypes returns HubSpot's HUBSPOT_DEFINED association types
// between standard objects (activities among them), grouped by From;
// within a pair the unlabeled type comes first.
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
