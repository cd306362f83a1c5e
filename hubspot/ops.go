package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets"
)

// How a request's operation reaches the layers of the stack.
//
// Every typed method names its operation: a row of hubkey's operation
// catalogue (internal/endpoints), looked up once, below. Client.call builds
// the path from the row for the Client's API version and puts the row, the
// version and the path parameters in the request's context (an opCall).
// Every layer below reads them from there: the credential layers (which
// credential, or the developer key), the retry layer (safe to repeat?),
// the rate limiter (which limit) and the signing layer (sensitive?). None
// parses the URL.
//
// A request that arrives without one (a call through Client.HTTPClient, or
// a transport used alone with any http.Client) is matched against the
// catalogue once, by the first layer that needs it, and the result, found
// or not, is stored in the context of the request it passes on, so the
// layers below do not match again. A redirect that an http.Client follows
// keeps the first request's context; its own URL is matched afresh.

// opCall is what the stack knows about one request's operation.
type opCall struct {
	op      *endpoints.Op // nil: the catalogue does not know the call
	version endpoints.Version
	params  map[string]string // the path parameters, unescaped
	method  string
	// path is the escaped path relative to the API root (prefix removed);
	// for a call the catalogue does not know, the path as sent when it
	// lacks the prefix.
	path string
	// prefix is the escaped path of the API root the call was matched
	// under ("" for none).
	prefix string
	// base, when set, is the root URL the call is sent to in place of the
	// Client's base URL (form submissions go to HubSpot's forms host).
	base string
	// scrub marks a call whose 2xx answer the Client may turn into
	// errors (a batch answer's errors[]) or hands to the caller undecided
	// (Do): the credential layers scrub it as they scrub error answers.
	scrub bool
	// obs is the call's observation (WithObserver); nil when not
	// observed.
	obs *callObs
	// hide are secrets the request's body carries (a presigned URL to
	// import from): the credential layer scrubs them from answers and
	// errors as it scrubs the credential.
	hide []secrets.Secret
	// lineage is the Lineage of the credential the current attempt
	// carries, which the rate limiter counts it under ("" for none).
	lineage string
}

// describes reports whether c was made for req's own method and URL.
func (c *opCall) describes(req *http.Request) bool {
	if !strings.EqualFold(req.Method, c.method) {
		return false
	}
	p := req.URL.EscapedPath()
	return strings.HasPrefix(p, c.prefix) && p[len(c.prefix):] == c.path
}

type callKey struct{}

// callCtx is a context carrying an opCall: one allocation where
// context.WithValue and a separate opCall would be two.
type callCtx struct {
	context.Context
	c opCall
}

func (x *callCtx) Value(key any) any {
	if _, ok := key.(callKey); ok {
		return &x.c
	}
	return x.Context.Value(key)
}

// withCall returns ctx carrying c.
func withCall(ctx context.Context, c opCall) context.Context {
	return &callCtx{Context: ctx, c: c}
}

// callOf returns the operation of req and the request to pass on: req
// itself when its context carries the operation, else a shallow copy of
// req whose context carries what matching req's method and URL path,
// under the API root prefix (escaped, without a trailing slash), found.
func callOf(req *http.Request, prefix string) (*opCall, *http.Request) {
	if c, ok := carried(req); ok {
		return c, req
	}
	c := matchCall(req.Method, req.URL.EscapedPath(), prefix)
	ctx := &callCtx{Context: req.Context(), c: c}
	return &ctx.c, req.WithContext(ctx)
}

// carried returns the operation req's context carries for req.
func carried(req *http.Request) (*opCall, bool) {
	c, ok := req.Context().Value(callKey{}).(*opCall)
	return c, ok && (req.Response == nil || c.describes(req))
}

