package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

var carsSchema = hubspot.SchemaInput{
	Name:   "cars",
	Labels: hubspot.SchemaLabels{Singular: "Car", Plural: "Cars"},
	Properties: []hubspot.PropertyInput{
		{Name: "model", Label: "Model", Type: hubspot.PropertyTypeString, FieldType: hubspot.FieldTypeText},
		{Name: "year", Label: "Year", Type: hubspot.PropertyTypeNumber, FieldType: hubspot.FieldTypeNumber},
	},
	PrimaryDisplayProperty: "model",
	RequiredProperties:     []string{"model"},
	SearchableProperties:   []string{"model"},
	AssociatedObjects:      []string{"CONTACT"},
}

func TestSchemasDefineThenUseACustomObject(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()

	sc, err := c.Schemas.Create(ctx, carsSchema)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sc.ObjectTypeID, "2-") || !strings.HasSuffix(sc.FullyQualifiedName, "_cars") || len(sc.Properties) < 2 ||
		len(sc.Associations) != 1 || sc.Associations[0].ToObjectTypeID != "0-1" || sc.CreatedAt.IsZero() {
		t.Fatalf("created %+v", sc)
	}
	if _, err := c.Schemas.Create(ctx, carsSchema); !errors.Is(err, hubspot.ErrConflict) {
		t.Errorf("the same name twice: %v, want ErrConflict", err)
	}

	// The type answers to its ID and its fully qualified name alike.
	byID, byName := c.Objects(sc.ObjectTypeID), c.Objects(sc.FullyQualifiedName)
	car, err := byID.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"model": "Roadster", "year": "2008"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := byName.Get(ctx, car.ID, &hubspot.GetOptions{Properties: []string{"model", "year"}})
	if err != nil || got.Properties["model"] != "Roadster" || got.Properties["year"] != "2008" {
		t.Fatalf("read by name: %+v, %v", got, err)
	}
	// Required properties and unknown ones are refused as HubSpot refuses them.
	if _, err := byID.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"year": "2010"}}); !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), "model") {
		t.Errorf("no model: %v", err)
	}
	if _, err := byID.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"model": "X", "colour": "red"}}); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("an undefined property: %v", err)
	}
	n := 0
	for o, err := range byName.SearchAll(ctx, &hubspot.SearchRequest{Query: "roadster"}) {
		if err != nil || o.ID != car.ID {
			t.Fatalf("search: %+v, %v", o, err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("search found %d", n)
	}

	// Read, change, associate.
	for _, name := range []string{sc.ObjectTypeID, sc.FullyQualifiedName} {
		if g, err := c.Schemas.Get(ctx, name); err != nil || g.ObjectTypeID != sc.ObjectTypeID {
			t.Errorf("Get(%s): %+v, %v", name, g, err)
		}
	}
	up, err := c.Schemas.Update(ctx, sc.ObjectTypeID, hubspot.SchemaUpdate{Labels: &hubspot.SchemaLabels{Singular: "Auto", Plural: "Autos"}, SearchableProperties: []string{"model", "year"}})
	if err != nil || up.Labels.Plural != "Autos" || len(up.SearchableProperties) != 2 || up.RequiredProperties[0] != "model" {
		t.Fatalf("update: %+v, %v", up, err)
	}
	if _, err := c.Schemas.Update(ctx, sc.ObjectTypeID, hubspot.SchemaUpdate{RequiredProperties: []string{"colour"}}); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("requiring an undefined property: %v", err)
	}
	a, err := c.Schemas.CreateAssociation(ctx, sc.ObjectTypeID, hubspot.SchemaAssociation{FromObjectTypeID: sc.ObjectTypeID, ToObjectTypeID: "0-2", Name: "car_to_company"})
	if err != nil || a.ID == "" || a.ToObjectTypeID != "0-2" {
		t.Fatalf("association: %+v, %v", a, err)
	}
	if g, _ := c.Schemas.Get(ctx, sc.ObjectTypeID); len(g.Associations) != 2 {
		t.Errorf("associations after adding one: %+v", g.Associations)
	}
	if err := c.Schemas.DeleteAssociation(ctx, sc.ObjectTypeID, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Schemas.DeleteAssociation(ctx, sc.ObjectTypeID, a.ID); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("deleting it again: %v", err)
	}
	list, err := c.Schemas.List(ctx, false)
	if err != nil || len(list) != 1 || list[0].Name != "cars" {
		t.Fatalf("list: %+v, %v", list, err)
	}

	// Delete needs the records gone; purge needs the delete first, and
	// frees the name.
	if err := c.Schemas.Delete(ctx, sc.ObjectTypeID); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("delete with a record left: %v", err)
	}
	if err := c.Schemas.Purge(ctx, sc.ObjectTypeID); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("purge before delete: %v", err)
	}
	if err := byID.Archive(ctx, car.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Schemas.Delete(ctx, sc.FullyQualifiedName); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Schemas.Get(ctx, sc.ObjectTypeID); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("get after delete: %v", err)
	}
	if gone, err := c.Schemas.List(ctx, true); err != nil || len(gone) != 1 || !gone[0].Archived {
		t.Errorf("archived list: %+v, %v", gone, err)
	}
	if _, err := c.Schemas.Create(ctx, carsSchema); !errors.Is(err, hubspot.ErrConflict) {
		t.Errorf("the name of a deleted schema: %v, want ErrConflict until purged", err)
	}
	if err := c.Schemas.Purge(ctx, sc.ObjectTypeID); err != nil {
		t.Fatal(err)
	}
	again, err := c.Schemas.Create(ctx, carsSchema)
	if err != nil || again.ObjectTypeID == sc.ObjectTypeID {
		t.Fatalf("after purge: %+v, %v", again, err)
	}
}

