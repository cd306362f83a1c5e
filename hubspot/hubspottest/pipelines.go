package hubspottest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// maxStages is the most stages a pipeline may have.
const maxStages = endpoints.MaxPipelineStages

// firstPipelineID is the first ID the server gives a pipeline or stage it
// creates; HubSpot's are numbers of this size.
const firstPipelineID = 100_000_001

// pipelineStore holds the pipelines of every object type that has them.
// Each type's set is made on first use, seeded with HubSpot's defaults.
type pipelineStore struct {
	mu    sync.Mutex
	next  int64
	types map[string][]*pipeline // by canonical object type, creation order
}

type pipeline struct {
	id, label    string
	displayOrder int
	stages       []*stage // creation order, archived included
	archived     bool
	archivedAt   time.Time
	created      time.Time
	updated      time.Time
	audit        []auditEvent // oldest first
}

// auditEvent is one change to a pipeline or stage, as its audit call
// reports it.
type auditEvent struct {
	action string // CREATE, UPDATE, DELETE
	at     time.Time
	raw    any // the pipeline or stage after the change
}

type stage struct {
	id, label    string
	displayOrder int
	metadata     map[string]string
	archived     bool
	archivedAt   time.Time
	created      time.Time
	updated      time.Time
	audit        []auditEvent // oldest first
}

func (p *pipeline) record(action string, at time.Time) {
	p.audit = append(p.audit, auditEvent{action, at, renderPipeline(p)})
}

func (s *stage) record(action string, at time.Time) {
	s.audit = append(s.audit, auditEvent{action, at, renderStage(s)})
}

// auditOut is HubSpot's PublicAuditInfo.
type auditOut struct {
	Action     string `json:"action"`
	Identifier string `json:"identifier"`
	PortalID   int64  `json:"portalId"`
	FromUserID int64  `json:"fromUserId"`
	Message    string `json:"message"`
	RawObject  any    `json:"rawObject"`
	Timestamp  string `json:"timestamp"`
}

// auditUserID is the user the server reports as making every change.
const auditUserID = 2_000_001

// replyAudit answers an audit call: the events of id, newest first.
func (q *request) replyAudit(id string, events []auditEvent) {
	portal := q.s.Account().PortalID
	out := make([]auditOut, 0, len(events))
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		out = append(out, auditOut{Action: e.action, Identifier: id, PortalID: portal, FromUserID: auditUserID,
			Message: strings.ToLower(e.action[:1]) + strings.ToLower(e.action[1:]) + "d through the API", RawObject: e.raw, Timestamp: fmtTime(e.at)})
	}
	q.reply(http.StatusOK, map[string][]auditOut{"results": out})
}

// pipelineAudit answers the changes to a pipeline (archived ones too).
func (q *request) pipelineAudit(t, pid string) {
	ps := &q.s.db.pipelines
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := ps.findLocked(t, pid)
	if p == nil {
		q.fail(pipelineNotFound(q.corr, t, pid))
		return
	}
	q.replyAudit(p.id, p.audit)
}

// stageAudit answers the changes to a stage (archived ones too).
func (q *request) stageAudit(t, pid, sid string) {
	ps := &q.s.db.pipelines
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := ps.findLocked(t, pid)
	if p == nil {
		q.fail(pipelineNotFound(q.corr, t, pid))
		return
	}
	s := p.findStage(sid)
	if s == nil {
		q.fail(stageNotFound(q.corr, pid, sid))
		return
	}
	q.replyAudit(s.id, s.audit)
}

