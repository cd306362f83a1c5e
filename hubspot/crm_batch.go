package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// BatchSize is the most inputs HubSpot takes in one batch request. Batch
// calls take any number of inputs and send them in chunks of BatchSize.
const BatchSize = 100

// ErrNotInResponse is the error of a batch input that HubSpot's response
// neither returned nor reported an error for; its outcome is unknown.
var ErrNotInResponse = errors.New("hubspot: the batch response does not mention this input; its outcome is unknown")

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

// BatchResult accounts for every input of a batch call: Items[i] is the
// outcome of input i, either a record or an error, never both and never
// neither.
type BatchResult struct {
	Items []BatchItem
	// Unmatched holds records HubSpot returned that no input claims. It is
	// empty unless HubSpot's response contradicts the request.
	Unmatched []Object
}

// BatchItem is the outcome of one input.
type BatchItem struct {
	// Object is the record read, created or updated (for BatchArchive,
	// only its ID). Zero when Err is set.
	Object Object
	// New reports that BatchUpsert created the record rather than updated
	// it.
	New bool
	// Err is the input's error: a *Error with HubSpot's message and
	// category (errors.Is matches ErrNotFound, ErrConflict, ErrValidation...),
	// the error of the whole request that carried the input, or
	// ErrNotInResponse.
	Err error
}

// Failed returns how many inputs failed.
func (r *BatchResult) Failed() int { return failedOf(len(r.Items), r.errAt) }

func (r *BatchResult) errAt(i int) error { return r.Items[i].Err }

// err builds the BatchError for r, or nil when every input succeeded.
func (r *BatchResult) err(what string) error { return batchErrorOf(what, len(r.Items), r.errAt) }

// failedOf counts the failed outcomes among n, whose errors errAt returns.
func failedOf(n int, errAt func(i int) error) int {
	failed := 0
	for i := range n {
		if errAt(i) != nil {
			failed++
		}
	}
	return failed
}

// batchErrorOf builds the *BatchError for n outcomes, whose errors errAt
// returns, or returns nil when none failed.
func batchErrorOf(what string, n int, errAt func(i int) error) error {
	var be *BatchError
	seen := map[error]bool{}
	for i := range n {
		e := errAt(i)
		if e == nil {
			continue
		}
		if be == nil {
			be = &BatchError{Op: what, Total: n, FirstIndex: i, First: e}
		}
		be.Failed++
		if !seen[e] {
			seen[e] = true
			be.errs = append(be.errs, e)
		}
	}
	if be == nil {
		return nil
	}
	return be
}

// BatchError is returned with the BatchResult when at least one input
// failed. errors.Is and errors.As see each distinct item error.
type BatchError struct {
	Op     string // "contacts batch create", ...
	Failed int
	Total  int
	// First is the lowest failed input index and its error.
	FirstIndex int
	First      error
	errs       []error
}

// Error says how many inputs failed and shows the first failure.
func (e *BatchError) Error() string {
	return fmt.Sprintf("hubspot: %s: %d of %d inputs failed; first, input %d: %v", e.Op, e.Failed, e.Total, e.FirstIndex, e.First)
}

// Unwrap returns the distinct errors of the failed inputs.
func (e *BatchError) Unwrap() []error { return e.errs }

type wireBatch struct {
	Status  string            `json:"status"`
	Results []wireBatchObject `json:"results"`
	Errors  []wireError       `json:"errors"`
}

type wireBatchObject struct {
	Object
	New                bool   `json:"new"`
	ObjectWriteTraceID string `json:"objectWriteTraceId"`
}

type wireBatchInput struct {
	ID                 string             `json:"id,omitempty"`
	IDProperty         string             `json:"idProperty,omitempty"`
	Properties         Properties         `json:"properties,omitempty"`
	Associations       []AssociationInput `json:"associations,omitempty"`
	ObjectWriteTraceID string             `json:"objectWriteTraceId,omitempty"`
}

// batchOp describes one kind of batch call to the shared engine.
type batchOp struct {
	name  string // "read", "create", "update", "upsert", "archive"
	op    *endpoints.Op
	query url.Values
	n     int
	// input returns the wire input of index i.
	input func(i int) wireBatchInput
	// wrap builds the request body from a chunk's inputs.
	wrap func(inputs []wireBatchInput) any
	// traced: inputs carry objectWriteTraceId = their index.
	traced bool
	// key returns input i's match key, "" when inputs cannot be matched by
	// key; resultKey returns a result's.
	key       func(i int) string
	resultKey func(o *Object) string
	// noContent: success is 204 with no body (archive).
	noContent bool
	// ordered: when nothing else matches, a full set of results may be
	// matched to the inputs in order.
	ordered bool
}

func normKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// BatchRead reads records by ID (or by a unique property's value, with
// IDProperty). A missing record is that input's error, matching
// ErrNotFound. Repeated ids are read once and reported at each index.
//
// HubSpot: POST /crm/v3/objects/{objectType}/batch/read.
func (s *ObjectService) BatchRead(ctx context.Context, ids []string, opts *BatchReadOptions) (*BatchResult, error) {
	if s.err != nil {
		return nil, s.err
	}
	var o BatchReadOptions
	if opts != nil {
		o = *opts
	}
	uniq, index, err := dedupe(s.objectType+" BatchRead", ids)
	if err != nil {
		return nil, err
	}
	props := o.Properties
	if o.IDProperty != "" && o.IDProperty != "hs_object_id" && !contains(props, o.IDProperty) {
		// The property is how results are matched to the ids.
		props = append(append([]string(nil), props...), o.IDProperty)
	}
	op := batchOp{
		name: "read", op: opObjectsBatchRead, n: len(uniq),
		input: func(i int) wireBatchInput { return wireBatchInput{ID: uniq[i]} },
		wrap: func(in []wireBatchInput) any {
			return struct {
				Properties            []string         `json:"properties"`
				PropertiesWithHistory []string         `json:"propertiesWithHistory,omitempty"`
				IDProperty            string           `json:"idProperty,omitempty"`
				Inputs                []wireBatchInput `json:"inputs"`
			}{orEmpty(props), o.PropertiesWithHistory, o.IDProperty, in}
		},
		key: func(i int) string { return normKey(uniq[i]) },
		resultKey: func(obj *Object) string {
			if o.IDProperty != "" && o.IDProperty != "hs_object_id" {
				return normKey(obj.Properties[o.IDProperty])
			}
			return normKey(obj.ID)
		},
	}
	if o.Archived {
		op.query = url.Values{"archived": {"true"}}
	}
	res, err := s.runBatch(ctx, s.objectType+" batch read", op)
	return fanOut(res, err, index, len(ids), s.objectType+" batch read")
}

// BatchCreate creates records. Each input is sent with an
// objectWriteTraceId, so HubSpot reports partial failures (207) per input
// and every failure is matched to its input. Create requests are never
// retried after a 5xx or a connection error (the records may exist), so an
// input of such a request reports that error.
//
// HubSpot: POST /crm/v3/objects/{objectType}/batch/create.
func (s *ObjectService) BatchCreate(ctx context.Context, inputs []ObjectInput) (*BatchResult, error) {
	if s.err != nil {
		return nil, s.err
	}
	if len(inputs) == 0 {
		return &BatchResult{}, nil
	}
	op := batchOp{
		name: "create", op: opObjectsBatchCreate, n: len(inputs), traced: true, ordered: true,
		input: func(i int) wireBatchInput {
			p := inputs[i].Properties
			if p == nil {
				p = Properties{}
			}
			return wireBatchInput{Properties: p, Associations: inputs[i].Associations}
		},
		wrap: wrapInputs,
	}
	return s.runBatch(ctx, s.objectType+" batch create", op)
}

// BatchUpdate updates records. Inputs must name distinct records.
//
// HubSpot: POST /crm/v3/objects/{objectType}/batch/update.
func (s *ObjectService) BatchUpdate(ctx context.Context, inputs []BatchInput) (*BatchResult, error) {
	return s.batchWrite(ctx, "update", opObjectsBatchUpdate, inputs)
}

// BatchUpsert creates or updates records identified by a unique property:
// every input needs an IDProperty (such as email, or a custom property
// marked unique) and that property's value in ID. HubSpot does not upsert
// by record ID (it answers 400 for idProperty hs_object_id and never
// creates a record at an ID the caller chose): to change records by ID use
// BatchUpdate. Inputs must name distinct records. Upserts are safe to repeat, so they are retried like reads;
// BatchItem.New tells created records from updated ones.
//
// HubSpot: POST /crm/v3/objects/{objectType}/batch/upsert.
func (s *ObjectService) BatchUpsert(ctx context.Context, inputs []BatchInput) (*BatchResult, error) {
	return s.batchWrite(ctx, "upsert", opObjectsBatchUpsert, inputs)
}