func TestSchemasCheckedBeforeSending(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	bad := carsSchema
	bad.RequiredProperties = []string{"vin"}
	for _, tc := range []struct {
		in   hubspot.SchemaInput
		want string
	}{
		{hubspot.SchemaInput{Labels: carsSchema.Labels, Properties: carsSchema.Properties}, "Name is required"},
		{hubspot.SchemaInput{Name: "cars", Properties: carsSchema.Properties}, "Labels"},
		{hubspot.SchemaInput{Name: "cars", Labels: carsSchema.Labels}, "at least one property"},
		{bad, `"vin" is named but not among Properties`},
	} {
		if _, err := c.Schemas.Create(ctx, tc.in); !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want ErrValidation saying %q", err, tc.want)
		}
	}
	if _, err := c.Schemas.Get(ctx, "a/b"); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("a bad type: %v", err)
	}
	if n := len(srv.Journal()); n != 0 {
		t.Errorf("%d calls sent", n)
	}
	// The scopes: reading needs a schema or custom object read scope,
	// changing the schema write scope.
	reader, _, _ := newClient(t, srv, []string{"crm.schemas.custom.read"})
	if _, err := reader.Schemas.List(ctx, false); err != nil {
		t.Errorf("list with crm.schemas.custom.read: %v", err)
	}
	var se *hubspot.ScopeError
	if _, err := reader.Schemas.Create(ctx, carsSchema); !errors.As(err, &se) && !errors.Is(err, hubspot.ErrForbidden) {
		t.Errorf("create without crm.schemas.custom.write: %v", err)
	}
}

// A test defines a custom object type with Schemas.Create, then reads and
// writes its records through Objects.
func ExampleSchemasService() {
	var t testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	c, _ := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken("crm.schemas.custom.write", "crm.schemas.custom.read", "crm.objects.custom.read", "crm.objects.custom.write"))),
		hubspot.WithBaseURL(srv.URL()),
	)
	defer c.Close()
	ctx := context.Background()

	sc, err := c.Schemas.Create(ctx, hubspot.SchemaInput{
		Name:                   "cars",
		Labels:                 hubspot.SchemaLabels{Singular: "Car", Plural: "Cars"},
		Properties:             []hubspot.PropertyInput{{Name: "model", Label: "Model", Type: hubspot.PropertyTypeString, FieldType: hubspot.FieldTypeText}},
		PrimaryDisplayProperty: "model",
		RequiredProperties:     []string{"model"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	cars := c.Objects(sc.FullyQualifiedName)
	car, _ := cars.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"model": "Roadster"}})
	got, _ := c.Objects(sc.ObjectTypeID).Get(ctx, car.ID, &hubspot.GetOptions{Properties: []string{"model"}})
	fmt.Println(sc.Labels.Plural, got.Properties["model"])
	_, err = cars.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{}})
	fmt.Println(errors.Is(err, hubspot.ErrValidation))
	// Output:
	// Cars Roadster
	// true
}

// A custom object's properties, beyond those its schema was made with,
// are managed through Properties under its type, and records take them.
func TestSchemaPropertiesThroughProperties(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	sc, err := c.Schemas.Create(ctx, carsSchema)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Properties.Create(ctx, sc.ObjectTypeID, hubspot.PropertyInput{Name: "colour", Label: "Colour",
		Type: hubspot.PropertyTypeString, FieldType: hubspot.FieldTypeText, GroupName: sc.Properties[0].GroupName}); err != nil {
		t.Fatal(err)
	}
	p, err := c.Properties.Get(ctx, sc.FullyQualifiedName, "colour")
	if err != nil || p.Name != "colour" {
		t.Fatalf("the new property by the type's name: %+v, %v", p, err)
	}
	car, err := c.Objects(sc.ObjectTypeID).Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"model": "Roadster", "colour": "red"}})
	if err != nil {
		t.Fatalf("a record with the new property: %v", err)
	}
	if car.Properties["colour"] != "red" {
		t.Errorf("created %+v", car.Properties)
	}
	if _, err := c.Properties.Get(ctx, sc.ObjectTypeID, "horsepower"); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("a property the type lacks: %v, want ErrNotFound", err)
	}
}
