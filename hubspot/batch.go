package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// ErrNotInResponse is the error of a batch input that HubSpot's response
// neither returned nor reported an error for; its outcome is unknown.
var ErrNotInResponse = errors.New("hubspot: the batch response does not mention this input; its outcome is unknown")

// BatchResult accounts for every input of a batch call: Items[i] is the
// outcome of input i, a value or an error, never both and never neither.
// Every batch call returns one: objects' as BatchResult[Object],
// associations' as BatchResult[AssociationPair] (create, archive, label
// removal), BatchResult[DefaultAssociation] (default links) and
// BatchResult[[]AssociatedObject] (read), properties' as
// BatchResult[Property], webhook subscriptions' as
// BatchResult[WebhookSubscription].
type BatchResult[T any] struct {
	Items []BatchItem[T]
	// Unmatched holds what HubSpot returned that no input claims. It is
	// empty unless HubSpot's response contradicts the request.
	Unmatched []T
}

// BatchItem is the outcome of one input of a batch call.
type BatchItem[T any] struct {
	// Value is what HubSpot returned for the input: the record read,
	// created or updated, the associations read or created, the
	// subscription updated. Zero when Err is set, and for archives, which
	// HubSpot answers without one (an object batch archive reports the
	// record's ID, a property batch archive the property's name).
	Value T
	// Err is the input's error: a *Error with HubSpot's message and
	// category (errors.Is matches ErrNotFound, ErrConflict,
	// ErrValidation...), the error of the whole request that carried the
	// input (the context's, for a chunk that could not start before it
	// ended), or ErrNotInResponse.
	Err error
}

// Failed returns how many inputs failed.
func (r *BatchResult[T]) Failed() int {
	failed := 0
	for i := range r.Items {
		if r.Items[i].Err != nil {
			failed++
		}
	}
	return failed
}

