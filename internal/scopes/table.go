package scopes

import (
	"net/http"
	"slices"
	"sort"
	"strings"
)

// Rule is one row of the table: calls with Method whose path matches
// Pattern need every scope in Scopes.
//
// A pattern is a slash-separated path. A segment "*" matches any one
// segment; "{type}", "{from}" and "{to}" match an object type (see
// [LookupObjectType]) and bind it. A scope of the form "{type}:read",
// "{type}:write", "{type}:schema.read" or "{type}:schema.write" (likewise
// with from and to) stands for that scope of the bound type.
type Rule struct {
	Method  string
	Pattern string
	Scopes  []string
}

const (
	tRead        = "{type}:read"
	tWrite       = "{type}:write"
	tSchemaRead  = "{type}:schema.read"
	tSchemaWrite = "{type}:schema.write"
	fRead        = "{from}:read"
	fWrite       = "{from}:write"
	toRead       = "{to}:read"
	toWrite      = "{to}:write"
)

var (
	get   = http.MethodGet
	post  = http.MethodPost
	put   = http.MethodPut
	patch = http.MethodPatch
	del   = http.MethodDelete
)

// rules is the table. Where HubSpot accepts any one of several scopes we
// list the one that is always sufficient, so a token chosen from this
// table is never refused for lack of scope.
var rules = []Rule{
	// CRM objects v3: basic, search, batch, merge, GDPR delete.
	{get, "/crm/v3/objects/{type}", []string{tRead}},
	{post, "/crm/v3/objects/{type}", []string{tWrite}},
	{get, "/crm/v3/objects/{type}/*", []string{tRead}},
	{patch, "/crm/v3/objects/{type}/*", []string{tWrite}},
	{del, "/crm/v3/objects/{type}/*", []string{tWrite}},
	{post, "/crm/v3/objects/{type}/search", []string{tRead}},
	{post, "/crm/v3/objects/{type}/batch/read", []string{tRead}},
	{post, "/crm/v3/objects/{type}/batch/create", []string{tWrite}},
	{post, "/crm/v3/objects/{type}/batch/update", []string{tWrite}},
	{post, "/crm/v3/objects/{type}/batch/upsert", []string{tWrite}},
	{post, "/crm/v3/objects/{type}/batch/archive", []string{tWrite}},
	{post, "/crm/v3/objects/{type}/merge", []string{tWrite}},
	{post, "/crm/v3/objects/contacts/gdpr-delete", []string{ContactsWrite}},

	// Associations v3 (on the object and batch).
	{get, "/crm/v3/objects/{from}/*/associations/{to}", []string{fRead, toRead}},
	{put, "/crm/v3/objects/{from}/*/associations/{to}/*/*", []string{fWrite, toWrite}},
	{del, "/crm/v3/objects/{from}/*/associations/{to}/*/*", []string{fWrite, toWrite}},
	{get, "/crm/v3/associations/{from}/{to}/types", []string{fRead, toRead}},
	{post, "/crm/v3/associations/{from}/{to}/batch/read", []string{fRead, toRead}},
	{post, "/crm/v3/associations/{from}/{to}/batch/create", []string{fWrite, toWrite}},
	{post, "/crm/v3/associations/{from}/{to}/batch/archive", []string{fWrite, toWrite}},

	// Associations v4.
	{get, "/crm/v4/objects/{from}/*/associations/{to}", []string{fRead, toRead}},
	{put, "/crm/v4/objects/{from}/*/associations/{to}/*", []string{fWrite, toWrite}},
	{put, "/crm/v4/objects/{from}/*/associations/default/{to}/*", []string{fWrite, toWrite}},
	{del, "/crm/v4/objects/{from}/*/associations/{to}/*", []string{fWrite, toWrite}},
	{post, "/crm/v4/associations/{from}/{to}/batch/read", []string{fRead, toRead}},
	{post, "/crm/v4/associations/{from}/{to}/batch/create", []string{fWrite, toWrite}},
	{post, "/crm/v4/associations/{from}/{to}/batch/archive", []string{fWrite, toWrite}},
	{post, "/crm/v4/associations/{from}/{to}/batch/associate/default", []string{fWrite, toWrite}},
	{post, "/crm/v4/associations/{from}/{to}/batch/labels/archive", []string{fWrite, toWrite}},
	{get, "/crm/v4/associations/{from}/{to}/labels", []string{fRead, toRead}},
	{post, "/crm/v4/associations/{from}/{to}/labels", []string{fWrite, toWrite}},
	{put, "/crm/v4/associations/{from}/{to}/labels", []string{fWrite, toWrite}},
	{del, "/crm/v4/associations/{from}/{to}/labels/*", []string{fWrite, toWrite}},

	// Properties and property groups.
	{get, "/crm/v3/properties/{type}", []string{tSchemaRead}},
	{post, "/crm/v3/properties/{type}", []string{tSchemaWrite}},
	{get, "/crm/v3/properties/{type}/*", []string{tSchemaRead}},
	{patch, "/crm/v3/properties/{type}/*", []string{tSchemaWrite}},
	{del, "/crm/v3/properties/{type}/*", []string{tSchemaWrite}},
	{post, "/crm/v3/properties/{type}/batch/read", []string{tSchemaRead}},
	{post, "/crm/v3/properties/{type}/batch/create", []string{tSchemaWrite}},
	{post, "/crm/v3/properties/{type}/batch/archive", []string{tSchemaWrite}},
	{get, "/crm/v3/properties/{type}/groups", []string{tSchemaRead}},
	{post, "/crm/v3/properties/{type}/groups", []string{tSchemaWrite}},
	{get, "/crm/v3/properties/{type}/groups/*", []string{tSchemaRead}},
	{patch, "/crm/v3/properties/{type}/groups/*", []string{tSchemaWrite}},
	{del, "/crm/v3/properties/{type}/groups/*", []string{tSchemaWrite}},

	// Custom object schemas.
	{get, "/crm/v3/schemas", []string{SchemasCustomRead}},
	{post, "/crm/v3/schemas", []string{SchemasCustomWrite}},
	{get, "/crm/v3/schemas/{type}", []string{tSchemaRead}},
	{patch, "/crm/v3/schemas/{type}", []string{tSchemaWrite}},
	{del, "/crm/v3/schemas/{type}", []string{tSchemaWrite}},
	{post, "/crm/v3/schemas/{type}/associations", []string{tSchemaWrite}},
	{del, "/crm/v3/schemas/{type}/associations/*", []string{tSchemaWrite}},

	// Pipelines and stages: reading needs the type's read scope, changing
	// needs its schema write scope (crm.schemas.deals.write for deals,
	// tickets for tickets), as HubSpot's pipelines reference lists; the
	// object write scope is not enough.
	{get, "/crm/v3/pipelines/{type}", []string{tRead}},
	{post, "/crm/v3/pipelines/{type}", []string{tSchemaWrite}},
	{get, "/crm/v3/pipelines/{type}/*", []string{tRead}},
	{put, "/crm/v3/pipelines/{type}/*", []string{tSchemaWrite}},
	{patch, "/crm/v3/pipelines/{type}/*", []string{tSchemaWrite}},
	{del, "/crm/v3/pipelines/{type}/*", []string{tSchemaWrite}},
	{get, "/crm/v3/pipelines/{type}/*/stages", []string{tRead}},
	{post, "/crm/v3/pipelines/{type}/*/stages", []string{tSchemaWrite}},
	{get, "/crm/v3/pipelines/{type}/*/stages/*", []string{tRead}},
	{put, "/crm/v3/pipelines/{type}/*/stages/*", []string{tSchemaWrite}},
	{patch, "/crm/v3/pipelines/{type}/*/stages/*", []string{tSchemaWrite}},
	{del, "/crm/v3/pipelines/{type}/*/stages/*", []string{tSchemaWrite}},

	// Owners.
	{get, "/crm/v3/owners", []string{OwnersRead}},
	{get, "/crm/v3/owners/*", []string{OwnersRead}},

	// Account information: any valid token.
	{get, "/account-info/v3/details", nil},
	{get, "/account-info/v3/api-usage/daily/private-apps", nil},

	// OAuth token endpoints: authenticated by the token or client secret
	// in the call itself, not by a scoped bearer token.
	{post, "/oauth/v1/token", nil},
	{get, "/oauth/v1/access-tokens/*", nil},
	{get, "/oauth/v1/refresh-tokens/*", nil},
	{del, "/oauth/v1/refresh-tokens/*", nil},
}

