package hubspot

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// BatchInput is a record to update or upsert: ID is the record ID, or, with
// IDProperty, a value of that unique property (such as an email address).
type BatchInput struct {
	ID         string
	IDProperty string
	Properties Properties
}

// BatchReadOptions selects what BatchRead returns.
type BatchReadOptions struct {
	Properties            []string
	PropertiesWithHistory []string
	// IDProperty, when set, means the ids are values of this unique
	// property rather than record IDs. That property is always requested:
	// it is how results are matched to the ids.
	IDProperty string
	// Archived reads archived records.
	Archived bool
}

// wireBatchObject is an object in a batch answer.
type wireBatchObject struct {
	Object
	ObjectWriteTraceID string `json:"objectWriteTraceId"`
}

type wireBatchInput struct {
	ID                 string             `json:"id,omitempty"`
	IDProperty         string             `json:"idProperty,omitempty"`
	Properties         Properties         `json:"properties,omitempty"`
	Associations       []AssociationInput `json:"associations,omitempty"`
	ObjectWriteTraceID string             `json:"objectWriteTraceId,omitempty"`
}

func normKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// objectBatch is the batchSpec of an object batch call whose inputs are
// ins: results are matched by objectWriteTraceId when traced, else by
// key (input i's: key(i); a result's: resultKey), and errors by
// objectWriteTraceId and ids.
func (s *ObjectService) objectBatch(what string, op *endpoints.Op, ins []wireBatchInput, traced bool,
	key func(i int) string, resultKey func(o *Object) string) batchSpec[wireBatchObject, Object] {
	return batchSpec[wireBatchObject, Object]{
		what: what, op: op, params: s.typeParams, n: len(ins),
		body: func(lo, hi int) any {
			in := ins[lo:hi]
			if traced {
				in = slices.Clone(in)
				for k := range in {
					in[k].ObjectWriteTraceID = strconv.Itoa(lo + k)
				}
			}
			return struct {
				Inputs []wireBatchInput `json:"inputs"`
			}{in}
		},
		keys: func(ks []batchKey, i int) []batchKey {
			if traced {
				ks = append(ks, batchKey{'t', strconv.Itoa(i)})
			}
			if key != nil {
				ks = append(ks, batchKey{'k', key(i)})
			}
			return ks
		},
		resultKeys: func(ks []batchKey, r *wireBatchObject) []batchKey {
			if traced && r.ObjectWriteTraceID != "" {
				ks = append(ks, batchKey{'t', idKey(r.ObjectWriteTraceID)})
			}
			if key != nil && resultKey != nil {
				ks = append(ks, batchKey{'k', resultKey(&r.Object)})
			}
			return ks
		},
		errorKeys: func(ks []batchKey, e *Error) []batchKey {
			for _, tid := range e.Context["objectWriteTraceId"] {
				ks = append(ks, batchKey{'t', idKey(tid)})
			}
			if key != nil {
				for _, id := range e.Context["ids"] {
					ks = append(ks, batchKey{'k', normKey(id)})
				}
			}
			return ks
		},
		value: func(r *wireBatchObject) Object { return r.Object },
	}
}

// BatchRead reads records by ID (or by a unique property's value, with
// IDProperty). A missing record is that input's error, matching
// ErrNotFound. Repeated ids are read once and reported at each index.
// The ids are sent in chunks of 100, or of 50 when PropertiesWithHistory
// is set: HubSpot refuses a larger batch that asks for property history.
//
// HubSpot: POST /crm/v3/objects/{objectType}/batch/read.
func (s *ObjectService) BatchRead(ctx context.Context, ids []string, opts *BatchReadOptions) (*BatchResult[Object], error) {
	if s.err != nil {
		return nil, s.err
	}
	var o BatchReadOptions
	if opts != nil {
		o = *opts
	}
	what := s.objectType + " batch read"
	uniq, index, err := dedupe(s.objectType+" BatchRead", ids)
	if err != nil {
		return nil, err
	}
	props := o.Properties
	if o.IDProperty != "" && o.IDProperty != "hs_object_id" && !slices.Contains(props, o.IDProperty) {
		// The property is how results are matched to the ids.
		props = append(append([]string(nil), props...), o.IDProperty)
	}
	ins := make([]wireBatchInput, len(uniq))
	for i, id := range uniq {
		ins[i] = wireBatchInput{ID: id}
	}
	spec := s.objectBatch(what, opObjectsBatchRead, ins, false,
		func(i int) string { return normKey(uniq[i]) },
		func(obj *Object) string {
			if o.IDProperty != "" && o.IDProperty != "hs_object_id" {
				return normKey(obj.Properties[o.IDProperty])
			}
			return normKey(obj.ID)
		})
	spec.body = func(lo, hi int) any {
		return struct {
			Properties            []string         `json:"properties"`
			PropertiesWithHistory []string         `json:"propertiesWithHistory,omitempty"`
			IDProperty            string           `json:"idProperty,omitempty"`
			Inputs                []wireBatchInput `json:"inputs"`
		}{orEmpty(props), o.PropertiesWithHistory, o.IDProperty, ins[lo:hi]}
	}
	if len(o.PropertiesWithHistory) > 0 {
		spec.size = opObjectsBatchRead.Limits.HistoryBatch
	}
	if o.Archived {
		spec.query = url.Values{"archived": {"true"}}
	}
	res, err := runBatch(ctx, s.client, spec)
	return fanOut(res, err, index, what)
}