func (s *ObjectService) batchWrite(ctx context.Context, name string, row *endpoints.Op, inputs []BatchInput) (*BatchResult, error) {
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
	if len(inputs) == 0 {
		return &BatchResult{}, nil
	}
	op := batchOp{
		name: name, op: row, n: len(inputs), traced: true,
		input: func(i int) wireBatchInput {
			p := inputs[i].Properties
			if p == nil {
				p = Properties{}
			}
			return wireBatchInput{ID: inputs[i].ID, IDProperty: inputs[i].IDProperty, Properties: p}
		},
		wrap: wrapInputs,
		key:  func(i int) string { return normKey(inputs[i].ID) },
	}
	// Without trace IDs in the response, results are matched by the
	// unique property when all inputs use the same one.
	idProp := ""
	if len(inputs) > 0 {
		idProp = inputs[0].IDProperty
		for _, in := range inputs[1:] {
			if in.IDProperty != idProp {
				idProp = "\x00mixed"
				break
			}
		}
	}
	if idProp != "\x00mixed" {
		op.resultKey = func(o *Object) string {
			if idProp == "" || idProp == "hs_object_id" {
				return normKey(o.ID)
			}
			return normKey(o.Properties[idProp])
		}
	} else {
		op.key = nil
	}
	return s.runBatch(ctx, what, op)
}

// BatchArchive archives records by ID. Repeated ids are archived once and
// reported at each index.
//
// HubSpot: POST /crm/v3/objects/{objectType}/batch/archive.
func (s *ObjectService) BatchArchive(ctx context.Context, ids []string) (*BatchResult, error) {
	if s.err != nil {
		return nil, s.err
	}
	uniq, index, err := dedupe(s.objectType+" BatchArchive", ids)
	if err != nil {
		return nil, err
	}
	op := batchOp{
		name: "archive", op: opObjectsBatchArchive, n: len(uniq), noContent: true,
		input: func(i int) wireBatchInput { return wireBatchInput{ID: uniq[i]} },
		wrap:  wrapInputs,
		key:   func(i int) string { return normKey(uniq[i]) },
	}
	res, err := s.runBatch(ctx, s.objectType+" batch archive", op)
	return fanOut(res, err, index, len(ids), s.objectType+" batch archive")
}

func wrapInputs(in []wireBatchInput) any {
	return struct {
		Inputs []wireBatchInput `json:"inputs"`
	}{in}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// dedupe returns the distinct ids and, for each original index, the index
// of its id among them.
func dedupe(what string, ids []string) ([]string, []int, error) {
	uniq := make([]string, 0, len(ids))
	index := make([]int, len(ids))
	pos := make(map[string]int, len(ids))
	for i, id := range ids {
		if id == "" {
			return nil, nil, errorf("%s: id %d is empty", what, i)
		}
		k := normKey(id)
		j, ok := pos[k]
		if !ok {
			j = len(uniq)
			pos[k] = j
			uniq = append(uniq, id)
		}
		index[i] = j
	}
	return uniq, index, nil
}

// fanOut maps the result over distinct ids back to the original indices.
func fanOut(res *BatchResult, err error, index []int, n int, what string) (*BatchResult, error) {
	if res == nil {
		return nil, err
	}
	if len(index) == len(res.Items) {
		identity := true
		for i, j := range index {
			if i != j {
				identity = false
				break
			}
		}
		if identity {
			return res, err
		}
	}
	out := &BatchResult{Items: make([]BatchItem, n), Unmatched: res.Unmatched}
	for i, j := range index {
		out.Items[i] = res.Items[j]
	}
	return out, out.err(what)
}

// runBatch sends op's inputs in chunks of BatchSize, at most batchConc at a
// time, and accounts for every input.
func (s *ObjectService) runBatch(ctx context.Context, what string, op batchOp) (*BatchResult, error) {
	if ctx == nil {
		return nil, errors.New("hubspot: nil context")
	}
	res := &BatchResult{Items: make([]BatchItem, op.n)}
	if op.n == 0 {
		return res, nil
	}
	c := s.client
	call, err := c.prepare(op.op, s.typeParams)
	if err != nil {
		return nil, err
	}
	var (
		mu  sync.Mutex // guards res.Unmatched
		wg  sync.WaitGroup
		sem = make(chan struct{}, c.batchConc)
	)
	for lo := 0; lo < op.n; lo += BatchSize {
		hi := min(lo+BatchSize, op.n)
		acquired := false
		select {
		case sem <- struct{}{}:
			acquired = true
		case <-ctx.Done():
		}
		if err := ctx.Err(); err != nil {
			if acquired {
				<-sem
			}
			for i := lo; i < hi; i++ {
				res.Items[i] = BatchItem{Err: err}
			}
			continue
		}
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			defer func() { <-sem }()
			unmatched := c.runChunk(ctx, op, call, lo, hi, res.Items[lo:hi])
			if len(unmatched) > 0 {
				mu.Lock()
				res.Unmatched = append(res.Unmatched, unmatched...)
				mu.Unlock()
			}
		}(lo, hi)
	}
	wg.Wait()
	return res, res.err(what)
}

