package scopes_test

import (
	"fmt"

	"github.com/hubkey/hubkey/internal/scopes"
)

func ExampleRequired() {
	fmt.Println(scopes.Required("POST", "/crm/v3/objects/contacts/search"))
	fmt.Println(scopes.Required("PUT", "/crm/v4/objects/deals/1/associations/default/companies/2"))
	fmt.Println(len(scopes.Required("GET", "/account-info/v3/details")))
	// Output:
	// [crm.objects.contacts.read]
	// [crm.objects.deals.write crm.objects.companies.write]
	// 0
}
