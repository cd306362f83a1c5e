// Package scopes maps a HubSpot API call (method and path) to the scopes a
// token needs to make it, from HubSpot's documented scope names.
//
// The table is data plus a small segment matcher. [Required] is what a
// server checks a token against and what a client uses to send each call
// with the least-privileged token that can make it. Every scope in the
// returned list is needed; an empty list means any valid token will do
// (account-info, OAuth token introspection).
//
// Object types are accepted the ways HubSpot accepts them: plural name
// ("contacts"), singular name ("contact"), object type ID ("0-1"), and for
// custom objects the object type ID ("2-12345") or the fully qualified
// name ("p12345_cars", "p_cars").
package scopes

import (
	"slices"
	"strings"
)

// Scope names as HubSpot spells them.
const (
	ContactsRead          = "crm.objects.contacts.read"
	ContactsWrite         = "crm.objects.contacts.write"
	CompaniesRead         = "crm.objects.companies.read"
	CompaniesWrite        = "crm.objects.companies.write"
	DealsRead             = "crm.objects.deals.read"
	DealsWrite            = "crm.objects.deals.write"
	QuotesRead            = "crm.objects.quotes.read"
	QuotesWrite           = "crm.objects.quotes.write"
	CustomRead            = "crm.objects.custom.read"
	CustomWrite           = "crm.objects.custom.write"
	OwnersRead            = "crm.objects.owners.read"
	Tickets               = "tickets"
	ECommerce             = "e-commerce"
	OAuth                 = "oauth"
	SchemasContactsRead   = "crm.schemas.contacts.read"
	SchemasContactsWrite  = "crm.schemas.contacts.write"
	SchemasCompaniesRead  = "crm.schemas.companies.read"
	SchemasCompaniesWrite = "crm.schemas.companies.write"
	SchemasDealsRead      = "crm.schemas.deals.read"
	SchemasDealsWrite     = "crm.schemas.deals.write"
	SchemasQuotesRead     = "crm.schemas.quotes.read"
	SchemasQuotesWrite    = "crm.schemas.quotes.write"
	SchemasCustomRead     = "crm.schemas.custom.read"
	SchemasCustomWrite    = "crm.schemas.custom.write"
)

// ObjectType describes a CRM object type and the scopes that guard it.
type ObjectType struct {
	// Name is the canonical plural name ("contacts", "line_items"); for a
	// custom object it is the name as given ("2-12345" or "p123_cars").
	Name string
	// ID is HubSpot's object type ID ("0-1"); for a custom object given by
	// fully qualified name it is empty.
	ID string
	// Singular is the singular name ("contact"); empty for custom objects.
	Singular string
	// Custom reports whether this is a custom object type.
	Custom bool
	// Read and Write are the scopes needed to read and to write records.
	Read, Write string
	// SchemaRead and SchemaWrite are the scopes needed to read and to
	// change the type's property definitions and schema.
	SchemaRead, SchemaWrite string
}

var standardTypes = []ObjectType{
	{Name: "contacts", ID: "0-1", Singular: "contact", Read: ContactsRead, Write: ContactsWrite, SchemaRead: SchemasContactsRead, SchemaWrite: SchemasContactsWrite},
	{Name: "companies", ID: "0-2", Singular: "company", Read: CompaniesRead, Write: CompaniesWrite, SchemaRead: SchemasCompaniesRead, SchemaWrite: SchemasCompaniesWrite},
	{Name: "deals", ID: "0-3", Singular: "deal", Read: DealsRead, Write: DealsWrite, SchemaRead: SchemasDealsRead, SchemaWrite: SchemasDealsWrite},
	{Name: "tickets", ID: "0-5", Singular: "ticket", Read: Tickets, Write: Tickets, SchemaRead: Tickets, SchemaWrite: Tickets},
	{Name: "products", ID: "0-7", Singular: "product", Read: ECommerce, Write: ECommerce, SchemaRead: ECommerce, SchemaWrite: ECommerce},
	{Name: "line_items", ID: "0-8", Singular: "line_item", Read: ECommerce, Write: ECommerce, SchemaRead: ECommerce, SchemaWrite: ECommerce},
	{Name: "quotes", ID: "0-14", Singular: "quote", Read: QuotesRead, Write: QuotesWrite, SchemaRead: SchemasQuotesRead, SchemaWrite: SchemasQuotesWrite},
}

var typeIndex = func() map[string]ObjectType {
	m := make(map[string]ObjectType)
	for _, t := range standardTypes {
		m[t.Name] = t
		m[t.ID] = t
		m[t.Singular] = t
	}
	return m
}()

// StandardObjectTypes returns the standard CRM object types the table
// knows, in HubSpot's object type ID order.
func StandardObjectTypes() []ObjectType { return slices.Clone(standardTypes) }

// LookupObjectType resolves an object type as it appears in a path: a
// standard type by plural or singular name or object type ID (case does
// not matter), or a custom type by object type ID ("2-12345") or fully
// qualified name ("p12345_cars", "p_cars"). It reports false for anything
// else, including engagement types the table does not cover.
func LookupObjectType(s string) (ObjectType, bool) {
	l := strings.ToLower(s)
	if t, ok := typeIndex[l]; ok {
		return t, true
	}
	if isCustomTypeID(l) {
		return customType(l, l), true
	}
	if isCustomName(l) {
		return customType(l, ""), true
	}
	return ObjectType{}, false
}

func customType(name, id string) ObjectType {
	return ObjectType{Name: name, ID: id, Custom: true, Read: CustomRead, Write: CustomWrite, SchemaRead: SchemasCustomRead, SchemaWrite: SchemasCustomWrite}
}

// isCustomTypeID reports whether s is "2-" followed by digits.
func isCustomTypeID(s string) bool {
	rest, ok := strings.CutPrefix(s, "2-")
	return ok && rest != "" && allDigits(rest)
}

// isCustomName reports whether s is a fully qualified custom object name:
// "p", optional portal ID digits, "_", then a name of letters, digits and
// underscores.
func isCustomName(s string) bool {
	rest, ok := strings.CutPrefix(s, "p")
	if !ok {
		return false
	}
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	name, ok := strings.CutPrefix(rest[i:], "_")
	if !ok || name == "" {
		return false
	}
	for _, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