// Rules returns a copy of the table, for documentation and tests.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	for i, r := range rules {
		out[i] = Rule{Method: r.Method, Pattern: r.Pattern, Scopes: slices.Clone(r.Scopes)}
	}
	return out
}

// Required returns the scopes a call needs: every one of them is required.
// It returns nil both for calls any valid token may make and for calls the
// table does not know; use [Lookup] to tell the two apart. The path may
// carry a query string, which is ignored.
func Required(method, path string) []string {
	s, _ := Lookup(method, path)
	return s
}

// Lookup returns the scopes a call needs and whether the table knows the
// call at all. A known call with no scopes (account-info) returns an empty
// list and true.
func Lookup(method, path string) ([]string, bool) {
	segs := splitPath(path)
	method = strings.ToUpper(method)
	var (
		best      *Rule
		bestScore = -1
		bestBind  map[string]ObjectType
	)
	for i := range rules {
		r := &rules[i]
		if r.Method != method {
			continue
		}
		bind, score, ok := match(compiled[i], segs)
		if ok && score > bestScore {
			best, bestScore, bestBind = r, score, bind
		}
	}
	if best == nil {
		return nil, false
	}
	out := make([]string, 0, len(best.Scopes))
	for _, s := range best.Scopes {
		s = expand(s, bestBind)
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, true
}

// Known returns every scope name the table uses, sorted, plus "oauth",
// which HubSpot grants to every OAuth app.
func Known() []string {
	set := map[string]bool{OAuth: true, OwnersRead: true, ContactsWrite: true, SchemasCustomRead: true, SchemasCustomWrite: true}
	for _, t := range append(standardTypes, customType("2-0", "2-0")) {
		set[t.Read], set[t.Write], set[t.SchemaRead], set[t.SchemaWrite] = true, true, true, true
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// IsKnown reports whether scope is a scope name the table knows.
func IsKnown(scope string) bool {
	_, ok := slices.BinarySearch(known, scope)
	return ok
}

var known = Known()

// Missing returns the scopes in required that granted lacks, in the order
// of required. Scope names compare exactly.
func Missing(required, granted []string) []string {
	var out []string
	for _, r := range required {
		if !slices.Contains(granted, r) {
			out = append(out, r)
		}
	}
	return out
}

func expand(s string, bind map[string]ObjectType) string {
	name, which, ok := strings.Cut(s, ":")
	if !ok || !strings.HasPrefix(name, "{") {
		return s
	}
	t := bind[name]
	switch which {
	case "read":
		return t.Read
	case "write":
		return t.Write
	case "schema.read":
		return t.SchemaRead
	case "schema.write":
		return t.SchemaWrite
	}
	panic("scopes: bad scope template " + s)
}

var compiled = func() [][]string {
	out := make([][]string, len(rules))
	for i, r := range rules {
		out[i] = splitPath(r.Pattern)
	}
	return out
}()

// match matches path segments against a pattern. The score counts literal
// segments so that "/objects/{type}/search" beats "/objects/{type}/*".
func match(pat, segs []string) (map[string]ObjectType, int, bool) {
	if len(pat) != len(segs) {
		return nil, 0, false
	}
	var bind map[string]ObjectType
	score := 0
	for i, p := range pat {
		s := segs[i]
		switch {
		case p == "*":
			if s == "" {
				return nil, 0, false
			}
		case strings.HasPrefix(p, "{"):
			t, ok := LookupObjectType(s)
			if !ok {
				return nil, 0, false
			}
			if bind == nil {
				bind = make(map[string]ObjectType, 2)
			}
			bind[p] = t
		default:
			if p != s {
				return nil, 0, false
			}
			score++
		}
	}
	return bind, score, true
}

// splitPath drops the query string, the leading slash and any trailing
// slash, and splits on "/".
func splitPath(p string) []string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}
