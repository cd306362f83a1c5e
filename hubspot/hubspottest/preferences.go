package hubspottest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Communication preferences (v4 and the dated versions).
//
// The server keeps the subscription types tests add with
// [Server.AddSubscriptionType] and each email address's status for each,
// NOT_SPECIFIED until set. An address unsubscribed from all email is
// reported UNSUBSCRIBED everywhere, and the server refuses to subscribe it
// again, as HubSpot does outside its resubscribe flow.

type prefStore struct {
	defs   []prefDef
	status map[string]map[int64]prefStatus // lower-cased email -> subscription ID
	optOut map[string]time.Time            // lower-cased email -> unsubscribed from all
}

type prefDef struct {
	id                         int64
	name, description, purpose string
	created                    time.Time
}

type prefStatus struct {
	state, legalBasis, explanation string
	at                             time.Time
}

// legalBases are the legal bases HubSpot's spec allows.
var legalBases = []string{"CONSENT_WITH_NOTICE", "LEGITIMATE_INTEREST_CLIENT", "LEGITIMATE_INTEREST_OTHER", "LEGITIMATE_INTEREST_PQL",
	"NON_GDPR", "PERFORMANCE_OF_CONTRACT", "PROCESS_AND_STORE"}

func (d *db) prefsLocked() *prefStore {
	st := &d.prefs
	if st.status == nil {
		st.status = map[string]map[int64]prefStatus{}
		st.optOut = map[string]time.Time{}
	}
	return st
}

// AddSubscriptionType adds an email subscription type (a subscription
// definition) and returns its ID.
func (s *Server) AddSubscriptionType(name, description string) string {
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.prefsLocked()
	id := int64(30_000_001 + len(st.defs))
	st.defs = append(st.defs, prefDef{id: id, name: name, description: description, purpose: "Marketing", created: s.clock.Now()})
	return strconv.FormatInt(id, 10)
}

// SubscriptionStatus returns email's status for the subscription type id
// (SUBSCRIBED, UNSUBSCRIBED or NOT_SPECIFIED), as the API reports it.
func (s *Server) SubscriptionStatus(email, id string) string {
	n, _ := strconv.ParseInt(id, 10, 64)
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.prefsLocked().stateLocked(strings.ToLower(email), n).state
}

func (st *prefStore) stateLocked(email string, id int64) prefStatus {
	if at, out := st.optOut[email]; out {
		return prefStatus{state: "UNSUBSCRIBED", at: at}
	}
	if s, ok := st.status[email][id]; ok {
		return s
	}
	return prefStatus{state: "NOT_SPECIFIED"}
}

// actionOut is HubSpot's ActionResponse wrapper.
func (q *request) actionReply(results any) {
	now := fmtTime(q.s.clock.Now())
	q.reply(http.StatusOK, map[string]any{"status": "COMPLETE", "results": results, "requestedAt": now, "startedAt": now, "completedAt": now})
}

type prefStatusOut struct {
	Channel     string `json:"channel"`
	Source      string `json:"source"`
	Status      string `json:"status"`
	Subscriber  string `json:"subscriberIdString"`
	ID          int64  `json:"subscriptionId"`
	Name        string `json:"subscriptionName"`
	Timestamp   string `json:"timestamp"`
	LegalBasis  string `json:"legalBasis,omitempty"`
	Explanation string `json:"legalBasisExplanation,omitempty"`
	Reason      string `json:"setStatusSuccessReason,omitempty"`
}

func (st *prefStore) renderLocked(subscriber string, def prefDef, now time.Time) prefStatusOut {
	s := st.stateLocked(strings.ToLower(subscriber), def.id)
	at := s.at
	if at.IsZero() {
		at = now
	}
	return prefStatusOut{Channel: "EMAIL", Source: "Public Status API", Status: s.state, Subscriber: subscriber, ID: def.id, Name: def.name,
		Timestamp: fmtTime(at), LegalBasis: s.legalBasis, Explanation: s.explanation}
}

// prefSubscriber reads the subscriber of the path and the channel of the
// query, answering 400.
func (q *request) prefSubscriber(needChannel bool) (string, bool) {
	sub := q.r.PathValue("subscriberIdString")
	if !validEmail(sub) {
		q.fail(validationError(q.corr, fmt.Sprintf("%q is not a valid email address.", sub), errorDetail{Message: "invalid email", In: "subscriberIdString", Code: "INVALID_EMAIL"}))
		return "", false
	}
	if needChannel {
		if c := q.r.URL.Query().Get("channel"); c != "EMAIL" {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter channel: expected EMAIL.", c),
				errorDetail{Message: "channel must be EMAIL", In: "channel", Code: "INVALID_ENUM"}))
			return "", false
		}
	}
	return sub, true
}

