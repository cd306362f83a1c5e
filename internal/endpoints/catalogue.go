package endpoints

import "net/http"

// SpecCommit is the commit of HubSpot's public API spec collection
// (github.com/HubSpot/HubSpot-public-api-spec-collection) that the rows'
// spec-derived facts (methods, path templates, versions, scopes, credential
// kinds, burst exemptions) were checked against. The tests hold it equal to
// the commit spec_gen_test.go was generated from.
const SpecCommit = "99893791383254f52aa07662baeb98aad65cc710"

const (
	get   = http.MethodGet
	post  = http.MethodPost
	put   = http.MethodPut
	patch = http.MethodPatch
	del   = http.MethodDelete
)

// Version sets.
var (
	allDated        = []Version{Version202509, Version202603, Version202609}
	since2603       = []Version{Version202603, Version202609}
	before2609      = []Version{Version202509, Version202603}
	webhookVersions = []Version{Version202509, Version202609}
	only2603        = []Version{Version202603}
)

// Notes shared by several rows.
const (
	noteAssocV3 = "Absent from the spec, which keeps only the v3 batch and types calls: " +
		"HubSpot's v3 associations guide documents these per-record calls, which hubkey's earlier scope table knew."
	noteLabels = "The numbered path is only in the older 50914 rollout of CRM/Associations Schema, " +
		"whose narrower scope list lacks the products scopes and which marks no rate-limit exemption; " +
		"the 130902 rollout (which spells the path /crm/associations/v4/...) and every dated version " +
		"accept any CRM object scope and exempt the call from the ten-secondly limit, as the row does."
	notePipelinesRead = "The spec's read scopes do not include crm.objects.products.read: products have no pipelines, " +
		"and the row allows it only through the object type table."
	noteSchemas = "The spec spells the numbered path /crm-object-schemas/v3/schemas; " +
		"/crm/v3/schemas is the path of HubSpot's v3 custom objects guide, which HubSpot serves and hubkey's earlier scope table knew. " +
		"Scopes are the spec's, which are the custom object ones whatever the object type."
	noteSchemasPurge = "Absent from every spec: HubSpot's v3 custom objects guide documents purging a deleted schema " +
		"(DELETE /crm/v3/schemas/{objectType}/purge) with the schema write scope; it offers no dated path."
	noteFormSubmissions = "Absent from every spec: HubSpot's form integrations v1 reference documents reading a form's submissions, " +
		"newest first, at most 50 a page, with the forms scope."
	noteFormSubmit = "Absent from every spec: HubSpot's forms v3 legacy reference documents this submission endpoint, served by " +
		"api.hsforms.com rather than the API host, for a visitor's data: it takes no token (the app's budget does not count it; " +
		"HubSpot limits it to 50 requests per 10 seconds per form)."
	noteTimelineTemplates = "The numbered spec names OAuth scopes (developers-read, developers-write) for event templates and " +
		"their tokens; HubSpot's timeline guide and its reference pages call them with the developer API key of the app's " +
		"developer account (hapikey), which the row follows. No dated version offers them."
	noteTimelineEvents = "The 2026-03 spec offers the dated path for the developer platform's app events, whose body names an " +
		"event type (eventTypeName, properties) where v3 names a template (eventTemplateId, tokens): the typed client calls the " +
		"numbered path in every version, and the dated row serves calls sent through Do and HTTPClient."
	noteTimelineBatch = noteTimelineEvents + " The dated path is .../events/batch. HubSpot's timeline batch reference allows " +
		"up to 100 events a request; the v3 reference names no other figure."
	noteTimelineDetail = "Absent from every spec: HubSpot's timeline v3 reference documents reading an event's detail template " +
		"as rendered (GET .../events/{eventTemplateId}/{eventId}/detail), with the scopes of reading the event."
	noteAccount = "The spec names the oauth scope, which every OAuth access token holds; private app tokens need none, " +
		"so the row requires no scope (any valid token)."
	noteWebhooks = "The numbered (v3) spec and the 2026-03 spec (which spells the path /webhooks/2026-03/...) name OAuth " +
		"scopes (developers-read/write, private-apps-read/write); HubSpot's webhooks guide and the 2025-09 and 2026-09 " +
		"specs name the developer API key, which the row follows."
	noteUsersPath = "The numbered spec spells the path /settings/users/v3; HubSpot's user provisioning guide and its reference " +
		"pages call /settings/v3/users/ (beside /settings/v3/users/{userId}), which the row follows without the trailing slash."
	notePrefsV3 = "The v3 calls; the 2025-09 and 2026-09 specs list them beside the v4 ones under the dated path, 2026-03 does not. " +
		"The dated POST .../resubscribe, which has no numbered path, is not listed."
	noteMarketingEmails = "The numbered and 2026-03 specs accept content, marketing.email.read or marketing.email.write for the reads " +
		"and the update; the 2025-09 and 2026-09 specs name content alone, so there a credential holding only a " +
		"marketing.email scope may be refused. Publishing takes marketing-email or transactional-email in every version."
	noteFilesDated = "The numbered and 2026-03 specs accept files, files.read, files.write or files.delete (as the call needs) or the " +
		"ui_hidden scopes; the 2025-09 and 2026-09 specs name files (and files.ui_hidden.read for reads) alone, so there a " +
		"credential holding only files.read or files.write may be refused."
	noteListsAdded = "The spec names the count of added records recordsIdsAdded (sic); HubSpot's lists guide shows recordIdsAdded: " +
		"hubspottest sends the spec's name and hubkey's client reads either."
)

// Scope requirements. "{p}:kind" stands for the object type in path
// parameter p (see Requirement).
var (
	typeRead        = Requirement{{"{objectType}:read"}}
	typeWrite       = Requirement{{"{objectType}:write"}}
	typeSchemaRead  = Requirement{{"{objectType}:schema.read"}}
	typeSchemaWrite = Requirement{{"{objectType}:schema.write"}}
	pairRead        = Requirement{{"{fromObjectType}:read"}, {"{toObjectType}:read"}}
	pairWrite       = Requirement{{"{fromObjectType}:write"}, {"{toObjectType}:write"}}
	ownersScopes    = Requirement{{ownersRead}}
	// Lists (CRM/Lists): writes need crm.lists.read and one of the write
	// scopes, as every alternative of the spec pairs them.
	listsRead   = Requirement{{"crm.lists.read"}}
	listsCreate = Requirement{{"crm.lists.write", "cms.membership.access_groups.write"}}
	listsWrite  = Requirement{{"crm.lists.read"}, {"crm.lists.write", "cms.membership.access_groups.write"}}
	// Users (Settings/User Provisioning): the settings scopes, or the CRM
	// users object's.
	usersRead  = Requirement{{"settings.users.read", "crm.objects.users.read"}}
	usersWrite = Requirement{{"settings.users.write", "crm.objects.users.write"}}
	teamsRead  = Requirement{{"settings.users.teams.read"}}
	// Communication preferences (Communication Preferences/Subscriptions).
	prefsRead       = Requirement{{"communication_preferences.read", "communication_preferences.read_write"}}
	prefsWrite      = Requirement{{"communication_preferences.write", "communication_preferences.read_write"}}
	prefsReadWrite  = Requirement{{"communication_preferences.read", "communication_preferences.read_write"}, {"communication_preferences.write", "communication_preferences.read_write"}}
	prefsBatchRead  = Requirement{{"communication_preferences.statuses.batch.read"}}
	prefsBatchWrite = Requirement{{"communication_preferences.statuses.batch.write"}}
	// Exports and imports (CRM/Exports, CRM/Imports).
	exportScopes = Requirement{{"crm.export"}}
	importScopes = Requirement{{"crm.import"}}
	// Transactional email (Marketing/Transactional Single Send).
	transactionalScopes = Requirement{{"transactional-email"}}
	// Marketing emails (Marketing/Marketing Emails): any of the read,
	// write and content scopes, as the spec's alternatives give them;
	// publishing needs marketing-email or transactional-email.
	marketingEmailScopes   = Requirement{{"content", "marketing.email.read", "marketing.email.write"}}
	marketingPublishScopes = Requirement{{"marketing-email", "transactional-email"}}
	// Marketing forms and their submissions.
	formsScopes = Requirement{{"forms"}}
	// Files (Files/Files): the spec's alternatives, the ui_hidden scopes
	// among them (which reach the files HubSpot's UI does not show).
	filesRead   = Requirement{{"files", "files.read", "files.ui_hidden.read"}}
	filesWrite  = Requirement{{"files", "files.write", "files.ui_hidden.write"}}
	filesDelete = Requirement{{"files", "files.delete", "files.ui_hidden.write"}}
	// Timeline events (CRM/Timeline): the spec's alternatives, any one of
	// which allows the call, in every version that offers it.
	timelineWrite = Requirement{{"timeline",
		"crm.objects.contacts.write", "crm.objects.contacts.sensitive.write.v2", "crm.objects.contacts.highly_sensitive.write.v2", "crm.schemas.contacts.write",
		"crm.objects.companies.write", "crm.objects.companies.sensitive.write.v2", "crm.objects.companies.highly_sensitive.write.v2", "crm.schemas.companies.write",
		"crm.objects.deals.write", "crm.objects.deals.sensitive.write.v2", "crm.objects.deals.highly_sensitive.write.v2", "crm.schemas.deals.write",
		"tickets", "tickets.sensitive.v2", "tickets.highly_sensitive.v2"}}
	timelineRead = Requirement{{"timeline",
		"crm.objects.contacts.read", "crm.objects.contacts.sensitive.read.v2", "crm.objects.contacts.highly_sensitive.read.v2", "crm.schemas.contacts.read",
		"crm.objects.companies.read", "crm.objects.companies.sensitive.read.v2", "crm.objects.companies.highly_sensitive.read.v2", "crm.schemas.companies.read",
		"crm.objects.deals.read", "crm.objects.deals.sensitive.read.v2", "crm.objects.deals.highly_sensitive.read.v2", "crm.schemas.deals.read",
		"tickets", "tickets.sensitive.v2", "tickets.highly_sensitive.v2"}}
	// The schemas API: the spec's alternatives for custom object schemas.
	schemasListRead = Requirement{{schemasCustomRead, customRead, "crm.objects.custom.sensitive.read.v2", "crm.objects.custom.highly_sensitive.read.v2"}}
	schemasGetRead  = schemasListRead
	schemasWrite    = Requirement{{schemasCustomWrite}}
)

