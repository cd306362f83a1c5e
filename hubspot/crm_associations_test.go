package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// seedIDs stores n objects of objectType and returns their IDs.
func seedIDs(t *testing.T, srv *hubspottest.Server, objectType string, n int) []string {
	t.Helper()
	props := make([]map[string]string, n)
	for i := range props {
		props[i] = map[string]string{"name": fmt.Sprintf("%s %d", objectType, i)}
		switch objectType {
		case "contacts":
			props[i] = map[string]string{"email": fmt.Sprintf("c%05d@example.com", i)}
		case "deals":
			props[i] = map[string]string{"dealname": fmt.Sprintf("%s %d", objectType, i)}
		case "tickets":
			props[i] = map[string]string{"subject": fmt.Sprintf("%s %d", objectType, i)}
		}
	}
	var ids []string
	for _, o := range srv.Seed(objectType, props...) {
		ids = append(ids, o.ID)
	}
	return ids
}

func typeIDs(a hubspot.AssociatedObject) []int {
	var out []int
	for _, t := range a.Types {
		out = append(out, t.TypeID)
	}
	slices.Sort(out)
	return out
}

// HubSpot's association type IDs the tests use, from its association type
// table.
const (
	contactToCompany        = 279
	contactToCompanyPrimary = 1
	companyToContact        = 280
	companyToContactPrimary = 2
	dealToContact           = 3
)

func hubspotDefined(id int) hubspot.AssociationType {
	return hubspot.AssociationType{Category: hubspot.CategoryHubSpotDefined, TypeID: id}
}

