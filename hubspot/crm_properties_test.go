package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

func propertyNamed(props []hubspot.Property, name string) (hubspot.Property, bool) {
	i := slices.IndexFunc(props, func(p hubspot.Property) bool { return p.Name == name })
	if i < 0 {
		return hubspot.Property{}, false
	}
	return props[i], true
}

func TestPropertiesDefaults(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	tests := []struct {
		objectType string
		want       []string
	}{
		{"contacts", []string{"email", "firstname", "lastname", "lifecyclestage", "hubspot_owner_id", "createdate", "lastmodifieddate", "hs_object_id"}},
		{"0-2", []string{"name", "domain", "industry", "annualrevenue", "hs_lastmodifieddate"}},
		{"deal", []string{"dealname", "amount", "dealstage", "pipeline", "closedate"}},
		{"tickets", []string{"subject", "content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_priority"}},
		{"products", []string{"name", "price", "hs_sku"}},
		{"line_items", []string{"name", "price", "quantity", "amount"}},
		{"quotes", []string{"hs_title", "hs_expiration_date", "hs_status"}},
		{"2-123456", []string{"createdate", "hs_lastmodifieddate", "hs_object_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.objectType, func(t *testing.T) {
			props, err := c.Properties.List(ctx, tt.objectType, nil)
			if err != nil {
				t.Fatal(err)
			}
			groups, err := c.Properties.ListGroups(ctx, tt.objectType)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range tt.want {
				p, ok := propertyNamed(props, name)
				if !ok {
					t.Fatalf("no default property %q", name)
				}
				if !p.HubSpotDefined || p.Label == "" || p.Type == "" || p.FieldType == "" || p.CreatedAt.IsZero() ||
					!slices.ContainsFunc(groups, func(g hubspot.PropertyGroup) bool { return g.Name == p.GroupName }) {
					t.Fatalf("default property %+v (groups %+v)", p, groups)
				}
				if p.ModificationMetadata.Archivable {
					t.Errorf("%s: HubSpot's properties are not archivable", name)
				}
			}
		})
	}

	life, err := c.Properties.Get(ctx, "contacts", "lifecyclestage")
	if err != nil {
		t.Fatal(err)
	}
	if life.Type != hubspot.PropertyTypeEnumeration || len(life.Options) < 5 || life.Options[0].Value != "subscriber" || life.Options[0].Label == "" {
		t.Fatalf("lifecyclestage %+v", life)
	}
	id, err := c.Properties.Get(ctx, "contacts", "hs_object_id")
	if err != nil || !id.ModificationMetadata.ReadOnlyValue || !id.ModificationMetadata.ReadOnlyDefinition {
		t.Fatalf("hs_object_id %+v, %v", id, err)
	}
	owner, err := c.Properties.Get(ctx, "deals", "hubspot_owner_id")
	if err != nil || !owner.ExternalOptions || owner.ReferencedObjectType != "OWNER" {
		t.Fatalf("hubspot_owner_id %+v, %v", owner, err)
	}
}

