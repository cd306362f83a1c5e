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
)

func TestAssociationsBatchCreateDefault(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	contacts := seedIDs(t, srv, "contacts", 50)
	companies := seedIDs(t, srv, "companies", 90)

	// 4,500 distinct pairs, then 100 repeats of some of them: three chunks.
	var inputs []hubspot.AssociationBatchInput
	for i := range 4500 {
		inputs = append(inputs, hubspot.AssociationBatchInput{FromID: contacts[i%50], ToID: companies[i/50]})
	}
	for i := range 100 {
		inputs = append(inputs, inputs[i*37])
	}
	bad := map[int]bool{}
	for _, i := range []int{5, 1999, 2000, 4499} { // unknown company, at chunk edges
		inputs[i].ToID = fmt.Sprint(900000000 + i)
		bad[i] = true
	}
	inputs[4510].FromID = "800000001" // unknown contact, among the repeats
	bad[4510] = true

	res, err := c.Associations.BatchCreateDefault(ctx, "contacts", "companies", inputs)
	var be *hubspot.BatchError
	if !errors.As(err, &be) || be.Failed != len(bad) || be.Total != len(inputs) || be.FirstIndex != 5 {
		t.Fatalf("err = %v", err)
	}
	if len(res.Items) != len(inputs) || res.Failed() != len(bad) {
		t.Fatalf("%d items, %d failed", len(res.Items), res.Failed())
	}
	// HubSpot reports each link both ways; the reverse is expected.
	if len(res.Unmatched) != 0 {
		t.Fatalf("%d unmatched results, first %+v", len(res.Unmatched), res.Unmatched[0])
	}
	want := hubspotDefined(contactToCompany)
	for i, it := range res.Items {
		if bad[i] {
			var he *hubspot.Error
			if !errors.Is(it.Err, hubspot.ErrNotFound) || !errors.As(it.Err, &he) || he.StatusCode != http.StatusMultiStatus {
				t.Errorf("input %d: %v, want not found from a 207", i, it.Err)
			}
			continue
		}
		if it.Err != nil || it.Value.FromID != inputs[i].FromID || it.Value.ToID != inputs[i].ToID || it.Value.Type != want {
			t.Fatalf("input %d: %+v", i, it)
		}
	}
	if got := opCalls(t, srv, "crm.associations.v4.batch.associate-default", "fromObjectType", "contacts", "toObjectType", "companies"); got != 3 {
		t.Fatalf("%d requests, want 3 chunks of at most %d distinct pairs", got, 2000)
	}
	// Linked both ways with the unlabeled types.
	back, err := c.Associations.List(ctx, "companies", companies[1], "contacts", nil)
	if err != nil || len(back.Results) != 50 || !slices.Equal(typeIDs(back.Results[0]), []int{companyToContact}) {
		t.Fatalf("company's contacts: %+v, %v", back, err)
	}
}