func TestAssociationsCreateListDelete(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	contact := seedIDs(t, srv, "contacts", 1)[0]
	companies := seedIDs(t, srv, "companies", 2)

	pair, err := c.Associations.Create(ctx, "contacts", contact, "companies", companies[0], hubspotDefined(contactToCompanyPrimary))
	if err != nil {
		t.Fatal(err)
	}
	if pair.FromObjectTypeID != "0-1" || pair.ToObjectTypeID != "0-2" || pair.FromObjectID != contact ||
		pair.ToObjectID != companies[0] || !slices.Equal(pair.Labels, []string{"Primary"}) {
		t.Fatalf("pair %+v", pair)
	}
	if _, err := c.Associations.CreateDefault(ctx, "contact", contact, "0-2", companies[1]); err != nil {
		t.Fatal(err)
	}

	page, err := c.Associations.List(ctx, "contacts", contact, "companies", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 2 || page.After != "" {
		t.Fatalf("page %+v", page)
	}
	first, second := page.Results[0], page.Results[1]
	if first.ID != companies[0] || !slices.Equal(typeIDs(first), []int{contactToCompanyPrimary, contactToCompany}) ||
		!slices.Equal(first.Labels(), []string{"Primary"}) {
		t.Fatalf("first %+v", first)
	}
	if second.ID != companies[1] || !slices.Equal(typeIDs(second), []int{contactToCompany}) || len(second.Labels()) != 0 {
		t.Fatalf("second %+v", second)
	}

	// The reverse direction exists, with the reverse types.
	back, err := c.Associations.List(ctx, "companies", companies[0], "contacts", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Results) != 1 || back.Results[0].ID != contact ||
		!slices.Equal(typeIDs(back.Results[0]), []int{companyToContactPrimary, companyToContact}) {
		t.Fatalf("reverse %+v", back)
	}

	// Object reads with associations= see the links made through v4.
	obj, err := c.Contacts.Get(ctx, contact, &hubspot.GetOptions{Associations: []string{"companies"}})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, a := range obj.Associations["companies"].Results {
		if !slices.Contains(seen, a.ID) {
			seen = append(seen, a.ID)
		}
	}
	if !slices.Equal(seen, companies) {
		t.Fatalf("object read shows associations %+v, want %v", obj.Associations, companies)
	}

	if err := c.Associations.Delete(ctx, "contacts", contact, "companies", companies[0]); err != nil {
		t.Fatal(err)
	}
	page, err = c.Associations.List(ctx, "contacts", contact, "companies", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 1 || page.Results[0].ID != companies[1] {
		t.Fatalf("after delete %+v", page)
	}
	back, err = c.Associations.List(ctx, "companies", companies[0], "contacts", nil)
	if err != nil || len(back.Results) != 0 {
		t.Fatalf("reverse after delete: %+v, %v", back, err)
	}
	// Deleting again is not an error.
	if err := c.Associations.Delete(ctx, "contacts", contact, "companies", companies[0]); err != nil {
		t.Fatal(err)
	}
}

func TestAssociationsPrimaryIsExclusive(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	contact := seedIDs(t, srv, "contacts", 1)[0]
	companies := seedIDs(t, srv, "companies", 2)
	primary := hubspotDefined(contactToCompanyPrimary)
	for _, co := range companies {
		if _, err := c.Associations.Create(ctx, "contacts", contact, "companies", co, primary); err != nil {
			t.Fatal(err)
		}
	}
	page, err := c.Associations.List(ctx, "contacts", contact, "companies", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 2 || page.Results[0].HasType(contactToCompanyPrimary) ||
		!page.Results[0].HasType(contactToCompany) || !page.Results[1].HasType(contactToCompanyPrimary) {
		t.Fatalf("a contact has one primary company, the last one set: %+v", page.Results)
	}
	old, err := c.Associations.List(ctx, "companies", companies[0], "contacts", nil)
	if err != nil || len(old.Results) != 1 || old.Results[0].HasType(companyToContactPrimary) {
		t.Fatalf("the former primary company still says primary: %+v, %v", old, err)
	}
}

func TestAssociationsPagingAndAll(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	contact := seedIDs(t, srv, "contacts", 1)[0]
	companies := seedIDs(t, srv, "companies", 1200)
	inputs := make([]hubspot.AssociationBatchInput, len(companies))
	for i, co := range companies {
		inputs[i] = hubspot.AssociationBatchInput{FromID: contact, ToID: co, Types: []hubspot.AssociationType{hubspotDefined(contactToCompany)}}
	}
	if _, err := c.Associations.BatchCreate(ctx, "contacts", "companies", inputs); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		limit     int
		wantPages int
	}{
		{"HubSpot's default page", 0, 3},
		{"small pages", 250, 5},
		{"largest page", 500, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetJournal()
			var got []string
			for a, err := range c.Associations.All(ctx, "contacts", contact, "companies", &hubspot.AssociationListOptions{Limit: tt.limit}) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, a.ID)
			}
			if !slices.Equal(got, companies) {
				t.Fatalf("All returned %d companies, want the %d in order", len(got), len(companies))
			}
			if n := opCalls(t, srv, "crm.associations.v4.list", "fromObjectType", "contacts", "fromObjectId", contact, "toObjectType", "companies"); n != tt.wantPages {
				t.Fatalf("%d pages fetched, want %d", n, tt.wantPages)
			}
		})
	}

	t.Run("break stops fetching", func(t *testing.T) {
		srv.ResetJournal()
		n := 0
		for _, err := range c.Associations.All(ctx, "contacts", contact, "companies", &hubspot.AssociationListOptions{Limit: 10}) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 15 {
				break
			}
		}
		if got := opCalls(t, srv, "crm.associations.v4.list"); got != 2 {
			t.Fatalf("%d pages fetched for 15 records of 10 per page", got)
		}
	})

	t.Run("a failing page ends the loop with its error", func(t *testing.T) {
		var last error
		n := 0
		for _, err := range c.Associations.All(ctx, "contacts", "404404", "companies", nil) {
			n++
			last = err
		}
		if n != 1 || !errors.Is(last, hubspot.ErrNotFound) {
			t.Fatalf("%d yields, last error %v", n, last)
		}
	})
}

