package hubspottest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/internal/endpoints"
)

// maxBody bounds a request body the server reads.
const maxBody = 8 << 20

// request is one call being answered by the handler of its operation.
type request struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request // r.PathValue gives the path parameters
	corr string

	op    *endpoints.Op    // the catalogue row being served
	entry *keypolicy.Entry // the call's journal entry
	keyID string           // the key that authorized the call, if any

	// The path's object types, canonical ("contacts"), and record ID.
	objectType, fromType, toType string
	objectID                     string

	body []byte
}

func (q *request) fail(e *apiError) {
	e.CorrelationID = q.corr
	writeError(q.w, e)
}

func (q *request) reply(status int, v any) { writeJSON(q.w, status, v) }

// readBody reads the body through the size limit. It answers the call and
// returns false on failure.
func (q *request) readBody() bool {
	b, err := io.ReadAll(http.MaxBytesReader(q.w, q.r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			q.fail(&apiError{status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("Request body exceeds %d bytes.", maxBody), Category: catValidation})
			return false
		}
		q.fail(validationError(q.corr, "Could not read the request body: "+err.Error()))
		return false
	}
	q.body = b
	return true
}

// decode reads the JSON body into v, answering with HubSpot's 400 when it
// is not valid JSON for v.
func (q *request) decode(v any) bool {
	if q.body == nil && !q.readBody() {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(q.body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		line, col := position(q.body, dec.InputOffset())
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col = position(q.body, se.Offset)
		case errors.As(err, &te):
			line, col = position(q.body, te.Offset)
		}
		q.fail(validationError(q.corr, fmt.Sprintf("Invalid input JSON on line %d, column %d: %v", line, col, err)))
		return false
	}
	return true
}

