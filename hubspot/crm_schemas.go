package hubspot

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// SchemasService defines custom object types (custom object schemas):
// their names, labels, properties and associations. Once defined, a type's
// records are read and written through Client.Objects with its
// ObjectTypeID ("2-12345") or FullyQualifiedName ("p12345_cars").
// Reading schemas needs crm.schemas.custom.read (or a custom objects read
// scope); changing them needs crm.schemas.custom.write.
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/crm-custom-objects-v3/guide
type SchemasService struct {
	client *Client
}

// ObjectSchema is a custom object type's definition.
type ObjectSchema struct {
	ID string `json:"id"`
	// ObjectTypeID ("2-12345") and FullyQualifiedName ("p12345_cars")
	// both name the type in calls.
	ObjectTypeID       string       `json:"objectTypeId"`
	FullyQualifiedName string       `json:"fullyQualifiedName"`
	Name               string       `json:"name"`
	Labels             SchemaLabels `json:"labels"`
	// PrimaryDisplayProperty names records in HubSpot;
	// SecondaryDisplayProperties are shown under it.
	PrimaryDisplayProperty     string   `json:"primaryDisplayProperty,omitempty"`
	SecondaryDisplayProperties []string `json:"secondaryDisplayProperties,omitempty"`
	// RequiredProperties must be set on every record created;
	// SearchableProperties are what a search's Query looks in.
	RequiredProperties   []string            `json:"requiredProperties,omitempty"`
	SearchableProperties []string            `json:"searchableProperties,omitempty"`
	Properties           []Property          `json:"properties,omitempty"`
	Associations         []SchemaAssociation `json:"associations,omitempty"`
	Archived             bool                `json:"archived"`
	CreatedAt            time.Time           `json:"createdAt,omitzero"`
	UpdatedAt            time.Time           `json:"updatedAt,omitzero"`
}

// SchemaLabels are how HubSpot names a custom object type's records.
type SchemaLabels struct {
	Singular string `json:"singular"`
	Plural   string `json:"plural"`
}

// SchemaAssociation is an association definition between a custom object
// type and another type, which records of the two may then be linked by.
type SchemaAssociation struct {
	ID               string    `json:"id,omitempty"`
	FromObjectTypeID string    `json:"fromObjectTypeId"`
	ToObjectTypeID   string    `json:"toObjectTypeId"`
	Name             string    `json:"name,omitempty"`
	CreatedAt        time.Time `json:"createdAt,omitzero"`
	UpdatedAt        time.Time `json:"updatedAt,omitzero"`
}

// SchemaInput defines a new custom object type.
type SchemaInput struct {
	// Name (letters, digits and underscores, starting with a letter),
	// Labels and at least one of Properties are required.
	Name   string       `json:"name"`
	Labels SchemaLabels `json:"labels"`
	// Properties are the type's own properties; a GroupName may be left
	// empty.
	Properties                 []PropertyInput `json:"properties"`
	PrimaryDisplayProperty     string          `json:"primaryDisplayProperty,omitempty"`
	SecondaryDisplayProperties []string        `json:"secondaryDisplayProperties,omitempty"`
	RequiredProperties         []string        `json:"requiredProperties,omitempty"`
	SearchableProperties       []string        `json:"searchableProperties,omitempty"`
	// AssociatedObjects are the types the new type is associated with
	// ("CONTACT", "0-2", another custom type's ID).
	AssociatedObjects []string `json:"associatedObjects,omitempty"`
}

// SchemaUpdate changes a custom object type's definition: zero fields are
// left as they are (so a list cannot be emptied through it).
type SchemaUpdate struct {
	Labels                     *SchemaLabels `json:"labels,omitempty"`
	PrimaryDisplayProperty     string        `json:"primaryDisplayProperty,omitempty"`
	SecondaryDisplayProperties []string      `json:"secondaryDisplayProperties,omitempty"`
	RequiredProperties         []string      `json:"requiredProperties,omitempty"`
	SearchableProperties       []string      `json:"searchableProperties,omitempty"`
}

func schemaParams(objectType string) map[string]string {
	return map[string]string{"objectType": objectType}
}