func TestAssociationsBatchReadFollowsPaging(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	contacts := seedIDs(t, srv, "contacts", 3)
	companies := seedIDs(t, srv, "companies", 1100)
	var inputs []hubspot.AssociationBatchInput
	unlabeled := []hubspot.AssociationType{hubspotDefined(contactToCompany)}
	for _, co := range companies { // contacts[0]: 1,100 companies, over two pages
		inputs = append(inputs, hubspot.AssociationBatchInput{FromID: contacts[0], ToID: co, Types: unlabeled})
	}
	for _, co := range companies[:2] { // contacts[1]: 2; contacts[2]: none
		inputs = append(inputs, hubspot.AssociationBatchInput{FromID: contacts[1], ToID: co, Types: unlabeled})
	}
	if _, err := c.Associations.BatchCreate(ctx, "contacts", "companies", inputs); err != nil {
		t.Fatal(err)
	}

	srv.ResetJournal()
	ids := []string{contacts[0], contacts[1], contacts[2], "not-a-number", contacts[1], "999999999", "0" + contacts[1]}
	res, err := c.Associations.BatchRead(ctx, "contacts", "companies", ids)
	var be *hubspot.BatchError
	if !errors.As(err, &be) || be.Failed != 1 || be.Total != len(ids) || be.FirstIndex != 3 || !errors.Is(err, hubspot.ErrValidation) {
		t.Fatalf("err = %v", err)
	}
	if res.Failed() != 1 || len(res.Items) != len(ids) {
		t.Fatalf("%d items, %d failed", len(res.Items), res.Failed())
	}
	want := []int{1100, 2, 0, -1, 2, 0, 2} // -1: an error
	for i, it := range res.Items {
		if want[i] < 0 {
			var he *hubspot.Error
			if !errors.As(it.Err, &he) || he.SubCategory == "" || he.Message == "" {
				t.Errorf("item %d: %v, want HubSpot's error", i, it.Err)
			}
			continue
		}
		if it.Err != nil || len(it.Value) != want[i] {
			t.Errorf("item %d: %d associated, err %v; want %d", i, len(it.Value), it.Err, want[i])
		}
	}
	var got []string
	for _, a := range res.Items[0].Value {
		got = append(got, a.ID)
	}
	if !slices.Equal(got, companies) {
		t.Fatal("the first contact's companies are not all there, in order")
	}
	// One request for the first page of every id, then one for each of
	// contacts[0]'s two other pages.
	if n := opCalls(t, srv, "crm.associations.v4.batch.read", "fromObjectType", "contacts", "toObjectType", "companies"); n != 3 {
		t.Fatalf("%d batch reads, want 3", n)
	}
}

func TestAssociationsBatchCreateAccountsForEveryInput(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	contacts := seedIDs(t, srv, "contacts", 50)
	companies := seedIDs(t, srv, "companies", 100)

	const n = 5000
	inputs := make([]hubspot.AssociationBatchInput, n)
	for i := range inputs {
		inputs[i] = hubspot.AssociationBatchInput{
			FromID: contacts[i%50], ToID: companies[i/50],
			Types: []hubspot.AssociationType{hubspotDefined(contactToCompany)},
		}
	}
	bad := map[int]error{}
	for _, i := range []int{3, 1999, 2000, 4999} { // unknown company, at chunk edges
		inputs[i].ToID = fmt.Sprint(900000000 + i)
		bad[i] = hubspot.ErrNotFound
	}
	for _, i := range []int{10, 2500} { // unknown contact
		inputs[i].FromID = fmt.Sprint(800000000 + i)
		bad[i] = hubspot.ErrNotFound
	}
	for _, i := range []int{77, 4321} { // a type that is not contact to company
		inputs[i].Types = []hubspot.AssociationType{hubspotDefined(dealToContact)}
		bad[i] = hubspot.ErrValidation
	}

	res, err := c.Associations.BatchCreate(ctx, "contacts", "companies", inputs)
	var be *hubspot.BatchError
	if !errors.As(err, &be) || be.Failed != len(bad) || be.Total != n || be.FirstIndex != 3 {
		t.Fatalf("err = %v", err)
	}
	if len(res.Items) != n || res.Failed() != len(bad) {
		t.Fatalf("%d items, %d failed", len(res.Items), res.Failed())
	}
	for i, it := range res.Items {
		if want, isBad := bad[i]; isBad {
			var he *hubspot.Error
			if !errors.Is(it.Err, want) || !errors.As(it.Err, &he) || he.StatusCode != http.StatusMultiStatus {
				t.Errorf("input %d: %v, want %v from a 207", i, it.Err, want)
			}
			continue
		}
		if it.Err != nil || it.Value.FromObjectID != inputs[i].FromID || it.Value.ToObjectID != inputs[i].ToID {
			t.Fatalf("input %d: %+v", i, it)
		}
	}
	if got := opCalls(t, srv, "crm.associations.v4.batch.create", "fromObjectType", "contacts", "toObjectType", "companies"); got != 3 {
		t.Fatalf("%d requests, want 3 chunks of at most %d", got, 2000)
	}
	// The server holds exactly the links of the inputs that succeeded.
	read, err := c.Associations.BatchRead(ctx, "contacts", "companies", contacts)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, it := range read.Items {
		total += len(it.Value)
	}
	if total != n-len(bad) {
		t.Fatalf("server holds %d links, want %d", total, n-len(bad))
	}
}