// BatchCreate creates records. Each input is sent with an
// objectWriteTraceId, so HubSpot reports partial failures (207) per input
// and every failure is matched to its input. Create requests are never
// retried after a 5xx or a connection error (the records may exist), so an
// input of such a request reports that error.
//
// HubSpot: POST /crm/v3/objects/{objectType}/batch/create.
func (s *ObjectService) BatchCreate(ctx context.Context, inputs []ObjectInput) (*BatchResult[Object], error) {
	if s.err != nil {
		return nil, s.err
	}
	ins := make([]wireBatchInput, len(inputs))
	for i, in := range inputs {
		p := in.Properties
		if p == nil {
			p = Properties{}
		}
		ins[i] = wireBatchInput{Properties: p, Associations: in.Associations}
	}
	spec := s.objectBatch(s.objectType+" batch create", opObjectsBatchCreate, ins, true, nil, nil)
	spec.ordered = true
	return runBatch(ctx, s.client, spec)
}

// BatchUpdate updates records. Inputs must name distinct records.
//
// HubSpot: POST /crm/v3/objects/{objectType}/batch/update.
func (s *ObjectService) BatchUpdate(ctx context.Context, inputs []BatchInput) (*BatchResult[Object], error) {
	return s.batchWrite(ctx, "update", opObjectsBatchUpdate, inputs)
}

// BatchUpsert creates or updates records identified by a unique property:
// every input needs an IDProperty (such as email, or a custom property
// marked unique) and that property's value in ID. HubSpot does not upsert
// by record ID (it answers 400 for idProperty hs_object_id and never
// creates a record at an ID the caller chose): to change records by ID use
// BatchUpdate. Inputs must name distinct records. Upserts are safe to
// repeat, so they are retried like reads; the Value's New field tells
// created records from updated ones.
//
// HubSpot: POST /crm/v3/objects/{objectType}/batch/upsert.
func (s *ObjectService) BatchUpsert(ctx context.Context, inputs []BatchInput) (*BatchResult[Object], error) {
	return s.batchWrite(ctx, "upsert", opObjectsBatchUpsert, inputs)
}

func (s *ObjectService) batchWrite(ctx context.Context, name string, row *endpoints.Op, inputs []BatchInput) (*BatchResult[Object], error) {
	if s.err != nil {
		return nil, s.err
	}
	what := s.objectType + " batch " + name
	seen := make(map[string]int, len(inputs))
	for i, in := range inputs {
		if in.ID == "" {
			return nil, errorf("%s: input %d has no ID", what, i)
		}
		if name == "upsert" && (in.IDProperty == "" || strings.EqualFold(in.IDProperty, "hs_object_id")) {
			return nil, errorf("%s: input %d has no unique IDProperty; HubSpot upserts only by a unique property's value, not by record ID (use BatchUpdate to change records by ID)", what, i)
		}
		if name == "update" && strings.EqualFold(in.IDProperty, "hs_object_id") {
			return nil, errorf("%s: input %d names IDProperty hs_object_id, which HubSpot refuses; leave IDProperty empty to update by record ID", what, i)
		}
		if name == "update" && len(in.Properties) == 0 {
			return nil, errorf("%s: input %d (%s) has no properties to update", what, i, in.ID)
		}
		k := normKey(in.IDProperty) + "\x00" + normKey(in.ID)
		if j, dup := seen[k]; dup {
			return nil, errorf("%s: inputs %d and %d both name %q; HubSpot rejects a batch that names a record twice", what, j, i, in.ID)
		}
		seen[k] = i
	}
	ins := make([]wireBatchInput, len(inputs))
	for i, in := range inputs {
		p := in.Properties
		if p == nil {
			p = Properties{}
		}
		ins[i] = wireBatchInput{ID: in.ID, IDProperty: in.IDProperty, Properties: p}
	}
	// Without trace IDs in the response, results are matched by the
	// unique property when all inputs use the same one.
	var key func(i int) string
	var resultKey func(o *Object) string
	if len(inputs) > 0 && !slices.ContainsFunc(inputs[1:], func(in BatchInput) bool { return in.IDProperty != inputs[0].IDProperty }) {
		idProp := inputs[0].IDProperty
		key = func(i int) string { return normKey(inputs[i].ID) }
		resultKey = func(o *Object) string {
			if idProp == "" || idProp == "hs_object_id" {
				return normKey(o.ID)
			}
			return normKey(o.Properties[idProp])
		}
	}
	return runBatch(ctx, s.client, s.objectBatch(what, row, ins, true, key, resultKey))
}

// BatchArchive archives records by ID. Repeated ids are archived once and
// reported at each index; an archived record's Value has its ID and
// Archived set.
//
// HubSpot: POST /crm/v3/objects/{objectType}/batch/archive.
func (s *ObjectService) BatchArchive(ctx context.Context, ids []string) (*BatchResult[Object], error) {
	if s.err != nil {
		return nil, s.err
	}
	what := s.objectType + " batch archive"
	uniq, index, err := dedupe(s.objectType+" BatchArchive", ids)
	if err != nil {
		return nil, err
	}
	ins := make([]wireBatchInput, len(uniq))
	for i, id := range uniq {
		ins[i] = wireBatchInput{ID: id}
	}
	spec := s.objectBatch(what, opObjectsBatchArchive, ins, false,
		func(i int) string { return normKey(uniq[i]) }, nil)
	// HubSpot answers 204: every input not named by an error is archived.
	spec.absent = func(i int) Object { return Object{ID: uniq[i], Archived: true} }
	res, err := runBatch(ctx, s.client, spec)
	return fanOut(res, err, index, what)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
