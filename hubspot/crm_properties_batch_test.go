package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func textProperty(name string) hubspot.PropertyInput {
	return hubspot.PropertyInput{Name: name, Label: "Label " + name, Type: hubspot.PropertyTypeString,
		FieldType: hubspot.FieldTypeText, GroupName: "contactinformation"}
}

func TestPropertiesBatchCreateReadArchive(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()

	// One name already in use: HubSpot creates the others and reports it
	// in a 207.
	if _, err := c.Properties.Create(ctx, "contacts", textProperty("taken")); err != nil {
		t.Fatal(err)
	}
	const n = 250
	inputs := make([]hubspot.PropertyInput, n)
	for i := range inputs {
		inputs[i] = textProperty(fmt.Sprintf("p%03d", i))
	}
	inputs[137] = textProperty("taken")
	res, err := c.Properties.BatchCreate(ctx, "contacts", inputs)
	var be *hubspot.BatchError
	if !errors.As(err, &be) || be.Failed != 1 || be.Total != n || be.FirstIndex != 137 {
		t.Fatalf("err = %v", err)
	}
	if len(res.Items) != n || res.Failed() != 1 || len(res.Unmatched) != 0 {
		t.Fatalf("%d items, %d failed, unmatched %v", len(res.Items), res.Failed(), res.Unmatched)
	}
	var he *hubspot.Error
	if it := res.Items[137]; !errors.Is(it.Err, hubspot.ErrConflict) || !errors.As(it.Err, &he) || he.StatusCode != http.StatusMultiStatus {
		t.Fatalf("input 137: %v, want a conflict from a 207", it.Err)
	}
	for i, it := range res.Items {
		if i == 137 {
			continue
		}
		if it.Err != nil || it.Value.Name != inputs[i].Name || it.Value.Label != inputs[i].Label || it.Value.CreatedAt.IsZero() {
			t.Fatalf("input %d: %+v", i, it)
		}
	}

	// Read: a name the type lacks fails alone; a repeated name is read once
	// and reported at each index.
	names := []string{"p000", "nosuch", "email", "p000", "p249"}
	srv.ResetJournal()
	read, err := c.Properties.BatchRead(ctx, "contacts", names, nil)
	if !errors.As(err, &be) || be.Failed != 1 || be.FirstIndex != 1 {
		t.Fatalf("read err = %v", err)
	}
	if !errors.Is(read.Items[1].Err, hubspot.ErrNotFound) {
		t.Fatalf("nosuch: %v", read.Items[1].Err)
	}
	for _, i := range []int{0, 2, 3, 4} {
		if it := read.Items[i]; it.Err != nil || it.Value.Name != names[i] {
			t.Fatalf("read %d: %+v", i, it)
		}
	}
	if got := opCalls(t, srv, "crm.properties.batch.read", "objectType", "contacts"); got != 1 {
		t.Fatalf("%d read requests, want 1", got)
	}

	// Archive, then read the archived ones.
	arch, err := c.Properties.BatchArchive(ctx, "contacts", []string{"p001", "p002", "p001"})
	if err != nil || len(arch.Items) != 3 {
		t.Fatalf("archive: %+v, %v", arch, err)
	}
	for i, want := range []string{"p001", "p002", "p001"} {
		if v := arch.Items[i].Value; v.Name != want || !v.Archived {
			t.Errorf("archive %d: %+v", i, v)
		}
	}
	if _, err := c.Properties.Get(ctx, "contacts", "p001"); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("archived p001 is still live: %v", err)
	}
	old, err := c.Properties.BatchRead(ctx, "contacts", []string{"p002", "p001"}, &hubspot.PropertyListOptions{Archived: true})
	if err != nil || !old.Items[0].Value.Archived || old.Items[1].Value.Name != "p001" {
		t.Fatalf("archived read: %+v, %v", old, err)
	}

	// HubSpot's own property refuses the whole request: every input has
	// the error and nothing is archived.
	arch, err = c.Properties.BatchArchive(ctx, "contacts", []string{"p003", "email"})
	if !errors.As(err, &be) || be.Failed != 2 || !errors.Is(arch.Items[0].Err, hubspot.ErrValidation) || !errors.Is(arch.Items[1].Err, hubspot.ErrValidation) {
		t.Fatalf("archive of email: %+v, %v", arch, err)
	}
	if _, err := c.Properties.Get(ctx, "contacts", "p003"); err != nil {
		t.Fatalf("p003 was archived by a refused request: %v", err)
	}
}

func TestPropertiesBatchRefusesBadInputBeforeSending(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	enum := textProperty("kind")
	enum.Type, enum.FieldType = hubspot.PropertyTypeEnumeration, hubspot.FieldTypeSelect
	noLabel := textProperty("nolabel")
	noLabel.Label = " "
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"duplicate create", func() error {
			_, err := c.Properties.BatchCreate(ctx, "contacts", []hubspot.PropertyInput{textProperty("a"), textProperty("b"), textProperty("A")})
			return err
		}, `inputs 0 and 2 both name "A"`},
		{"create without label", func() error {
			_, err := c.Properties.BatchCreate(ctx, "contacts", []hubspot.PropertyInput{textProperty("a"), noLabel})
			return err
		}, `input 1 "nolabel": Label is required`},
		{"enumeration without options", func() error {
			_, err := c.Properties.BatchCreate(ctx, "contacts", []hubspot.PropertyInput{enum})
			return err
		}, "an enumeration needs Options"},
		{"bad object type", func() error {
			_, err := c.Properties.BatchRead(ctx, "contacts/../x", []string{"a"}, nil)
			return err
		}, "invalid object type"},
		{"empty read name", func() error {
			_, err := c.Properties.BatchRead(ctx, "contacts", []string{"a", ""}, nil)
			return err
		}, "name 1: the property name is empty"},
		{"control character in archive name", func() error {
			_, err := c.Properties.BatchArchive(ctx, "contacts", []string{"a\nb"})
			return err
		}, "control character"},
	} {
		err := tc.call()
		if !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a validation error containing %q", tc.name, err, tc.want)
		}
	}
	if n := len(srv.Journal()); n != 0 {
		t.Fatalf("%d calls sent for input that was refused", n)
	}
	// No inputs: nothing to send, nothing failed.
	res, err := c.Properties.BatchRead(ctx, "contacts", nil, nil)
	if err != nil || len(res.Items) != 0 || len(srv.Journal()) != 0 {
		t.Fatalf("empty read: %+v, %v", res, err)
	}
}