func TestAssociationsBatchArchive(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	deals := seedIDs(t, srv, "deals", 3)
	contacts := seedIDs(t, srv, "contacts", 4)
	var inputs []hubspot.AssociationBatchInput
	for _, d := range deals {
		for _, ct := range contacts {
			inputs = append(inputs, hubspot.AssociationBatchInput{FromID: d, ToID: ct, Types: []hubspot.AssociationType{hubspotDefined(dealToContact)}})
		}
	}
	if _, err := c.Associations.BatchCreate(ctx, "deals", "contacts", inputs); err != nil {
		t.Fatal(err)
	}
	res, err := c.Associations.BatchArchive(ctx, "deals", "contacts", []hubspot.AssociationArchiveInput{
		{FromID: deals[0], ToIDs: contacts[:2]},
		{FromID: deals[1], ToIDs: contacts},
		{FromID: "404404", ToIDs: contacts[:1]}, // nothing to remove: not an error
	})
	if err != nil || len(res.Items) != 3 || res.Failed() != 0 {
		t.Fatalf("archive: %+v, %v", res, err)
	}
	read, err := c.Associations.BatchRead(ctx, "deals", "contacts", deals)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{2, 0, 4} {
		if got := len(read.Items[i].Value); got != want {
			t.Errorf("deal %d has %d contacts, want %d", i, got, want)
		}
	}
	// Contacts lost the reverse links too.
	back, err := c.Associations.List(ctx, "contacts", contacts[0], "deals", nil)
	if err != nil || len(back.Results) != 1 || back.Results[0].ID != deals[2] {
		t.Fatalf("contact's deals %+v, %v", back, err)
	}
}

func TestAssociationsBatchContextEnded(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	inputs := make([]hubspot.AssociationBatchInput, 4500)
	for i := range inputs {
		inputs[i] = hubspot.AssociationBatchInput{FromID: "1", ToID: "2", Types: []hubspot.AssociationType{hubspotDefined(1)}}
	}
	res, err := c.Associations.BatchCreate(ctx, "contacts", "companies", inputs)
	if !errors.Is(err, context.Canceled) || res.Failed() != len(inputs) {
		t.Fatalf("err = %v, %d failed", err, res.Failed())
	}
	for i, it := range res.Items {
		if !errors.Is(it.Err, context.Canceled) {
			t.Fatalf("input %d: %v", i, it.Err)
		}
	}
	if n := len(srv.Journal()); n != 0 {
		t.Fatalf("%d calls sent after the context ended", n)
	}
}

