package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// Pipeline is a pipeline of deals, tickets or another object type that
// has them, with its live stages in display order.
type Pipeline struct {
	ID string
	// Label is the pipeline's name in HubSpot, unique among the type's
	// pipelines.
	Label string
	// DisplayOrder orders pipelines in HubSpot (lowest first; ties by
	// label).
	DisplayOrder int
	Stages       []Stage
	Archived     bool
	ArchivedAt   time.Time
	// CreatedAt is the Unix epoch for HubSpot's default pipelines.
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Stage is one stage of a pipeline.
type Stage struct {
	ID           string
	Label        string
	DisplayOrder int
	// Metadata holds the settings that depend on the object type: a deal
	// stage's win probability and whether it closes the deal, a ticket
	// stage's state.
	Metadata StageMetadata
	Archived bool
	// ArchivedAt is set only for an archived stage.
	ArchivedAt time.Time
	// CreatedAt is the Unix epoch for the stages of HubSpot's default
	// pipelines.
	CreatedAt time.Time
	UpdatedAt time.Time
	// WritePermissions is CRM_PERMISSIONS_ENFORCEMENT, READ_ONLY or
	// INTERNAL_ONLY, when HubSpot says.
	WritePermissions string
}

// StageMetadata holds a stage's type-specific settings. HubSpot sends and
// takes every value as a string; the accessors parse the documented keys.
type StageMetadata map[string]string

// Stage metadata keys HubSpot documents.
const (
	// MetaProbability is a deal stage's likelihood that a deal in it
	// closes, "0.0" to "1.0" in steps of 0.1. Required for deal stages.
	MetaProbability = "probability"
	// MetaIsClosed is "true" for a stage that closes the deal (won or lost).
	MetaIsClosed = "isClosed"
	// MetaTicketState is a ticket stage's state, OPEN or CLOSED.
	MetaTicketState = "ticketState"
)

// TicketState is whether a ticket in a stage is open or closed.
type TicketState string

// Ticket states.
const (
	TicketOpen   TicketState = "OPEN"
	TicketClosed TicketState = "CLOSED"
)

// Probability returns a deal stage's win probability and whether it has a
// valid one.
func (m StageMetadata) Probability() (float64, bool) {
	v, ok := m[MetaProbability]
	if !ok {
		return 0, false
	}
	p, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || p < 0 || p > 1 {
		return 0, false
	}
	return p, true
}

// IsClosed reports whether the stage closes the record: isClosed "true"
// for a deal stage, ticketState CLOSED for a ticket stage.
func (m StageMetadata) IsClosed() bool {
	return strings.EqualFold(m[MetaIsClosed], "true") || TicketState(strings.ToUpper(m[MetaTicketState])) == TicketClosed
}

// TicketState returns a ticket stage's state, or "" when it has none.
func (m StageMetadata) TicketState() TicketState {
	return TicketState(strings.ToUpper(m[MetaTicketState]))
}

// PipelineInput is a pipeline to create, or the whole new definition of one
// to replace.
type PipelineInput struct {
	Label        string       `json:"label"`
	DisplayOrder int          `json:"displayOrder"`
	Stages       []StageInput `json:"stages"`
}

// StageInput is a stage to create, or the whole new definition of one to
// replace. DealStage and TicketStage build the common kinds.
type StageInput struct {
	// Label must be unique within the pipeline.
	Label        string        `json:"label"`
	DisplayOrder int           `json:"displayOrder"`
	Metadata     StageMetadata `json:"metadata"`
}

// DealStage returns a deal stage input with the given win probability
// (0 to 1, in steps of 0.1). A probability of 1 or 0 does not by itself
// close deals: set Metadata[MetaIsClosed] to "true" for a won or lost stage.
func DealStage(label string, displayOrder int, probability float64) StageInput {
	return StageInput{
		Label:        label,
		DisplayOrder: displayOrder,
		Metadata:     StageMetadata{MetaProbability: strconv.FormatFloat(probability, 'f', 1, 64)},
	}
}

// TicketStage returns a ticket stage input in the given state.
func TicketStage(label string, displayOrder int, state TicketState) StageInput {
	return StageInput{Label: label, DisplayOrder: displayOrder, Metadata: StageMetadata{MetaTicketState: string(state)}}
}

// PipelineUpdate changes some of a pipeline's fields; nil and empty fields
// are left as they are.
type PipelineUpdate struct {
	Label        string `json:"label,omitempty"`
	DisplayOrder *int   `json:"displayOrder,omitempty"`
	// Archived may only be set to false, to restore an archived pipeline;
	// HubSpot refuses it on any other call.
	Archived *bool `json:"archived,omitempty"`
}

// StageUpdate changes some of a stage's fields; nil and empty fields are
// left as they are.
type StageUpdate struct {
	Label        string        `json:"label,omitempty"`
	DisplayOrder *int          `json:"displayOrder,omitempty"`
	Metadata     StageMetadata `json:"metadata,omitempty"`
	// Archived may only be set to false, to restore an archived stage.
	Archived *bool `json:"archived,omitempty"`
}

// wireStageUpdate is a StageUpdate as sent: metadata always present.
type wireStageUpdate struct {
	Label        string        `json:"label,omitempty"`
	DisplayOrder *int          `json:"displayOrder,omitempty"`
	Metadata     StageMetadata `json:"metadata"`
	Archived     *bool         `json:"archived,omitempty"`
}

// isDealsType reports whether objectType names deals.
func isDealsType(objectType string) bool {
	switch strings.ToLower(objectType) {
	case "deals", "deal", "0-3":
		return true
	}
	return false
}

// PipelineArchiveOptions changes how Archive and ArchiveStage proceed.
type PipelineArchiveOptions struct {
	// ValidateReferences makes HubSpot refuse (400) to archive a pipeline or
	// stage that records are still in. It sends
	// validateReferencesBeforeDelete, and when archiving a deal pipeline
	// also validateDealStageUsagesBeforeDelete (the pipeline DELETE is the
	// only one that declares it); both are false by default.
	ValidateReferences bool
}

// PipelinesService calls the CRM pipelines API, for any object type that
// has pipelines: "deals", "tickets", and some others (custom objects on
// Enterprise accounts). Reading a type's pipelines needs the type's read
// scope; changing them needs its schema write scope (crm.schemas.deals.write
// for deals, tickets for tickets).
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/crm-pipelines-v3/guide
type PipelinesService struct {
	client *Client
}

// pipelineParams checks and returns the path parameters of a call on the
// pipelines of objectType: ids are the pipeline id and then the stage id,
// as far as the call names them. op names the call in errors.
func pipelineParams(op, objectType string, ids ...string) (map[string]string, error) {
	if !validObjectType(objectType) {
		return nil, errorf("pipelines %s: invalid object type %q: use a name such as \"deals\" or \"tickets\", or an object type ID such as \"0-3\"", op, objectType)
	}
	p := make(map[string]string, 1+len(ids))
	p["objectType"] = objectType
	for i, id := range ids {
		param, kind := "pipelineId", "pipeline id"
		if i == 1 {
			param, kind = "stageId", "stage id"
		}
		if err := checkSegment("pipelines "+op, kind, id); err != nil {
			return nil, err
		}
		p[param] = id
	}
	return p, nil
}

// List returns the live pipelines of objectType with their stages, in
// display order.
//
// HubSpot: GET /crm/v3/pipelines/{objectType}.
func (s *PipelinesService) List(ctx context.Context, objectType string) ([]Pipeline, error) {
	p, err := pipelineParams("List", objectType)
	if err != nil {
		return nil, err
	}
	var out struct {
		Results []wirePipeline `json:"results"`
	}
	if _, err := s.client.call(ctx, opPipelinesList, p, nil, nil, &out); err != nil {
		return nil, err
	}
	res := make([]Pipeline, len(out.Results))
	for i := range out.Results {
		res[i] = out.Results[i].pipeline()
	}
	return res, nil
}

// Get returns one live pipeline. A missing or archived one is an error
// matching ErrNotFound.
//
// HubSpot: GET /crm/v3/pipelines/{objectType}/{pipelineId}.
func (s *PipelinesService) Get(ctx context.Context, objectType, pipelineID string) (*Pipeline, error) {
	p, err := pipelineParams("Get", objectType, pipelineID)
	if err != nil {
		return nil, err
	}
	return s.pipelineCall(ctx, opPipelinesGet, p, nil, nil)
}

// Create creates a pipeline with its stages (at least one, at most
// 100) and returns it (201). Deal stages need a probability
// (see DealStage).
//
// HubSpot: POST /crm/v3/pipelines/{objectType}.
func (s *PipelinesService) Create(ctx context.Context, objectType string, in PipelineInput) (*Pipeline, error) {
	p, err := pipelineParams("Create", objectType)
	if err != nil {
		return nil, err
	}
	if err := in.check("Create"); err != nil {
		return nil, err
	}
	return s.pipelineCall(ctx, opPipelinesCreate, p, nil, in.normalized())
}

// Replace replaces a pipeline's whole definition, its stages included:
// stages not in in are archived, and the new ones get new IDs.
//
// HubSpot: PUT /crm/v3/pipelines/{objectType}/{pipelineId}.
func (s *PipelinesService) Replace(ctx context.Context, objectType, pipelineID string, in PipelineInput) (*Pipeline, error) {
	p, err := pipelineParams("Replace", objectType, pipelineID)
	if err != nil {
		return nil, err
	}
	if err := in.check("Replace"); err != nil {
		return nil, err
	}
	return s.pipelineCall(ctx, opPipelinesReplace, p, nil, in.normalized())
}

// Update changes some of a pipeline's fields and returns the pipeline.
//
// HubSpot: PATCH /crm/v3/pipelines/{objectType}/{pipelineId}.
func (s *PipelinesService) Update(ctx context.Context, objectType, pipelineID string, u PipelineUpdate) (*Pipeline, error) {
	p, err := pipelineParams("Update", objectType, pipelineID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(u.Label) == "" && u.DisplayOrder == nil && u.Archived == nil {
		return nil, errorf("pipelines Update %s: nothing to update", pipelineID)
	}
	return s.pipelineCall(ctx, opPipelinesUpdate, p, nil, u)
}

// Archive archives a pipeline (204). HubSpot keeps at least one pipeline
// per object type.
//
// HubSpot: DELETE /crm/v3/pipelines/{objectType}/{pipelineId}.
func (s *PipelinesService) Archive(ctx context.Context, objectType, pipelineID string, opts *PipelineArchiveOptions) error {
	p, err := pipelineParams("Archive", objectType, pipelineID)
	if err != nil {
		return err
	}
	_, err = s.client.call(ctx, opPipelinesArchive, p, archiveQuery(objectType, opts), nil, nil)
	return err
}

func (s *PipelinesService) pipelineCall(ctx context.Context, op *endpoints.Op, params map[string]string, q url.Values, in any) (*Pipeline, error) {
	var w wirePipeline
	if _, err := s.client.call(ctx, op, params, q, in, &w); err != nil {
		return nil, err
	}
	out := w.pipeline()
	return &out, nil
}

// Stages returns a pipeline's live stages in display order.
//
// HubSpot: GET /crm/v3/pipelines/{objectType}/{pipelineId}/stages.
func (s *PipelinesService) Stages(ctx context.Context, objectType, pipelineID string) ([]Stage, error) {
	p, err := pipelineParams("Stages", objectType, pipelineID)
	if err != nil {
		return nil, err
	}
	var out struct {
		Results []wireStage `json:"results"`
	}
	if _, err := s.client.call(ctx, opStagesList, p, nil, nil, &out); err != nil {
		return nil, err
	}
	res := make([]Stage, len(out.Results))
	for i := range out.Results {
		res[i] = out.Results[i].stage()
	}
	return res, nil
}

// Stage returns one live stage of a pipeline.
//
// HubSpot: GET /crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}.
func (s *PipelinesService) Stage(ctx context.Context, objectType, pipelineID, stageID string) (*Stage, error) {
	p, err := pipelineParams("Stage", objectType, pipelineID, stageID)
	if err != nil {
		return nil, err
	}
	return s.stageCall(ctx, opStagesGet, p, nil)
}

// CreateStage adds a stage to a pipeline and returns it (201).
//
// HubSpot: POST /crm/v3/pipelines/{objectType}/{pipelineId}/stages.
func (s *PipelinesService) CreateStage(ctx context.Context, objectType, pipelineID string, in StageInput) (*Stage, error) {
	p, err := pipelineParams("CreateStage", objectType, pipelineID)
	if err != nil {
		return nil, err
	}
	if err := in.check("CreateStage", 0); err != nil {
		return nil, err
	}
	return s.stageCall(ctx, opStagesCreate, p, in.normalized())
}

// ReplaceStage replaces a stage's whole definition and returns the stage.
//
// HubSpot: PUT /crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}.
func (s *PipelinesService) ReplaceStage(ctx context.Context, objectType, pipelineID, stageID string, in StageInput) (*Stage, error) {
	p, err := pipelineParams("ReplaceStage", objectType, pipelineID, stageID)
	if err != nil {
		return nil, err
	}
	if err := in.check("ReplaceStage", 0); err != nil {
		return nil, err
	}
	return s.stageCall(ctx, opStagesReplace, p, in.normalized())
}

// UpdateStage changes some of a stage's fields and returns the stage. The
// Metadata keys given are set; the stage's other keys are kept. HubSpot
// requires metadata on every stage update, and a deal stage's update must
// carry its probability (MetaProbability) even when only the label
// changes: UpdateStage refuses a deal stage update without it before
// sending anything.
//
// HubSpot: PATCH /crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}.
func (s *PipelinesService) UpdateStage(ctx context.Context, objectType, pipelineID, stageID string, u StageUpdate) (*Stage, error) {
	p, err := pipelineParams("UpdateStage", objectType, pipelineID, stageID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(u.Label) == "" && u.DisplayOrder == nil && len(u.Metadata) == 0 && u.Archived == nil {
		return nil, errorf("pipelines UpdateStage %s: nothing to update", stageID)
	}
	if _, ok := u.Metadata[MetaProbability]; !ok && isDealsType(objectType) {
		return nil, errorf("pipelines UpdateStage %s: HubSpot requires the probability (Metadata[MetaProbability], \"0.0\" to \"1.0\") on every deal stage update", stageID)
	}
	if u.Metadata == nil {
		u.Metadata = StageMetadata{} // HubSpot requires the member, even empty
	}
	return s.stageCall(ctx, opStagesUpdate, p, wireStageUpdate(u))
}

// ArchiveStage archives a stage (204). HubSpot keeps at least one stage per
// pipeline.
//
// HubSpot: DELETE /crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}.
func (s *PipelinesService) ArchiveStage(ctx context.Context, objectType, pipelineID, stageID string, opts *PipelineArchiveOptions) error {
	p, err := pipelineParams("ArchiveStage", objectType, pipelineID, stageID)
	if err != nil {
		return err
	}
	var q url.Values
	if opts != nil && opts.ValidateReferences {
		// The stage DELETE declares only this parameter; the deal-stage
		// usage check belongs to the pipeline DELETE.
		q = url.Values{"validateReferencesBeforeDelete": {"true"}}
	}
	_, err = s.client.call(ctx, opStagesArchive, p, q, nil, nil)
	return err
}

func (s *PipelinesService) stageCall(ctx context.Context, op *endpoints.Op, params map[string]string, in any) (*Stage, error) {
	var w wireStage
	if _, err := s.client.call(ctx, op, params, nil, in, &w); err != nil {
		return nil, err
	}
	out := w.stage()
	return &out, nil
}

func archiveQuery(objectType string, opts *PipelineArchiveOptions) url.Values {
	if opts == nil || !opts.ValidateReferences {
		return nil
	}
	q := url.Values{"validateReferencesBeforeDelete": {"true"}}
	switch strings.ToLower(objectType) {
	case "deals", "deal", "0-3":
		q.Set("validateDealStageUsagesBeforeDelete", "true")
	}
	return q
}

func (in PipelineInput) check(op string) error {
	switch {
	case strings.TrimSpace(in.Label) == "":
		return errorf("pipelines %s: the pipeline label is empty", op)
	case len(in.Stages) == 0:
		return errorf("pipelines %s %q: a pipeline needs at least one stage", op, in.Label)
	case len(in.Stages) > endpoints.MaxPipelineStages:
		return errorf("pipelines %s %q: %d stages; a pipeline may have at most %d", op, in.Label, len(in.Stages), endpoints.MaxPipelineStages)
	}
	seen := make(map[string]int, len(in.Stages))
	for i, st := range in.Stages {
		if err := st.check(op, i); err != nil {
			return err
		}
		key := strings.ToLower(strings.TrimSpace(st.Label))
		if j, dup := seen[key]; dup {
			return errorf("pipelines %s %q: stages %d and %d have the same label %q; labels must be unique within a pipeline", op, in.Label, j, i, st.Label)
		}
		seen[key] = i
	}
	return nil
}

// normalized sends nil metadata as {}, which HubSpot requires.
func (in PipelineInput) normalized() PipelineInput {
	stages := make([]StageInput, len(in.Stages))
	for i, st := range in.Stages {
		stages[i] = st.normalized()
	}
	in.Stages = stages
	return in
}

func (in StageInput) normalized() StageInput {
	if in.Metadata == nil {
		in.Metadata = StageMetadata{}
	}
	return in
}

func (in StageInput) check(op string, i int) error {
	if strings.TrimSpace(in.Label) == "" {
		return errorf("pipelines %s: stage %d has an empty label", op, i)
	}
	return nil
}

// wirePipeline and wireStage are HubSpot's JSON, read leniently: HubSpot
// documents createdAt = 0 for its default pipelines, which some responses
// carry as a number or a numeric string rather than a date.
type wirePipeline struct {
	ID           string       `json:"id"`
	Label        string       `json:"label"`
	DisplayOrder int          `json:"displayOrder"`
	Stages       []wireStage  `json:"stages"`
	Archived     bool         `json:"archived"`
	ArchivedAt   pipelineTime `json:"archivedAt"`
	CreatedAt    pipelineTime `json:"createdAt"`
	UpdatedAt    pipelineTime `json:"updatedAt"`
}

func (w *wirePipeline) pipeline() Pipeline {
	p := Pipeline{
		ID:           w.ID,
		Label:        w.Label,
		DisplayOrder: w.DisplayOrder,
		Archived:     w.Archived,
		ArchivedAt:   time.Time(w.ArchivedAt),
		CreatedAt:    time.Time(w.CreatedAt),
		UpdatedAt:    time.Time(w.UpdatedAt),
	}
	if len(w.Stages) > 0 {
		p.Stages = make([]Stage, len(w.Stages))
		for i := range w.Stages {
			p.Stages[i] = w.Stages[i].stage()
		}
	}
	return p
}

type wireStage struct {
	ID               string                   `json:"id"`
	Label            string                   `json:"label"`
	DisplayOrder     int                      `json:"displayOrder"`
	Metadata         map[string]lenientString `json:"metadata"`
	Archived         bool                     `json:"archived"`
	ArchivedAt       pipelineTime             `json:"archivedAt"`
	CreatedAt        pipelineTime             `json:"createdAt"`
	UpdatedAt        pipelineTime             `json:"updatedAt"`
	WritePermissions string                   `json:"writePermissions"`
}

func (w *wireStage) stage() Stage {
	st := Stage{
		ID:               w.ID,
		Label:            w.Label,
		DisplayOrder:     w.DisplayOrder,
		Archived:         w.Archived,
		ArchivedAt:       time.Time(w.ArchivedAt),
		CreatedAt:        time.Time(w.CreatedAt),
		UpdatedAt:        time.Time(w.UpdatedAt),
		WritePermissions: w.WritePermissions,
	}
	if len(w.Metadata) > 0 {
		st.Metadata = make(StageMetadata, len(w.Metadata))
		for k, v := range w.Metadata {
			st.Metadata[k] = string(v)
		}
	}
	return st
}

// pipelineTime reads an ISO 8601 time, Unix milliseconds (as a number or a
// numeric string), or null.
type pipelineTime time.Time

func (t *pipelineTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*t = pipelineTime{}
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	if s == "" {
		*t = pipelineTime{}
		return nil
	}
	if isInteger(s) {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return &shapeError{fmt.Sprintf("a time of %d digits is out of range", len(s))}
		}
		*t = pipelineTime(time.UnixMilli(ms).UTC())
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return &shapeError{fmt.Sprintf("a time of %d bytes is neither ISO 8601 nor Unix milliseconds", len(s))}
	}
	*t = pipelineTime(v)
	return nil
}