// defaultPipelines returns HubSpot's default pipelines of objectType:
// the Sales Pipeline for deals, the Support Pipeline for tickets. HubSpot
// reports them as created at the Unix epoch.
func defaultPipelines(objectType string) []*pipeline {
	epoch := time.Unix(0, 0).UTC()
	mk := func(id, label string, stages ...*stage) *pipeline {
		for i, s := range stages {
			s.displayOrder, s.created, s.updated = i, epoch, epoch
		}
		return &pipeline{id: id, label: label, stages: stages, created: epoch, updated: epoch}
	}
	deal := func(id, label, probability string, closed bool) *stage {
		return &stage{id: id, label: label, metadata: map[string]string{"isClosed": strconv.FormatBool(closed), "probability": probability}}
	}
	ticket := func(id, label, state string) *stage {
		return &stage{id: id, label: label, metadata: map[string]string{"ticketState": state}}
	}
	switch objectType {
	case "deals":
		return []*pipeline{mk("default", "Sales Pipeline",
			deal("appointmentscheduled", "Appointment Scheduled", "0.2", false),
			deal("qualifiedtobuy", "Qualified To Buy", "0.4", false),
			deal("presentationscheduled", "Presentation Scheduled", "0.6", false),
			deal("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", false),
			deal("contractsent", "Contract Sent", "0.9", false),
			deal("closedwon", "Closed Won", "1.0", true),
			deal("closedlost", "Closed Lost", "0.0", true),
		)}
	case "tickets":
		return []*pipeline{mk("0", "Support Pipeline",
			ticket("1", "New", "OPEN"),
			ticket("2", "Waiting on contact", "OPEN"),
			ticket("3", "Waiting on us", "OPEN"),
			ticket("4", "Closed", "CLOSED"),
		)}
	}
	return nil
}

// setLocked returns the pipelines of objectType, seeding them on first use.
func (ps *pipelineStore) setLocked(objectType string) []*pipeline {
	if ps.types == nil {
		ps.types = map[string][]*pipeline{}
		ps.next = firstPipelineID
	}
	set, ok := ps.types[objectType]
	if !ok {
		set = defaultPipelines(objectType)
		ps.types[objectType] = set
	}
	return set
}

func (ps *pipelineStore) newIDLocked() string {
	id := ps.next
	ps.next++
	return strconv.FormatInt(id, 10)
}

// findLocked returns the pipeline of objectType with id, archived or not.
func (ps *pipelineStore) findLocked(objectType, id string) *pipeline {
	for _, p := range ps.setLocked(objectType) {
		if p.id == id {
			return p
		}
	}
	return nil
}

func (p *pipeline) findStage(id string) *stage {
	for _, s := range p.stages {
		if s.id == id {
			return s
		}
	}
	return nil
}

func (p *pipeline) liveStages() []*stage {
	var out []*stage
	for _, s := range p.stages {
		if !s.archived {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b *stage) int { return byOrderThenLabel(a.displayOrder, b.displayOrder, a.label, b.label) })
	return out
}

func byOrderThenLabel(ao, bo int, al, bl string) int {
	if ao != bo {
		return ao - bo
	}
	return strings.Compare(strings.ToLower(al), strings.ToLower(bl))
}

// pipelineProps are the properties of objectType's records that name their
// pipeline and stage.
func pipelineProps(objectType string) (pipelineProp, stageProp string) {
	if objectType == "deals" {
		return "pipeline", "dealstage"
	}
	return "hs_pipeline", "hs_pipeline_stage"
}

type pipelineOut struct {
	ID           string     `json:"id"`
	Label        string     `json:"label"`
	DisplayOrder int        `json:"displayOrder"`
	Stages       []stageOut `json:"stages"`
	CreatedAt    string     `json:"createdAt"`
	UpdatedAt    string     `json:"updatedAt"`
	Archived     bool       `json:"archived"`
	ArchivedAt   string     `json:"archivedAt,omitempty"`
}

type stageOut struct {
	ID               string            `json:"id"`
	Label            string            `json:"label"`
	DisplayOrder     int               `json:"displayOrder"`
	Metadata         map[string]string `json:"metadata"`
	CreatedAt        string            `json:"createdAt"`
	UpdatedAt        string            `json:"updatedAt"`
	Archived         bool              `json:"archived"`
	ArchivedAt       string            `json:"archivedAt,omitempty"`
	WritePermissions string            `json:"writePermissions"`
}

func renderStage(s *stage) stageOut {
	out := stageOut{
		ID:               s.id,
		Label:            s.label,
		DisplayOrder:     s.displayOrder,
		Metadata:         s.metadata,
		CreatedAt:        fmtTime(s.created),
		UpdatedAt:        fmtTime(s.updated),
		Archived:         s.archived,
		WritePermissions: "CRM_PERMISSIONS_ENFORCEMENT",
	}
	if out.Metadata == nil {
		out.Metadata = map[string]string{}
	}
	if s.archived {
		out.ArchivedAt = fmtTime(s.archivedAt)
	}
	return out
}