func TestAssociationLabels(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	contact := seedIDs(t, srv, "contacts", 1)[0]
	company := seedIDs(t, srv, "companies", 1)[0]

	before, err := c.Associations.Labels(ctx, "contacts", "companies")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(before, hubspot.AssociationLabel{Category: hubspot.CategoryHubSpotDefined, TypeID: contactToCompany}) ||
		!slices.Contains(before, hubspot.AssociationLabel{Category: hubspot.CategoryHubSpotDefined, TypeID: contactToCompanyPrimary, Label: "Primary"}) {
		t.Fatalf("HubSpot's own types are missing: %+v", before)
	}

	created, err := c.Associations.CreateLabel(ctx, "contacts", "companies", hubspot.AssociationLabelInput{Name: "billing_contact", Label: "Billing contact", InverseLabel: "Billed company"})
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 1 || created[0].Category != hubspot.CategoryUserDefined || created[0].Label != "Billing contact" {
		t.Fatalf("created %+v", created)
	}
	label := created[0]
	reverse, err := c.Associations.Labels(ctx, "companies", "contacts")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(reverse, func(l hubspot.AssociationLabel) bool {
		return l.Label == "Billed company" && l.Category == hubspot.CategoryUserDefined
	}) {
		t.Fatalf("the inverse label is not defined the other way: %+v", reverse)
	}

	pair, err := c.Associations.Create(ctx, "contacts", contact, "companies", company, label.Type())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pair.Labels, []string{"Billing contact"}) {
		t.Fatalf("labels %v", pair.Labels)
	}
	back, err := c.Associations.List(ctx, "companies", company, "contacts", nil)
	if err != nil || len(back.Results) != 1 || !slices.Equal(back.Results[0].Labels(), []string{"Billed company"}) {
		t.Fatalf("reverse: %+v, %v", back, err)
	}

	if err := c.Associations.UpdateLabel(ctx, "contacts", "companies", hubspot.AssociationLabelUpdate{TypeID: label.TypeID, Label: "Accounts payable"}); err != nil {
		t.Fatal(err)
	}
	page, err := c.Associations.List(ctx, "contacts", contact, "companies", nil)
	if err != nil || !slices.Equal(page.Results[0].Labels(), []string{"Accounts payable"}) {
		t.Fatalf("after rename: %+v, %v", page, err)
	}

	// A label in use cannot be deleted; once unused it can.
	if err := c.Associations.DeleteLabel(ctx, "contacts", "companies", label.TypeID); !errors.Is(err, hubspot.ErrValidation) {
		t.Fatalf("deleting a label in use: %v", err)
	}
	if err := c.Associations.Delete(ctx, "contacts", contact, "companies", company); err != nil {
		t.Fatal(err)
	}
	if err := c.Associations.DeleteLabel(ctx, "contacts", "companies", label.TypeID); err != nil {
		t.Fatal(err)
	}
	after, err := c.Associations.Labels(ctx, "contacts", "companies")
	if err != nil || !slices.Equal(after, before) {
		t.Fatalf("labels after delete %+v, want %+v (%v)", after, before, err)
	}

	// A pair of labels between records of one type: two types.
	pairLabels, err := c.Associations.CreateLabel(ctx, "contacts", "contacts", hubspot.AssociationLabelInput{Name: "manager", Label: "Manager", InverseLabel: "Employee"})
	if err != nil || len(pairLabels) != 2 || pairLabels[0].Label != "Manager" || pairLabels[1].Label != "Employee" {
		t.Fatalf("paired labels %+v, %v", pairLabels, err)
	}
	if _, err := c.Associations.CreateLabel(ctx, "contacts", "contacts", hubspot.AssociationLabelInput{Name: "manager", Label: "Boss"}); !errors.Is(err, hubspot.ErrConflict) {
		t.Fatalf("a second label of the same name: %v", err)
	}
}