// List returns the account's custom object schemas; with archived, the
// deleted ones instead.
//
// HubSpot: GET /crm/v3/schemas (https://developers.hubspot.com/docs/api-reference/crm-custom-objects-v3/guide).
func (s *SchemasService) List(ctx context.Context, archived bool) ([]ObjectSchema, error) {
	var q url.Values
	if archived {
		q = url.Values{"archived": {"true"}}
	}
	var out struct {
		Results []ObjectSchema `json:"results"`
	}
	if _, err := s.client.call(ctx, opSchemasList, nil, q, nil, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// Get returns a custom object type's schema, named by its object type ID
// or fully qualified name. A missing type is an error matching
// ErrNotFound.
//
// HubSpot: GET /crm/v3/schemas/{objectType}.
func (s *SchemasService) Get(ctx context.Context, objectType string) (*ObjectSchema, error) {
	if err := checkObjectTypes("schemas Get", objectType); err != nil {
		return nil, err
	}
	sc := new(ObjectSchema)
	if _, err := s.client.call(ctx, opSchemasGet, schemaParams(objectType), nil, nil, sc); err != nil {
		return nil, err
	}
	return sc, nil
}

// Create defines a custom object type and returns its schema (201), whose
// ObjectTypeID names the type from then on. A name in use is an error
// matching ErrConflict.
//
// HubSpot: POST /crm/v3/schemas.
func (s *SchemasService) Create(ctx context.Context, in SchemaInput) (*ObjectSchema, error) {
	what := "schemas Create"
	if strings.TrimSpace(in.Name) == "" {
		return nil, errorf("%s: Name is required", what)
	}
	if strings.TrimSpace(in.Labels.Singular) == "" || strings.TrimSpace(in.Labels.Plural) == "" {
		return nil, errorf("%s %q: Labels.Singular and Labels.Plural are required", what, in.Name)
	}
	if len(in.Properties) == 0 {
		return nil, errorf("%s %q: a custom object type needs at least one property", what, in.Name)
	}
	defined := map[string]bool{}
	for _, p := range in.Properties {
		defined[p.Name] = true
	}
	named := append(append(append([]string{in.PrimaryDisplayProperty}, in.RequiredProperties...), in.SearchableProperties...), in.SecondaryDisplayProperties...)
	for _, n := range named {
		if n != "" && !defined[n] {
			return nil, errorf("%s %q: property %q is named but not among Properties", what, in.Name, n)
		}
	}
	sc := new(ObjectSchema)
	if _, err := s.client.call(ctx, opSchemasCreate, nil, nil, in, sc); err != nil {
		return nil, err
	}
	return sc, nil
}

// Update changes a custom object type's labels and the roles of its
// properties, and returns the schema.
//
// HubSpot: PATCH /crm/v3/schemas/{objectType}.
func (s *SchemasService) Update(ctx context.Context, objectType string, in SchemaUpdate) (*ObjectSchema, error) {
	if err := checkObjectTypes("schemas Update", objectType); err != nil {
		return nil, err
	}
	sc := new(ObjectSchema)
	if _, err := s.client.call(ctx, opSchemasUpdate, schemaParams(objectType), nil, in, sc); err != nil {
		return nil, err
	}
	return sc, nil
}

// Delete deletes a custom object type, which HubSpot allows only once it
// has no records; its name stays taken until Purge (204). The call is
// sensitive: it is signed when the Client has a signer.
//
// HubSpot: DELETE /crm/v3/schemas/{objectType}.
func (s *SchemasService) Delete(ctx context.Context, objectType string) error {
	if err := checkObjectTypes("schemas Delete", objectType); err != nil {
		return err
	}
	_, err := s.client.call(ctx, opSchemasArchive, schemaParams(objectType), nil, nil, nil)
	return err
}

// Purge removes a deleted custom object type for good, freeing its name
// (204). HubSpot offers it on the numbered path only.
//
// HubSpot: DELETE /crm/v3/schemas/{objectType}/purge.
func (s *SchemasService) Purge(ctx context.Context, objectType string) error {
	if err := checkObjectTypes("schemas Purge", objectType); err != nil {
		return err
	}
	_, err := s.client.call(ctx, opSchemasPurge, schemaParams(objectType), nil, nil, nil)
	return err
}

// CreateAssociation defines an association from a custom object type to
// another type (201).
//
// HubSpot: POST /crm/v3/schemas/{objectType}/associations.
func (s *SchemasService) CreateAssociation(ctx context.Context, objectType string, in SchemaAssociation) (*SchemaAssociation, error) {
	if err := checkObjectTypes("schemas CreateAssociation", objectType); err != nil {
		return nil, err
	}
	if in.FromObjectTypeID == "" || in.ToObjectTypeID == "" {
		return nil, errorf("schemas CreateAssociation: FromObjectTypeID and ToObjectTypeID are required")
	}
	body := SchemaAssociation{FromObjectTypeID: in.FromObjectTypeID, ToObjectTypeID: in.ToObjectTypeID, Name: in.Name}
	a := new(SchemaAssociation)
	if _, err := s.client.call(ctx, opSchemasAssocCreate, schemaParams(objectType), nil, body, a); err != nil {
		return nil, err
	}
	return a, nil
}

// DeleteAssociation removes an association definition of a custom object
// type (204).
//
// HubSpot: DELETE /crm/v3/schemas/{objectType}/associations/{associationIdentifier}.
func (s *SchemasService) DeleteAssociation(ctx context.Context, objectType, associationID string) error {
	what := "schemas DeleteAssociation"
	if err := checkObjectTypes(what, objectType); err != nil {
		return err
	}
	if err := checkSegment(what, "association ID", associationID); err != nil {
		return err
	}
	p := map[string]string{"objectType": objectType, "associationIdentifier": associationID}
	_, err := s.client.call(ctx, opSchemasAssocArchive, p, nil, nil, nil)
	return err
}