func renderPipeline(p *pipeline) pipelineOut {
	out := pipelineOut{
		ID:           p.id,
		Label:        p.label,
		DisplayOrder: p.displayOrder,
		Stages:       []stageOut{},
		CreatedAt:    fmtTime(p.created),
		UpdatedAt:    fmtTime(p.updated),
		Archived:     p.archived,
	}
	if p.archived {
		out.ArchivedAt = fmtTime(p.archivedAt)
	}
	for _, s := range p.liveStages() {
		out.Stages = append(out.Stages, renderStage(s))
	}
	return out
}

func (q *request) listPipelines(t string) {
	ps := &q.s.db.pipelines
	ps.mu.Lock()
	var live []*pipeline
	for _, p := range ps.setLocked(t) {
		if !p.archived {
			live = append(live, p)
		}
	}
	slices.SortStableFunc(live, func(a, b *pipeline) int { return byOrderThenLabel(a.displayOrder, b.displayOrder, a.label, b.label) })
	out := make([]pipelineOut, 0, len(live))
	for _, p := range live {
		out = append(out, renderPipeline(p))
	}
	ps.mu.Unlock()
	q.reply(http.StatusOK, map[string][]pipelineOut{"results": out})
}

func pipelineNotFound(corr, t, id string) *apiError {
	e := notFoundError(corr)
	e.Message = fmt.Sprintf("Unable to find pipeline %s for object type %s.", id, t)
	return e
}

func stageNotFound(corr, pid, sid string) *apiError {
	e := notFoundError(corr)
	e.Message = fmt.Sprintf("Unable to find stage %s in pipeline %s.", sid, pid)
	return e
}

func (q *request) getPipeline(t, id string) {
	ps := &q.s.db.pipelines
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := ps.findLocked(t, id)
	if p == nil || p.archived {
		q.fail(pipelineNotFound(q.corr, t, id))
		return
	}
	q.reply(http.StatusOK, renderPipeline(p))
}

// stageIn is a stage in a request body; nil fields were not sent.
type stageIn struct {
	Label        *string                    `json:"label"`
	DisplayOrder *int                       `json:"displayOrder"`
	Metadata     map[string]json.RawMessage `json:"metadata"`
	Archived     *bool                      `json:"archived"`
}

// pipelineIn is a pipeline in a request body; nil fields were not sent.
type pipelineIn struct {
	Label        *string   `json:"label"`
	DisplayOrder *int      `json:"displayOrder"`
	Stages       []stageIn `json:"stages"`
	Archived     *bool     `json:"archived"`
}

// missingFields answers HubSpot's 400 for required fields not sent.
func missingFields(corr, what string, names []string) *apiError {
	details := make([]errorDetail, 0, len(names))
	for _, n := range names {
		details = append(details, errorDetail{Message: n + " is required", Code: "REQUIRED_FIELD", In: n})
	}
	return validationError(corr, fmt.Sprintf("Invalid input JSON: %s: Some required fields were not set: [%s]", what, strings.Join(names, ", ")), details...)
}