func TestAssociationsErrors(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	contact := seedIDs(t, srv, "contacts", 1)[0]
	company := seedIDs(t, srv, "companies", 1)[0]
	product := seedIDs(t, srv, "products", 1)[0]
	unlabeled := hubspotDefined(contactToCompany)

	tests := []struct {
		name string
		call func() error
		want error
		sent bool // whether a request reaches the server
		msg  string
	}{
		{"unknown from record", func() error {
			_, err := c.Associations.Create(ctx, "contacts", "404404", "companies", company, unlabeled)
			return err
		}, hubspot.ErrNotFound, true, "404404"},
		{"unknown to record", func() error {
			_, err := c.Associations.CreateDefault(ctx, "contacts", contact, "companies", "404404")
			return err
		}, hubspot.ErrNotFound, true, "404404"},
		{"type of another pair", func() error {
			_, err := c.Associations.Create(ctx, "contacts", contact, "companies", company, hubspotDefined(dealToContact))
			return err
		}, hubspot.ErrValidation, true, "not a valid association type"},
		{"wrong category", func() error {
			_, err := c.Associations.Create(ctx, "contacts", contact, "companies", company, hubspot.AssociationType{Category: hubspot.CategoryUserDefined, TypeID: contactToCompany})
			return err
		}, hubspot.ErrValidation, true, "not a valid association type"},
		{"no default between the types", func() error {
			_, err := c.Associations.CreateDefault(ctx, "contacts", contact, "products", product)
			return err
		}, hubspot.ErrValidation, true, "no default association type"},
		{"unknown object type on the server", func() error {
			_, err := c.Associations.List(ctx, "contacts", contact, "widgets", nil)
			return err
		}, hubspot.ErrValidation, true, "widgets"},
		{"deleting HubSpot's label", func() error {
			return c.Associations.DeleteLabel(ctx, "contacts", "companies", contactToCompanyPrimary)
		}, hubspot.ErrValidation, true, "defined by HubSpot"},
		{"renaming an unknown label", func() error {
			return c.Associations.UpdateLabel(ctx, "contacts", "companies", hubspot.AssociationLabelUpdate{TypeID: 987654, Label: "x"})
		}, hubspot.ErrNotFound, true, "987654"},
		{"no types", func() error {
			_, err := c.Associations.Create(ctx, "contacts", contact, "companies", company)
			return err
		}, hubspot.ErrValidation, false, "CreateDefault"},
		{"type without category", func() error {
			_, err := c.Associations.Create(ctx, "contacts", contact, "companies", company, hubspot.AssociationType{TypeID: 279})
			return err
		}, hubspot.ErrValidation, false, "no category"},
		{"empty record id", func() error {
			return c.Associations.Delete(ctx, "contacts", "", "companies", company)
		}, hubspot.ErrValidation, false, "from record id is empty"},
		{"malformed object type", func() error {
			_, err := c.Associations.List(ctx, "contacts/../x", contact, "companies", nil)
			return err
		}, hubspot.ErrValidation, false, "invalid object type"},
		{"limit too large", func() error {
			_, err := c.Associations.List(ctx, "contacts", contact, "companies", &hubspot.AssociationListOptions{Limit: 501})
			return err
		}, hubspot.ErrValidation, false, "Limit"},
		{"batch input without types", func() error {
			_, err := c.Associations.BatchCreate(ctx, "contacts", "companies", []hubspot.AssociationBatchInput{{FromID: contact, ToID: company, Types: []hubspot.AssociationType{unlabeled}}, {FromID: contact, ToID: company}})
			return err
		}, hubspot.ErrValidation, false, "input 1"},
		{"batch read of an empty id", func() error {
			_, err := c.Associations.BatchRead(ctx, "contacts", "companies", []string{contact, ""})
			return err
		}, hubspot.ErrValidation, false, "id 1 is empty"},
		{"archive input without to ids", func() error {
			_, err := c.Associations.BatchArchive(ctx, "contacts", "companies", []hubspot.AssociationArchiveInput{{FromID: contact}})
			return err
		}, hubspot.ErrValidation, false, "no to record ids"},
		{"label without a name", func() error {
			_, err := c.Associations.CreateLabel(ctx, "contacts", "companies", hubspot.AssociationLabelInput{Label: "x"})
			return err
		}, hubspot.ErrValidation, false, "Name is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetJournal()
			err := tt.call()
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.msg != "" && !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			if sent := len(srv.Journal()) > 0; sent != tt.sent {
				t.Errorf("request sent: %v, want %v", sent, tt.sent)
			}
		})
	}
}