// matchCall matches a call to escapedPath (with the API root prefix)
// against the catalogue.
func matchCall(method, escapedPath, prefix string) opCall {
	c := opCall{method: method, path: escapedPath}
	if prefix != "" {
		rest, ok := strings.CutPrefix(escapedPath, prefix)
		if !ok || rest == "" || rest[0] != '/' {
			return c // not under the API root: unknown
		}
		c.path, c.prefix = rest, prefix
	}
	if op, v, params, ok := endpoints.Match(method, c.path); ok {
		c.op, c.version, c.params = op, v, params
	}
	return c
}

// mustOp returns the catalogue's row name; a missing row is a programming
// error that every test run catches, since the package-level variables
// below are set when the package loads.
func mustOp(name string) *endpoints.Op {
	op, ok := endpoints.Lookup(name)
	if !ok {
		panic("hubspot: the operation catalogue has no row " + name)
	}
	return op
}

// The operations of the typed methods.
var (
	opObjectsList         = mustOp("crm.objects.list")
	opObjectsCreate       = mustOp("crm.objects.create")
	opObjectsGet          = mustOp("crm.objects.get")
	opObjectsUpdate       = mustOp("crm.objects.update")
	opObjectsArchive      = mustOp("crm.objects.archive")
	opObjectsSearch       = mustOp("crm.objects.search")
	opObjectsBatchRead    = mustOp("crm.objects.batch.read")
	opObjectsBatchCreate  = mustOp("crm.objects.batch.create")
	opObjectsBatchUpdate  = mustOp("crm.objects.batch.update")
	opObjectsBatchUpsert  = mustOp("crm.objects.batch.upsert")
	opObjectsBatchArchive = mustOp("crm.objects.batch.archive")
	opObjectsMerge        = mustOp("crm.objects.merge")
	opObjectsGDPRDelete   = mustOp("crm.objects.gdpr-delete")

	opAssocList          = mustOp("crm.associations.v4.list")
	opAssocCreate        = mustOp("crm.associations.v4.create")
	opAssocCreateDefault = mustOp("crm.associations.v4.create-default")
	opAssocArchive       = mustOp("crm.associations.v4.archive")
	opAssocBatchRead     = mustOp("crm.associations.v4.batch.read")
	opAssocBatchCreate   = mustOp("crm.associations.v4.batch.create")
	opAssocBatchArchive  = mustOp("crm.associations.v4.batch.archive")
	opAssocBatchDefault  = mustOp("crm.associations.v4.batch.associate-default")
	opAssocBatchUnlabel  = mustOp("crm.associations.v4.batch.labels.archive")
	opAssocLabelsList    = mustOp("crm.associations.v4.labels.list")
	opAssocLabelsCreate  = mustOp("crm.associations.v4.labels.create")
	opAssocLabelsUpdate  = mustOp("crm.associations.v4.labels.update")
	opAssocLabelsArchive = mustOp("crm.associations.v4.labels.archive")

	opPropertiesList   = mustOp("crm.properties.list")
	opPropertiesCreate = mustOp("crm.properties.create")

	opFilesUpload        = mustOp("files.upload")
	opFilesImportFromURL = mustOp("files.import-from-url")
	opFilesImportStatus  = mustOp("files.import-from-url.status")
	opFilesSearch        = mustOp("files.search")
	opFilesGet           = mustOp("files.get")
	opFilesUpdate        = mustOp("files.update")
	opFilesArchive       = mustOp("files.archive")
	opFilesSignedURL     = mustOp("files.signed-url")
	opFoldersCreate      = mustOp("files.folders.create")
	opFoldersSearch      = mustOp("files.folders.search")
	opFoldersGet         = mustOp("files.folders.get")
	opFoldersUpdate      = mustOp("files.folders.update")
	opFoldersArchive     = mustOp("files.folders.archive")

	opFormsList       = mustOp("marketing.forms.list")
	opFormsGet        = mustOp("marketing.forms.get")
	opFormsCreate     = mustOp("marketing.forms.create")
	opFormsUpdate     = mustOp("marketing.forms.update")
	opFormsArchive    = mustOp("marketing.forms.archive")
	opFormSubmissions = mustOp("forms.submissions.list")
	opFormSubmit      = mustOp("forms.submit")

	opSchemasList            = mustOp("crm.schemas.list")
	opSchemasGet             = mustOp("crm.schemas.get")
	opSchemasCreate          = mustOp("crm.schemas.create")
	opSchemasUpdate          = mustOp("crm.schemas.update")
	opSchemasArchive         = mustOp("crm.schemas.archive")
	opSchemasPurge           = mustOp("crm.schemas.purge")
	opSchemasAssocCreate     = mustOp("crm.schemas.associations.create")
	opSchemasAssocArchive    = mustOp("crm.schemas.associations.archive")
	opPropertiesGet          = mustOp("crm.properties.get")
	opPropertiesUpdate       = mustOp("crm.properties.update")
	opPropertiesArchive      = mustOp("crm.properties.archive")
	opPropertiesBatchRead    = mustOp("crm.properties.batch.read")
	opPropertiesBatchCreate  = mustOp("crm.properties.batch.create")
	opPropertiesBatchArchive = mustOp("crm.properties.batch.archive")
	opGroupsList             = mustOp("crm.properties.groups.list")
	opGroupsCreate           = mustOp("crm.properties.groups.create")
	opGroupsGet              = mustOp("crm.properties.groups.get")
	opGroupsUpdate           = mustOp("crm.properties.groups.update")
	opGroupsArchive          = mustOp("crm.properties.groups.archive")

	opPipelinesList     = mustOp("crm.pipelines.list")
	opPipelinesCreate   = mustOp("crm.pipelines.create")
	opPipelinesGet      = mustOp("crm.pipelines.get")
	opPipelinesReplace  = mustOp("crm.pipelines.replace")
	opPipelinesUpdate   = mustOp("crm.pipelines.update")
	opPipelinesArchive  = mustOp("crm.pipelines.archive")
	opStagesList        = mustOp("crm.pipelines.stages.list")
	opStagesCreate      = mustOp("crm.pipelines.stages.create")
	opStagesGet         = mustOp("crm.pipelines.stages.get")
	opStagesReplace     = mustOp("crm.pipelines.stages.replace")
	opStagesUpdate      = mustOp("crm.pipelines.stages.update")
	opStagesArchive     = mustOp("crm.pipelines.stages.archive")
	opOwnersList        = mustOp("crm.owners.list")
	opOwnersGet         = mustOp("crm.owners.get")
	opAccountDetails    = mustOp("account.details")
	opAccountDailyUsage = mustOp("account.usage.daily")

	opListsCreate        = mustOp("crm.lists.create")
	opListsGet           = mustOp("crm.lists.get")
	opListsGetByName     = mustOp("crm.lists.get-by-name")
	opListsGetMany       = mustOp("crm.lists.get-many")
	opListsSearch        = mustOp("crm.lists.search")
	opListsUpdateName    = mustOp("crm.lists.update-name")
	opListsUpdateFilters = mustOp("crm.lists.update-filters")
	opListsDelete        = mustOp("crm.lists.delete")
	opListsRestore       = mustOp("crm.lists.restore")
	opListsMembers       = mustOp("crm.lists.memberships.list")
	opListsAdd           = mustOp("crm.lists.memberships.add")
	opListsRemove        = mustOp("crm.lists.memberships.remove")
	opListsAddFrom       = mustOp("crm.lists.memberships.add-from")
	opListsRecord        = mustOp("crm.lists.records.memberships")
	opListsFolders       = mustOp("crm.lists.folders.list")
	opListsFolderCreate  = mustOp("crm.lists.folders.create")
	opListsFolderRename  = mustOp("crm.lists.folders.rename")
	opListsFolderMove    = mustOp("crm.lists.folders.move")
	opListsMoveList      = mustOp("crm.lists.folders.move-list")
	opListsFolderDelete  = mustOp("crm.lists.folders.delete")

	opUsersList   = mustOp("settings.users.list")
	opUsersCreate = mustOp("settings.users.create")
	opUsersGet    = mustOp("settings.users.get")
	opUsersUpdate = mustOp("settings.users.update")
	opUsersRemove = mustOp("settings.users.remove")
	opUsersTeams  = mustOp("settings.users.teams")
	opUsersRoles  = mustOp("settings.users.roles")

	opPrefsDefinitions    = mustOp("preferences.definitions")
	opPrefsStatuses       = mustOp("preferences.statuses.get")
	opPrefsUpdate         = mustOp("preferences.statuses.update")
	opPrefsUnsubscribeAll = mustOp("preferences.statuses.unsubscribe-all")
	opPrefsOptOutGet      = mustOp("preferences.statuses.unsubscribe-all.get")

	opExportsStart  = mustOp("crm.exports.start")
	opExportsStatus = mustOp("crm.exports.status")
	opExportsGet    = mustOp("crm.exports.get")

	opImportsList   = mustOp("crm.imports.list")
	opImportsStart  = mustOp("crm.imports.start")
	opImportsGet    = mustOp("crm.imports.get")
	opImportsCancel = mustOp("crm.imports.cancel")
	opImportsErrors = mustOp("crm.imports.errors")

	opTransactionalSend = mustOp("marketing.transactional.send")
	opSMTPTokensList    = mustOp("marketing.transactional.smtp-tokens.list")
	opSMTPTokensCreate  = mustOp("marketing.transactional.smtp-tokens.create")
	opSMTPTokensGet     = mustOp("marketing.transactional.smtp-tokens.get")
	opSMTPTokensDelete  = mustOp("marketing.transactional.smtp-tokens.delete")
	opSMTPTokensReset   = mustOp("marketing.transactional.smtp-tokens.reset-password")

	opMarketingEmailsList      = mustOp("marketing.emails.list")
	opMarketingEmailsGet       = mustOp("marketing.emails.get")
	opMarketingEmailsUpdate    = mustOp("marketing.emails.update")
	opMarketingEmailsPublish   = mustOp("marketing.emails.publish")
	opMarketingEmailsUnpublish = mustOp("marketing.emails.unpublish")

	opTimelineEventCreate    = mustOp("crm.timeline.events.create")
	opTimelineEventBatch     = mustOp("crm.timeline.events.batch.create")
	opTimelineEventGet       = mustOp("crm.timeline.events.get")
	opTimelineEventDetail    = mustOp("crm.timeline.events.detail")
	opTimelineTemplatesList  = mustOp("crm.timeline.templates.list")
	opTimelineTemplateCreate = mustOp("crm.timeline.templates.create")
	opTimelineTemplateGet    = mustOp("crm.timeline.templates.get")
	opTimelineTemplateUpdate = mustOp("crm.timeline.templates.update")
	opTimelineTemplateDelete = mustOp("crm.timeline.templates.delete")
	opTimelineTokenCreate    = mustOp("crm.timeline.templates.tokens.create")
	opTimelineTokenUpdate    = mustOp("crm.timeline.templates.tokens.update")
	opTimelineTokenDelete    = mustOp("crm.timeline.templates.tokens.delete")

	opWebhookSettingsGet    = mustOp("webhooks.settings.get")
	opWebhookSettingsUpdate = mustOp("webhooks.settings.update")
	opWebhookSettingsDelete = mustOp("webhooks.settings.delete")
	opSubscriptionsList     = mustOp("webhooks.subscriptions.list")
	opSubscriptionsCreate   = mustOp("webhooks.subscriptions.create")
	opSubscriptionsGet      = mustOp("webhooks.subscriptions.get")
	opSubscriptionsUpdate   = mustOp("webhooks.subscriptions.update")
	opSubscriptionsDelete   = mustOp("webhooks.subscriptions.delete")
	opSubscriptionsBatch    = mustOp("webhooks.subscriptions.batch.update")
)

