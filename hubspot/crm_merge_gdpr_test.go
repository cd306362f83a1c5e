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

func TestMerge(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithProperties("2-1234", "model", "year"))
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	tests := []struct {
		objectType string
		svc        *hubspot.ObjectService
		primary    hubspot.Properties
		other      hubspot.Properties
		want       hubspot.Properties
	}{
		{"contacts", c.Contacts,
			hubspot.Properties{"email": "main@example.com", "firstname": "Main"},
			hubspot.Properties{"email": "dup@example.com", "firstname": "Dup", "phone": "555"},
			hubspot.Properties{"email": "main@example.com", "firstname": "Main", "phone": "555", "hs_additional_emails": "dup@example.com"}},
		{"companies", c.Companies,
			hubspot.Properties{"name": "Acme"}, hubspot.Properties{"name": "ACME Inc", "domain": "acme.test"},
			hubspot.Properties{"name": "Acme", "domain": "acme.test"}},
		{"custom", c.Objects("2-1234"),
			hubspot.Properties{"model": "T"}, hubspot.Properties{"model": "S", "year": "1908"},
			hubspot.Properties{"model": "T", "year": "1908"}},
	}
	for _, tc := range tests {
		t.Run(tc.objectType, func(t *testing.T) {
			a, err := tc.svc.Create(ctx, hubspot.ObjectInput{Properties: tc.primary})
			if err != nil {
				t.Fatal(err)
			}
			b, err := tc.svc.Create(ctx, hubspot.ObjectInput{Properties: tc.other})
			if err != nil {
				t.Fatal(err)
			}
			m, err := tc.svc.Merge(ctx, a.ID, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			if m.ID == a.ID || m.ID == b.ID {
				t.Errorf("merged record %s should have a new ID", m.ID)
			}
			for k, v := range tc.want {
				if m.Properties[k] != v {
					t.Errorf("%s = %q, want %q", k, m.Properties[k], v)
				}
			}
			if ids := m.Properties["hs_merged_object_ids"]; !strings.Contains(ids, a.ID) || !strings.Contains(ids, b.ID) {
				t.Errorf("hs_merged_object_ids %q", ids)
			}
			for _, old := range []string{a.ID, b.ID} {
				got, err := tc.svc.Get(ctx, old, nil)
				if err != nil || got.ID != m.ID {
					t.Errorf("Get(%s) = %v, %v; want the merged record %s", old, got, err, m.ID)
				}
			}
		})
	}

	d1, _ := c.Deals.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"dealname": "A"}})
	errs := []struct {
		name  string
		call  func() error
		is    error
		local bool
	}{
		{"into itself", func() error { _, err := c.Deals.Merge(ctx, d1.ID, d1.ID); return err }, hubspot.ErrValidation, true},
		{"empty id", func() error { _, err := c.Deals.Merge(ctx, d1.ID, ""); return err }, hubspot.ErrValidation, true},
		{"missing record", func() error { _, err := c.Deals.Merge(ctx, d1.ID, "404"); return err }, hubspot.ErrNotFound, false},
		{"products do not merge", func() error {
			p, _ := c.Products.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"name": "P"}})
			q, _ := c.Products.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"name": "Q"}})
			_, err := c.Products.Merge(ctx, p.ID, q.ID)
			return err
		}, hubspot.ErrValidation, false},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetJournal()
			if err := tc.call(); !errors.Is(err, tc.is) {
				t.Errorf("error %v, want %v", err, tc.is)
			}
			if sent := opCalls(t, srv, "crm.objects.merge", "objectType", "deals"); tc.local && sent != 0 {
				t.Errorf("%d merge calls sent for a merge the client should refuse", sent)
			}
		})
	}

	ro, _, _ := newClient(t, srv, []string{"crm.objects.deals.read"})
	d2, _ := c.Deals.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"dealname": "B"}})
	if _, err := ro.Deals.Merge(ctx, d1.ID, d2.ID); !errors.Is(err, hubspot.ErrForbidden) {
		t.Errorf("merge with a read-only token: %v", err)
	}
}