func TestAssociationsScopes(t *testing.T) {
	srv := hubspottest.NewServer(t)
	contact := seedIDs(t, srv, "contacts", 1)[0]
	company := seedIDs(t, srv, "companies", 1)[0]
	srv.Associate("contacts", contact, "companies", company)
	ctx := context.Background()

	reader, _, _ := newClient(t, srv, []string{"crm.objects.contacts.read", "crm.objects.companies.read"})
	page, err := reader.Associations.List(ctx, "contacts", contact, "companies", nil)
	if err != nil || len(page.Results) != 1 {
		t.Fatalf("a reader lists associations: %+v, %v", page, err)
	}
	_, err = reader.Associations.CreateDefault(ctx, "contacts", contact, "companies", company)
	var he *hubspot.Error
	if !errors.Is(err, hubspot.ErrForbidden) || !errors.As(err, &he) ||
		!slices.Equal(he.RequiredScopes(), []string{"crm.objects.contacts.write", "crm.objects.companies.write"}) {
		t.Fatalf("a reader creates an association: %v", err)
	}

	contactsOnly, _, _ := newClient(t, srv, []string{"crm.objects.contacts.read"})
	_, err = contactsOnly.Associations.BatchRead(ctx, "contacts", "companies", []string{contact})
	if !errors.Is(err, hubspot.ErrForbidden) {
		t.Fatalf("reading companies without their scope: %v", err)
	}
}

func TestHubSpotAssociationType(t *testing.T) {
	tests := []struct {
		from, to, label string
		want            int
	}{
		{"contacts", "companies", "", 279},
		{"company", "contact", "", 280},
		{"0-3", "0-1", "", 3},
		{"contacts", "deals", "", 4},
		{"deals", "companies", "", 341},
		{"tickets", "contacts", "", 16},
		{"line_items", "deals", "", 20},
		{"companies", "companies", "", 450},
		{"contacts", "companies", "Primary", 1},
		{"companies", "contacts", "primary", 2},
		{"deals", "companies", "Primary", 5},
		{"companies", "companies", "Parent Company", 14},
		{"companies", "companies", "Child Company", 13},
	}
	for _, tt := range tests {
		got, ok := hubspot.HubSpotAssociationType(tt.from, tt.to, tt.label)
		if !ok || got != hubspotDefined(tt.want) {
			t.Errorf("HubSpotAssociationType(%s, %s, %q) = %+v, %v; want %d", tt.from, tt.to, tt.label, got, ok, tt.want)
		}
	}
	for _, p := range [][3]string{{"products", "contacts", ""}, {"contacts", "2-123", ""}, {"widgets", "contacts", ""}, {"contacts", "deals", "Primary"}, {"contacts", "companies", "Billing"}} {
		if got, ok := hubspot.HubSpotAssociationType(p[0], p[1], p[2]); ok {
			t.Errorf("HubSpotAssociationType(%s, %s, %q) = %+v, want none", p[0], p[1], p[2], got)
		}
	}
}

// Link records with labels, list the links, and read many records' links
// in one call.
func ExampleAssociationsService() {
	var t testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	contact := srv.Seed("contacts", map[string]string{"email": "ada@example.com"})[0].ID
	company := srv.Seed("companies", map[string]string{"name": "Analytical Engines"})[0].ID
	c, _ := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken(hubspottest.AllScopes...))),
		hubspot.WithBaseURL(srv.URL()),
	)
	defer c.Close()
	ctx := context.Background()

	primary, _ := hubspot.HubSpotAssociationType("contacts", "companies", "Primary")
	pair, err := c.Associations.Create(ctx, "contacts", contact, "companies", company, primary)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("labels:", pair.Labels)

	for a, err := range c.Associations.All(ctx, "companies", company, "contacts", nil) {
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println("company's contact is", a.ID == contact, "types", len(a.Types))
	}

	res, err := c.Associations.BatchRead(ctx, "contacts", "companies", []string{contact, "not-an-id"})
	fmt.Println(len(res.Items[0].Value), "company;", errors.Is(res.Items[1].Err, hubspot.ErrValidation), err != nil)
	// Output:
	// labels: [Primary]
	// company's contact is true types 2
	// 1 company; true true
}
