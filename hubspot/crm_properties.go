package hubspot

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// Property types, as HubSpot names them in Property.Type.
const (
	PropertyTypeString      = "string"
	PropertyTypeNumber      = "number"
	PropertyTypeDate        = "date"
	PropertyTypeDateTime    = "datetime"
	PropertyTypeEnumeration = "enumeration"
	PropertyTypeBool        = "bool"
	PropertyTypePhoneNumber = "phone_number"
)

// Property field types, as HubSpot names them in Property.FieldType: how a
// property is shown and edited. Each type allows some of them: string
// (text, textarea, file, html, phonenumber), number (number), date and
// datetime (date), enumeration (select, radio, checkbox, booleancheckbox),
// bool (booleancheckbox); calculation_equation is for calculated
// properties.
const (
	FieldTypeText                = "text"
	FieldTypeTextarea            = "textarea"
	FieldTypeFile                = "file"
	FieldTypeHTML                = "html"
	FieldTypePhoneNumber         = "phonenumber"
	FieldTypeNumber              = "number"
	FieldTypeDate                = "date"
	FieldTypeSelect              = "select"
	FieldTypeRadio               = "radio"
	FieldTypeCheckbox            = "checkbox"
	FieldTypeBooleanCheckbox     = "booleancheckbox"
	FieldTypeCalculationEquation = "calculation_equation"
)

// Property is the definition of a CRM property, as the properties API
// returns it.
type Property struct {
	// Name is the internal name, used in API calls.
	Name string `json:"name"`
	// Label is what HubSpot shows.
	Label string `json:"label"`
	// Type is the data type (PropertyTypeString, ...) and FieldType how it
	// is edited (FieldTypeText, ...).
	Type      string `json:"type"`
	FieldType string `json:"fieldType"`
	// Description is the help text.
	Description string `json:"description"`
	// GroupName is the property group the property belongs to.
	GroupName string `json:"groupName"`
	// Options are the allowed values of an enumeration or bool property.
	Options []PropertyOption `json:"options"`
	// DisplayOrder orders properties, lowest positive first; -1 is last.
	DisplayOrder int `json:"displayOrder"`
	// Calculated: HubSpot computes the value.
	Calculated bool `json:"calculated"`
	// ExternalOptions: the options come from elsewhere (owners, pipeline
	// stages), named by ReferencedObjectType.
	ExternalOptions      bool   `json:"externalOptions"`
	ReferencedObjectType string `json:"referencedObjectType,omitempty"`
	// HasUniqueValue: no two records may share a value; such a property can
	// identify records (IDProperty). It is set at creation only.
	HasUniqueValue bool `json:"hasUniqueValue"`
	// Hidden: not shown in HubSpot.
	Hidden bool `json:"hidden"`
	// HubSpotDefined: one of HubSpot's default properties.
	HubSpotDefined bool `json:"hubspotDefined"`
	// ShowCurrencySymbol: a number shown as money.
	ShowCurrencySymbol bool `json:"showCurrencySymbol"`
	// FormField: the property can be used in forms.
	FormField bool `json:"formField"`
	// CalculationFormula is the formula of a calculated property.
	CalculationFormula string `json:"calculationFormula,omitempty"`
	// ModificationMetadata says what may be changed.
	ModificationMetadata PropertyModificationMetadata `json:"modificationMetadata"`
	// CreatedUserID and UpdatedUserID are the HubSpot users who created
	// and last changed the property, when it was done in HubSpot.
	CreatedUserID string    `json:"createdUserId,omitempty"`
	UpdatedUserID string    `json:"updatedUserId,omitempty"`
	CreatedAt     time.Time `json:"createdAt,omitzero"`
	UpdatedAt     time.Time `json:"updatedAt,omitzero"`
	Archived      bool      `json:"archived"`
	ArchivedAt    time.Time `json:"archivedAt,omitzero"`
}