func TestGDPRDelete(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	mk := func(email string) *hubspot.Object {
		t.Helper()
		o, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": email}})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	byID, byEmail := mk("id@example.com"), mk("email@example.com")
	tests := []struct {
		name  string
		id    string
		opts  *hubspot.GDPRDeleteOptions
		email string // must be gone for good, and free again
		is    error
	}{
		{"by id", byID.ID, nil, "id@example.com", nil},
		{"by email", "email@example.com", &hubspot.GDPRDeleteOptions{IDProperty: "email"}, "email@example.com", nil},
		{"an address no contact has", "nobody@example.com", &hubspot.GDPRDeleteOptions{IDProperty: "email"}, "", nil},
		{"an unknown id", "123", nil, "", hubspot.ErrNotFound},
		{"twice", byID.ID, nil, "", hubspot.ErrNotFound},
		{"not a unique property", "x", &hubspot.GDPRDeleteOptions{IDProperty: "firstname"}, "", hubspot.ErrValidation},
		{"an empty id", "", nil, "", hubspot.ErrValidation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := c.Contacts.GDPRDelete(ctx, tc.id, tc.opts)
			if tc.is == nil && err != nil || tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("error %v, want %v", err, tc.is)
			}
			if tc.email == "" {
				return
			}
			if _, err := c.Contacts.Get(ctx, tc.email, &hubspot.GetOptions{IDProperty: "email", Archived: true}); !errors.Is(err, hubspot.ErrNotFound) {
				t.Errorf("the contact is still in the recycling bin: %v", err)
			}
			again := mk(tc.email)
			if again.ID == byID.ID || again.ID == byEmail.ID {
				t.Errorf("a new contact got the deleted one's ID %s", again.ID)
			}
		})
	}

	srv.ResetJournal()
	if err := c.Deals.GDPRDelete(ctx, "1", nil); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("GDPR delete of a deal: %v", err)
	}
	if err := c.Objects("0-1").GDPRDelete(ctx, mk("typeid@example.com").ID, nil); err != nil {
		t.Errorf("contacts by type ID: %v", err)
	}
	if n := opCalls(t, srv, "crm.objects.gdpr-delete"); n != 1 {
		t.Errorf("%d GDPR calls sent, want only the contact one", n)
	}
}

// A merge makes a new record; the former IDs resolve to it.
func ExampleObjectService_Merge() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	c, _ := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write"))),
		hubspot.WithBaseURL(srv.URL()),
	)
	ctx := context.Background()
	a, _ := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "ada@example.com"}})
	b, _ := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "ada.l@example.com", "phone": "555"}})

	m, err := c.Contacts.Merge(ctx, a.ID, b.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("new ID:", m.ID != a.ID && m.ID != b.ID)
	fmt.Println(m.Properties["email"], m.Properties["phone"], m.Properties["hs_additional_emails"])
	old, _ := c.Contacts.Get(ctx, b.ID, nil)
	fmt.Println("former ID resolves:", old.ID == m.ID)
	// Output:
	// new ID: true
	// ada@example.com 555 ada.l@example.com
	// former ID resolves: true
}

// A GDPR delete is permanent: no recycling bin.
func ExampleObjectService_GDPRDelete() {
	var t testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	c, _ := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write"))),
		hubspot.WithBaseURL(srv.URL()),
	)
	ctx := context.Background()
	_, _ = c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "forget.me@example.com"}})

	err := c.Contacts.GDPRDelete(ctx, "forget.me@example.com", &hubspot.GDPRDeleteOptions{IDProperty: "email"})
	fmt.Println("deleted:", err == nil)
	_, err = c.Contacts.Get(ctx, "forget.me@example.com", &hubspot.GetOptions{IDProperty: "email", Archived: true})
	fmt.Println("in the recycling bin:", !errors.Is(err, hubspot.ErrNotFound))
	// Output:
	// deleted: true
	// in the recycling bin: false
}
