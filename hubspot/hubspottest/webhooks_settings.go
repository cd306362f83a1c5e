package hubspottest

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets"
)

// developerKeyParam is the query parameter that carries a developer API
// key.
const developerKeyParam = "hapikey"

// maxSubscriptions is HubSpot's limit of subscriptions per app.
const maxSubscriptions = endpoints.MaxWebhookSubscriptions

// firstSubscriptionID is the first subscription ID the server hands out.
const firstSubscriptionID = 100_001

// webhookEventTypes are the event types the Webhooks API v3 accepts.
var webhookEventTypes = func() map[string]bool {
	m := map[string]bool{
		"contact.privacyDeletion":      true,
		"conversation.creation":        true,
		"conversation.deletion":        true,
		"conversation.newMessage":      true,
		"conversation.privacyDeletion": true,
		"conversation.propertyChange":  true,
	}
	for _, obj := range []string{"contact", "company", "deal", "ticket", "product", "line_item"} {
		for _, kind := range []string{"propertyChange", "creation", "deletion", "merge", "restore", "associationChange"} {
			if obj == "product" && kind == "associationChange" {
				continue
			}
			m[obj+"."+kind] = true
		}
	}
	return m
}()

// unsubscribableProperties are the properties HubSpot refuses for
// propertyChange subscriptions.
var unsubscribableProperties = []string{"num_unique_conversion_events", "hs_lastmodifieddate"}

// webhookState is the server's developer keys and apps. Its zero value is
// ready: init runs on first use.
type webhookState struct {
	once sync.Once
	keys *keypolicy.Store // developer keys, apart from private-app tokens

	mu      sync.Mutex
	keyApps map[string][]int64 // key ID -> apps its developer account owns
	apps    map[int64]*webhookApp
	nextID  int64
}

type webhookApp struct {
	settings *webhookSettings
	subs     map[int64]*webhookSub
}

type webhookSettings struct {
	targetURL        string
	maxConcurrent    int
	created, updated time.Time
}

type webhookSub struct {
	id                      int64
	eventType, propertyName string
	active                  bool
	created, updated        time.Time
}

func (s *Server) webhooks() *webhookState {
	h := &s.hooks
	h.once.Do(func() {
		keys, err := keypolicy.NewStore(keypolicy.WithClock(s.clock))
		if err != nil {
			panic(err) // the server's clock is set: cannot happen
		}
		h.keys = keys
		h.keyApps = map[string][]int64{}
		h.apps = map[int64]*webhookApp{}
		h.nextID = firstSubscriptionID
	})
	return h
}