func position(b []byte, off int64) (line, col int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	line, col = 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// operations maps the name of each catalogue operation the server
// implements to its handler. The router (router.go) serves each of them at
// its numbered path and at every dated path the catalogue lists, and has
// checked the caller's credential, and resolved the object types and the
// record ID of the path, before a handler runs.
//
// The catalogue rows that are not here are listed, with the reason, in
// router_test.go (notServed).
func operations() map[string]func(*request) {
	// byID reads a single record by ID, following merges as HubSpot does.
	byID := func(f func(*request)) func(*request) {
		return func(q *request) { q.followMerge(); f(q) }
	}
	batch := func(kind string) func(*request) { return func(q *request) { q.batch(kind) } }
	// Associations v4: from the record (or type) of fromObjectType to toObjectType.
	fromID := func(q *request) string { return q.r.PathValue("fromObjectId") }
	toID := func(q *request) string { return q.r.PathValue("toObjectId") }
	prop := func(q *request) string { return q.r.PathValue("propertyName") }
	group := func(q *request) string { return q.r.PathValue("groupName") }
	pid := func(q *request) string { return q.r.PathValue("pipelineId") }
	sid := func(q *request) string { return q.r.PathValue("stageId") }
	return map[string]func(*request){
		"crm.objects.list":          (*request).list,
		"crm.objects.create":        (*request).create,
		"crm.objects.get":           byID((*request).get),
		"crm.objects.update":        byID((*request).update),
		"crm.objects.archive":       byID((*request).archive),
		"crm.objects.search":        (*request).search,
		"crm.objects.batch.read":    batch("read"),
		"crm.objects.batch.create":  batch("create"),
		"crm.objects.batch.update":  batch("update"),
		"crm.objects.batch.upsert":  batch("upsert"),
		"crm.objects.batch.archive": batch("archive"),
		"crm.objects.merge":         (*request).merge,
		"crm.objects.gdpr-delete":   (*request).gdprDelete,

		"marketing.forms.list":    (*request).listForms,
		"marketing.forms.create":  (*request).createForm,
		"marketing.forms.get":     (*request).getForm,
		"marketing.forms.update":  func(q *request) { q.changeForm(false) },
		"marketing.forms.replace": func(q *request) { q.changeForm(true) },
		"marketing.forms.archive": (*request).archiveForm,
		"forms.submissions.list":  (*request).listSubmissions,
		"forms.submit":            (*request).submitForm,

		"files.upload":                         (*request).uploadFile,
		"files.import-from-url":                (*request).importFileFromURL,
		"files.import-from-url.status":         (*request).fileImportStatus,
		"files.search":                         (*request).searchFiles,
		"files.get":                            (*request).getFile,
		"files.update":                         (*request).updateFile,
		"files.archive":                        (*request).archiveFile,
		"files.signed-url":                     (*request).signedFileURL,
		"files.folders.create":                 (*request).createFileFolder,
		"files.folders.search":                 (*request).searchFileFolders,
		"files.folders.get":                    (*request).getFileFolder,
		"files.folders.update":                 (*request).updateFileFolder,
		"files.folders.archive":                (*request).archiveFileFolder,
		"crm.timeline.events.create":           (*request).createTimelineEvent,
		"crm.timeline.events.batch.create":     (*request).batchCreateTimelineEvents,
		"crm.timeline.events.get":              (*request).getTimelineEvent,
		"crm.timeline.events.detail":           (*request).timelineEventDetail,
		"crm.timeline.templates.list":          timelineOp((*timelineStore).listTemplates),
		"crm.timeline.templates.create":        timelineOp((*timelineStore).createTemplate),
		"crm.timeline.templates.get":           timelineTemplateOp((*timelineStore).getTemplate),
		"crm.timeline.templates.update":        timelineTemplateOp((*timelineStore).updateTemplate),
		"crm.timeline.templates.delete":        timelineTemplateOp((*timelineStore).deleteTemplate),
		"crm.timeline.templates.tokens.create": timelineTemplateOp((*timelineStore).createToken),
		"crm.timeline.templates.tokens.update": timelineTemplateOp((*timelineStore).updateToken),
		"crm.timeline.templates.tokens.delete": timelineTemplateOp((*timelineStore).deleteToken),

		"crm.schemas.list":                 (*request).listSchemas,
		"crm.schemas.create":               (*request).createSchema,
		"crm.schemas.get":                  (*request).getSchema,
		"crm.schemas.update":               (*request).updateSchema,
		"crm.schemas.archive":              (*request).archiveSchema,
		"crm.schemas.purge":                (*request).purgeSchema,
		"crm.schemas.associations.create":  (*request).createSchemaAssociation,
		"crm.schemas.associations.archive": (*request).archiveSchemaAssociation,

		"crm.associations.v4.list":                    func(q *request) { q.v4List(q.fromType, fromID(q), q.toType) },
		"crm.associations.v4.create":                  func(q *request) { q.v4Create(q.fromType, fromID(q), q.toType, toID(q)) },
		"crm.associations.v4.create-default":          func(q *request) { q.v4CreateDefault(q.fromType, fromID(q), q.toType, toID(q)) },
		"crm.associations.v4.archive":                 func(q *request) { q.v4Delete(q.fromType, fromID(q), q.toType, toID(q)) },
		"crm.associations.v4.batch.read":              func(q *request) { q.v4BatchRead(q.fromType, q.toType) },
		"crm.associations.v4.batch.create":            func(q *request) { q.v4BatchCreate(q.fromType, q.toType) },
		"crm.associations.v4.batch.archive":           func(q *request) { q.v4BatchArchive(q.fromType, q.toType) },
		"crm.associations.v4.batch.associate-default": func(q *request) { q.v4BatchAssociateDefault(q.fromType, q.toType) },
		"crm.associations.v4.batch.labels.archive":    func(q *request) { q.v4BatchArchiveLabels(q.fromType, q.toType) },
		"crm.associations.v3.batch.read":              func(q *request) { q.v3BatchRead(q.fromType, q.toType) },
		"crm.associations.v3.batch.create":            func(q *request) { q.v3BatchCreate(q.fromType, q.toType) },
		"crm.associations.v3.batch.archive":           func(q *request) { q.v3BatchArchive(q.fromType, q.toType) },
		"crm.associations.v4.labels.list":             func(q *request) { q.v4Labels(q.fromType, q.toType) },
		"crm.associations.v4.labels.create":           func(q *request) { q.v4CreateLabel(q.fromType, q.toType) },
		"crm.associations.v4.labels.update":           func(q *request) { q.v4UpdateLabel(q.fromType, q.toType) },
		"crm.associations.v4.labels.archive":          func(q *request) { q.v4DeleteLabel(q.fromType, q.toType, q.r.PathValue("associationTypeId")) },

		"crm.properties.list":           func(q *request) { q.listProperties(q.objectType) },
		"crm.properties.create":         func(q *request) { q.createProperty(q.objectType) },
		"crm.properties.get":            func(q *request) { q.getProperty(q.objectType, prop(q)) },
		"crm.properties.update":         func(q *request) { q.updateProperty(q.objectType, prop(q)) },
		"crm.properties.archive":        func(q *request) { q.archiveProperty(q.objectType, prop(q)) },
		"crm.properties.batch.create":   func(q *request) { q.batchCreateProperties(q.objectType) },
		"crm.properties.batch.read":     func(q *request) { q.batchReadProperties(q.objectType) },
		"crm.properties.batch.archive":  func(q *request) { q.batchArchiveProperties(q.objectType) },
		"crm.properties.groups.list":    func(q *request) { q.listGroups(q.objectType) },
		"crm.properties.groups.create":  func(q *request) { q.createGroup(q.objectType) },
		"crm.properties.groups.get":     func(q *request) { q.getGroup(q.objectType, group(q)) },
		"crm.properties.groups.update":  func(q *request) { q.updateGroup(q.objectType, group(q)) },
		"crm.properties.groups.archive": func(q *request) { q.archiveGroup(q.objectType, group(q)) },

		"crm.pipelines.list":           pipelineOp(func(q *request, t string) { q.listPipelines(t) }),
		"crm.pipelines.create":         pipelineOp(func(q *request, t string) { q.createPipeline(t) }),
		"crm.pipelines.get":            pipelineOp(func(q *request, t string) { q.getPipeline(t, pid(q)) }),
		"crm.pipelines.replace":        pipelineOp(func(q *request, t string) { q.replacePipeline(t, pid(q)) }),
		"crm.pipelines.update":         pipelineOp(func(q *request, t string) { q.updatePipeline(t, pid(q)) }),
		"crm.pipelines.archive":        pipelineOp(func(q *request, t string) { q.archivePipeline(t, pid(q), "") }),
		"crm.pipelines.audit":          pipelineOp(func(q *request, t string) { q.pipelineAudit(t, pid(q)) }),
		"crm.pipelines.stages.audit":   pipelineOp(func(q *request, t string) { q.stageAudit(t, pid(q), sid(q)) }),
		"crm.pipelines.stages.list":    pipelineOp(func(q *request, t string) { q.listStages(t, pid(q)) }),
		"crm.pipelines.stages.create":  pipelineOp(func(q *request, t string) { q.createStage(t, pid(q)) }),
		"crm.pipelines.stages.get":     pipelineOp(func(q *request, t string) { q.getStage(t, pid(q), sid(q)) }),
		"crm.pipelines.stages.replace": pipelineOp(func(q *request, t string) { q.replaceStage(t, pid(q), sid(q)) }),
		"crm.pipelines.stages.update":  pipelineOp(func(q *request, t string) { q.updateStage(t, pid(q), sid(q)) }),
		"crm.pipelines.stages.archive": pipelineOp(func(q *request, t string) { q.archivePipeline(t, pid(q), sid(q)) }),

		"crm.owners.list": (*request).listOwners,
		"crm.owners.get":  func(q *request) { q.getOwner(q.r.PathValue("ownerId")) },

		"crm.lists.create":                     (*request).createList,
		"crm.lists.get":                        (*request).getList,
		"crm.lists.get-by-name":                (*request).getListByName,
		"crm.lists.get-many":                   (*request).getManyLists,
		"crm.lists.search":                     (*request).searchLists,
		"crm.lists.update-name":                (*request).updateListName,
		"crm.lists.update-filters":             (*request).updateListFilters,
		"crm.lists.delete":                     (*request).deleteList,
		"crm.lists.restore":                    (*request).restoreList,
		"crm.lists.memberships.list":           (*request).listMemberships,
		"crm.lists.memberships.add":            func(q *request) { q.changeMembers(true, false) },
		"crm.lists.memberships.remove":         func(q *request) { q.changeMembers(false, true) },
		"crm.lists.memberships.add-and-remove": func(q *request) { q.changeMembers(true, true) },
		"crm.lists.memberships.add-from":       (*request).addFromList,
		"crm.lists.records.memberships":        (*request).recordMemberships,
		"crm.lists.folders.list":               (*request).getFolders,
		"crm.lists.folders.create":             (*request).createFolder,
		"crm.lists.folders.rename":             (*request).renameFolder,
		"crm.lists.folders.move":               (*request).moveFolder,
		"crm.lists.folders.move-list":          (*request).moveList,
		"crm.lists.folders.delete":             (*request).deleteFolder,

		"settings.users.list":   (*request).listUsers,
		"settings.users.create": (*request).createUser,
		"settings.users.get":    (*request).getUser,
		"settings.users.update": (*request).updateUser,
		"settings.users.remove": (*request).removeUser,
		"settings.users.teams":  (*request).listTeams,
		"settings.users.roles":  (*request).listRoles,

		"preferences.definitions":                  (*request).subscriptionDefinitions,
		"preferences.statuses.get":                 (*request).subscriptionStatuses,
		"preferences.statuses.update":              (*request).updateSubscriptionStatus,
		"preferences.statuses.unsubscribe-all":     (*request).unsubscribeAll,
		"preferences.statuses.unsubscribe-all.get": (*request).unsubscribeAllStatus,

		"crm.exports.start":  (*request).startExport,
		"crm.exports.status": (*request).exportStatus,
		"crm.exports.get":    (*request).getExport,

		"crm.imports.list":   (*request).listImports,
		"crm.imports.start":  (*request).startImport,
		"crm.imports.get":    (*request).getImport,
		"crm.imports.cancel": (*request).cancelImport,
		"crm.imports.errors": (*request).importErrors,

		"marketing.transactional.send":                       (*request).sendTransactional,
		"marketing.transactional.smtp-tokens.list":           (*request).listSMTPTokens,
		"marketing.transactional.smtp-tokens.create":         (*request).createSMTPToken,
		"marketing.transactional.smtp-tokens.get":            (*request).getSMTPToken,
		"marketing.transactional.smtp-tokens.delete":         (*request).deleteSMTPToken,
		"marketing.transactional.smtp-tokens.reset-password": (*request).resetSMTPToken,

		"marketing.emails.list":      (*request).listMarketingEmails,
		"marketing.emails.get":       (*request).getMarketingEmail,
		"marketing.emails.update":    (*request).updateMarketingEmail,
		"marketing.emails.publish":   (*request).publishMarketingEmail,
		"marketing.emails.unpublish": (*request).unpublishMarketingEmail,

		"account.details":     (*request).accountDetails,
		"account.usage.daily": (*request).apiUsage,

		"webhooks.settings.get":               webhookOp((*webhookState).getSettings),
		"webhooks.settings.update":            webhookOp((*webhookState).putSettings),
		"webhooks.settings.delete":            webhookOp((*webhookState).deleteSettings),
		"webhooks.subscriptions.list":         webhookOp((*webhookState).listSubs),
		"webhooks.subscriptions.create":       webhookOp((*webhookState).createSub),
		"webhooks.subscriptions.get":          subscriptionOp((*webhookState).getSub),
		"webhooks.subscriptions.update":       subscriptionOp((*webhookState).patchSub),
		"webhooks.subscriptions.put":          subscriptionOp((*webhookState).patchSub), // HubSpot's guide shows PUT, its reference PATCH
		"webhooks.subscriptions.delete":       subscriptionOp((*webhookState).deleteSub),
		"webhooks.subscriptions.batch.update": webhookOp((*webhookState).batchUpdate),

		"oauth.token":                    (*request).tokenEndpoint,
		"oauth.token.introspect":         (*request).introspectToken,
		"oauth.token.revoke":             (*request).revokeToken,
		"oauth.v1.token":                 (*request).tokenEndpoint,
		"oauth.v1.access-tokens.get":     (*request).accessTokenInfo,
		"oauth.v1.refresh-tokens.get":    (*request).refreshTokenInfo,
		"oauth.v1.refresh-tokens.delete": (*request).deleteRefreshToken,
	}
}

// pipelineOp adapts a pipelines handler: it answers HubSpot's 400 for an
// object type that has no pipelines.
func pipelineOp(f func(q *request, objectType string)) func(*request) {
	return func(q *request) {
		ot, _ := endpoints.LookupObjectType(q.objectType)
		if q.objectType != "deals" && q.objectType != "tickets" && !ot.Custom {
			q.fail(validationError(q.corr, fmt.Sprintf("Object type %s does not support pipelines.", q.objectType)))
			return
		}
		f(q, q.objectType)
	}
}

// webhookOp adapts a Webhooks API handler: it reads the app ID of the path
// and checks that the developer key's account owns the app.
func webhookOp(f func(h *webhookState, q *request, appID int64)) func(*request) {
	return func(q *request) {
		appID, err := strconv.ParseInt(q.r.PathValue("appId"), 10, 64)
		if err != nil || appID <= 0 {
			q.fail(validationError(q.corr, "appId must be a positive integer.", errorDetail{Message: "appId is not a positive integer", In: "appId", Code: "INVALID_INTEGER"}))
			return
		}
		h := q.s.webhooks()
		h.mu.Lock()
		owns := slices.Contains(h.keyApps[q.keyID], appID)
		h.mu.Unlock()
		if !owns {
			q.fail(&apiError{status: http.StatusForbidden, Message: fmt.Sprintf("This developer API key may not manage app %d.", appID), Category: catForbidden})
			return
		}
		f(h, q, appID)
	}
}

// subscriptionOp adapts a handler of one webhook subscription: it also
// reads the subscription ID of the path.
func subscriptionOp(f func(h *webhookState, q *request, appID, id int64)) func(*request) {
	return webhookOp(func(h *webhookState, q *request, appID int64) {
		id, err := strconv.ParseInt(q.r.PathValue("subscriptionId"), 10, 64)
		if err != nil || id <= 0 {
			q.fail(validationError(q.corr, "subscriptionId must be a positive integer.", errorDetail{Message: "subscriptionId is not a positive integer", In: "subscriptionId", Code: "INVALID_INTEGER"}))
			return
		}
		f(h, q, appID, id)
	})
}

// limitsOf returns the limits of the catalogue row name, which must exist.
func limitsOf(name string) endpoints.Limits {
	op, ok := endpoints.Lookup(name)
	if !ok {
		panic("hubspottest: no catalogue row " + name)
	}
	return op.Limits
}

// notFound answers HubSpot's 404 for a call the server does not serve.
func (q *request) notFound() { writeNotFound(q.w, q.r, q.corr, "") }
