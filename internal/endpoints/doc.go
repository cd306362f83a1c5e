// Package endpoints is hubkey's operation catalogue: one table holding
// what hubkey knows about each HubSpot operation it calls, serves in
// hubspottest, or checks in front of HubSpot.
//
// Each row ([Op]) names an operation ("crm.objects.get") and gives its
// method, its path template in the numbered version (/crm/v3/...) and in
// HubSpot's date-based versions (/crm/objects/2026-03/...), the scopes
// that allow it (any one of a set, per object type), whether it is
// sensitive (signed by default), whether it is safe to repeat, its
// rate-limit class, its credential kind and its documented limits. A
// layer that knows which operation it is making asks [Lookup]; one that
// sees only a request (a gateway, a user's own call) asks [Match]. Paths
// are built with [Op.Expand], which escapes every parameter and refuses
// those that would change the path. Templates use net/http.ServeMux
// wildcards, and no two rows' patterns conflict, so a server can register
// o.Method+" "+template for every row and version ([Op.Template]).
//
// # Where the facts come from
//
// Methods, paths, versions, scopes, credential kinds and rate-limit
// exemptions come from HubSpot's published OpenAPI specs
// (github.com/HubSpot/HubSpot-public-api-spec-collection, commit
// [SpecCommit]); limits come from HubSpot's guides. Where the specs
// contradict HubSpot's guides, the row follows the guides and its Note
// says so. Scopes are the alternatives that every version of the spec
// accepts; the spec's "oauth" scope, which every OAuth token holds, is
// never counted as allowing a call.
//
// # Versions
//
// The date-based paths put the date after the API's name: objects and
// per-record associations under /crm/objects/{version}/..., batch
// associations and labels under /crm/associations/{version}/...,
// properties, pipelines and owners under /crm/properties/{version}/...,
// /crm/pipelines/{version}/... and /crm/owners/{version}, lists under
// /crm/lists/{version}/..., users under /settings/users/{version}/...
// (2026-03 only: the numbered path is /settings/v3/users/...), schemas under
// /crm-object-schemas/{version}/schemas, account information under
// /account-info/{version}/..., the token endpoint at /oauth/{version}/token
// and its introspection and revocation endpoints beside it.
// The shapes after the date are the numbered v3 and v4 ones. Where the
// versions differ, a row's Versions and Note say so: 2026-09 has no
// per-record association list; the token endpoint has no 2025-09 version;
// the app webhooks API is /app-webhooks/{version}/... in 2025-09 and
// 2026-09, but /webhooks/2026-03/... (with OAuth scopes) in 2026-03, which
// the catalogue does not list.
//
// # Facts beside the rows
//
// Facts that both hubkey's client and hubspottest need but that belong to
// no single operation live here too: HubSpot's HUBSPOT_DEFINED association
// types between standard objects ([AssociationTypes],
// [DefaultAssociationType]), the operators of lists' property filters
// ([ListFilterOperators]) and the limits on what an account or app
// holds ([MaxPipelineStages], [MaxWebhookSubscriptions]).
//
// # Rechecking against newer specs
//
// The tests check every row against spec_gen_test.go, which a generator
// writes from the specs. To recheck against a newer copy of the specs,
// from the module root:
//
//	git clone --bare https://github.com/HubSpot/HubSpot-public-api-spec-collection /tmp/specs
//	go run ./internal/endpoints/internal/specgen -specs /tmp/specs
//	go test ./internal/endpoints/
//
// (-specs also takes a checked-out copy.) The tests then report every
// row that departs from the new specs, and a spec commit that differs
// from [SpecCommit]: correct the rows, or note why they depart, and update
// SpecCommit. A new row needs the generator rerun, so that the spec data
// covers its paths. The generator also rewrites the operations' JSON
// shapes in internal/specschema, against which hubspottest's tests check
// the server's answers and hubkey's client's requests
// (TestServerConformsToSpec, TestClientConformsToSpec); rerun them too.
package endpoints
