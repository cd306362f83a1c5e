package endpoints_test

import (
	"fmt"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// A layer that knows its operation builds the path from the row; one that
// sees only a request finds the row with Match.
func Example() {
	op, _ := endpoints.Lookup("crm.associations.v4.create-default")
	path, err := op.Expand(endpoints.Version202603, map[string]string{
		"fromObjectType": "deals", "fromObjectId": "1",
		"toObjectType": "contacts", "toObjectId": "a/b",
	})
	fmt.Println(path, err)

	row, version, params, _ := endpoints.Match("PUT", path)
	scopes, _ := row.AllowedScopes(params)
	fmt.Println(row.Name, version, params["toObjectId"])
	fmt.Println(scopes, row.Sensitive, row.Idempotent, row.Rate, row.Cred)
	// Output:
	// /crm/objects/2026-03/deals/1/associations/default/contacts/a%2Fb <nil>
	// crm.associations.v4.create-default 2026-03 a/b
	// [[crm.objects.deals.write] [crm.objects.contacts.write]] false true standard bearer
}

func ExampleMatch() {
	op, v, params, ok := endpoints.Match("POST", "/crm/v3/objects/products/search")
	fmt.Println(op.Name, v, params, ok)
	scopes, _ := op.AllowedScopes(params)
	fmt.Println(scopes, op.Rate, op.Limits.Page)
	fmt.Println(scopes.SatisfiedBy([]string{"e-commerce"}))
	// Output:
	// crm.objects.search numbered map[objectType:products] true
	// [[crm.objects.products.read e-commerce]] search 200
	// true
}

func ExampleOp_Expand() {
	op, _ := endpoints.Lookup("crm.objects.get")
	_, err := op.Expand(endpoints.Numbered, map[string]string{"objectType": "contacts", "objectId": ".."})
	fmt.Println(err)
	// Output:
	// endpoints: crm.objects.get: path parameter objectId is "..", which would change the path
}

func ExampleOp_Template() {
	op, _ := endpoints.Lookup("crm.owners.get")
	for _, v := range append([]endpoints.Version{endpoints.Numbered}, op.Versions...) {
		t, _ := op.Template(v)
		fmt.Println(op.Method + " " + t)
	}
	// Output:
	// GET /crm/v3/owners/{ownerId}
	// GET /crm/owners/2025-09/{ownerId}
	// GET /crm/owners/2026-03/{ownerId}
	// GET /crm/owners/2026-09/{ownerId}
}