// metadataValues converts and checks a stage's metadata for objectType:
// deal stages need a probability from 0 to 1 in steps of 0.1, and get
// isClosed "false" unless set; ticket stages get ticketState OPEN unless
// set to OPEN or CLOSED.
func metadataValues(objectType string, in map[string]json.RawMessage, creating bool) (map[string]string, string) {
	out := make(map[string]string, len(in)+1)
	for k, raw := range in {
		var v any
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Sprintf("metadata.%s has an invalid value", k)
		}
		switch x := v.(type) {
		case string:
			out[k] = x
		case json.Number:
			out[k] = x.String()
		case bool:
			out[k] = strconv.FormatBool(x)
		default:
			return nil, fmt.Sprintf("metadata.%s must be a string, number or boolean", k)
		}
	}
	switch objectType {
	case "deals":
		ps, ok := out["probability"]
		if !ok {
			if creating {
				return nil, "Deal stages require metadata.probability, a number from 0.0 to 1.0."
			}
		} else {
			p, err := strconv.ParseFloat(strings.TrimSpace(ps), 64)
			if err != nil || p < 0 || p > 1 || math.Abs(p*10-math.Round(p*10)) > 1e-9 {
				return nil, fmt.Sprintf("metadata.probability %q must be a number from 0.0 to 1.0 in increments of 0.1.", ps)
			}
			out["probability"] = strconv.FormatFloat(p, 'f', 1, 64)
		}
		if c, ok := out["isClosed"]; ok {
			b, err := strconv.ParseBool(c)
			if err != nil {
				return nil, fmt.Sprintf("metadata.isClosed %q must be true or false.", c)
			}
			out["isClosed"] = strconv.FormatBool(b)
		} else if creating {
			out["isClosed"] = "false"
		}
	case "tickets":
		if s, ok := out["ticketState"]; ok {
			u := strings.ToUpper(s)
			if u != "OPEN" && u != "CLOSED" {
				return nil, fmt.Sprintf("metadata.ticketState %q must be OPEN or CLOSED.", s)
			}
			out["ticketState"] = u
		} else if creating {
			out["ticketState"] = "OPEN"
		}
	}
	return out, ""
}

// newStages checks stage inputs of a whole pipeline and builds them.
func (q *request) newStages(ps *pipelineStore, t string, in []stageIn, now time.Time) ([]*stage, *apiError) {
	switch {
	case len(in) == 0:
		return nil, missingFields(q.corr, "pipeline", []string{"stages"})
	case len(in) > maxStages:
		return nil, validationError(q.corr, fmt.Sprintf("A pipeline may have at most %d stages; got %d.", maxStages, len(in)))
	}
	out := make([]*stage, 0, len(in))
	seen := map[string]int{}
	for i, si := range in {
		s, e := q.newStage(ps, t, si, now)
		if e != nil {
			e.Message = fmt.Sprintf("stages[%d]: %s", i, e.Message)
			return nil, e
		}
		key := strings.ToLower(s.label)
		if j, dup := seen[key]; dup {
			return nil, validationError(q.corr, fmt.Sprintf("stages[%d] and stages[%d] have the same label %q; stage labels must be unique within a pipeline.", j, i, s.label))
		}
		seen[key] = i
		out = append(out, s)
	}
	return out, nil
}

// newStage checks one stage input and builds it with a new ID.
func (q *request) newStage(ps *pipelineStore, t string, in stageIn, now time.Time) (*stage, *apiError) {
	var missing []string
	if in.Label == nil || strings.TrimSpace(*in.Label) == "" {
		missing = append(missing, "label")
	}
	if in.DisplayOrder == nil {
		missing = append(missing, "displayOrder")
	}
	if in.Metadata == nil {
		missing = append(missing, "metadata")
	}
	if len(missing) > 0 {
		return nil, missingFields(q.corr, "stage", missing)
	}
	md, msg := metadataValues(t, in.Metadata, true)
	if msg != "" {
		return nil, validationError(q.corr, msg)
	}
	return &stage{id: ps.newIDLocked(), label: strings.TrimSpace(*in.Label), displayOrder: *in.DisplayOrder, metadata: md, created: now, updated: now}, nil
}

// labelTaken reports a live pipeline of set, other than self, labelled label.
func labelTaken(set []*pipeline, label string, self *pipeline) bool {
	for _, p := range set {
		if p != self && !p.archived && strings.EqualFold(p.label, label) {
			return true
		}
	}
	return false
}

func pipelineConflict(corr, label string) *apiError {
	return &apiError{status: http.StatusConflict, Message: fmt.Sprintf("A pipeline with label %q already exists.", label), CorrelationID: corr, Category: catConflict}
}

