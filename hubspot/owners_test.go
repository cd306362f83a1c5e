package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

func TestOwnersListAllGet(t *testing.T) {
	srv := hubspottest.NewServer(t)
	var added []hubspottest.Owner
	for i := range 7 {
		added = append(added, srv.AddOwner(hubspottest.Owner{Email: fmt.Sprintf("user%d@example.com", i), FirstName: fmt.Sprint("U", i)}))
	}
	gone := srv.AddOwner(hubspottest.Owner{Email: "gone@example.com", Teams: []hubspottest.Team{{ID: "5", Name: "Ops", Primary: true}}})
	srv.ArchiveOwner(gone.ID)
	c, _, _ := newClient(t, srv, []string{"crm.objects.owners.read"})
	ctx := context.Background()

	// All streams every page.
	srv.ResetJournal()
	var ids []string
	for o, err := range c.Owners.All(ctx, &hubspot.OwnerListOptions{Limit: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	if len(ids) != 7 || ids[0] != added[0].ID || ids[6] != added[6].ID {
		t.Fatalf("All gave %v", ids)
	}
	if n := opCalls(t, srv, "crm.owners.list"); n != 3 {
		t.Errorf("%d list calls for 7 owners in pages of 3, want 3", n)
	}

	// Breaking out stops fetching.
	srv.ResetJournal()
	for range c.Owners.All(ctx, &hubspot.OwnerListOptions{Limit: 2}) {
		break
	}
	if n := opCalls(t, srv, "crm.owners.list"); n != 1 {
		t.Errorf("%d list calls after breaking on the first owner, want 1", n)
	}

	tests := []struct {
		name string
		opts *hubspot.OwnerListOptions
		want []string
	}{
		{"by email", &hubspot.OwnerListOptions{Email: "USER3@example.com"}, []string{added[3].ID}},
		{"archived", &hubspot.OwnerListOptions{Archived: true}, []string{gone.ID}},
		{"nil options", nil, ids},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := c.Owners.List(ctx, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range page.Results {
				got = append(got, o.ID)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") || page.After != "" {
				t.Errorf("got %v (after %q), want %v", got, page.After, tc.want)
			}
		})
	}

	o, err := c.Owners.Get(ctx, added[2].ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Email != "user2@example.com" || o.FirstName != "U2" || o.UserID != added[2].UserID || o.UserIDIncludingInactive != o.UserID || o.Type != "PERSON" || o.CreatedAt.IsZero() {
		t.Errorf("owner %+v", o)
	}
	byUser, err := c.Owners.Get(ctx, strconv.FormatInt(added[4].UserID, 10), &hubspot.OwnerGetOptions{IDProperty: hubspot.OwnerByUserID})
	if err != nil || byUser.ID != added[4].ID {
		t.Fatalf("by user id: %+v, %v", byUser, err)
	}
	g, err := c.Owners.Get(ctx, gone.ID, &hubspot.OwnerGetOptions{Archived: true})
	if err != nil || !g.Archived || g.UserID != 0 || g.UserIDIncludingInactive != gone.UserID || len(g.Teams) != 1 || !g.Teams[0].Primary {
		t.Fatalf("archived owner %+v, %v", g, err)
	}

	errs := []struct {
		name string
		call func() error
		is   error
	}{
		{"missing", func() error { _, err := c.Owners.Get(ctx, "1", nil); return err }, hubspot.ErrNotFound},
		{"archived without Archived", func() error { _, err := c.Owners.Get(ctx, gone.ID, nil); return err }, hubspot.ErrNotFound},
		{"empty id", func() error { _, err := c.Owners.Get(ctx, "", nil); return err }, hubspot.ErrValidation},
		{"bad IDProperty", func() error {
			_, err := c.Owners.Get(ctx, "1", &hubspot.OwnerGetOptions{IDProperty: "email"})
			return err
		}, hubspot.ErrValidation},
		{"limit too large", func() error { _, err := c.Owners.List(ctx, &hubspot.OwnerListOptions{Limit: 501}); return err }, hubspot.ErrValidation},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.is) {
				t.Errorf("error %v, want %v", err, tc.is)
			}
		})
	}

	// Without the owners scope.
	other, _, _ := newClient(t, srv, []string{"crm.objects.contacts.read"})
	for _, err := range other.Owners.All(ctx, nil) {
		var he *hubspot.Error
		if !errors.As(err, &he) || !errors.Is(err, hubspot.ErrForbidden) || he.RequiredScopes()[0] != "crm.objects.owners.read" {
			t.Errorf("All without the scope: %v", err)
		}
	}
}

func TestOwnersAllStopsOnCancel(t *testing.T) {
	srv := hubspottest.NewServer(t)
	for i := range 4 {
		srv.AddOwner(hubspottest.Owner{Email: fmt.Sprintf("u%d@example.com", i)})
	}
	c, _, _ := newClient(t, srv, []string{"crm.objects.owners.read"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	var last error
	for _, err := range c.Owners.All(ctx, &hubspot.OwnerListOptions{Limit: 2}) {
		if err != nil {
			last = err
			break
		}
		if n++; n == 1 {
			cancel()
		}
	}
	if n != 1 || !errors.Is(last, context.Canceled) {
		t.Errorf("got %d owners then %v, want 1 then context.Canceled", n, last)
	}
}

// Owners are read-only in HubSpot; hubspottest lets a test add them.
func ExampleOwnersService_All() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	srv.AddOwner(hubspottest.Owner{Email: "ada@example.com", FirstName: "Ada"})
	srv.AddOwner(hubspottest.Owner{Email: "grace@example.com", FirstName: "Grace"})
	c, _ := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken("crm.objects.owners.read"))),
		hubspot.WithBaseURL(srv.URL()),
	)
	for o, err := range c.Owners.All(context.Background(), nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(o.FirstName, o.Email, o.Type)
	}
	// Output:
	// Ada ada@example.com PERSON
	// Grace grace@example.com PERSON
}