func TestPropertiesLifecycle(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()

	g, err := c.Properties.CreateGroup(ctx, "contacts", hubspot.PropertyGroupInput{Name: "integration", Label: "Integration", DisplayOrder: 5})
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "integration" || g.Label != "Integration" || g.DisplayOrder != 5 || g.Archived {
		t.Fatalf("group %+v", g)
	}
	in := hubspot.PropertyInput{
		Name: "favorite_food", Label: "Favorite food", Type: hubspot.PropertyTypeEnumeration, FieldType: hubspot.FieldTypeSelect,
		GroupName: "integration", Description: "What they like",
		Options: []hubspot.PropertyOption{{Label: "Pizza", Value: "pizza"}, {Label: "Pasta", Value: "pasta", DisplayOrder: 1}},
	}
	p, err := c.Properties.Create(ctx, "contacts", in)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != in.Name || p.Label != in.Label || p.Type != in.Type || p.FieldType != in.FieldType || p.GroupName != "integration" ||
		p.Description != "What they like" || len(p.Options) != 2 || p.HubSpotDefined || !p.ModificationMetadata.Archivable || p.CreatedAt.IsZero() {
		t.Fatalf("created %+v", p)
	}
	if _, err := c.Properties.Create(ctx, "contacts", in); !errors.Is(err, hubspot.ErrConflict) {
		t.Fatalf("creating it twice: %v", err)
	}

	hidden, order := true, 3
	upd, err := c.Properties.Update(ctx, "contacts", "favorite_food", hubspot.PropertyUpdate{
		Label: "Favourite food", Hidden: &hidden, DisplayOrder: &order,
		Options: append(p.Options, hubspot.PropertyOption{Label: "Sushi", Value: "sushi", DisplayOrder: 2}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Label != "Favourite food" || !upd.Hidden || upd.DisplayOrder != 3 || len(upd.Options) != 3 || upd.Description != "What they like" {
		t.Fatalf("updated %+v", upd)
	}
	empty := ""
	upd, err = c.Properties.Update(ctx, "contacts", "favorite_food", hubspot.PropertyUpdate{Description: &empty})
	if err != nil || upd.Description != "" || upd.Label != "Favourite food" {
		t.Fatalf("clearing the description: %+v, %v", upd, err)
	}
	got, err := c.Properties.Get(ctx, "contact", "favorite_food")
	if err != nil || got.Label != "Favourite food" || len(got.Options) != 3 {
		t.Fatalf("get %+v, %v", got, err)
	}

	// A group with a live property cannot be archived.
	if err := c.Properties.ArchiveGroup(ctx, "contacts", "integration"); !errors.Is(err, hubspot.ErrValidation) {
		t.Fatalf("archiving a group in use: %v", err)
	}
	if err := c.Properties.Archive(ctx, "contacts", "favorite_food"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Properties.Get(ctx, "contacts", "favorite_food"); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("get after archive: %v", err)
	}
	live, err := c.Properties.List(ctx, "contacts", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := propertyNamed(live, "favorite_food"); ok {
		t.Fatal("an archived property is listed as live")
	}
	archived, err := c.Properties.List(ctx, "contacts", &hubspot.PropertyListOptions{Archived: true})
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := propertyNamed(archived, "favorite_food"); !ok || !a.Archived || a.ArchivedAt.IsZero() || len(archived) != 1 {
		t.Fatalf("archived list %+v", archived)
	}
	if _, err := c.Properties.Create(ctx, "contacts", in); !errors.Is(err, hubspot.ErrConflict) {
		t.Fatalf("reusing an archived name: %v", err)
	}

	if _, err := c.Properties.UpdateGroup(ctx, "contacts", "integration", hubspot.PropertyGroupUpdate{Label: "Our integration"}); err != nil {
		t.Fatal(err)
	}
	if g, err := c.Properties.GetGroup(ctx, "contacts", "integration"); err != nil || g.Label != "Our integration" || g.DisplayOrder != 5 {
		t.Fatalf("group after update %+v, %v", g, err)
	}
	if err := c.Properties.ArchiveGroup(ctx, "contacts", "integration"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Properties.GetGroup(ctx, "contacts", "integration"); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("group after archive: %v", err)
	}
}

func TestPropertiesUniqueValueIdentifiesRecords(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	_, err := c.Properties.Create(ctx, "companies", hubspot.PropertyInput{
		Name: "erp_id", Label: "ERP ID", Type: hubspot.PropertyTypeString, FieldType: hubspot.FieldTypeText,
		GroupName: "companyinformation", HasUniqueValue: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	created, err := c.Companies.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"name": "Acme", "erp_id": "ERP-1"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Companies.Get(ctx, "ERP-1", &hubspot.GetOptions{IDProperty: "erp_id"})
	if err != nil || got.ID != created.ID {
		t.Fatalf("get by the unique property: %+v, %v", got, err)
	}
	if _, err := c.Companies.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"erp_id": "ERP-1"}}); !errors.Is(err, hubspot.ErrConflict) {
		t.Fatalf("a duplicate unique value: %v", err)
	}
	// Uniqueness is set at creation only.
	yes := true
	if _, err := c.Properties.Update(ctx, "companies", "name", hubspot.PropertyUpdate{Hidden: &yes}); err != nil {
		t.Fatalf("hiding a default property: %v", err)
	}
}

func TestPropertiesErrors(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	valid := func(mod func(*hubspot.PropertyInput)) hubspot.PropertyInput {
		in := hubspot.PropertyInput{Name: "shoe_size", Label: "Shoe size", Type: hubspot.PropertyTypeNumber, FieldType: hubspot.FieldTypeNumber, GroupName: "contactinformation"}
		mod(&in)
		return in
	}
	create := func(in hubspot.PropertyInput) func() error {
		return func() error { _, err := c.Properties.Create(ctx, "contacts", in); return err }
	}
	tests := []struct {
		name string
		call func() error
		want error
		sent bool
		msg  string
	}{
		{"unknown property", func() error { _, err := c.Properties.Get(ctx, "contacts", "no_such_thing"); return err }, hubspot.ErrNotFound, true, "no_such_thing"},
		{"unknown group", func() error { _, err := c.Properties.GetGroup(ctx, "contacts", "no_such_group"); return err }, hubspot.ErrNotFound, true, "no_such_group"},
		{"field type of another type", create(valid(func(in *hubspot.PropertyInput) { in.FieldType = hubspot.FieldTypeSelect })), hubspot.ErrValidation, true, `fieldType "select" is not valid for type "number"`},
		{"unknown type", create(valid(func(in *hubspot.PropertyInput) { in.Type = "money" })), hubspot.ErrValidation, true, "not a valid property type"},
		{"missing group", create(valid(func(in *hubspot.PropertyInput) { in.GroupName = "nowhere" })), hubspot.ErrValidation, true, `"nowhere" does not exist`},
		{"uppercase name", create(valid(func(in *hubspot.PropertyInput) { in.Name = "ShoeSize" })), hubspot.ErrValidation, true, "not a valid property name"},
		{"reserved prefix", create(valid(func(in *hubspot.PropertyInput) { in.Name = "hs_shoe" })), hubspot.ErrValidation, true, "hs_"},
		{"duplicate option", create(valid(func(in *hubspot.PropertyInput) {
			in.Type, in.FieldType = hubspot.PropertyTypeEnumeration, hubspot.FieldTypeRadio
			in.Options = []hubspot.PropertyOption{{Label: "A", Value: "a"}, {Label: "Also A", Value: "a"}}
		})), hubspot.ErrValidation, true, "more than once"},
		{"default name taken", create(valid(func(in *hubspot.PropertyInput) { in.Name = "email" })), hubspot.ErrConflict, true, "already exists"},
		{"archive HubSpot's property", func() error { return c.Properties.Archive(ctx, "contacts", "email") }, hubspot.ErrValidation, true, "defined by HubSpot"},
		{"change a read-only definition", func() error {
			_, err := c.Properties.Update(ctx, "contacts", "hs_object_id", hubspot.PropertyUpdate{Label: "ID"})
			return err
		}, hubspot.ErrValidation, true, "read-only"},
		{"archive HubSpot's group", func() error { return c.Properties.ArchiveGroup(ctx, "contacts", "contactinformation") }, hubspot.ErrValidation, true, "defined by HubSpot"},
		{"group name taken", func() error {
			_, err := c.Properties.CreateGroup(ctx, "contacts", hubspot.PropertyGroupInput{Name: "contactinformation", Label: "x"})
			return err
		}, hubspot.ErrConflict, true, "already exists"},
		{"unknown object type on the server", func() error { _, err := c.Properties.List(ctx, "widgets", nil); return err }, hubspot.ErrValidation, true, "widgets"},
		{"no label", create(valid(func(in *hubspot.PropertyInput) { in.Label = "" })), hubspot.ErrValidation, false, "Label is required"},
		{"enumeration without options", create(valid(func(in *hubspot.PropertyInput) {
			in.Type, in.FieldType = hubspot.PropertyTypeEnumeration, hubspot.FieldTypeSelect
		})), hubspot.ErrValidation, false, "needs Options"},
		{"empty update", func() error {
			_, err := c.Properties.Update(ctx, "contacts", "firstname", hubspot.PropertyUpdate{})
			return err
		}, hubspot.ErrValidation, false, "nothing to change"},
		{"empty name", func() error { _, err := c.Properties.Get(ctx, "contacts", ""); return err }, hubspot.ErrValidation, false, "name is empty"},
		{"the groups path as a name", func() error { return c.Properties.Archive(ctx, "contacts", "groups") }, hubspot.ErrValidation, false, "groups endpoint"},
		{"malformed object type", func() error { _, err := c.Properties.ListGroups(ctx, "contacts/x"); return err }, hubspot.ErrValidation, false, "invalid object type"},
		{"group without label", func() error {
			_, err := c.Properties.CreateGroup(ctx, "contacts", hubspot.PropertyGroupInput{Name: "g"})
			return err
		}, hubspot.ErrValidation, false, "Label is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetJournal()
			err := tt.call()
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			if sent := len(srv.Journal()) > 0; sent != tt.sent {
				t.Errorf("request sent: %v, want %v", sent, tt.sent)
			}
		})
	}
	if _, err := c.Properties.Get(ctx, "contacts", "shoe_size"); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("a failed create left a property behind: %v", err)
	}
}

func TestPropertiesScopes(t *testing.T) {
	srv := hubspottest.NewServer(t)
	ctx := context.Background()
	reader, _, _ := newClient(t, srv, []string{"crm.schemas.contacts.read"})
	if _, err := reader.Properties.List(ctx, "contacts", nil); err != nil {
		t.Fatalf("a schema reader lists properties: %v", err)
	}
	_, err := reader.Properties.CreateGroup(ctx, "contacts", hubspot.PropertyGroupInput{Name: "g", Label: "G"})
	var he *hubspot.Error
	if !errors.Is(err, hubspot.ErrForbidden) || !errors.As(err, &he) || !slices.Equal(he.RequiredScopes(), []string{"crm.schemas.contacts.write"}) {
		t.Fatalf("a schema reader creates a group: %v", err)
	}
	if _, err := reader.Properties.List(ctx, "deals", nil); !errors.Is(err, hubspot.ErrForbidden) {
		t.Fatalf("reading deal properties with a contacts scope: %v", err)
	}
	objects, _, _ := newClient(t, srv, []string{"crm.objects.contacts.read"})
	if _, err := objects.Properties.List(ctx, "contacts", nil); !errors.Is(err, hubspot.ErrForbidden) {
		t.Fatalf("reading properties with only the records scope: %v", err)
	}
}

// Define a property group and an enumeration property in it, then read
// the definition back.
func ExamplePropertiesService() {
	var t testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	c, _ := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken("crm.schemas.deals.read", "crm.schemas.deals.write"))),
		hubspot.WithBaseURL(srv.URL()),
	)
	defer c.Close()
	ctx := context.Background()

	if _, err := c.Properties.CreateGroup(ctx, "deals", hubspot.PropertyGroupInput{Name: "renewals", Label: "Renewals"}); err != nil {
		fmt.Println(err)
		return
	}
	_, err := c.Properties.Create(ctx, "deals", hubspot.PropertyInput{
		Name: "renewal_risk", Label: "Renewal risk", GroupName: "renewals",
		Type: hubspot.PropertyTypeEnumeration, FieldType: hubspot.FieldTypeRadio,
		Options: []hubspot.PropertyOption{{Label: "Low", Value: "low"}, {Label: "High", Value: "high", DisplayOrder: 1}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := c.Properties.Get(ctx, "deals", "renewal_risk")
	fmt.Println(p.Label, p.Type, p.FieldType, len(p.Options), p.HubSpotDefined)

	_, err = c.Properties.Create(ctx, "deals", hubspot.PropertyInput{Name: "renewal_risk", Label: "Again", GroupName: "renewals",
		Type: hubspot.PropertyTypeString, FieldType: hubspot.FieldTypeText})
	fmt.Println(errors.Is(err, hubspot.ErrConflict))

	amount, _ := c.Properties.Get(ctx, "deals", "amount")
	fmt.Println(amount.Type, amount.ShowCurrencySymbol, amount.HubSpotDefined)
	// Output:
	// Renewal risk enumeration radio 2 false
	// true
	// number true true
}