func (q *request) createPipeline(t string) {
	var in pipelineIn
	if !q.decode(&in) {
		return
	}
	var missing []string
	if in.Label == nil || strings.TrimSpace(*in.Label) == "" {
		missing = append(missing, "label")
	}
	if in.DisplayOrder == nil {
		missing = append(missing, "displayOrder")
	}
	if in.Stages == nil {
		missing = append(missing, "stages")
	}
	if len(missing) > 0 {
		q.fail(missingFields(q.corr, "pipeline", missing))
		return
	}
	ps := &q.s.db.pipelines
	ps.mu.Lock()
	defer ps.mu.Unlock()
	set := ps.setLocked(t)
	label := strings.TrimSpace(*in.Label)
	if labelTaken(set, label, nil) {
		q.fail(pipelineConflict(q.corr, label))
		return
	}
	now := q.s.clock.Now()
	stages, e := q.newStages(ps, t, in.Stages, now)
	if e != nil {
		q.fail(e)
		return
	}
	p := &pipeline{id: ps.newIDLocked(), label: label, displayOrder: *in.DisplayOrder, stages: stages, created: now, updated: now}
	ps.types[t] = append(set, p)
	for _, s := range stages {
		s.record("CREATE", now)
	}
	p.record("CREATE", now)
	q.reply(http.StatusCreated, renderPipeline(p))
}

func (q *request) replacePipeline(t, id string) {
	var in pipelineIn
	if !q.decode(&in) {
		return
	}
	var missing []string
	if in.Label == nil || strings.TrimSpace(*in.Label) == "" {
		missing = append(missing, "label")
	}
	if in.DisplayOrder == nil {
		missing = append(missing, "displayOrder")
	}
	if in.Stages == nil {
		missing = append(missing, "stages")
	}
	if len(missing) > 0 {
		q.fail(missingFields(q.corr, "pipeline", missing))
		return
	}
	ps := &q.s.db.pipelines
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := ps.findLocked(t, id)
	if p == nil || p.archived {
		q.fail(pipelineNotFound(q.corr, t, id))
		return
	}
	label := strings.TrimSpace(*in.Label)
	if labelTaken(ps.setLocked(t), label, p) {
		q.fail(pipelineConflict(q.corr, label))
		return
	}
	now := q.s.clock.Now()
	stages, e := q.newStages(ps, t, in.Stages, now)
	if e != nil {
		q.fail(e)
		return
	}
	for _, s := range p.stages {
		if !s.archived {
			s.archived, s.archivedAt, s.updated = true, now, now
			s.record("DELETE", now)
		}
	}
	p.label, p.displayOrder, p.updated = label, *in.DisplayOrder, now
	p.stages = append(p.stages, stages...)
	for _, s := range stages {
		s.record("CREATE", now)
	}
	p.record("UPDATE", now)
	q.reply(http.StatusOK, renderPipeline(p))
}

func (q *request) updatePipeline(t, id string) {
	var in pipelineIn
	if !q.decode(&in) {
		return
	}
	if in.Stages != nil {
		q.fail(validationError(q.corr, "Stages cannot be changed with a pipeline update; use the pipeline stages endpoints or replace the pipeline."))
		return
	}
	ps := &q.s.db.pipelines
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := ps.findLocked(t, id)
	if p == nil || (p.archived && in.Archived == nil) {
		q.fail(pipelineNotFound(q.corr, t, id))
		return
	}
	if in.Archived != nil && (!p.archived || *in.Archived) {
		q.fail(validationError(q.corr, "archived may only be set to false, to restore an archived pipeline."))
		return
	}
	label := p.label
	if in.Label != nil {
		if label = strings.TrimSpace(*in.Label); label == "" {
			q.fail(validationError(q.corr, "label may not be empty."))
			return
		}
	}
	if labelTaken(ps.setLocked(t), label, p) {
		q.fail(pipelineConflict(q.corr, label))
		return
	}
	now := q.s.clock.Now()
	if in.Archived != nil {
		p.archived, p.archivedAt = false, time.Time{}
	}
	p.label = label
	if in.DisplayOrder != nil {
		p.displayOrder = *in.DisplayOrder
	}
	p.updated = now
	p.record("UPDATE", now)
	q.reply(http.StatusOK, renderPipeline(p))
}