// NewDeveloperKey makes a developer API key (256 random bits from
// crypto/rand) for a developer account that owns the apps appID and
// moreAppIDs, with the server's rate limit. It is accepted in the hapikey
// query parameter of the Webhooks API v3 of those apps
// (/webhooks/v3/{appId}/settings and .../subscriptions) and of their
// timeline event templates (/integrators/timeline/v3/{appId}/event-templates...),
// and nowhere else.
// A non-positive app ID fails the test.
//
// Where HubSpot's documentation leaves the behaviour of those endpoints
// open, the server chooses:
//
//   - A call carrying an Authorization header is refused with 401
//     INVALID_AUTHENTICATION, with or without a hapikey: the v3 endpoints
//     name the developer key as their only security scheme, and a client
//     should never send both.
//   - A key used for an app its developer account does not own gets 403
//     FORBIDDEN, as does an app that does not exist, so the answer does
//     not tell which apps exist.
//   - GET of settings an app does not have is 404 OBJECT_NOT_FOUND; DELETE
//     of absent settings is 204.
//   - maxConcurrentRequests must be greater than five, as HubSpot's guide
//     says. A throttling period, which HubSpot's current reference no
//     longer has, is ignored and not answered.
//   - Creating a subscription identical to an existing one (same event
//     type and property) is 409 CONFLICT.
//   - A batch update naming unknown subscriptions answers 207 with one
//     OBJECT_NOT_FOUND error per unknown ID (in context "ids") and applies
//     the rest.
func (s *Server) NewDeveloperKey(appID int64, moreAppIDs ...int64) string {
	s.t.Helper()
	apps := append([]int64{appID}, moreAppIDs...)
	for _, id := range apps {
		if id <= 0 {
			s.t.Fatalf("hubspottest: NewDeveloperKey: app ID must be positive, got %d", id)
		}
	}
	h := s.webhooks()
	k, tok, err := h.keys.Create(keypolicy.Spec{Name: "developer key", Limits: s.cfg.rateLimit.limits()})
	if err != nil {
		s.t.Fatalf("hubspottest: making a developer key: %v", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.keyApps[k.ID] = apps
	for _, id := range apps {
		if h.apps[id] == nil {
			h.apps[id] = &webhookApp{subs: map[int64]*webhookSub{}}
		}
	}
	return tok.Reveal()
}

// RevokeDeveloperKey revokes a developer key: calls with it get 401 from
// now on. An unknown key fails the test.
func (s *Server) RevokeDeveloperKey(key string) {
	s.t.Helper()
	h := s.webhooks()
	k, ok := h.keys.Lookup(key)
	if !ok {
		s.t.Fatalf("hubspottest: no developer key with fingerprint %s", secrets.New(key).Fingerprint())
	}
	if err := h.keys.Revoke(k.ID); err != nil {
		s.t.Fatalf("hubspottest: %v", err)
	}
}

// authorizeDeveloperKey checks the developer key of a call to the
// Webhooks API. It answers the call and returns false when the call may
// not go ahead.
func (s *Server) authorizeDeveloperKey(q *request) bool {
	h := s.webhooks()
	r, entry, corr := q.r, q.entry, q.corr
	if r.Header.Get("Authorization") != "" {
		e := authError(corr)
		e.Message = "This API takes a developer API key in the hapikey query parameter; an Authorization header is not accepted here."
		q.fail(e)
		return false
	}
	keys := r.URL.Query()[developerKeyParam]
	entry.TokenFingerprint = ""
	if len(keys) > 0 && keys[0] != "" {
		entry.TokenFingerprint = secrets.New(keys[0]).Fingerprint()
	}
	if len(keys) != 1 || keys[0] == "" {
		e := authError(corr)
		e.Message = "Authentication credentials not found. This API supports developer API key authentication, in the hapikey query parameter."
		if len(keys) > 1 {
			e.Message = "The hapikey query parameter must appear once."
		}
		entry.Reason = keypolicy.ReasonMissingToken
		q.fail(e)
		return false
	}
	d, err := h.keys.Authorize(r, keys[0], nil)
	if err != nil {
		var deny *keypolicy.DenyError
		if !errors.As(err, &deny) {
			deny = &keypolicy.DenyError{Reason: keypolicy.ReasonUnknownToken}
		}
		entry.KeyID, entry.Reason, entry.Policy = deny.KeyID, deny.Reason, deny.Policy
		if deny.Reason == keypolicy.ReasonRateLimited {
			s.writeDenied(q.w, r, deny, corr)
			return false
		}
		q.fail(&apiError{
			status:   http.StatusUnauthorized,
			Message:  "The API key provided is invalid. View or manage your API key here: https://app.hubspot.com/l/api-key/",
			Category: catAuth,
			Links:    map[string]string{"api key": "https://app.hubspot.com/l/api-key/"},
		})
		return false
	}
	entry.KeyID, q.keyID = d.Key.ID, d.Key.ID
	setRateHeaders(q.w.Header(), s.defaultUsage(d.Key, d.Usage, false))
	return true
}

// throttlingOut is the throttling of an app's webhook settings. HubSpot's
// current reference has maxConcurrentRequests only: the period (SECONDLY or
// ROLLING_MINUTE) left it in 2024, and HubSpot's clients no longer send it.
type throttlingOut struct {
	MaxConcurrentRequests int `json:"maxConcurrentRequests"`
}

type settingsOut struct {
	CreatedAt  string        `json:"createdAt"`
	TargetURL  string        `json:"targetUrl"`
	Throttling throttlingOut `json:"throttling"`
	UpdatedAt  string        `json:"updatedAt"`
}

func (st *webhookSettings) out() settingsOut {
	return settingsOut{
		CreatedAt:  fmtTime(st.created),
		TargetURL:  st.targetURL,
		Throttling: throttlingOut{MaxConcurrentRequests: st.maxConcurrent},
		UpdatedAt:  fmtTime(st.updated),
	}
}

type subOut struct {
	ID           string `json:"id"`
	EventType    string `json:"eventType"`
	PropertyName string `json:"propertyName,omitempty"`
	Active       bool   `json:"active"`
	CreatedAt    string `json:"createdAt"`
	UpdatedAt    string `json:"updatedAt"`
}

func (sb *webhookSub) out() subOut {
	return subOut{
		ID:           strconv.FormatInt(sb.id, 10),
		EventType:    sb.eventType,
		PropertyName: sb.propertyName,
		Active:       sb.active,
		CreatedAt:    fmtTime(sb.created),
		UpdatedAt:    fmtTime(sb.updated),
	}
}

func (h *webhookState) getSettings(q *request, appID int64) {
	h.mu.Lock()
	st := h.apps[appID].settings
	var out settingsOut
	if st != nil {
		out = st.out()
	}
	h.mu.Unlock()
	if st == nil {
		q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("No webhook settings found for app %d.", appID), Category: catNotFound})
		return
	}
	q.reply(http.StatusOK, out)
}

