package hubspot

import (
	"context"
	"strconv"
	"strings"
)

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