// Limits HubSpot's guides document.
var (
	objectBatch = Limits{Batch: 100}
	// A batch read that asks for property history carries at most 50
	// inputs: HubSpot's batch read guide, and the VALIDATION_ERROR it
	// answers past that.
	objectBatchRead = Limits{Batch: 100, HistoryBatch: 50}
	objectList      = Limits{Page: 100}
	// Search: HubSpot's search guide, effective 2024-08-26. Some guide pages
	// quote 6 filters per group and 18 in all; the larger numbers are kept
	// so that hubkey never refuses a search HubSpot accepts.
	searchLimits = Limits{Page: 200, Total: 10000, FilterGroups: 5, GroupFilters: 10, Filters: 25, Body: 3000}
)

// ops is the catalogue, grouped by API area. Rows that hubkey's typed
// client, hubspot/oauth or hubspottest use, plus the calls hubkey's
// earlier scope table knew.
var ops = []Op{
	// CRM objects (CRM/Objects and the per-object specs CRM/Contacts, ...).
	{Name: "crm.objects.list", Method: get, Path: "/crm/v3/objects/{objectType}", Dated: "/crm/objects/{version}/{objectType}", Versions: allDated,
		Scopes: typeRead, Idempotent: true, Rate: Standard, Cred: Bearer, Limits: objectList},
	{Name: "crm.objects.create", Method: post, Path: "/crm/v3/objects/{objectType}", Dated: "/crm/objects/{version}/{objectType}", Versions: allDated,
		Scopes: typeWrite, Rate: Standard, Cred: Bearer},
	{Name: "crm.objects.get", Method: get, Path: "/crm/v3/objects/{objectType}/{objectId}", Dated: "/crm/objects/{version}/{objectType}/{objectId}", Versions: allDated,
		Scopes: typeRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.objects.update", Method: patch, Path: "/crm/v3/objects/{objectType}/{objectId}", Dated: "/crm/objects/{version}/{objectType}/{objectId}", Versions: allDated,
		Scopes: typeWrite, Rate: Standard, Cred: Bearer},
	{Name: "crm.objects.archive", Method: del, Path: "/crm/v3/objects/{objectType}/{objectId}", Dated: "/crm/objects/{version}/{objectType}/{objectId}", Versions: allDated,
		Scopes: typeWrite, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.objects.search", Method: post, Path: "/crm/v3/objects/{objectType}/search", Dated: "/crm/objects/{version}/{objectType}/search", Versions: allDated,
		Scopes: typeRead, Idempotent: true, Rate: Search, BurstExempt: true, Cred: Bearer, Limits: searchLimits},
	{Name: "crm.objects.batch.read", Method: post, Path: "/crm/v3/objects/{objectType}/batch/read", Dated: "/crm/objects/{version}/{objectType}/batch/read", Versions: allDated,
		Scopes: typeRead, Idempotent: true, Rate: Standard, Cred: Bearer, Limits: objectBatchRead},
	{Name: "crm.objects.batch.create", Method: post, Path: "/crm/v3/objects/{objectType}/batch/create", Dated: "/crm/objects/{version}/{objectType}/batch/create", Versions: allDated,
		Scopes: typeWrite, Rate: Standard, Cred: Bearer, Limits: objectBatch},
	{Name: "crm.objects.batch.update", Method: post, Path: "/crm/v3/objects/{objectType}/batch/update", Dated: "/crm/objects/{version}/{objectType}/batch/update", Versions: allDated,
		Scopes: typeWrite, Rate: Standard, Cred: Bearer, Limits: objectBatch},
	{Name: "crm.objects.batch.upsert", Method: post, Path: "/crm/v3/objects/{objectType}/batch/upsert", Dated: "/crm/objects/{version}/{objectType}/batch/upsert", Versions: allDated,
		Scopes: typeWrite, Idempotent: true, Rate: Standard, Cred: Bearer, Limits: objectBatch},
	{Name: "crm.objects.batch.archive", Method: post, Path: "/crm/v3/objects/{objectType}/batch/archive", Dated: "/crm/objects/{version}/{objectType}/batch/archive", Versions: allDated,
		Scopes: typeWrite, Sensitive: true, Rate: Standard, Cred: Bearer, Limits: objectBatch},
	{Name: "crm.objects.merge", Method: post, Path: "/crm/v3/objects/{objectType}/merge", Dated: "/crm/objects/{version}/{objectType}/merge", Versions: allDated,
		Scopes: typeWrite, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.objects.gdpr-delete", Method: post, Path: "/crm/v3/objects/{objectType}/gdpr-delete", Dated: "/crm/objects/{version}/{objectType}/gdpr-delete", Versions: allDated,
		Scopes: typeWrite, Sensitive: true, Rate: Standard, Cred: Bearer},

	// CRM associations v3 (CRM/Associations, CRM/Associations Schema).
	{Name: "crm.associations.v3.list", Method: get, Path: "/crm/v3/objects/{fromObjectType}/{fromObjectId}/associations/{toObjectType}",
		Scopes: pairRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteAssocV3},
	{Name: "crm.associations.v3.create", Method: put, Path: "/crm/v3/objects/{fromObjectType}/{fromObjectId}/associations/{toObjectType}/{toObjectId}/{associationType}",
		Scopes: pairWrite, Rate: Standard, Cred: Bearer, Note: noteAssocV3},
	{Name: "crm.associations.v3.archive", Method: del, Path: "/crm/v3/objects/{fromObjectType}/{fromObjectId}/associations/{toObjectType}/{toObjectId}/{associationType}",
		Scopes: pairWrite, Sensitive: true, Rate: Standard, Cred: Bearer, Note: noteAssocV3},
	{Name: "crm.associations.v3.types", Method: get, Path: "/crm/v3/associations/{fromObjectType}/{toObjectType}/types",
		Scopes: pairRead, Idempotent: true, Rate: Standard, BurstExempt: true, Cred: Bearer},
	{Name: "crm.associations.v3.batch.read", Method: post, Path: "/crm/v3/associations/{fromObjectType}/{toObjectType}/batch/read",
		Scopes: pairRead, Idempotent: true, Rate: Standard, BurstExempt: true, Cred: Bearer},
	{Name: "crm.associations.v3.batch.create", Method: post, Path: "/crm/v3/associations/{fromObjectType}/{toObjectType}/batch/create",
		Scopes: pairWrite, Rate: Standard, BurstExempt: true, Cred: Bearer},
	{Name: "crm.associations.v3.batch.archive", Method: post, Path: "/crm/v3/associations/{fromObjectType}/{toObjectType}/batch/archive",
		Scopes: pairWrite, Sensitive: true, Rate: Standard, BurstExempt: true, Cred: Bearer},

	// CRM associations v4 (CRM/Associations, CRM/Associations Schema).
	{Name: "crm.associations.v4.list", Method: get, Path: "/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/{toObjectType}", Dated: "/crm/objects/{version}/{fromObjectType}/{fromObjectId}/associations/{toObjectType}", Versions: before2609,
		Scopes: pairRead, Idempotent: true, Rate: Standard, Cred: Bearer, Limits: Limits{Page: 500},
		Note: "The 2026-09 spec has no list call; 2025-09 and 2026-03 do."},
	{Name: "crm.associations.v4.create", Method: put, Path: "/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/{toObjectType}/{toObjectId}", Dated: "/crm/objects/{version}/{fromObjectType}/{fromObjectId}/associations/{toObjectType}/{toObjectId}", Versions: allDated,
		Scopes: pairWrite, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.associations.v4.create-default", Method: put, Path: "/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}", Dated: "/crm/objects/{version}/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}", Versions: allDated,
		Scopes: pairWrite, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.associations.v4.archive", Method: del, Path: "/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/{toObjectType}/{toObjectId}", Dated: "/crm/objects/{version}/{fromObjectType}/{fromObjectId}/associations/{toObjectType}/{toObjectId}", Versions: allDated,
		Scopes: pairWrite, Sensitive: true, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.associations.v4.batch.read", Method: post, Path: "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read", Dated: "/crm/associations/{version}/{fromObjectType}/{toObjectType}/batch/read", Versions: allDated,
		Scopes: pairRead, Idempotent: true, Rate: Standard, BurstExempt: true, Cred: Bearer, Limits: Limits{Batch: 1000}},
	{Name: "crm.associations.v4.batch.create", Method: post, Path: "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/create", Dated: "/crm/associations/{version}/{fromObjectType}/{toObjectType}/batch/create", Versions: allDated,
		Scopes: pairWrite, Idempotent: true, Rate: Standard, BurstExempt: true, Cred: Bearer, Limits: Limits{Batch: 2000}},
	{Name: "crm.associations.v4.batch.archive", Method: post, Path: "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/archive", Dated: "/crm/associations/{version}/{fromObjectType}/{toObjectType}/batch/archive", Versions: allDated,
		Scopes: pairWrite, Sensitive: true, Idempotent: true, Rate: Standard, BurstExempt: true, Cred: Bearer, Limits: Limits{Batch: 2000}},
	{Name: "crm.associations.v4.batch.associate-default", Method: post, Path: "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/associate/default", Dated: "/crm/associations/{version}/{fromObjectType}/{toObjectType}/batch/associate/default", Versions: allDated,
		Scopes: pairWrite, Rate: Standard, BurstExempt: true, Cred: Bearer, Limits: Limits{Batch: 2000}},
	{Name: "crm.associations.v4.batch.labels.archive", Method: post, Path: "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/labels/archive", Dated: "/crm/associations/{version}/{fromObjectType}/{toObjectType}/batch/labels/archive", Versions: allDated,
		Scopes: pairWrite, Rate: Standard, BurstExempt: true, Cred: Bearer, Limits: Limits{Batch: 2000}},
	{Name: "crm.associations.v4.labels.list", Method: get, Path: "/crm/v4/associations/{fromObjectType}/{toObjectType}/labels", Dated: "/crm/associations/{version}/{fromObjectType}/{toObjectType}/labels", Versions: allDated,
		Scopes: pairRead, Idempotent: true, Rate: Standard, BurstExempt: true, Cred: Bearer, Note: noteLabels},
	{Name: "crm.associations.v4.labels.create", Method: post, Path: "/crm/v4/associations/{fromObjectType}/{toObjectType}/labels", Dated: "/crm/associations/{version}/{fromObjectType}/{toObjectType}/labels", Versions: allDated,
		Scopes: pairWrite, Rate: Standard, BurstExempt: true, Cred: Bearer, Note: noteLabels},
	{Name: "crm.associations.v4.labels.update", Method: put, Path: "/crm/v4/associations/{fromObjectType}/{toObjectType}/labels", Dated: "/crm/associations/{version}/{fromObjectType}/{toObjectType}/labels", Versions: allDated,
		Scopes: pairWrite, Idempotent: true, Rate: Standard, BurstExempt: true, Cred: Bearer, Note: noteLabels},
	{Name: "crm.associations.v4.labels.archive", Method: del, Path: "/crm/v4/associations/{fromObjectType}/{toObjectType}/labels/{associationTypeId}", Dated: "/crm/associations/{version}/{fromObjectType}/{toObjectType}/labels/{associationTypeId}", Versions: allDated,
		Scopes: pairWrite, Sensitive: true, Rate: Standard, BurstExempt: true, Cred: Bearer, Note: noteLabels},

	// CRM properties and property groups (CRM/Properties).
	{Name: "crm.properties.list", Method: get, Path: "/crm/v3/properties/{objectType}", Dated: "/crm/properties/{version}/{objectType}", Versions: allDated,
		Scopes: typeSchemaRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.properties.create", Method: post, Path: "/crm/v3/properties/{objectType}", Dated: "/crm/properties/{version}/{objectType}", Versions: allDated,
		Scopes: typeSchemaWrite, Rate: Standard, Cred: Bearer},
	{Name: "crm.properties.get", Method: get, Path: "/crm/v3/properties/{objectType}/{propertyName}", Dated: "/crm/properties/{version}/{objectType}/{propertyName}", Versions: allDated,
		Scopes: typeSchemaRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.properties.update", Method: patch, Path: "/crm/v3/properties/{objectType}/{propertyName}", Dated: "/crm/properties/{version}/{objectType}/{propertyName}", Versions: allDated,
		Scopes: typeSchemaWrite, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.properties.archive", Method: del, Path: "/crm/v3/properties/{objectType}/{propertyName}", Dated: "/crm/properties/{version}/{objectType}/{propertyName}", Versions: allDated,
		Scopes: typeSchemaWrite, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.properties.batch.read", Method: post, Path: "/crm/v3/properties/{objectType}/batch/read", Dated: "/crm/properties/{version}/{objectType}/batch/read", Versions: allDated,
		Scopes: typeSchemaRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.properties.batch.create", Method: post, Path: "/crm/v3/properties/{objectType}/batch/create", Dated: "/crm/properties/{version}/{objectType}/batch/create", Versions: allDated,
		Scopes: typeSchemaWrite, Rate: Standard, Cred: Bearer},
	{Name: "crm.properties.batch.archive", Method: post, Path: "/crm/v3/properties/{objectType}/batch/archive", Dated: "/crm/properties/{version}/{objectType}/batch/archive", Versions: allDated,
		Scopes: typeSchemaWrite, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.properties.groups.list", Method: get, Path: "/crm/v3/properties/{objectType}/groups", Dated: "/crm/properties/{version}/{objectType}/groups", Versions: allDated,
		Scopes: typeSchemaRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.properties.groups.create", Method: post, Path: "/crm/v3/properties/{objectType}/groups", Dated: "/crm/properties/{version}/{objectType}/groups", Versions: allDated,
		Scopes: typeSchemaWrite, Rate: Standard, Cred: Bearer},
	{Name: "crm.properties.groups.get", Method: get, Path: "/crm/v3/properties/{objectType}/groups/{groupName}", Dated: "/crm/properties/{version}/{objectType}/groups/{groupName}", Versions: allDated,
		Scopes: typeSchemaRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.properties.groups.update", Method: patch, Path: "/crm/v3/properties/{objectType}/groups/{groupName}", Dated: "/crm/properties/{version}/{objectType}/groups/{groupName}", Versions: allDated,
		Scopes: typeSchemaWrite, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.properties.groups.archive", Method: del, Path: "/crm/v3/properties/{objectType}/groups/{groupName}", Dated: "/crm/properties/{version}/{objectType}/groups/{groupName}", Versions: allDated,
		Scopes: typeSchemaWrite, Sensitive: true, Rate: Standard, Cred: Bearer},

	// CRM custom object schemas (CRM/Schemas).
	{Name: "crm.schemas.list", Method: get, Path: "/crm/v3/schemas", Dated: "/crm-object-schemas/{version}/schemas", Versions: allDated,
		Scopes: schemasListRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteSchemas},
	{Name: "crm.schemas.create", Method: post, Path: "/crm/v3/schemas", Dated: "/crm-object-schemas/{version}/schemas", Versions: allDated,
		Scopes: schemasWrite, Rate: Standard, Cred: Bearer, Note: noteSchemas},
	{Name: "crm.schemas.get", Method: get, Path: "/crm/v3/schemas/{objectType}", Dated: "/crm-object-schemas/{version}/schemas/{objectType}", Versions: allDated,
		Scopes: schemasGetRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteSchemas},
	{Name: "crm.schemas.update", Method: patch, Path: "/crm/v3/schemas/{objectType}", Dated: "/crm-object-schemas/{version}/schemas/{objectType}", Versions: allDated,
		Scopes: schemasWrite, Rate: Standard, Cred: Bearer, Note: noteSchemas},
	{Name: "crm.schemas.archive", Method: del, Path: "/crm/v3/schemas/{objectType}", Dated: "/crm-object-schemas/{version}/schemas/{objectType}", Versions: allDated,
		Scopes: schemasWrite, Sensitive: true, Rate: Standard, Cred: Bearer, Note: noteSchemas},
	{Name: "crm.schemas.associations.create", Method: post, Path: "/crm/v3/schemas/{objectType}/associations", Dated: "/crm-object-schemas/{version}/schemas/{objectType}/associations", Versions: allDated,
		Scopes: schemasWrite, Rate: Standard, Cred: Bearer, Note: noteSchemas},
	{Name: "crm.schemas.associations.archive", Method: del, Path: "/crm/v3/schemas/{objectType}/associations/{associationIdentifier}", Dated: "/crm-object-schemas/{version}/schemas/{objectType}/associations/{associationIdentifier}", Versions: allDated,
		Scopes: schemasWrite, Sensitive: true, Rate: Standard, Cred: Bearer, Note: noteSchemas},
	{Name: "crm.schemas.purge", Method: del, Path: "/crm/v3/schemas/{objectType}/purge",
		Scopes: schemasWrite, Sensitive: true, Rate: Standard, Cred: Bearer, Note: noteSchemasPurge},

	// CRM pipelines and stages (CRM/Pipelines). Reading needs the type's
	// read scope; changing needs its schema write scope.
	{Name: "crm.pipelines.list", Method: get, Path: "/crm/v3/pipelines/{objectType}", Dated: "/crm/pipelines/{version}/{objectType}", Versions: allDated,
		Scopes: typeRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: notePipelinesRead},
	{Name: "crm.pipelines.create", Method: post, Path: "/crm/v3/pipelines/{objectType}", Dated: "/crm/pipelines/{version}/{objectType}", Versions: allDated,
		Scopes: typeSchemaWrite, Rate: Standard, Cred: Bearer},
	{Name: "crm.pipelines.get", Method: get, Path: "/crm/v3/pipelines/{objectType}/{pipelineId}", Dated: "/crm/pipelines/{version}/{objectType}/{pipelineId}", Versions: allDated,
		Scopes: typeRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: notePipelinesRead},
	{Name: "crm.pipelines.replace", Method: put, Path: "/crm/v3/pipelines/{objectType}/{pipelineId}", Dated: "/crm/pipelines/{version}/{objectType}/{pipelineId}", Versions: allDated,
		Scopes: typeSchemaWrite, Rate: Standard, Cred: Bearer},
	{Name: "crm.pipelines.update", Method: patch, Path: "/crm/v3/pipelines/{objectType}/{pipelineId}", Dated: "/crm/pipelines/{version}/{objectType}/{pipelineId}", Versions: allDated,
		Scopes: typeSchemaWrite, Rate: Standard, Cred: Bearer},
	{Name: "crm.pipelines.archive", Method: del, Path: "/crm/v3/pipelines/{objectType}/{pipelineId}", Dated: "/crm/pipelines/{version}/{objectType}/{pipelineId}", Versions: allDated,
		Scopes: typeSchemaWrite, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.pipelines.audit", Method: get, Path: "/crm/v3/pipelines/{objectType}/{pipelineId}/audit", Dated: "/crm/pipelines/{version}/{objectType}/{pipelineId}/audit", Versions: allDated,
		Scopes: typeRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: notePipelinesRead},
	{Name: "crm.pipelines.stages.list", Method: get, Path: "/crm/v3/pipelines/{objectType}/{pipelineId}/stages", Dated: "/crm/pipelines/{version}/{objectType}/{pipelineId}/stages", Versions: allDated,
		Scopes: typeRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: notePipelinesRead},
	{Name: "crm.pipelines.stages.create", Method: post, Path: "/crm/v3/pipelines/{objectType}/{pipelineId}/stages", Dated: "/crm/pipelines/{version}/{objectType}/{pipelineId}/stages", Versions: allDated,
		Scopes: typeSchemaWrite, Rate: Standard, Cred: Bearer},
	{Name: "crm.pipelines.stages.get", Method: get, Path: "/crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}", Dated: "/crm/pipelines/{version}/{objectType}/{pipelineId}/stages/{stageId}", Versions: allDated,
		Scopes: typeRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: notePipelinesRead},
	{Name: "crm.pipelines.stages.audit", Method: get, Path: "/crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}/audit", Dated: "/crm/pipelines/{version}/{objectType}/{pipelineId}/stages/{stageId}/audit", Versions: allDated,
		Scopes: typeRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: notePipelinesRead},
	{Name: "crm.pipelines.stages.replace", Method: put, Path: "/crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}", Dated: "/crm/pipelines/{version}/{objectType}/{pipelineId}/stages/{stageId}", Versions: allDated,
		Scopes: typeSchemaWrite, Rate: Standard, Cred: Bearer},
	{Name: "crm.pipelines.stages.update", Method: patch, Path: "/crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}", Dated: "/crm/pipelines/{version}/{objectType}/{pipelineId}/stages/{stageId}", Versions: allDated,
		Scopes: typeSchemaWrite, Rate: Standard, Cred: Bearer},
	{Name: "crm.pipelines.stages.archive", Method: del, Path: "/crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}", Dated: "/crm/pipelines/{version}/{objectType}/{pipelineId}/stages/{stageId}", Versions: allDated,
		Scopes: typeSchemaWrite, Sensitive: true, Rate: Standard, Cred: Bearer},

	// CRM owners (CRM/Crm Owners).
	{Name: "crm.owners.list", Method: get, Path: "/crm/v3/owners", Dated: "/crm/owners/{version}", Versions: allDated,
		Scopes: ownersScopes, Idempotent: true, Rate: Standard, Cred: Bearer, Limits: Limits{Page: 500}},
	{Name: "crm.owners.get", Method: get, Path: "/crm/v3/owners/{ownerId}", Dated: "/crm/owners/{version}/{ownerId}", Versions: allDated,
		Scopes: ownersScopes, Idempotent: true, Rate: Standard, Cred: Bearer},

	// CRM lists v3 (CRM/Lists). Two DELETEs of the spec are not listed:
	// /crm/v3/lists/{listId}/memberships (remove every member) and
	// /crm/v3/lists/{listId}/schedule-conversion each overlap
	// /crm/v3/lists/folders/{folderId} with neither pattern more specific,
	// which no ServeMux (nor Match) can tell apart. Members are removed by
	// crm.lists.memberships.remove.
	{Name: "crm.lists.create", Method: post, Path: "/crm/v3/lists", Dated: "/crm/lists/{version}", Versions: allDated,
		Scopes: listsCreate, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.get-many", Method: get, Path: "/crm/v3/lists", Dated: "/crm/lists/{version}", Versions: allDated,
		Scopes: listsRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.search", Method: post, Path: "/crm/v3/lists/search", Dated: "/crm/lists/{version}/search", Versions: allDated,
		Scopes: listsRead, Idempotent: true, Rate: Standard, Cred: Bearer, Limits: Limits{Page: 500}},
	{Name: "crm.lists.get", Method: get, Path: "/crm/v3/lists/{listId}", Dated: "/crm/lists/{version}/{listId}", Versions: allDated,
		Scopes: listsRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.get-by-name", Method: get, Path: "/crm/v3/lists/object-type-id/{objectTypeId}/name/{listName}", Dated: "/crm/lists/{version}/object-type-id/{objectTypeId}/name/{listName}", Versions: allDated,
		Scopes: listsRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.delete", Method: del, Path: "/crm/v3/lists/{listId}", Dated: "/crm/lists/{version}/{listId}", Versions: allDated,
		Scopes: listsWrite, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.restore", Method: put, Path: "/crm/v3/lists/{listId}/restore", Dated: "/crm/lists/{version}/{listId}/restore", Versions: allDated,
		Scopes: listsWrite, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.update-name", Method: put, Path: "/crm/v3/lists/{listId}/update-list-name", Dated: "/crm/lists/{version}/{listId}/update-list-name", Versions: allDated,
		Scopes: listsWrite, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.update-filters", Method: put, Path: "/crm/v3/lists/{listId}/update-list-filters", Dated: "/crm/lists/{version}/{listId}/update-list-filters", Versions: allDated,
		Scopes: listsWrite, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.memberships.list", Method: get, Path: "/crm/v3/lists/{listId}/memberships", Dated: "/crm/lists/{version}/{listId}/memberships", Versions: allDated,
		Scopes: listsRead, Idempotent: true, Rate: Standard, Cred: Bearer, Limits: Limits{Page: 250}},
	{Name: "crm.lists.memberships.join-order", Method: get, Path: "/crm/v3/lists/{listId}/memberships/join-order", Dated: "/crm/lists/{version}/{listId}/memberships/join-order", Versions: allDated,
		Scopes: listsRead, Idempotent: true, Rate: Standard, Cred: Bearer, Limits: Limits{Page: 250}},
	{Name: "crm.lists.memberships.add", Method: put, Path: "/crm/v3/lists/{listId}/memberships/add", Dated: "/crm/lists/{version}/{listId}/memberships/add", Versions: allDated,
		Scopes: listsWrite, Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteListsAdded},
	{Name: "crm.lists.memberships.remove", Method: put, Path: "/crm/v3/lists/{listId}/memberships/remove", Dated: "/crm/lists/{version}/{listId}/memberships/remove", Versions: allDated,
		Scopes: listsWrite, Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteListsAdded},
	{Name: "crm.lists.memberships.add-and-remove", Method: put, Path: "/crm/v3/lists/{listId}/memberships/add-and-remove", Dated: "/crm/lists/{version}/{listId}/memberships/add-and-remove", Versions: allDated,
		Scopes: listsWrite, Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteListsAdded},
	{Name: "crm.lists.memberships.add-from", Method: put, Path: "/crm/v3/lists/{listId}/memberships/add-from/{sourceListId}", Dated: "/crm/lists/{version}/{listId}/memberships/add-from/{sourceListId}", Versions: allDated,
		Scopes: listsWrite, Idempotent: true, Rate: Standard, Cred: Bearer,
		Note: "The spec: the source list must have fewer than 100,000 members (MaxListAddFromMembers)."},
	{Name: "crm.lists.records.memberships", Method: get, Path: "/crm/v3/lists/records/{objectTypeId}/{recordId}/memberships", Dated: "/crm/lists/{version}/records/{objectTypeId}/{recordId}/memberships", Versions: allDated,
		Scopes: listsRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.records.memberships.batch.read", Method: post, Path: "/crm/v3/lists/records/memberships/batch/read", Dated: "/crm/lists/{version}/records/memberships/batch/read", Versions: allDated,
		Scopes: listsRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.folders.list", Method: get, Path: "/crm/v3/lists/folders", Dated: "/crm/lists/{version}/folders", Versions: allDated,
		Scopes: listsRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.folders.create", Method: post, Path: "/crm/v3/lists/folders", Dated: "/crm/lists/{version}/folders", Versions: allDated,
		Scopes: listsWrite, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.folders.rename", Method: put, Path: "/crm/v3/lists/folders/{folderId}/rename", Dated: "/crm/lists/{version}/folders/{folderId}/rename", Versions: allDated,
		Scopes: listsWrite, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.folders.move", Method: put, Path: "/crm/v3/lists/folders/{folderId}/move/{newParentFolderId}", Dated: "/crm/lists/{version}/folders/{folderId}/move/{newParentFolderId}", Versions: allDated,
		Scopes: listsWrite, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.folders.move-list", Method: put, Path: "/crm/v3/lists/folders/move-list", Dated: "/crm/lists/{version}/folders/move-list", Versions: allDated,
		Scopes: listsWrite, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.folders.delete", Method: del, Path: "/crm/v3/lists/folders/{folderId}", Dated: "/crm/lists/{version}/folders/{folderId}", Versions: allDated,
		Scopes: listsWrite, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.idmapping.get", Method: get, Path: "/crm/v3/lists/idmapping", Dated: "/crm/lists/{version}/idmapping", Versions: allDated,
		Scopes: listsRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.idmapping.batch", Method: post, Path: "/crm/v3/lists/idmapping", Dated: "/crm/lists/{version}/idmapping", Versions: allDated,
		Scopes: listsRead, Idempotent: true, Rate: Standard, Cred: Bearer, Limits: Limits{Batch: 10000}},
	{Name: "crm.lists.schedule-conversion.get", Method: get, Path: "/crm/v3/lists/{listId}/schedule-conversion", Dated: "/crm/lists/{version}/{listId}/schedule-conversion", Versions: allDated,
		Scopes: listsRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.schedule-conversion.update", Method: put, Path: "/crm/v3/lists/{listId}/schedule-conversion", Dated: "/crm/lists/{version}/{listId}/schedule-conversion", Versions: allDated,
		Scopes: listsWrite, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.lists.size-history", Method: get, Path: "/crm/v3/lists/{listId}/size-and-edits-history/between", Dated: "/crm/lists/{version}/{listId}/size-and-edits-history/between", Versions: only2603,
		Scopes: listsRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: "Only the 2026-03 spec among the dated ones has it."},

	// Users, roles and teams (Settings/User Provisioning). The 2026-09
	// spec is a beta, which the catalogue does not list.
	{Name: "settings.users.list", Method: get, Path: "/settings/v3/users", Dated: "/settings/users/{version}", Versions: only2603,
		Scopes: usersRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteUsersPath},
	{Name: "settings.users.create", Method: post, Path: "/settings/v3/users", Dated: "/settings/users/{version}", Versions: only2603,
		Scopes: usersWrite, Sensitive: true, Rate: Standard, Cred: Bearer, Note: noteUsersPath},
	{Name: "settings.users.get", Method: get, Path: "/settings/v3/users/{userId}", Dated: "/settings/users/{version}/{userId}", Versions: only2603,
		Scopes: usersRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "settings.users.update", Method: put, Path: "/settings/v3/users/{userId}", Dated: "/settings/users/{version}/{userId}", Versions: only2603,
		Scopes: usersWrite, Idempotent: true, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "settings.users.remove", Method: del, Path: "/settings/v3/users/{userId}", Dated: "/settings/users/{version}/{userId}", Versions: only2603,
		Scopes: usersWrite, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "settings.users.roles", Method: get, Path: "/settings/v3/users/roles", Dated: "/settings/users/{version}/roles", Versions: only2603,
		Scopes: usersRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "settings.users.teams", Method: get, Path: "/settings/v3/users/teams", Dated: "/settings/users/{version}/teams", Versions: only2603,
		Scopes: teamsRead, Idempotent: true, Rate: Standard, Cred: Bearer},

	// Communication preferences (Communication Preferences/Subscriptions):
	// v4, whose shapes the dated versions share, and v3.
	{Name: "preferences.definitions", Method: get, Path: "/communication-preferences/v4/definitions", Dated: "/communication-preferences/{version}/definitions", Versions: allDated,
		Scopes: prefsRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "preferences.statuses.get", Method: get, Path: "/communication-preferences/v4/statuses/{subscriberIdString}", Dated: "/communication-preferences/{version}/statuses/{subscriberIdString}", Versions: allDated,
		Scopes: prefsRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "preferences.statuses.update", Method: post, Path: "/communication-preferences/v4/statuses/{subscriberIdString}", Dated: "/communication-preferences/{version}/statuses/{subscriberIdString}", Versions: allDated,
		Scopes: prefsWrite, Sensitive: true, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "preferences.statuses.unsubscribe-all.get", Method: get, Path: "/communication-preferences/v4/statuses/{subscriberIdString}/unsubscribe-all", Dated: "/communication-preferences/{version}/statuses/{subscriberIdString}/unsubscribe-all", Versions: allDated,
		Scopes: prefsRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "preferences.statuses.unsubscribe-all", Method: post, Path: "/communication-preferences/v4/statuses/{subscriberIdString}/unsubscribe-all", Dated: "/communication-preferences/{version}/statuses/{subscriberIdString}/unsubscribe-all", Versions: allDated,
		Scopes: prefsWrite, Sensitive: true, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "preferences.statuses.batch.read", Method: post, Path: "/communication-preferences/v4/statuses/batch/read", Dated: "/communication-preferences/{version}/statuses/batch/read", Versions: allDated,
		Scopes: prefsBatchRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "preferences.statuses.batch.write", Method: post, Path: "/communication-preferences/v4/statuses/batch/write", Dated: "/communication-preferences/{version}/statuses/batch/write", Versions: allDated,
		Scopes: prefsBatchWrite, Sensitive: true, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "preferences.statuses.batch.unsubscribe-all", Method: post, Path: "/communication-preferences/v4/statuses/batch/unsubscribe-all", Dated: "/communication-preferences/{version}/statuses/batch/unsubscribe-all", Versions: allDated,
		Scopes: prefsBatchWrite, Sensitive: true, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "preferences.statuses.batch.unsubscribe-all.read", Method: post, Path: "/communication-preferences/v4/statuses/batch/unsubscribe-all/read", Dated: "/communication-preferences/{version}/statuses/batch/unsubscribe-all/read", Versions: allDated,
		Scopes: prefsBatchRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "preferences.links.generate", Method: post, Path: "/communication-preferences/v4/links/generate", Dated: "/communication-preferences/{version}/links/generate", Versions: allDated,
		Scopes: prefsReadWrite, Rate: Standard, Cred: Bearer},
	{Name: "preferences.v3.definitions", Method: get, Path: "/communication-preferences/v3/definitions",
		Scopes: prefsRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: notePrefsV3},
	{Name: "preferences.v3.status", Method: get, Path: "/communication-preferences/v3/status/email/{emailAddress}", Dated: "/communication-preferences/{version}/status/email/{emailAddress}", Versions: webhookVersions,
		Scopes: prefsRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: notePrefsV3},
	{Name: "preferences.v3.subscribe", Method: post, Path: "/communication-preferences/v3/subscribe", Dated: "/communication-preferences/{version}/subscribe", Versions: webhookVersions,
		Scopes: prefsWrite, Sensitive: true, Idempotent: true, Rate: Standard, Cred: Bearer, Note: notePrefsV3},
	{Name: "preferences.v3.unsubscribe", Method: post, Path: "/communication-preferences/v3/unsubscribe", Dated: "/communication-preferences/{version}/unsubscribe", Versions: webhookVersions,
		Scopes: prefsWrite, Sensitive: true, Idempotent: true, Rate: Standard, Cred: Bearer, Note: notePrefsV3},

	// Exports and imports (CRM/Exports, CRM/Imports): issue 18's second
	// slice. Starting an export (the whole CRM leaving) and starting or
	// cancelling an import (writing over the CRM) are sensitive; the
	// reads are signed too, by hubspot's path rules for exports and
	// imports, since an export's status carries its download URL.
	{Name: "crm.exports.start", Method: post, Path: "/crm/v3/exports/export/async", Dated: "/crm/exports/{version}/export/async", Versions: allDated,
		Scopes: exportScopes, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.exports.status", Method: get, Path: "/crm/v3/exports/export/async/tasks/{taskId}/status", Dated: "/crm/exports/{version}/export/async/tasks/{taskId}/status", Versions: allDated,
		Scopes: exportScopes, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.exports.get", Method: get, Path: "/crm/v3/exports/export/{exportId}", Dated: "/crm/exports/{version}/export/{exportId}", Versions: allDated,
		Scopes: exportScopes, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.imports.list", Method: get, Path: "/crm/v3/imports", Dated: "/crm/imports/{version}", Versions: allDated,
		Scopes: importScopes, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.imports.start", Method: post, Path: "/crm/v3/imports", Dated: "/crm/imports/{version}", Versions: allDated,
		Scopes: importScopes, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.imports.get", Method: get, Path: "/crm/v3/imports/{importId}", Dated: "/crm/imports/{version}/{importId}", Versions: allDated,
		Scopes: importScopes, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.imports.cancel", Method: post, Path: "/crm/v3/imports/{importId}/cancel", Dated: "/crm/imports/{version}/{importId}/cancel", Versions: allDated,
		Scopes: importScopes, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.imports.errors", Method: get, Path: "/crm/v3/imports/{importId}/errors", Dated: "/crm/imports/{version}/{importId}/errors", Versions: allDated,
		Scopes: importScopes, Idempotent: true, Rate: Standard, Cred: Bearer},

	// Transactional email (Marketing/Transactional Single Send). A send
	// is sensitive (mail in the account's name); so are creating,
	// resetting and deleting an SMTP API token, which mint or end a
	// credential. The SMTP token calls have no dated path but 2026-03's.
	{Name: "marketing.transactional.send", Method: post, Path: "/marketing/v3/transactional/single-email/send", Dated: "/marketing/transactional/{version}/single-email/send", Versions: allDated,
		Scopes: transactionalScopes, Sensitive: true, Rate: Standard, BurstExempt: true, Cred: Bearer},
	{Name: "marketing.transactional.smtp-tokens.list", Method: get, Path: "/marketing/v3/transactional/smtp-tokens", Dated: "/marketing/transactional/{version}/smtp-tokens", Versions: only2603,
		Scopes: transactionalScopes, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "marketing.transactional.smtp-tokens.create", Method: post, Path: "/marketing/v3/transactional/smtp-tokens", Dated: "/marketing/transactional/{version}/smtp-tokens", Versions: only2603,
		Scopes: transactionalScopes, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "marketing.transactional.smtp-tokens.get", Method: get, Path: "/marketing/v3/transactional/smtp-tokens/{tokenId}", Dated: "/marketing/transactional/{version}/smtp-tokens/{tokenId}", Versions: only2603,
		Scopes: transactionalScopes, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "marketing.transactional.smtp-tokens.delete", Method: del, Path: "/marketing/v3/transactional/smtp-tokens/{tokenId}", Dated: "/marketing/transactional/{version}/smtp-tokens/{tokenId}", Versions: only2603,
		Scopes: transactionalScopes, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "marketing.transactional.smtp-tokens.reset-password", Method: post, Path: "/marketing/v3/transactional/smtp-tokens/{tokenId}/password-reset", Dated: "/marketing/transactional/{version}/smtp-tokens/{tokenId}/password-reset", Versions: only2603,
		Scopes: transactionalScopes, Sensitive: true, Rate: Standard, Cred: Bearer},

	// Marketing emails (Marketing/Marketing Emails):
	// publishing sends or schedules a campaign to its lists, so it is
	// sensitive.
	{Name: "marketing.emails.list", Method: get, Path: "/marketing/v3/emails", Dated: "/marketing/emails/{version}", Versions: allDated,
		Scopes: marketingEmailScopes, Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteMarketingEmails},
	{Name: "marketing.emails.get", Method: get, Path: "/marketing/v3/emails/{emailId}", Dated: "/marketing/emails/{version}/{emailId}", Versions: allDated,
		Scopes: marketingEmailScopes, Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteMarketingEmails},
	{Name: "marketing.emails.update", Method: patch, Path: "/marketing/v3/emails/{emailId}", Dated: "/marketing/emails/{version}/{emailId}", Versions: allDated,
		Scopes: marketingEmailScopes, Rate: Standard, Cred: Bearer, Note: noteMarketingEmails},
	{Name: "marketing.emails.publish", Method: post, Path: "/marketing/v3/emails/{emailId}/publish", Dated: "/marketing/emails/{version}/{emailId}/publish", Versions: allDated,
		Scopes: marketingPublishScopes, Sensitive: true, Rate: Standard, BurstExempt: true, Cred: Bearer, Note: noteMarketingEmails},
	{Name: "marketing.emails.unpublish", Method: post, Path: "/marketing/v3/emails/{emailId}/unpublish", Dated: "/marketing/emails/{version}/{emailId}/unpublish", Versions: allDated,
		Scopes: marketingPublishScopes, Rate: Standard, BurstExempt: true, Cred: Bearer, Note: noteMarketingEmails},

	// Files and folders (Files/Files). The 2025-09 and 2026-09 specs keep
	// only search, import from URL and folder update; 2026-03 has every
	// call. Archiving a file or a folder is sensitive (any DELETE is). A
	// signed URL is a credential for a private file, as an export's status
	// carries one for its file: rows mark no GET sensitive, but hubspot's
	// path rules sign it.
	{Name: "files.upload", Method: post, Path: "/files/v3/files", Dated: "/files/{version}/files", Versions: only2603,
		Scopes: filesWrite, Rate: Standard, Cred: Bearer},
	{Name: "files.import-from-url", Method: post, Path: "/files/v3/files/import-from-url/async", Dated: "/files/{version}/files/import-from-url/async", Versions: allDated,
		Scopes: filesWrite, Rate: Standard, Cred: Bearer, Note: noteFilesDated},
	{Name: "files.import-from-url.status", Method: get, Path: "/files/v3/files/import-from-url/async/tasks/{taskId}/status", Dated: "/files/{version}/files/import-from-url/async/tasks/{taskId}/status", Versions: allDated,
		Scopes: filesRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteFilesDated},
	{Name: "files.search", Method: get, Path: "/files/v3/files/search", Dated: "/files/{version}/files/search", Versions: allDated,
		Scopes: filesRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteFilesDated},
	{Name: "files.get", Method: get, Path: "/files/v3/files/{fileId}", Dated: "/files/{version}/files/{fileId}", Versions: only2603,
		Scopes: filesRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "files.update", Method: patch, Path: "/files/v3/files/{fileId}", Dated: "/files/{version}/files/{fileId}", Versions: only2603,
		Scopes: filesWrite, Rate: Standard, Cred: Bearer},
	{Name: "files.archive", Method: del, Path: "/files/v3/files/{fileId}", Dated: "/files/{version}/files/{fileId}", Versions: only2603,
		Scopes: filesDelete, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "files.signed-url", Method: get, Path: "/files/v3/files/{fileId}/signed-url", Dated: "/files/{version}/files/{fileId}/signed-url", Versions: only2603,
		Scopes: filesRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "files.folders.create", Method: post, Path: "/files/v3/folders", Dated: "/files/{version}/folders", Versions: only2603,
		Scopes: filesWrite, Rate: Standard, Cred: Bearer},
	{Name: "files.folders.search", Method: get, Path: "/files/v3/folders/search", Dated: "/files/{version}/folders/search", Versions: allDated,
		Scopes: filesRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteFilesDated},
	{Name: "files.folders.get", Method: get, Path: "/files/v3/folders/{folderId}", Dated: "/files/{version}/folders/{folderId}", Versions: only2603,
		Scopes: filesRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "files.folders.update", Method: patch, Path: "/files/v3/folders/{folderId}", Dated: "/files/{version}/folders/{folderId}", Versions: allDated,
		Scopes: filesWrite, Rate: Standard, Cred: Bearer, Note: noteFilesDated},
	{Name: "files.folders.archive", Method: del, Path: "/files/v3/folders/{folderId}", Dated: "/files/{version}/folders/{folderId}", Versions: only2603,
		Scopes: filesDelete, Sensitive: true, Rate: Standard, Cred: Bearer},

	// Account information (Account/Account Info).
	{Name: "account.details", Method: get, Path: "/account-info/v3/details", Dated: "/account-info/{version}/details", Versions: allDated,
		Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteAccount},
	{Name: "account.usage.daily", Method: get, Path: "/account-info/v3/api-usage/daily/private-apps", Dated: "/account-info/{version}/api-usage/daily/private-apps", Versions: allDated,
		Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteAccount},

	// App webhook settings and subscriptions (Webhooks/Webhooks), which
	// take the developer API key of the app's developer account.
	{Name: "webhooks.settings.get", Method: get, Path: "/webhooks/v3/{appId}/settings", Dated: "/app-webhooks/{version}/{appId}/settings", Versions: webhookVersions,
		Idempotent: true, Rate: Standard, Cred: DeveloperKey, Note: noteWebhooks},
	// Sensitive: the settings name the URL HubSpot sends the app's
	// events to, so a change can send them elsewhere.
	{Name: "webhooks.settings.update", Method: put, Path: "/webhooks/v3/{appId}/settings", Dated: "/app-webhooks/{version}/{appId}/settings", Versions: webhookVersions,
		Sensitive: true, Rate: Standard, Cred: DeveloperKey, Note: noteWebhooks},
	{Name: "webhooks.settings.delete", Method: del, Path: "/webhooks/v3/{appId}/settings", Dated: "/app-webhooks/{version}/{appId}/settings", Versions: webhookVersions,
		Sensitive: true, Rate: Standard, Cred: DeveloperKey, Note: noteWebhooks},
	{Name: "webhooks.subscriptions.list", Method: get, Path: "/webhooks/v3/{appId}/subscriptions", Dated: "/app-webhooks/{version}/{appId}/subscriptions", Versions: webhookVersions,
		Idempotent: true, Rate: Standard, Cred: DeveloperKey, Note: noteWebhooks},
	{Name: "webhooks.subscriptions.create", Method: post, Path: "/webhooks/v3/{appId}/subscriptions", Dated: "/app-webhooks/{version}/{appId}/subscriptions", Versions: webhookVersions,
		Rate: Standard, Cred: DeveloperKey, Note: noteWebhooks},
	{Name: "webhooks.subscriptions.get", Method: get, Path: "/webhooks/v3/{appId}/subscriptions/{subscriptionId}", Dated: "/app-webhooks/{version}/{appId}/subscriptions/{subscriptionId}", Versions: webhookVersions,
		Idempotent: true, Rate: Standard, Cred: DeveloperKey, Note: noteWebhooks},
	{Name: "webhooks.subscriptions.update", Method: patch, Path: "/webhooks/v3/{appId}/subscriptions/{subscriptionId}", Dated: "/app-webhooks/{version}/{appId}/subscriptions/{subscriptionId}", Versions: webhookVersions,
		Rate: Standard, Cred: DeveloperKey, Note: noteWebhooks},
	{Name: "webhooks.subscriptions.put", Method: put, Path: "/webhooks/v3/{appId}/subscriptions/{subscriptionId}",
		Rate: Standard, Cred: DeveloperKey,
		Note: "Not in the spec, which updates a subscription with PATCH: HubSpot's webhooks guide shows PUT, and hubspottest serves both. " + noteWebhooks},
	{Name: "webhooks.subscriptions.delete", Method: del, Path: "/webhooks/v3/{appId}/subscriptions/{subscriptionId}", Dated: "/app-webhooks/{version}/{appId}/subscriptions/{subscriptionId}", Versions: webhookVersions,
		Sensitive: true, Rate: Standard, Cred: DeveloperKey, Note: noteWebhooks},
	{Name: "webhooks.subscriptions.batch.update", Method: post, Path: "/webhooks/v3/{appId}/subscriptions/batch/update", Dated: "/app-webhooks/{version}/{appId}/subscriptions/batch/update", Versions: webhookVersions,
		Rate: Standard, Cred: DeveloperKey, Note: noteWebhooks},

	// OAuth (Auth/Oauth): authenticated by the client secret, code or
	// token in the call itself, not by an app credential.
	{Name: "oauth.token", Method: post, Path: "/oauth/v3/token", Dated: "/oauth/{version}/token", Versions: since2603,
		Rate: Unmetered, Cred: NoCred},
	{Name: "oauth.token.introspect", Method: post, Path: "/oauth/v3/token/introspect", Dated: "/oauth/{version}/token/introspect", Versions: since2603,
		Rate: Unmetered, Cred: NoCred},
	{Name: "oauth.token.revoke", Method: post, Path: "/oauth/v3/token/revoke", Dated: "/oauth/{version}/token/revoke", Versions: since2603,
		Rate: Unmetered, Cred: NoCred},
	{Name: "oauth.v1.token", Method: post, Path: "/oauth/v1/token",
		Rate: Unmetered, Cred: NoCred},
	{Name: "oauth.v1.access-tokens.get", Method: get, Path: "/oauth/v1/access-tokens/{token}",
		Idempotent: true, Rate: Unmetered, Cred: NoCred},
	{Name: "oauth.v1.refresh-tokens.get", Method: get, Path: "/oauth/v1/refresh-tokens/{token}",
		Idempotent: true, Rate: Unmetered, Cred: NoCred},
	{Name: "oauth.v1.refresh-tokens.delete", Method: del, Path: "/oauth/v1/refresh-tokens/{token}",
		Sensitive: true, Rate: Unmetered, Cred: NoCred},

	// Marketing forms (Marketing/Forms), numbered only: the spec's dated
	// version is a beta. Form submissions are read through the form
	// integrations v1 API, which no spec describes.
	{Name: "marketing.forms.list", Method: get, Path: "/marketing/v3/forms",
		Scopes: formsScopes, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "marketing.forms.create", Method: post, Path: "/marketing/v3/forms",
		Scopes: formsScopes, Rate: Standard, Cred: Bearer},
	{Name: "marketing.forms.get", Method: get, Path: "/marketing/v3/forms/{formId}",
		Scopes: formsScopes, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "marketing.forms.replace", Method: put, Path: "/marketing/v3/forms/{formId}",
		Scopes: formsScopes, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "marketing.forms.update", Method: patch, Path: "/marketing/v3/forms/{formId}",
		Scopes: formsScopes, Rate: Standard, Cred: Bearer},
	{Name: "marketing.forms.archive", Method: del, Path: "/marketing/v3/forms/{formId}",
		Scopes: formsScopes, Sensitive: true, Rate: Standard, Cred: Bearer},
	{Name: "forms.submit", Method: post, Path: "/submissions/v3/integration/submit/{portalId}/{formGuid}",
		Rate: Unmetered, Cred: NoCred, Note: noteFormSubmit},
	{Name: "forms.submissions.list", Method: get, Path: "/form-integrations/v1/submissions/forms/{formGuid}",
		Scopes: formsScopes, Idempotent: true, Rate: Standard, Cred: Bearer, Limits: Limits{Page: 50}, Note: noteFormSubmissions},

	// Timeline events (CRM/Timeline). Events are created and read with
	// the app's OAuth access token; the rows come before the templates'
	// because GET .../events/{eventTemplateId}/{eventId} and GET
	// .../{appId}/event-templates/{eventTemplateId} overlap on a
	// net/http.ServeMux (Match tells them apart: appId is a decimal ID),
	// and hubspottest muxes the first and routes the second by Match.
	{Name: "crm.timeline.events.create", Method: post, Path: "/integrators/timeline/v3/events", Dated: "/integrators/timeline/{version}/events", Versions: only2603,
		Scopes: timelineWrite, Rate: Standard, Cred: Bearer, Note: noteTimelineEvents},
	{Name: "crm.timeline.events.batch.create", Method: post, Path: "/integrators/timeline/v3/events/batch/create", Dated: "/integrators/timeline/{version}/events/batch", Versions: only2603,
		Scopes: timelineWrite, Rate: Standard, Cred: Bearer, Limits: Limits{Batch: 100}, Note: noteTimelineBatch},
	{Name: "crm.timeline.events.get", Method: get, Path: "/integrators/timeline/v3/events/{eventTemplateId}/{eventId}",
		Scopes: timelineRead, Idempotent: true, Rate: Standard, Cred: Bearer},
	{Name: "crm.timeline.events.detail", Method: get, Path: "/integrators/timeline/v3/events/{eventTemplateId}/{eventId}/detail",
		Scopes: timelineRead, Idempotent: true, Rate: Standard, Cred: Bearer, Note: noteTimelineDetail},
	// Event templates and their tokens, under the developer API key. Every
	// change is sensitive: it alters how the app's events read in every
	// account that installed it, by an account-wide credential.
	{Name: "crm.timeline.templates.list", Method: get, Path: "/integrators/timeline/v3/{appId}/event-templates",
		Idempotent: true, Rate: Standard, Cred: DeveloperKey, Note: noteTimelineTemplates},
	{Name: "crm.timeline.templates.create", Method: post, Path: "/integrators/timeline/v3/{appId}/event-templates",
		Sensitive: true, Rate: Standard, Cred: DeveloperKey, Note: noteTimelineTemplates},
	{Name: "crm.timeline.templates.get", Method: get, Path: "/integrators/timeline/v3/{appId}/event-templates/{eventTemplateId}",
		Idempotent: true, Rate: Standard, Cred: DeveloperKey, Note: noteTimelineTemplates},
	{Name: "crm.timeline.templates.update", Method: put, Path: "/integrators/timeline/v3/{appId}/event-templates/{eventTemplateId}",
		Sensitive: true, Idempotent: true, Rate: Standard, Cred: DeveloperKey, Note: noteTimelineTemplates},
	{Name: "crm.timeline.templates.delete", Method: del, Path: "/integrators/timeline/v3/{appId}/event-templates/{eventTemplateId}",
		Sensitive: true, Rate: Standard, Cred: DeveloperKey, Note: noteTimelineTemplates},
	{Name: "crm.timeline.templates.tokens.create", Method: post, Path: "/integrators/timeline/v3/{appId}/event-templates/{eventTemplateId}/tokens",
		Sensitive: true, Rate: Standard, Cred: DeveloperKey, Note: noteTimelineTemplates},
	{Name: "crm.timeline.templates.tokens.update", Method: put, Path: "/integrators/timeline/v3/{appId}/event-templates/{eventTemplateId}/tokens/{tokenName}",
		Sensitive: true, Idempotent: true, Rate: Standard, Cred: DeveloperKey, Note: noteTimelineTemplates},
	{Name: "crm.timeline.templates.tokens.delete", Method: del, Path: "/integrators/timeline/v3/{appId}/event-templates/{eventTemplateId}/tokens/{tokenName}",
		Sensitive: true, Rate: Standard, Cred: DeveloperKey, Note: noteTimelineTemplates},
}