func (h *webhookState) putSettings(q *request, appID int64) {
	var in struct {
		TargetURL  *string `json:"targetUrl"`
		Throttling *struct {
			MaxConcurrentRequests *int `json:"maxConcurrentRequests"`
		} `json:"throttling"`
	}
	if !q.decode(&in) {
		return
	}
	bad := func(msg, field string) {
		q.fail(validationError(q.corr, msg, errorDetail{Message: msg, In: field, Code: "INVALID"}))
	}
	switch {
	case in.TargetURL == nil || *in.TargetURL == "":
		bad("targetUrl is required.", "targetUrl")
		return
	case !httpsURL(*in.TargetURL):
		bad("targetUrl must be an absolute https URL.", "targetUrl")
		return
	case in.Throttling == nil:
		bad("throttling is required.", "throttling")
		return
	case in.Throttling.MaxConcurrentRequests == nil:
		bad("throttling.maxConcurrentRequests is required.", "throttling.maxConcurrentRequests")
		return
	case *in.Throttling.MaxConcurrentRequests < endpoints.MinWebhookConcurrency:
		bad("throttling.maxConcurrentRequests must be a number greater than five.", "throttling.maxConcurrentRequests")
		return
	}
	now := q.s.clock.Now()
	h.mu.Lock()
	app := h.apps[appID]
	st := app.settings
	if st == nil {
		st = &webhookSettings{created: now}
		app.settings = st
	}
	st.targetURL, st.maxConcurrent, st.updated = *in.TargetURL, *in.Throttling.MaxConcurrentRequests, now
	out := st.out()
	h.mu.Unlock()
	q.reply(http.StatusOK, out)
}

func httpsURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && u.Hostname() != ""
}

func (h *webhookState) deleteSettings(q *request, appID int64) {
	h.mu.Lock()
	h.apps[appID].settings = nil
	h.mu.Unlock()
	q.w.WriteHeader(http.StatusNoContent)
}

func (h *webhookState) listSubs(q *request, appID int64) {
	h.mu.Lock()
	subs := slices.SortedFunc(maps.Values(h.apps[appID].subs), func(a, b *webhookSub) int { return cmp.Compare(a.id, b.id) })
	out := make([]subOut, len(subs))
	for i, sb := range subs {
		out[i] = sb.out()
	}
	h.mu.Unlock()
	q.reply(http.StatusOK, map[string]any{"results": out})
}

func (h *webhookState) createSub(q *request, appID int64) {
	var in struct {
		EventType    string `json:"eventType"`
		PropertyName string `json:"propertyName"`
		Active       bool   `json:"active"`
	}
	if !q.decode(&in) {
		return
	}
	bad := func(msg, field string) {
		q.fail(validationError(q.corr, msg, errorDetail{Message: msg, In: field, Code: "INVALID"}))
	}
	propertyChange := strings.HasSuffix(in.EventType, ".propertyChange")
	switch {
	case in.EventType == "":
		bad("eventType is required.", "eventType")
		return
	case !webhookEventTypes[in.EventType]:
		bad(fmt.Sprintf("eventType %q is not a supported subscription type.", truncate(in.EventType, 64)), "eventType")
		return
	case propertyChange && in.PropertyName == "":
		bad("propertyName is required for propertyChange subscriptions.", "propertyName")
		return
	case !propertyChange && in.PropertyName != "":
		bad("propertyName applies only to propertyChange subscriptions.", "propertyName")
		return
	case slices.Contains(unsubscribableProperties, in.PropertyName):
		bad(fmt.Sprintf("Property %s is not available for property change subscriptions.", in.PropertyName), "propertyName")
		return
	}
	now := q.s.clock.Now()
	h.mu.Lock()
	app := h.apps[appID]
	if len(app.subs) >= maxSubscriptions {
		h.mu.Unlock()
		q.fail(&apiError{status: http.StatusBadRequest, Message: fmt.Sprintf("Couldn't create another subscription. You've reached the maximum number allowed per application (%d).", maxSubscriptions), Category: catValidation})
		return
	}
	for _, sb := range app.subs {
		if sb.eventType == in.EventType && sb.propertyName == in.PropertyName {
			h.mu.Unlock()
			q.fail(&apiError{status: http.StatusConflict, Message: fmt.Sprintf("A subscription for %s already exists (id %d).", subject(in.EventType, in.PropertyName), sb.id), Category: catConflict})
			return
		}
	}
	sb := &webhookSub{id: h.nextID, eventType: in.EventType, propertyName: in.PropertyName, active: in.Active, created: now, updated: now}
	h.nextID++
	app.subs[sb.id] = sb
	out := sb.out()
	h.mu.Unlock()
	q.reply(http.StatusCreated, out)
}