// err builds the *BatchError of r for the call what, or returns nil when
// every input succeeded.
func (r *BatchResult[T]) err(what string) error {
	var be *BatchError
	seen := map[error]bool{}
	for i := range r.Items {
		e := r.Items[i].Err
		if e == nil {
			continue
		}
		if be == nil {
			be = &BatchError{Op: what, Total: len(r.Items), FirstIndex: i, First: e}
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

// wireBatch is HubSpot's answer to a batch request: results, and the
// errors of the inputs that failed (a 207, or a 200 that reports them).
type wireBatch[R any] struct {
	Results []R         `json:"results"`
	Errors  []wireError `json:"errors"`
}

// batchSpec describes one batch call to runBatch: n inputs, which HubSpot's
// answers are matched to by keys.
//
// Matching: each input has keys (keys); a result answers the inputs not
// yet answered under the first of its keys (resultKeys) that has any; an
// error answers every input not yet answered under any of its keys
// (errorKeys). An error that names no input is the error of every input
// its chunk leaves unanswered; without one, such an input succeeds with
// absent's value when absent is set (archives report failures only), and
// otherwise fails with ErrNotInResponse.
type batchSpec[R, T any] struct {
	// what names the call in errors: "contacts batch create".
	what string
	op   *endpoints.Op // its Limits.Batch is the chunk size; 0: one chunk
	// size, when set, is the chunk size in place of op.Limits.Batch.
	size int
	// numbered sends the call on op's numbered path whatever the Client's
	// version (a dated version that takes another shape).
	numbered bool
	params   map[string]string
	query    url.Values
	n        int
	// body returns the request body carrying inputs [lo, hi).
	body func(lo, hi int) any
	// keys appends input i's keys to ks.
	keys func(ks []batchKey, i int) []batchKey
	// resultKeys appends a result's keys to ks, most specific first.
	resultKeys func(ks []batchKey, r *R) []batchKey
	// errorKeys appends the keys an error names to ks.
	errorKeys func(ks []batchKey, e *Error) []batchKey
	// value is the value of a result, for the inputs it answers and for
	// Unmatched.
	value func(r *R) T
	// answered, when set, is called with each input a result answers; an
	// error it returns becomes the input's.
	answered func(i int, r *R) error
	// benign, when set, reports an error that answers its inputs with no
	// value rather than failing them.
	benign func(e *Error) bool
	// absent, when set, is the value of an input that its chunk's answer
	// leaves unanswered, when no error stands for it.
	absent func(i int) T
	// ordered: when a chunk's answer has no errors and as many unmatched
	// results as unanswered inputs, they are matched in order.
	ordered bool
	// echo, when set, reports a result that answers no input but is
	// expected all the same (the reverse direction of a link HubSpot
	// reports both ways): it is dropped rather than kept in Unmatched.
	echo func(r *R) bool
}

// runBatch sends s's inputs in chunks of s.size or s.op.Limits.Batch, at most
// c.batchConc at a time, and accounts for every input. A chunk that cannot
// start because ctx ended has ctx's error for each of its inputs.
func runBatch[R, T any](ctx context.Context, c *Client, s batchSpec[R, T]) (*BatchResult[T], error) {
	if ctx == nil {
		return nil, errors.New("hubspot: nil context")
	}
	res := &BatchResult[T]{Items: make([]BatchItem[T], s.n)}
	if s.n == 0 {
		return res, nil
	}
	var call opCall
	var err error
	if s.numbered {
		call, err = c.prepareIn(s.op, endpoints.Numbered, s.params)
	} else {
		call, err = c.prepare(s.op, s.params)
	}
	if err != nil {
		return nil, err
	}
	size := s.op.Limits.Batch
	if s.size > 0 {
		size = s.size
	}
	if size <= 0 {
		size = s.n
	}
	var (
		mu  sync.Mutex // guards res.Unmatched
		wg  sync.WaitGroup
		sem = make(chan struct{}, c.batchConc)
	)
	for lo := 0; lo < s.n; lo += size {
		hi := min(lo+size, s.n)
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
			fillErr(res.Items[lo:hi], err)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			unmatched := runChunk(ctx, c, &s, call, lo, hi, res.Items[lo:hi])
			if len(unmatched) > 0 {
				mu.Lock()
				res.Unmatched = append(res.Unmatched, unmatched...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return res, res.err(s.what)
}

// runChunk sends inputs [lo, hi) and fills items (items[k] is input
// lo+k). It returns the values of results that answer no input.
func runChunk[R, T any](ctx context.Context, c *Client, s *batchSpec[R, T], call opCall, lo, hi int, items []BatchItem[T]) []T {
	var w wireBatch[R]
	status, err := c.do(ctx, call, s.query, s.body(lo, hi), &w)
	if err != nil {
		fillErr(items, err)
		return nil
	}

	var ks []batchKey // reused for every input, result and error
	byKey := keyIndex{first: make(map[batchKey]int, hi-lo)}
	for i := lo; i < hi; i++ {
		ks = s.keys(ks[:0], i)
		for _, key := range ks {
			byKey.add(key, i-lo)
		}
	}
	done := make([]bool, len(items))
	set := func(k int, item BatchItem[T]) bool {
		if done[k] {
			return false
		}
		done[k] = true
		items[k] = item
		return true
	}

	var unmatched []*R
	for j := range w.Results {
		r := &w.Results[j]
		matched := false
		answer := func(k int) {
			if done[k] {
				return
			}
			item := BatchItem[T]{Value: s.value(r)}
			if s.answered != nil {
				if err := s.answered(lo+k, r); err != nil {
					item = BatchItem[T]{Err: err}
				}
			}
			set(k, item)
			matched = true
		}
		ks = s.resultKeys(ks[:0], r)
		for _, key := range ks {
			byKey.each(key, answer)
			if matched {
				break
			}
		}
		if !matched && (s.echo == nil || !s.echo(r)) {
			unmatched = append(unmatched, r)
		}
	}

	var general *Error // the first error that names no input
	for j := range w.Errors {
		e := w.Errors[j].toError(status, call.method, call.path)
		item := BatchItem[T]{Err: e}
		if s.benign != nil && s.benign(e) {
			item = BatchItem[T]{}
		}
		named := false
		ks = s.errorKeys(ks[:0], e)
		for _, key := range ks {
			byKey.each(key, func(k int) {
				set(k, item)
				named = true
			})
		}
		if !named && general == nil {
			general = e
		}
	}

	// Results HubSpot did not label: when every input succeeded and the
	// counts agree, the results are the inputs in order.
	if s.ordered && len(unmatched) > 0 && len(w.Errors) == 0 && len(unmatched) == countFalse(done) {
		j := 0
		for k := range items {
			if set(k, BatchItem[T]{Value: s.value(unmatched[j])}) {
				j++
			}
		}
		unmatched = nil
	}
	for k := range items {
		switch {
		case done[k]:
		case general != nil:
			items[k] = BatchItem[T]{Err: general}
		case s.absent != nil:
			items[k] = BatchItem[T]{Value: s.absent(lo + k)}
		default:
			items[k] = BatchItem[T]{Err: ErrNotInResponse}
		}
	}
	var out []T
	for _, r := range unmatched {
		out = append(out, s.value(r))
	}
	return out
}

// batchKey is a key a batch input is matched by: a kind (trace ID, record
// ID, pair of records...) and its text.
type batchKey struct {
	kind byte
	s    string
}

// keyIndex maps keys to the inputs, by index within a chunk, that have
// them. Most keys name one input, so a map of first indices holds them
// without a slice each.
type keyIndex struct {
	first map[batchKey]int
	more  map[batchKey][]int
}

func (x *keyIndex) add(key batchKey, k int) {
	if _, ok := x.first[key]; !ok {
		x.first[key] = k
		return
	}
	if x.more == nil {
		x.more = make(map[batchKey][]int)
	}
	x.more[key] = append(x.more[key], k)
}

// each calls f with each input that has key, in the order they were added.
func (x *keyIndex) each(key batchKey, f func(k int)) {
	k, ok := x.first[key]
	if !ok {
		return
	}
	f(k)
	for _, k := range x.more[key] {
		f(k)
	}
}

func fillErr[T any](items []BatchItem[T], err error) {
	for i := range items {
		items[i] = BatchItem[T]{Err: err}
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

// dedupe returns the distinct ids (by normKey) and, for each original
// index, the index of its id among them.
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

// fanOut maps res, the result over distinct inputs, back to the original
// inputs: input i's outcome is res.Items[index[i]].
func fanOut[T any](res *BatchResult[T], err error, index []int, what string) (*BatchResult[T], error) {
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
	out := &BatchResult[T]{Items: make([]BatchItem[T], len(index)), Unmatched: res.Unmatched}
	for i, j := range index {
		out.Items[i] = res.Items[j]
	}
	return out, out.err(what)
}