// apiVersions are the values WithAPIVersion accepts, in the order its
// error lists them.
var apiVersions = []string{numberedVersion, "2025-09", "2026-03", "2026-09"}

// numberedVersion is WithAPIVersion's name for the numbered paths
// (/crm/v3/..., /crm/v4/...).
const numberedVersion = "numbered"

// defaultAPIVersion is the version a Client speaks unless WithAPIVersion
// says otherwise: HubSpot's recommended target. Not 2026-09, which has no
// per-record association list: there Associations.List would fall back to
// the numbered v4 path, which HubSpot stops serving on 2027-03-30. It
// changes only in a release whose CHANGELOG says so under "Changed" (see
// WithAPIVersion).
const defaultAPIVersion = endpoints.Version202603

// WithAPIVersion sets the version of HubSpot's API the Client's typed
// methods call: one of HubSpot's date-based versions "2025-09", "2026-03"
// and "2026-09" (/crm/objects/2026-03/...), or "numbered", the numbered
// paths (/crm/v3/objects/..., /crm/v4/associations/...). An operation that
// the chosen dated version does not offer (the v4 per-record association
// list in 2026-09, app webhook settings in 2026-03) is called on its
// numbered path. Calls through Client.Do and Client.HTTPClient go to the
// paths they name, whatever the version. New refuses any other value.
//
// The default is "2026-03", HubSpot's recommended target. It is pinned
// per hubkey release: it moves only in a release whose CHANGELOG says so
// under "Changed". To be sure that upgrading hubkey never changes the
// paths your integration calls, pin the version with WithAPIVersion.
func WithAPIVersion(v string) Option {
	return func(o *options) error {
		if !slices.Contains(apiVersions, v) {
			return fmt.Errorf("hubspot: WithAPIVersion(%q): unknown API version; use one of %q", v, apiVersions)
		}
		o.version = endpoints.Version(v)
		if v == numberedVersion {
			o.version = endpoints.Numbered
		}
		return nil
	}
}