// PropertyOption is one allowed value of an enumeration or bool property.
type PropertyOption struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	Description  string `json:"description,omitempty"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

// PropertyModificationMetadata says what may be changed about a property.
type PropertyModificationMetadata struct {
	// Archivable: the property may be archived.
	Archivable bool `json:"archivable"`
	// ReadOnlyDefinition: the definition cannot be changed.
	ReadOnlyDefinition bool `json:"readOnlyDefinition"`
	// ReadOnlyValue: records' values cannot be set through the API.
	ReadOnlyValue bool `json:"readOnlyValue"`
	// ReadOnlyOptions: the options cannot be changed.
	ReadOnlyOptions bool `json:"readOnlyOptions,omitempty"`
}

// PropertyInput defines a property to create.
type PropertyInput struct {
	// Name, Label, Type, FieldType and GroupName are required. Name is
	// lowercase letters, digits and underscores, starting with a letter.
	Name      string `json:"name"`
	Label     string `json:"label"`
	Type      string `json:"type"`
	FieldType string `json:"fieldType"`
	GroupName string `json:"groupName"`

	Description string `json:"description,omitempty"`
	// Options are required for an enumeration (unless ExternalOptions).
	Options []PropertyOption `json:"options,omitempty"`
	// DisplayOrder: 0 leaves HubSpot's default.
	DisplayOrder         int    `json:"displayOrder,omitempty"`
	HasUniqueValue       bool   `json:"hasUniqueValue,omitempty"`
	Hidden               bool   `json:"hidden,omitempty"`
	FormField            bool   `json:"formField,omitempty"`
	ExternalOptions      bool   `json:"externalOptions,omitempty"`
	ReferencedObjectType string `json:"referencedObjectType,omitempty"`
	CalculationFormula   string `json:"calculationFormula,omitempty"`
}

// PropertyUpdate changes a property. Zero fields (empty strings, nil
// pointers and slices) are left as they are.
type PropertyUpdate struct {
	Label              string           `json:"label,omitempty"`
	Type               string           `json:"type,omitempty"`
	FieldType          string           `json:"fieldType,omitempty"`
	GroupName          string           `json:"groupName,omitempty"`
	Description        *string          `json:"description,omitempty"`
	Options            []PropertyOption `json:"options,omitempty"`
	DisplayOrder       *int             `json:"displayOrder,omitempty"`
	Hidden             *bool            `json:"hidden,omitempty"`
	FormField          *bool            `json:"formField,omitempty"`
	CalculationFormula string           `json:"calculationFormula,omitempty"`
}

func (u PropertyUpdate) empty() bool {
	return u.Label == "" && u.Type == "" && u.FieldType == "" && u.GroupName == "" && u.Description == nil &&
		u.Options == nil && u.DisplayOrder == nil && u.Hidden == nil && u.FormField == nil && u.CalculationFormula == ""
}

// PropertyGroup groups related properties in HubSpot.
type PropertyGroup struct {
	Name         string `json:"name"`
	Label        string `json:"label"`
	DisplayOrder int    `json:"displayOrder"`
	Archived     bool   `json:"archived"`
}

// PropertyGroupInput defines a property group to create.
type PropertyGroupInput struct {
	// Name (lowercase letters, digits and underscores) and Label are
	// required.
	Name  string `json:"name"`
	Label string `json:"label"`
	// DisplayOrder: 0 leaves HubSpot's default.
	DisplayOrder int `json:"displayOrder,omitempty"`
}

// PropertyGroupUpdate changes a property group; zero fields are left as
// they are.
type PropertyGroupUpdate struct {
	Label        string `json:"label,omitempty"`
	DisplayOrder *int   `json:"displayOrder,omitempty"`
}

// PropertyListOptions selects what PropertiesService.List returns.
type PropertyListOptions struct {
	// Archived lists archived properties instead of live ones.
	Archived bool
}

// PropertiesService calls HubSpot's CRM properties API (v3): the
// definitions of the properties of each object type, and their groups.
// Object types are given the ways HubSpot accepts them ("contacts",
// "contact", "0-1", "2-12345", "p12345_cars").
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/crm-properties-v3/guide
type PropertiesService struct {
	client *Client
}

// propertyParams are the path parameters of a call on the properties of
// objectType; param and name, when param is set, name a property ("propertyName")
// or a group ("groupName").
func propertyParams(objectType, param, name string) map[string]string {
	p := map[string]string{"objectType": objectType}
	if param != "" {
		p[param] = name
	}
	return p
}

func checkName(what, kind, name string) error {
	if err := checkSegment(what, kind+" name", name); err != nil {
		return err
	}
	if name == "groups" && kind == "property" {
		return errorf("%s: %q cannot name a property: the path is the property groups endpoint", what, name)
	}
	return nil
}

// List returns the definitions of objectType's properties (the archived
// ones with opts.Archived).
//
// HubSpot: GET /crm/v3/properties/{objectType}.
func (s *PropertiesService) List(ctx context.Context, objectType string, opts *PropertyListOptions) ([]Property, error) {
	if err := checkObjectTypes("properties List", objectType); err != nil {
		return nil, err
	}
	var q url.Values
	if opts != nil && opts.Archived {
		q = url.Values{"archived": {"true"}}
	}
	var w struct {
		Results []Property `json:"results"`
	}
	if _, err := s.client.call(ctx, opPropertiesList, propertyParams(objectType, "", ""), q, nil, &w); err != nil {
		return nil, err
	}
	return w.Results, nil
}

// Get returns one property's definition. A missing property is an error
// matching ErrNotFound.
//
// HubSpot: GET /crm/v3/properties/{objectType}/{propertyName}.
func (s *PropertiesService) Get(ctx context.Context, objectType, name string) (*Property, error) {
	what := "properties Get"
	if err := checkObjectTypes(what, objectType); err != nil {
		return nil, err
	}
	if err := checkName(what, "property", name); err != nil {
		return nil, err
	}
	p := new(Property)
	if _, err := s.client.call(ctx, opPropertiesGet, propertyParams(objectType, "propertyName", name), nil, nil, p); err != nil {
		return nil, err
	}
	return p, nil
}

// Create defines a property and returns it as HubSpot stored it (201). A
// name in use is an error matching ErrConflict.
//
// HubSpot: POST /crm/v3/properties/{objectType}.
func (s *PropertiesService) Create(ctx context.Context, objectType string, in PropertyInput) (*Property, error) {
	what := "properties Create"
	if err := checkObjectTypes(what, objectType); err != nil {
		return nil, err
	}
	if err := checkPropertyInput(what, in); err != nil {
		return nil, err
	}
	p := new(Property)
	if _, err := s.client.call(ctx, opPropertiesCreate, propertyParams(objectType, "", ""), nil, in, p); err != nil {
		return nil, err
	}
	return p, nil
}

// checkPropertyInput checks what Create and BatchCreate require of a
// property to create.
func checkPropertyInput(what string, in PropertyInput) error {
	if err := checkName(what, "property", in.Name); err != nil {
		return err
	}
	for _, f := range []struct{ field, v string }{{"Label", in.Label}, {"Type", in.Type}, {"FieldType", in.FieldType}, {"GroupName", in.GroupName}} {
		if strings.TrimSpace(f.v) == "" {
			return errorf("%s %q: %s is required", what, in.Name, f.field)
		}
	}
	if in.Type == PropertyTypeEnumeration && len(in.Options) == 0 && !in.ExternalOptions {
		return errorf("%s %q: an enumeration needs Options", what, in.Name)
	}
	return nil
}

// Update changes a property and returns it.
//
// HubSpot: PATCH /crm/v3/properties/{objectType}/{propertyName}.
func (s *PropertiesService) Update(ctx context.Context, objectType, name string, in PropertyUpdate) (*Property, error) {
	what := "properties Update"
	if err := checkObjectTypes(what, objectType); err != nil {
		return nil, err
	}
	if err := checkName(what, "property", name); err != nil {
		return nil, err
	}
	if in.empty() {
		return nil, errorf("%s %q: nothing to change", what, name)
	}
	p := new(Property)
	if _, err := s.client.call(ctx, opPropertiesUpdate, propertyParams(objectType, "propertyName", name), nil, in, p); err != nil {
		return nil, err
	}
	return p, nil
}

// Archive archives a property (204). HubSpot's own properties cannot be
// archived.
//
// HubSpot: DELETE /crm/v3/properties/{objectType}/{propertyName}.
func (s *PropertiesService) Archive(ctx context.Context, objectType, name string) error {
	what := "properties Archive"
	if err := checkObjectTypes(what, objectType); err != nil {
		return err
	}
	if err := checkName(what, "property", name); err != nil {
		return err
	}
	_, err := s.client.call(ctx, opPropertiesArchive, propertyParams(objectType, "propertyName", name), nil, nil, nil)
	return err
}

// ListGroups returns objectType's property groups.
//
// HubSpot: GET /crm/v3/properties/{objectType}/groups.
func (s *PropertiesService) ListGroups(ctx context.Context, objectType string) ([]PropertyGroup, error) {
	if err := checkObjectTypes("properties ListGroups", objectType); err != nil {
		return nil, err
	}
	var w struct {
		Results []PropertyGroup `json:"results"`
	}
	if _, err := s.client.call(ctx, opGroupsList, propertyParams(objectType, "", ""), nil, nil, &w); err != nil {
		return nil, err
	}
	return w.Results, nil
}

// GetGroup returns one property group. A missing group is an error matching
// ErrNotFound.
//
// HubSpot: GET /crm/v3/properties/{objectType}/groups/{groupName}.
func (s *PropertiesService) GetGroup(ctx context.Context, objectType, name string) (*PropertyGroup, error) {
	what := "properties GetGroup"
	if err := checkObjectTypes(what, objectType); err != nil {
		return nil, err
	}
	if err := checkName(what, "group", name); err != nil {
		return nil, err
	}
	g := new(PropertyGroup)
	if _, err := s.client.call(ctx, opGroupsGet, propertyParams(objectType, "groupName", name), nil, nil, g); err != nil {
		return nil, err
	}
	return g, nil
}

// CreateGroup creates a property group (201). A name in use is an error
// matching ErrConflict.
//
// HubSpot: POST /crm/v3/properties/{objectType}/groups.
func (s *PropertiesService) CreateGroup(ctx context.Context, objectType string, in PropertyGroupInput) (*PropertyGroup, error) {
	what := "properties CreateGroup"
	if err := checkObjectTypes(what, objectType); err != nil {
		return nil, err
	}
	if err := checkName(what, "group", in.Name); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Label) == "" {
		return nil, errorf("%s %q: Label is required", what, in.Name)
	}
	g := new(PropertyGroup)
	if _, err := s.client.call(ctx, opGroupsCreate, propertyParams(objectType, "", ""), nil, in, g); err != nil {
		return nil, err
	}
	return g, nil
}

// UpdateGroup changes a property group and returns it.
//
// HubSpot: PATCH /crm/v3/properties/{objectType}/groups/{groupName}.
func (s *PropertiesService) UpdateGroup(ctx context.Context, objectType, name string, in PropertyGroupUpdate) (*PropertyGroup, error) {
	what := "properties UpdateGroup"
	if err := checkObjectTypes(what, objectType); err != nil {
		return nil, err
	}
	if err := checkName(what, "group", name); err != nil {
		return nil, err
	}
	if in.Label == "" && in.DisplayOrder == nil {
		return nil, errorf("%s %q: nothing to change", what, name)
	}
	g := new(PropertyGroup)
	if _, err := s.client.call(ctx, opGroupsUpdate, propertyParams(objectType, "groupName", name), nil, in, g); err != nil {
		return nil, err
	}
	return g, nil
}

// ArchiveGroup archives a property group (204). A group that still holds
// properties, and HubSpot's own groups, cannot be archived.
//
// HubSpot: DELETE /crm/v3/properties/{objectType}/groups/{groupName}.
func (s *PropertiesService) ArchiveGroup(ctx context.Context, objectType, name string) error {
	what := "properties ArchiveGroup"
	if err := checkObjectTypes(what, objectType); err != nil {
		return err
	}
	if err := checkName(what, "group", name); err != nil {
		return err
	}
	_, err := s.client.call(ctx, opGroupsArchive, propertyParams(objectType, "groupName", name), nil, nil, nil)
	return err
}
