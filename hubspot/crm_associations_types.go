package hubspot

import (
	"encoding/json"
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
// CreateDefault or BatchCreateDefault made.
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

// AssociationListOptions selects a page of List and the page size of All.
type AssociationListOptions struct {
	// Limit is the page size, at most 500 (HubSpot's default, 500, when
	// 0).
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