// runChunk sends inputs [lo, hi) and fills items (items[k] is input lo+k).
// It returns results that match no input.
func (c *Client) runChunk(ctx context.Context, op batchOp, call opCall, lo, hi int, items []BatchItem) []Object {
	inputs := make([]wireBatchInput, hi-lo)
	for i := lo; i < hi; i++ {
		in := op.input(i)
		if op.traced {
			in.ObjectWriteTraceID = strconv.Itoa(i)
		}
		inputs[i-lo] = in
	}
	body, err := json.Marshal(op.wrap(inputs))
	if err != nil {
		fillErr(items, fmt.Errorf("hubspot: encoding the batch %s: %w", op.name, err))
		return nil
	}
	var wb wireBatch
	out := any(&wb)
	if op.noContent {
		out = nil
	}
	status, err := c.do(ctx, call, op.query, body, out)
	if err != nil {
		fillErr(items, err)
		return nil
	}
	if op.noContent {
		for i := range items {
			items[i] = BatchItem{Object: Object{ID: inputs[i].ID, Archived: true}}
		}
		return nil
	}

	done := make([]bool, len(items))
	var byKey map[string][]int
	if op.key != nil {
		byKey = make(map[string][]int, len(items))
		for i := lo; i < hi; i++ {
			k := op.key(i)
			byKey[k] = append(byKey[k], i-lo)
		}
	}
	traceIndex := func(id string) (int, bool) {
		n, err := strconv.Atoi(id)
		if err != nil || n < lo || n >= hi {
			return 0, false
		}
		return n - lo, true
	}
	set := func(k int, item BatchItem) bool {
		if done[k] {
			return false
		}
		done[k] = true
		items[k] = item
		return true
	}

	var unmatched []wireBatchObject
	for _, r := range wb.Results {
		item := BatchItem{Object: r.Object, New: r.New}
		if op.traced && r.ObjectWriteTraceID != "" {
			if k, ok := traceIndex(r.ObjectWriteTraceID); ok && set(k, item) {
				continue
			}
		}
		matched := false
		if byKey != nil && op.resultKey != nil {
			for _, k := range byKey[op.resultKey(&r.Object)] {
				if set(k, item) {
					matched = true
				}
			}
		}
		if !matched {
			unmatched = append(unmatched, r)
		}
	}

	var general *Error // an error that names no input
	method, path := call.method, call.path
	for i := range wb.Errors {
		e := wb.Errors[i].toError(status, method, path)
		named := false
		for _, tid := range e.Context["objectWriteTraceId"] {
			if k, ok := traceIndex(tid); ok {
				set(k, BatchItem{Err: e})
				named = true
			}
		}
		if byKey != nil {
			for _, id := range e.Context["ids"] {
				for _, k := range byKey[normKey(id)] {
					set(k, BatchItem{Err: e})
					named = true
				}
			}
		}
		if !named && general == nil {
			general = e
		}
	}

	// Results HubSpot did not label: when every input succeeded and the
	// counts agree, the results are the inputs in order.
	if op.ordered && len(unmatched) > 0 && len(wb.Errors) == 0 && len(unmatched) == countFalse(done) {
		j := 0
		for k := range items {
			if !done[k] {
				set(k, BatchItem{Object: unmatched[j].Object, New: unmatched[j].New})
				j++
			}
		}
		unmatched = nil
	}
	for k := range items {
		if done[k] {
			continue
		}
		if general != nil {
			items[k] = BatchItem{Err: general}
		} else {
			items[k] = BatchItem{Err: ErrNotInResponse}
		}
	}
	objs := make([]Object, len(unmatched))
	for i := range unmatched {
		objs[i] = unmatched[i].Object
	}
	return objs
}

func fillErr(items []BatchItem, err error) {
	for i := range items {
		items[i] = BatchItem{Err: err}
	}
}

func countFalse(b []bool) int {
	n := 0
	for _, x := range b {
		if !x {
			n++
		}
	}
	return n
}