// prepare builds the call of op with path parameters params for the
// Client's API version, or the numbered version when op is not offered in
// it.
func (c *Client) prepare(op *endpoints.Op, params map[string]string) (opCall, error) {
	v := c.version
	if v != endpoints.Numbered && !slices.Contains(op.Versions, v) {
		v = endpoints.Numbered
	}
	return c.prepareIn(op, v, params)
}

// prepareIn builds the call of op in version v, which op must offer: the
// typed calls whose dated version takes another shape than the numbered
// one (timeline events) pass endpoints.Numbered.
func (c *Client) prepareIn(op *endpoints.Op, v endpoints.Version, params map[string]string) (opCall, error) {
	path, err := op.Expand(v, params)
	if err != nil {
		return opCall{}, errorf("%s", strings.TrimPrefix(err.Error(), "endpoints: "))
	}
	return opCall{op: op, version: v, params: params, method: op.Method, path: path, prefix: c.basePath}, nil
}

// call sends one typed call of op (see do).
func (c *Client) call(ctx context.Context, op *endpoints.Op, params map[string]string, query url.Values, in, out any) (int, error) {
	oc, err := c.prepare(op, params)
	if err != nil {
		return 0, err
	}
	return c.do(ctx, oc, query, in, out)
}

// callHiding is call for a request whose body carries the secrets hide:
// an answer or an error that echoes one has it redacted, in any encoding
// secrets.Redact knows, before anything reads it.
func (c *Client) callHiding(ctx context.Context, op *endpoints.Op, params map[string]string, query url.Values, in, out any, hide ...secrets.Secret) (int, error) {
	oc, err := c.prepare(op, params)
	if err != nil {
		return 0, err
	}
	oc.hide = hide
	return c.do(ctx, oc, query, in, out)
}

// matchTransport is the outermost layer of a Client's stack: it matches a
// request that carries no operation (a call through HTTPClient) under the
// base URL's path, once, for every layer below.
type matchTransport struct {
	prefix string
	next   http.RoundTripper
	obs    Observer // WithObserver; nil: none
	clk    clock.Clock
}

func (t *matchTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	oc, req := callOf(req, t.prefix)
	if t.obs != nil && req.Response == nil && oc.obs == nil {
		// A redirect's hop is part of the call it follows.
		return t.observeCall(req, oc)
	}
	return t.next.RoundTrip(req)
}