// archivePipeline archives a pipeline, or one of its stages when sid is
// not "". With validateReferencesBeforeDelete (or, for a deal pipeline,
// validateDealStageUsagesBeforeDelete) it refuses while live records are
// in it. HubSpot's spec declares validateDealStageUsagesBeforeDelete on the
// pipeline DELETE only: a stage DELETE ignores it, as it ignores any
// parameter it does not declare, and deletes a stage in use. HubSpot keeps
// at least one pipeline per type and one stage per pipeline.
func (q *request) archivePipeline(t, pid, sid string) {
	v := q.r.URL.Query()
	validate, ok := q.boolParam(v, "validateReferencesBeforeDelete")
	if !ok {
		return
	}
	if sid == "" {
		validateDeals, ok := q.boolParam(v, "validateDealStageUsagesBeforeDelete")
		if !ok {
			return
		}
		validate = validate || (t == "deals" && validateDeals)
	}

	// Lock order: the object store, then the pipelines.
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	ps := &d.pipelines
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := ps.findLocked(t, pid)
	if p == nil || p.archived {
		q.fail(pipelineNotFound(q.corr, t, pid))
		return
	}
	var st *stage
	if sid != "" {
		if st = p.findStage(sid); st == nil || st.archived {
			q.fail(stageNotFound(q.corr, pid, sid))
			return
		}
		if len(p.liveStages()) == 1 {
			q.fail(validationError(q.corr, fmt.Sprintf("Stage %s is the last stage of pipeline %s; a pipeline needs at least one stage.", sid, pid)))
			return
		}
	} else {
		live := 0
		for _, o := range ps.setLocked(t) {
			if !o.archived {
				live++
			}
		}
		if live == 1 {
			q.fail(validationError(q.corr, fmt.Sprintf("Pipeline %s is the last %s pipeline; an account needs at least one.", pid, t)))
			return
		}
	}
	if validate {
		pProp, sProp := pipelineProps(t)
		n := 0
		if tb := d.tables[t]; tb != nil {
			for _, r := range tb.byID {
				if r.archived || r.props[pProp] != pid && !(t == "deals" && pid == "default" && r.props[pProp] == "") {
					continue
				}
				if st == nil || r.props[sProp] == sid {
					n++
				}
			}
		}
		if n > 0 {
			what := "Pipeline " + pid
			if st != nil {
				what = "Stage " + sid
			}
			q.fail(validationError(q.corr, fmt.Sprintf("%s is in use by %d %s and cannot be deleted.", what, n, t)))
			return
		}
	}
	now := q.s.clock.Now()
	if st != nil {
		st.archived, st.archivedAt, st.updated = true, now, now
		st.record("DELETE", now)
		p.updated = now
	} else {
		p.archived, p.archivedAt, p.updated = true, now, now
		p.record("DELETE", now)
	}
	q.w.WriteHeader(http.StatusNoContent)
}

// livePipeline finds a live pipeline or answers 404.
func (q *request) livePipeline(ps *pipelineStore, t, pid string) *pipeline {
	p := ps.findLocked(t, pid)
	if p == nil || p.archived {
		q.fail(pipelineNotFound(q.corr, t, pid))
		return nil
	}
	return p
}

func (q *request) listStages(t, pid string) {
	ps := &q.s.db.pipelines
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := q.livePipeline(ps, t, pid)
	if p == nil {
		return
	}
	out := []stageOut{}
	for _, s := range p.liveStages() {
		out = append(out, renderStage(s))
	}
	q.reply(http.StatusOK, map[string][]stageOut{"results": out})
}

func (q *request) getStage(t, pid, sid string) {
	ps := &q.s.db.pipelines
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := q.livePipeline(ps, t, pid)
	if p == nil {
		return
	}
	s := p.findStage(sid)
	if s == nil || s.archived {
		q.fail(stageNotFound(q.corr, pid, sid))
		return
	}
	q.reply(http.StatusOK, renderStage(s))
}

// stageLabelTaken reports a live stage of p, other than self, labelled
// label.
func stageLabelTaken(p *pipeline, label string, self *stage) bool {
	for _, s := range p.stages {
		if s != self && !s.archived && strings.EqualFold(s.label, label) {
			return true
		}
	}
	return false
}

func stageConflict(corr, pid, label string) *apiError {
	return &apiError{status: http.StatusConflict, Message: fmt.Sprintf("A stage with label %q already exists in pipeline %s.", label, pid), CorrelationID: corr, Category: catConflict}
}