func (q *request) subscriptionDefinitions() {
	if _, ok := q.boolParam(q.r.URL.Query(), "includeTranslations"); !ok {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	type defOut struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Purpose     string `json:"purpose"`
		Method      string `json:"communicationMethod"`
		IsActive    bool   `json:"isActive"`
		IsDefault   bool   `json:"isDefault"`
		IsInternal  bool   `json:"isInternal"`
		CreatedAt   string `json:"createdAt"`
		UpdatedAt   string `json:"updatedAt"`
	}
	out := []defOut{}
	for _, def := range d.prefsLocked().defs {
		out = append(out, defOut{ID: strconv.FormatInt(def.id, 10), Name: def.name, Description: def.description, Purpose: def.purpose, Method: "Email",
			IsActive: true, CreatedAt: fmtTime(def.created), UpdatedAt: fmtTime(def.created)})
	}
	q.actionReply(out)
}

func (q *request) subscriptionStatuses() {
	sub, ok := q.prefSubscriber(true)
	if !ok {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.prefsLocked()
	out := []prefStatusOut{}
	for _, def := range st.defs {
		out = append(out, st.renderLocked(sub, def, q.s.clock.Now()))
	}
	q.actionReply(out)
}

func (q *request) updateSubscriptionStatus() {
	sub, ok := q.prefSubscriber(false)
	if !ok {
		return
	}
	var in struct {
		Channel     string `json:"channel"`
		State       string `json:"statusState"`
		ID          *int64 `json:"subscriptionId"`
		LegalBasis  string `json:"legalBasis"`
		Explanation string `json:"legalBasisExplanation"`
	}
	if !q.decode(&in) {
		return
	}
	switch {
	case in.Channel != "EMAIL":
		q.fail(validationError(q.corr, fmt.Sprintf("channel %q is not EMAIL.", in.Channel)))
		return
	case in.State != "SUBSCRIBED" && in.State != "UNSUBSCRIBED" && in.State != "NOT_SPECIFIED":
		q.fail(validationError(q.corr, fmt.Sprintf("statusState %q is not SUBSCRIBED, UNSUBSCRIBED or NOT_SPECIFIED.", in.State)))
		return
	case in.ID == nil:
		q.fail(validationError(q.corr, "subscriptionId is required.", errorDetail{Message: "subscriptionId is required", In: "subscriptionId", Code: "REQUIRED_FIELD"}))
		return
	case in.LegalBasis != "" && !slices.Contains(legalBases, in.LegalBasis):
		q.fail(validationError(q.corr, fmt.Sprintf("legalBasis %q is not one of %s.", in.LegalBasis, strings.Join(legalBases, ", "))))
		return
	}
	d := q.s.db
	now := q.s.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.prefsLocked()
	i := slices.IndexFunc(st.defs, func(def prefDef) bool { return def.id == *in.ID })
	if i < 0 {
		q.fail(validationError(q.corr, fmt.Sprintf("Subscription %d does not exist.", *in.ID)))
		return
	}
	key := strings.ToLower(sub)
	if _, out := st.optOut[key]; out && in.State == "SUBSCRIBED" {
		q.fail(validationError(q.corr, fmt.Sprintf("%s has unsubscribed from all email and cannot be subscribed through this API.", sub)))
		return
	}
	reason := "NO_STATUS_CHANGE"
	if st.stateLocked(key, *in.ID).state != in.State {
		reason = "REQUESTED_CHANGE_OCCURRED"
		if st.status[key] == nil {
			st.status[key] = map[int64]prefStatus{}
		}
		st.status[key][*in.ID] = prefStatus{state: in.State, legalBasis: in.LegalBasis, explanation: in.Explanation, at: now}
	}
	out := st.renderLocked(sub, st.defs[i], now)
	out.Reason = reason
	q.actionReply([]prefStatusOut{out})
}

func (q *request) unsubscribeAll() {
	sub, ok := q.prefSubscriber(true)
	if !ok {
		return
	}
	verbose, ok := q.boolParam(q.r.URL.Query(), "verbose")
	if !ok {
		return
	}
	d := q.s.db
	now := q.s.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.prefsLocked()
	key := strings.ToLower(sub)
	_, already := st.optOut[key]
	if !already {
		st.optOut[key] = now
	}
	out := []prefStatusOut{}
	if verbose {
		for _, def := range st.defs {
			s := st.renderLocked(sub, def, now)
			s.Reason = "UNSUBSCRIBE_FROM_ALL_OCCURRED"
			if already {
				s.Reason = "NO_STATUS_CHANGE"
			}
			out = append(out, s)
		}
	}
	q.actionReply(out)
}

func (q *request) unsubscribeAllStatus() {
	sub, ok := q.prefSubscriber(true)
	if !ok {
		return
	}
	if _, ok := q.boolParam(q.r.URL.Query(), "verbose"); !ok {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	state, at := "NOT_SPECIFIED", q.s.clock.Now()
	if t, out := d.prefsLocked().optOut[strings.ToLower(sub)]; out {
		state, at = "UNSUBSCRIBED", t
	}
	q.actionReply([]map[string]any{{"channel": "EMAIL", "status": state, "subscriberIdString": sub, "timestamp": fmtTime(at), "wideStatusType": "PORTAL_WIDE"}})
}
