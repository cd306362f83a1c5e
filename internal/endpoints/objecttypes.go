package endpoints

import (
	"slices"
	"sort"
	"strings"
)

// OAuthScope is the scope HubSpot grants to every OAuth app. The spec
// lists it among the alternatives of many calls; the catalogue does not
// count it as allowing a CRM call, since every OAuth token holds it.
const OAuthScope = "oauth"

// Scope names as HubSpot spells them, for the object type table.
const (
	contactsRead          = "crm.objects.contacts.read"
	contactsWrite         = "crm.objects.contacts.write"
	companiesRead         = "crm.objects.companies.read"
	companiesWrite        = "crm.objects.companies.write"
	dealsRead             = "crm.objects.deals.read"
	dealsWrite            = "crm.objects.deals.write"
	productsRead          = "crm.objects.products.read"
	productsWrite         = "crm.objects.products.write"
	lineItemsRead         = "crm.objects.line_items.read"
	lineItemsWrite        = "crm.objects.line_items.write"
	quotesRead            = "crm.objects.quotes.read"
	quotesWrite           = "crm.objects.quotes.write"
	customRead            = "crm.objects.custom.read"
	customWrite           = "crm.objects.custom.write"
	ownersRead            = "crm.objects.owners.read"
	tickets               = "tickets"
	eCommerce             = "e-commerce"
	schemasContactsRead   = "crm.schemas.contacts.read"
	schemasContactsWrite  = "crm.schemas.contacts.write"
	schemasCompaniesRead  = "crm.schemas.companies.read"
	schemasCompaniesWrite = "crm.schemas.companies.write"
	schemasDealsRead      = "crm.schemas.deals.read"
	schemasDealsWrite     = "crm.schemas.deals.write"
	schemasLineItemsRead  = "crm.schemas.line_items.read"
	schemasQuotesRead     = "crm.schemas.quotes.read"
	schemasQuotesWrite    = "crm.schemas.quotes.write"
	schemasCustomRead     = "crm.schemas.custom.read"
	schemasCustomWrite    = "crm.schemas.custom.write"
)

// ObjectType describes a CRM object type and the scopes that guard it.
// Each scope list is an any-of set: holding one of its scopes is enough.
// The first scope of each list is the narrowest.
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
	// Read and Write allow reading and writing records.
	Read, Write []string
	// SchemaRead and SchemaWrite allow reading and changing the type's
	// property definitions; SchemaWrite also allows changing its
	// pipelines.
	SchemaRead, SchemaWrite []string
}

// standardTypes are the standard object types, in object type ID order.
// Their record scopes are those of HubSpot's per-object specs (CRM/Contacts,
// CRM/Products, ...): products, line items and quotes also accept
// e-commerce. Their schema scopes are those of HubSpot's properties and
// pipelines references, where every version of the spec accepts them.
var standardTypes = []ObjectType{
	{Name: "contacts", ID: "0-1", Singular: "contact",
		Read: []string{contactsRead}, Write: []string{contactsWrite},
		SchemaRead: []string{schemasContactsRead}, SchemaWrite: []string{schemasContactsWrite}},
	{Name: "companies", ID: "0-2", Singular: "company",
		Read: []string{companiesRead}, Write: []string{companiesWrite},
		SchemaRead: []string{schemasCompaniesRead}, SchemaWrite: []string{schemasCompaniesWrite}},
	{Name: "deals", ID: "0-3", Singular: "deal",
		Read: []string{dealsRead}, Write: []string{dealsWrite},
		SchemaRead: []string{schemasDealsRead}, SchemaWrite: []string{schemasDealsWrite}},
	{Name: "tickets", ID: "0-5", Singular: "ticket",
		Read: []string{tickets}, Write: []string{tickets},
		SchemaRead: []string{tickets}, SchemaWrite: []string{tickets}},
	{Name: "products", ID: "0-7", Singular: "product",
		Read: []string{productsRead, eCommerce}, Write: []string{productsWrite, eCommerce},
		SchemaRead: []string{eCommerce}, SchemaWrite: []string{eCommerce}},
	{Name: "line_items", ID: "0-8", Singular: "line_item",
		Read: []string{lineItemsRead, eCommerce}, Write: []string{lineItemsWrite, eCommerce},
		SchemaRead: []string{schemasLineItemsRead, eCommerce}, SchemaWrite: []string{eCommerce}},
	{Name: "quotes", ID: "0-14", Singular: "quote",
		Read: []string{quotesRead, eCommerce}, Write: []string{quotesWrite, eCommerce},
		SchemaRead: []string{schemasQuotesRead}, SchemaWrite: []string{schemasQuotesWrite}},

	// Activities (engagements), whose per-object specs (CRM/Notes, ...)
	// guard records with the contacts scopes in every version. (The
	// numbered emails spec also accepts sales-email-read, which the
	// associations and pipelines specs do not, and the 2026-09 one asks
	// for it beside the contacts scope: the table keeps the scope every
	// spec accepts.) Their properties and pipelines are guarded as the
	// contacts' are, which the properties and pipelines specs accept.
	activityType("communications", "0-18", "communication"),
	activityType("tasks", "0-27", "task"),
	activityType("notes", "0-46", "note"),
	activityType("meetings", "0-47", "meeting"),
	activityType("calls", "0-48", "call"),
	activityType("emails", "0-49", "email"),
	activityType("postal_mail", "0-116", "postal_mail"),
}

