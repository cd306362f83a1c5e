package hubspot_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Lists: a manual list of contacts, its members paged, and a dynamic list
// whose filters hubkey checks before sending.
func ExampleListsService() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t, hubspottest.WithListProcessingTime(0))
	defer srv.Close()
	token := srv.NewToken("crm.lists.read", "crm.lists.write", "crm.objects.contacts.write")
	c, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic(token)), hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()

	var ids []string
	for _, email := range []string{"ada@acme.example", "grace@other.example"} {
		o, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": email}})
		if err != nil {
			fmt.Println(err)
			return
		}
		ids = append(ids, o.ID)
	}

	vip, err := c.Lists.Create(ctx, hubspot.ListInput{Name: "VIPs", ObjectType: "contacts", ProcessingType: hubspot.ListManual})
	if err != nil {
		fmt.Println(err)
		return
	}
	change, _ := c.Lists.AddMembers(ctx, vip.ID, ids)
	fmt.Println("added", len(change.Added))
	for m, err := range c.Lists.Memberships(ctx, vip.ID, nil) {
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println("member", m.RecordID == ids[0] || m.RecordID == ids[1])
	}

	acme := hubspot.OrBranch(hubspot.AndBranch(
		hubspot.PropertyFilter("email", hubspot.ListOperation{Type: "STRING", Operator: "ENDS_WITH", Value: "@acme.example"}),
	))
	l, err := c.Lists.Create(ctx, hubspot.ListInput{Name: "Acme", ObjectType: "contacts", ProcessingType: hubspot.ListDynamic, FilterBranch: acme})
	if err != nil {
		fmt.Println(err)
		return
	}
	l, _ = c.Lists.Get(ctx, l.ID, nil)
	fmt.Println(l.ProcessingStatus, l.Size)

	bad := hubspot.OrBranch(hubspot.AndBranch(
		hubspot.PropertyFilter("email", hubspot.ListOperation{Type: "STRING", Operator: "EQUALS", Value: "ada@acme.example"}),
	))
	_, err = c.Lists.Create(ctx, hubspot.ListInput{Name: "Ada", ObjectType: "contacts", ProcessingType: hubspot.ListDynamic, FilterBranch: bad})
	fmt.Println(err)
	// Output:
	// added 2
	// member true
	// member true
	// COMPLETE 1
	// hubspot: lists Create "Ada": filter branch 0, filter 0 (property "email"): unknown operator "EQUALS" for operation type STRING; HubSpot documents IS_EQUAL_TO, IS_NOT_EQUAL_TO, CONTAINS, DOES_NOT_CONTAIN, STARTS_WITH, ENDS_WITH, HAS_EVER_BEEN_EQUAL_TO, HAS_NEVER_BEEN_EQUAL_TO, HAS_EVER_CONTAINED, HAS_NEVER_CONTAINED
}