func TestAssociationsBatchArchiveLabels(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	contacts := seedIDs(t, srv, "contacts", 3)
	companies := seedIDs(t, srv, "companies", 3)
	var links []hubspot.AssociationBatchInput
	for i := range contacts {
		links = append(links, hubspot.AssociationBatchInput{FromID: contacts[i], ToID: companies[i],
			Types: []hubspot.AssociationType{hubspotDefined(contactToCompanyPrimary)}})
	}
	if _, err := c.Associations.BatchCreate(ctx, "contacts", "companies", links); err != nil {
		t.Fatal(err)
	}

	// Remove the primary label from two pairs: the default link stays.
	res, err := c.Associations.BatchArchiveLabels(ctx, "contacts", "companies", links[:2])
	if err != nil || len(res.Items) != 2 || res.Failed() != 0 {
		t.Fatalf("archive labels: %+v, %v", res, err)
	}
	for i, want := range [][]int{{contactToCompany}, {contactToCompany}, {contactToCompanyPrimary, contactToCompany}} {
		got, err := c.Associations.List(ctx, "contacts", contacts[i], "companies", nil)
		if err != nil || len(got.Results) != 1 || !slices.Equal(typeIDs(got.Results[0]), want) {
			t.Fatalf("contact %d: %+v, %v; want types %v", i, got, err, want)
		}
	}

	// More than one request carries: records that do not exist are
	// skipped, not errors.
	many := make([]hubspot.AssociationBatchInput, 2500)
	for i := range many {
		many[i] = hubspot.AssociationBatchInput{FromID: fmt.Sprint(700000000 + i), ToID: companies[0],
			Types: []hubspot.AssociationType{hubspotDefined(contactToCompanyPrimary)}}
	}
	srv.ResetJournal()
	res, err = c.Associations.BatchArchiveLabels(ctx, "contacts", "companies", many)
	if err != nil || len(res.Items) != len(many) || res.Failed() != 0 {
		t.Fatalf("many: %d items, %v", len(res.Items), err)
	}
	if got := opCalls(t, srv, "crm.associations.v4.batch.labels.archive", "fromObjectType", "contacts", "toObjectType", "companies"); got != 2 {
		t.Fatalf("%d requests, want 2 chunks", got)
	}

	// A type not defined between the object types refuses the whole
	// request: every input has the error, and nothing is removed.
	mixed := []hubspot.AssociationBatchInput{
		links[2],
		{FromID: contacts[2], ToID: companies[2], Types: []hubspot.AssociationType{hubspotDefined(dealToContact)}},
	}
	res, err = c.Associations.BatchArchiveLabels(ctx, "contacts", "companies", mixed)
	var be *hubspot.BatchError
	if !errors.As(err, &be) || be.Failed != 2 || !errors.Is(res.Items[0].Err, hubspot.ErrValidation) || !errors.Is(res.Items[1].Err, hubspot.ErrValidation) {
		t.Fatalf("invalid type: %+v, %v", res, err)
	}
	got, err := c.Associations.List(ctx, "contacts", contacts[2], "companies", nil)
	if err != nil || !got.Results[0].HasType(contactToCompanyPrimary) {
		t.Fatalf("a refused request removed a label: %+v, %v", got, err)
	}
}

func TestAssociationsBatchDefaultAndLabelsRefuseBadInput(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	typ := []hubspot.AssociationType{hubspotDefined(contactToCompany)}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"default with types", func() error {
			_, err := c.Associations.BatchCreateDefault(ctx, "contacts", "companies", []hubspot.AssociationBatchInput{{FromID: "1", ToID: "2"}, {FromID: "1", ToID: "3", Types: typ}})
			return err
		}, "input 1 (1 to 3) has association types"},
		{"default with empty id", func() error {
			_, err := c.Associations.BatchCreateDefault(ctx, "contacts", "companies", []hubspot.AssociationBatchInput{{FromID: "1"}})
			return err
		}, "input 0: the to record id is empty"},
		{"default with bad object type", func() error {
			_, err := c.Associations.BatchCreateDefault(ctx, "contacts?x", "companies", []hubspot.AssociationBatchInput{{FromID: "1", ToID: "2"}})
			return err
		}, "invalid object type"},
		{"labels without types", func() error {
			_, err := c.Associations.BatchArchiveLabels(ctx, "contacts", "companies", []hubspot.AssociationBatchInput{{FromID: "1", ToID: "2"}})
			return err
		}, "input 0 (1 to 2) has no association types to remove"},
		{"labels with a type without category", func() error {
			_, err := c.Associations.BatchArchiveLabels(ctx, "contacts", "companies", []hubspot.AssociationBatchInput{{FromID: "1", ToID: "2", Types: []hubspot.AssociationType{{TypeID: 1}}}})
			return err
		}, "has no category"},
		{"labels with a dot segment id", func() error {
			_, err := c.Associations.BatchArchiveLabels(ctx, "contacts", "companies", []hubspot.AssociationBatchInput{{FromID: "..", ToID: "2", Types: typ}})
			return err
		}, "dot segment"},
	} {
		err := tc.call()
		if !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a validation error containing %q", tc.name, err, tc.want)
		}
	}
	if n := len(srv.Journal()); n != 0 {
		t.Fatalf("%d calls sent for input that was refused", n)
	}
}