// activityType is an activity object type as HubSpot's specs guard it.
func activityType(name, id, singular string) ObjectType {
	return ObjectType{Name: name, ID: id, Singular: singular,
		Read: []string{contactsRead}, Write: []string{contactsWrite},
		SchemaRead: []string{schemasContactsRead}, SchemaWrite: []string{schemasContactsWrite}}
}

var typeIndex = func() map[string]int {
	m := make(map[string]int, 3*len(standardTypes))
	for i, t := range standardTypes {
		m[t.Name] = i
		m[t.ID] = i
		m[t.Singular] = i
	}
	return m
}()

// StandardObjectTypes returns the standard CRM object types the catalogue
// knows the scopes of, in HubSpot's object type ID order.
func StandardObjectTypes() []ObjectType {
	out := make([]ObjectType, len(standardTypes))
	for i, t := range standardTypes {
		out[i] = t.clone()
	}
	return out
}

func (t ObjectType) clone() ObjectType {
	t.Read, t.Write = slices.Clone(t.Read), slices.Clone(t.Write)
	t.SchemaRead, t.SchemaWrite = slices.Clone(t.SchemaRead), slices.Clone(t.SchemaWrite)
	return t
}

// LookupObjectType resolves an object type as it appears in a path: a
// standard type by plural or singular name or object type ID (case does
// not matter), or a custom type by object type ID ("2-12345") or fully
// qualified name ("p12345_cars", "p_cars"). It reports false for anything
// else.
func LookupObjectType(s string) (ObjectType, bool) {
	l := strings.ToLower(s)
	if i, ok := typeIndex[l]; ok {
		return standardTypes[i].clone(), true
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
	return ObjectType{Name: name, ID: id, Custom: true,
		Read: []string{customRead}, Write: []string{customWrite},
		SchemaRead: []string{schemasCustomRead}, SchemaWrite: []string{schemasCustomWrite}}
}

// scopesOf returns t's any-of set for kind ("read", "write",
// "schema.read", "schema.write"), or false for another kind.
func (t ObjectType) scopesOf(kind string) ([]string, bool) {
	switch kind {
	case "read":
		return t.Read, true
	case "write":
		return t.Write, true
	case "schema.read":
		return t.SchemaRead, true
	case "schema.write":
		return t.SchemaWrite, true
	}
	return nil, false
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
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// KnownScopes returns every scope name the catalogue uses, sorted, plus
// OAuthScope.
func KnownScopes() []string { return slices.Clone(knownScopes()) }

// IsKnownScope reports whether scope is one of KnownScopes.
func IsKnownScope(scope string) bool {
	_, ok := slices.BinarySearch(knownScopes(), scope)
	return ok
}

func knownScopes() []string {
	return index().known
}

func collectKnownScopes() []string {
	set := map[string]bool{OAuthScope: true}
	for _, t := range append(slices.Clone(standardTypes), customType("2-0", "2-0")) {
		for _, l := range [][]string{t.Read, t.Write, t.SchemaRead, t.SchemaWrite} {
			for _, s := range l {
				set[s] = true
			}
		}
	}
	for i := range ops {
		for _, g := range ops[i].Scopes {
			for _, s := range g {
				if !strings.HasPrefix(s, "{") {
					set[s] = true
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