func subject(eventType, property string) string {
	if property == "" {
		return eventType
	}
	return eventType + " of " + property
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func subNotFound(q *request, id int64) {
	q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("Subscription %d was not found.", id), Category: catNotFound})
}

func (h *webhookState) getSub(q *request, appID, id int64) {
	h.mu.Lock()
	sb := h.apps[appID].subs[id]
	var out subOut
	if sb != nil {
		out = sb.out()
	}
	h.mu.Unlock()
	if sb == nil {
		subNotFound(q, id)
		return
	}
	q.reply(http.StatusOK, out)
}

func (h *webhookState) patchSub(q *request, appID, id int64) {
	var in struct {
		Active *bool `json:"active"`
	}
	if !q.decode(&in) {
		return
	}
	h.mu.Lock()
	sb := h.apps[appID].subs[id]
	var out subOut
	if sb != nil {
		if in.Active != nil {
			sb.active = *in.Active
			sb.updated = q.s.clock.Now()
		}
		out = sb.out()
	}
	h.mu.Unlock()
	if sb == nil {
		subNotFound(q, id)
		return
	}
	q.reply(http.StatusOK, out)
}

func (h *webhookState) deleteSub(q *request, appID, id int64) {
	h.mu.Lock()
	_, ok := h.apps[appID].subs[id]
	delete(h.apps[appID].subs, id)
	h.mu.Unlock()
	if !ok {
		subNotFound(q, id)
		return
	}
	q.w.WriteHeader(http.StatusNoContent)
}

func (h *webhookState) batchUpdate(q *request, appID int64) {
	var in struct {
		Inputs []struct {
			ID     *int64 `json:"id"`
			Active *bool  `json:"active"`
		} `json:"inputs"`
	}
	if !q.decode(&in) {
		return
	}
	switch n := len(in.Inputs); {
	case n == 0:
		q.fail(validationError(q.corr, "inputs is required and must not be empty.", errorDetail{Message: "inputs is empty", In: "inputs", Code: "REQUIRED"}))
		return
	case n > maxSubscriptions:
		q.fail(validationError(q.corr, fmt.Sprintf("Batch input of %d exceeds the maximum of %d inputs.", n, maxSubscriptions), errorDetail{Message: "too many inputs", In: "inputs", Code: "TOO_MANY_INPUTS"}))
		return
	}
	for i, x := range in.Inputs {
		if x.ID == nil || x.Active == nil {
			msg := fmt.Sprintf("inputs[%d] needs both id and active.", i)
			q.fail(validationError(q.corr, msg, errorDetail{Message: msg, In: fmt.Sprintf("inputs[%d]", i), Code: "REQUIRED"}))
			return
		}
	}
	started := fmtTime(q.s.clock.Now())
	out := struct {
		Status      string       `json:"status"`
		Results     []subOut     `json:"results"`
		NumErrors   int          `json:"numErrors,omitempty"`
		Errors      []batchError `json:"errors,omitempty"`
		StartedAt   string       `json:"startedAt"`
		CompletedAt string       `json:"completedAt"`
	}{Status: "COMPLETE", Results: []subOut{}, StartedAt: started}
	h.mu.Lock()
	app := h.apps[appID]
	now := q.s.clock.Now()
	seen := map[int64]int{} // id -> index in Results
	for _, x := range in.Inputs {
		sb := app.subs[*x.ID]
		if sb == nil {
			id := strconv.FormatInt(*x.ID, 10)
			out.Errors = append(out.Errors, batchError{
				Status:   "error",
				Category: catNotFound,
				Message:  fmt.Sprintf("Subscription %s was not found.", id),
				Context:  map[string][]string{"ids": {id}},
			})
			continue
		}
		sb.active, sb.updated = *x.Active, now
		if j, ok := seen[sb.id]; ok {
			out.Results[j] = sb.out()
			continue
		}
		seen[sb.id] = len(out.Results)
		out.Results = append(out.Results, sb.out())
	}
	h.mu.Unlock()
	out.CompletedAt = fmtTime(q.s.clock.Now())
	status := http.StatusOK
	if len(out.Errors) > 0 {
		out.NumErrors = len(out.Errors)
		status = http.StatusMultiStatus
	}
	q.reply(status, out)
}