func (q *request) createStage(t, pid string) {
	var in stageIn
	if !q.decode(&in) {
		return
	}
	ps := &q.s.db.pipelines
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := q.livePipeline(ps, t, pid)
	if p == nil {
		return
	}
	if len(p.liveStages()) >= maxStages {
		q.fail(validationError(q.corr, fmt.Sprintf("Pipeline %s already has %d stages, the most a pipeline may have.", pid, maxStages)))
		return
	}
	now := q.s.clock.Now()
	s, e := q.newStage(ps, t, in, now)
	if e != nil {
		q.fail(e)
		return
	}
	if stageLabelTaken(p, s.label, nil) {
		q.fail(stageConflict(q.corr, pid, s.label))
		return
	}
	p.stages = append(p.stages, s)
	p.updated = now
	s.record("CREATE", now)
	q.reply(http.StatusCreated, renderStage(s))
}

func (q *request) replaceStage(t, pid, sid string) {
	var in stageIn
	if !q.decode(&in) {
		return
	}
	ps := &q.s.db.pipelines
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := q.livePipeline(ps, t, pid)
	if p == nil {
		return
	}
	s := p.findStage(sid)
	if s == nil || s.archived {
		q.fail(stageNotFound(q.corr, pid, sid))
		return
	}
	now := q.s.clock.Now()
	repl, e := q.newStage(ps, t, in, now)
	if e != nil {
		q.fail(e)
		return
	}
	if stageLabelTaken(p, repl.label, s) {
		q.fail(stageConflict(q.corr, pid, repl.label))
		return
	}
	s.label, s.displayOrder, s.metadata, s.updated = repl.label, repl.displayOrder, repl.metadata, now
	p.updated = now
	s.record("UPDATE", now)
	q.reply(http.StatusOK, renderStage(s))
}

// updateStage answers a stage PATCH. HubSpot's spec requires metadata in
// the body (PipelineStagePatchInput), and for deal stages the probability
// in it, whatever else the call changes; the metadata sent is merged into
// the stage's.
func (q *request) updateStage(t, pid, sid string) {
	var in stageIn
	if !q.decode(&in) {
		return
	}
	if in.Metadata == nil {
		q.fail(missingFields(q.corr, "stage", []string{"metadata"}))
		return
	}
	if _, ok := in.Metadata["probability"]; t == "deals" && !ok {
		q.fail(validationError(q.corr, "Deal stages require metadata.probability, a number from 0.0 to 1.0.",
			errorDetail{Message: "metadata.probability is required for deal stages", Code: "REQUIRED_FIELD", In: "metadata.probability"}))
		return
	}
	ps := &q.s.db.pipelines
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := q.livePipeline(ps, t, pid)
	if p == nil {
		return
	}
	s := p.findStage(sid)
	if s == nil || (s.archived && in.Archived == nil) {
		q.fail(stageNotFound(q.corr, pid, sid))
		return
	}
	if in.Archived != nil && (!s.archived || *in.Archived) {
		q.fail(validationError(q.corr, "archived may only be set to false, to restore an archived stage."))
		return
	}
	label := s.label
	if in.Label != nil {
		if label = strings.TrimSpace(*in.Label); label == "" {
			q.fail(validationError(q.corr, "label may not be empty."))
			return
		}
	}
	if stageLabelTaken(p, label, s) {
		q.fail(stageConflict(q.corr, pid, label))
		return
	}
	var md map[string]string
	{
		merged := make(map[string]json.RawMessage, len(s.metadata)+len(in.Metadata))
		for k, v := range s.metadata {
			b, _ := json.Marshal(v)
			merged[k] = b
		}
		for k, v := range in.Metadata {
			merged[k] = v
		}
		var msg string
		if md, msg = metadataValues(t, merged, false); msg != "" {
			q.fail(validationError(q.corr, msg))
			return
		}
	}
	if in.Archived != nil {
		if len(p.liveStages()) >= maxStages {
			q.fail(validationError(q.corr, fmt.Sprintf("Pipeline %s already has %d stages, the most a pipeline may have.", pid, maxStages)))
			return
		}
		s.archived, s.archivedAt = false, time.Time{}
	}
	now := q.s.clock.Now()
	s.label, s.metadata, s.updated = label, md, now
	if in.DisplayOrder != nil {
		s.displayOrder = *in.DisplayOrder
	}
	p.updated = now
	s.record("UPDATE", now)
	q.reply(http.StatusOK, renderStage(s))
}
