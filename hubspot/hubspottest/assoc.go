package hubspottest

import (
	"slices"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// HubSpot's HUBSPOT_DEFINED association types come from the catalogue
// (endpoints.AssociationTypes), which hubkey's client reads too.

// assocByID returns HubSpot's association type id, if it runs from the
// object type from.
func assocByID(from string, id int) (endpoints.AssociationType, bool) {
	a, ok := endpoints.AssociationTypeByID(id)
	return a, ok && a.From == from
}

// defaultAssociation returns the unlabeled association type IDs from a to
// b and back.
func defaultAssociation(a, b string) (int, int, bool) {
	t, ok := endpoints.DefaultAssociationType(a, b)
	return t.ID, t.Reverse, ok
}

// assocLabel is the v3 "type" of an association in an object's
// associations: "contact_to_company", with "_unlabeled" for the unlabeled
// type of pairs that also have a primary type.
func assocLabel(from, to string, id int) string {
	name := func(t string) string {
		if ot, ok := endpoints.LookupObjectType(t); ok && ot.Singular != "" {
			return ot.Singular
		}
		return t
	}
	label := name(from) + "_to_" + name(to)
	hasPrimary := slices.ContainsFunc(endpoints.AssociationTypes(), func(a endpoints.AssociationType) bool {
		return a.From == from && a.To == to && a.Primary
	})
	if a, ok := assocByID(from, id); ok && hasPrimary && !a.Primary {
		label += "_unlabeled"
	}
	return label
}
