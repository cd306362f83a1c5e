package hubspot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// AssociationBatchInput is one association to create: the records at both
// ends and the types to link them with.
type AssociationBatchInput struct {
	FromID, ToID string
	Types        []AssociationType
}

// AssociationArchiveInput names the links to remove: every association
// from one record to each of ToIDs.
type AssociationArchiveInput struct {
	FromID string
	ToIDs  []string
}

// noAssociationsFound is the subCategory of HubSpot's batch read error for
// a record with no associations of the requested type.
const noAssociationsFound = "crm.associations.NO_ASSOCIATIONS_FOUND"

// wireAssocRead is one result of a batch read: a record's associations,
// one page of them.
type wireAssocRead struct {
	From struct {
		ID string `json:"id"`
	} `json:"from"`
	To     []AssociatedObject `json:"to"`
	Paging *Paging            `json:"paging"`
}

// BatchRead returns the records of toType associated with each of ids:
// Items[i].Value lists those of ids[i], empty when there are none (HubSpot
// reports that as NO_ASSOCIATIONS_FOUND, which is not an error here). It
// follows HubSpot's per-record paging until every association is read.
// ids are sent in chunks of the most one request may carry (1,000);
// repeated ids are read once and reported at each index. When an id
// failed (a *Error from HubSpot such as VALIDATION_ERROR for an id that is
// not a record ID, the error of the request that carried it, or
// ErrNotInResponse), the error is a *BatchError alongside the result.
//
// HubSpot: POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read.
func (s *AssociationsService) BatchRead(ctx context.Context, fromType, toType string, ids []string) (*BatchResult[[]AssociatedObject], error) {
	what := fromType + " to " + toType + " associations batch read"
	if err := checkObjectTypes("associations BatchRead", fromType, toType); err != nil {
		return nil, err
	}
	uniq, index, err := dedupe("associations BatchRead", ids)
	if err != nil {
		return nil, err
	}
	res := &BatchResult[[]AssociatedObject]{Items: make([]BatchItem[[]AssociatedObject], len(uniq))}
	after := make([]string, len(uniq)) // cursor of the next page, per id
	more := make([]bool, len(uniq))    // id has another page to read
	pending := make([]int, len(uniq))  // ids to read a page of, by index in uniq
	for i := range uniq {
		pending[i] = i
	}
	type input struct {
		ID    string `json:"id"`
		After string `json:"after,omitempty"`
	}
	for len(pending) > 0 {
		round := pending
		spec := batchSpec[wireAssocRead, []AssociatedObject]{
			what: what, op: opAssocBatchRead, params: pairParams(fromType, toType), n: len(round),
			body: func(lo, hi int) any {
				in := make([]input, 0, hi-lo)
				for _, i := range round[lo:hi] {
					in = append(in, input{ID: uniq[i], After: after[i]})
				}
				return struct {
					Inputs []input `json:"inputs"`
				}{in}
			},
			// "7" and "07" are one record.
			keys: func(ks []batchKey, j int) []batchKey { return append(ks, batchKey{'i', idKey(uniq[round[j]])}) },
			resultKeys: func(ks []batchKey, r *wireAssocRead) []batchKey {
				return append(ks, batchKey{'i', idKey(r.From.ID)})
			},
			errorKeys: func(ks []batchKey, e *Error) []batchKey {
				for _, key := range []string{"fromObjectId", "ids"} {
					for _, id := range e.Context[key] {
						ks = append(ks, batchKey{'i', idKey(id)})
					}
				}
				return ks
			},
			value: func(r *wireAssocRead) []AssociatedObject { return r.To },
			answered: func(j int, r *wireAssocRead) error {
				i := round[j]
				if r.Paging == nil || r.Paging.Next == nil || r.Paging.Next.After == "" {
					return nil
				}
				if r.Paging.Next.After == after[i] {
					return fmt.Errorf("hubspot: associations batch read returned the cursor it was given for %s; stopping to avoid a loop", uniq[i])
				}
				after[i], more[i] = r.Paging.Next.After, true
				return nil
			},
			benign: func(e *Error) bool { return e.SubCategory == noAssociationsFound },
		}
		page, err := runBatch(ctx, s.client, spec)
		if page == nil {
			return nil, err
		}
		res.Unmatched = append(res.Unmatched, page.Unmatched...)
		var next []int
		for j, it := range page.Items {
			i := round[j]
			if it.Err != nil {
				res.Items[i] = it
			} else {
				res.Items[i].Value = append(res.Items[i].Value, it.Value...)
				if more[i] {
					next = append(next, i)
				}
			}
			more[i] = false
		}
		pending = next
	}
	return fanOut(res, res.err(what), index, what)
}

// BatchCreate creates associations, sending them in chunks of the most one
// request may carry (2,000), and accounts for every input: Items[i].Value
// is the pair HubSpot reports for inputs[i], with the labels now between
// the records; HubSpot's 207 partial failures are matched to their inputs
// by record IDs. Creating a link that exists is harmless, so chunks are
// retried like reads. When an input failed (errors.Is matches ErrNotFound
// for a record that does not exist, ErrValidation for a type that is not
// valid between the objects...), the error is a *BatchError alongside the
// result.
//
// HubSpot: POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/create.
func (s *AssociationsService) BatchCreate(ctx context.Context, fromType, toType string, inputs []AssociationBatchInput) (*BatchResult[AssociationPair], error) {
	what := fromType + " to " + toType + " associations batch create"
	if err := checkObjectTypes("associations BatchCreate", fromType, toType); err != nil {
		return nil, err
	}
	for i, in := range inputs {
		if err := checkPairIDs(fmt.Sprintf("associations BatchCreate: input %d", i), in.FromID, in.ToID); err != nil {
			return nil, err
		}
		if len(in.Types) == 0 {
			return nil, errorf("associations BatchCreate: input %d (%s to %s) has no association types", i, in.FromID, in.ToID)
		}
		for j, t := range in.Types {
			if err := checkAssocType(fmt.Sprintf("associations BatchCreate: input %d type %d", i, j), t); err != nil {
				return nil, err
			}
		}
	}
	type wireIn struct {
		From  ObjectRef         `json:"from"`
		To    ObjectRef         `json:"to"`
		Types []AssociationType `json:"types"`
	}
	spec := pairBatch(what, opAssocBatchCreate, fromType, toType, len(inputs),
		func(i int) (string, []string) { return inputs[i].FromID, []string{inputs[i].ToID} },
		func(lo, hi int) any {
			in := make([]wireIn, 0, hi-lo)
			for _, x := range inputs[lo:hi] {
				in = append(in, wireIn{From: ObjectRef{x.FromID}, To: ObjectRef{x.ToID}, Types: x.Types})
			}
			return struct {
				Inputs []wireIn `json:"inputs"`
			}{in}
		})
	return runBatch(ctx, s.client, spec)
}

// BatchArchive removes associations, every link from each input's record
// to each of its ToIDs, sending inputs in chunks of the most one request
// may carry (2,000). Removing links that do not exist is not an error, so
// chunks are retried like reads; HubSpot reports failures only, so an
// input it does not name succeeded (its Value is zero). When an input
// failed, the error is a *BatchError alongside the result.
//
// HubSpot: POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/archive.
func (s *AssociationsService) BatchArchive(ctx context.Context, fromType, toType string, inputs []AssociationArchiveInput) (*BatchResult[AssociationPair], error) {
	what := fromType + " to " + toType + " associations batch archive"
	if err := checkObjectTypes("associations BatchArchive", fromType, toType); err != nil {
		return nil, err
	}
	for i, in := range inputs {
		if in.FromID == "" {
			return nil, errorf("associations BatchArchive: input %d: the from record id is empty", i)
		}
		if len(in.ToIDs) == 0 {
			return nil, errorf("associations BatchArchive: input %d (%s) has no to record ids", i, in.FromID)
		}
		for j, id := range in.ToIDs {
			if id == "" {
				return nil, errorf("associations BatchArchive: input %d (%s): to record id %d is empty", i, in.FromID, j)
			}
		}
	}
	type wireIn struct {
		From ObjectRef   `json:"from"`
		To   []ObjectRef `json:"to"`
	}
	spec := pairBatch(what, opAssocBatchArchive, fromType, toType, len(inputs),
		func(i int) (string, []string) { return inputs[i].FromID, inputs[i].ToIDs },
		func(lo, hi int) any {
			in := make([]wireIn, 0, hi-lo)
			for _, x := range inputs[lo:hi] {
				to := make([]ObjectRef, len(x.ToIDs))
				for j, id := range x.ToIDs {
					to[j] = ObjectRef{id}
				}
				in = append(in, wireIn{From: ObjectRef{x.FromID}, To: to})
			}
			return struct {
				Inputs []wireIn `json:"inputs"`
			}{in}
		})
	spec.absent = func(int) AssociationPair { return AssociationPair{} }
	return runBatch(ctx, s.client, spec)
}

// pairBatch is the batchSpec of an association batch of n inputs, input i
// linking ends(i): its record and the records at the other end. A result
// answers the input whose record and one of whose other ends it names. An
// error answers the inputs it names by fromObjectId and toObjectId, either
// of which may be absent (then any record at that end matches).
func pairBatch(what string, op *endpoints.Op, fromType, toType string, n int, ends func(i int) (string, []string), body func(lo, hi int) any) batchSpec[AssociationPair, AssociationPair] {
	return pairSpec(what, op, fromType, toType, n, ends, body,
		func(r *AssociationPair) (string, string) { return r.FromObjectID, r.ToObjectID },
		func(r *AssociationPair) AssociationPair { return *r })
}

// pairKey is the match key of a link from one record to another.
func pairKey(from, to string) batchKey { return batchKey{'p', idKey(from) + "\x00" + idKey(to)} }

// pairSpec is pairBatch for results of any type: resultEnds gives the
// records a result links, value its value.
func pairSpec[R, T any](what string, op *endpoints.Op, fromType, toType string, n int, ends func(i int) (string, []string), body func(lo, hi int) any,
	resultEnds func(r *R) (string, string), value func(r *R) T) batchSpec[R, T] {
	pair := pairKey
	return batchSpec[R, T]{
		what: what, op: op, params: pairParams(fromType, toType), n: n, body: body,
		keys: func(ks []batchKey, i int) []batchKey {
			from, tos := ends(i)
			ks = append(ks, batchKey{'f', idKey(from)})
			for _, to := range tos {
				ks = append(ks, pair(from, to), batchKey{'t', idKey(to)})
			}
			return ks
		},
		resultKeys: func(ks []batchKey, r *R) []batchKey {
			return append(ks, pair(resultEnds(r)))
		},
		errorKeys: func(ks []batchKey, e *Error) []batchKey {
			froms, tos := e.Context["fromObjectId"], e.Context["toObjectId"]
			switch {
			case len(froms) > 0 && len(tos) > 0:
				for _, f := range froms {
					for _, t := range tos {
						ks = append(ks, pair(f, t))
					}
				}
			case len(froms) > 0:
				for _, f := range froms {
					ks = append(ks, batchKey{'f', idKey(f)})
				}
			default:
				for _, t := range tos {
					ks = append(ks, batchKey{'t', idKey(t)})
				}
			}
			return ks
		},
		value: value,
	}
}

// idKey is the match key of a record ID: its number without leading zeros,
// or the normalized text of an ID that is not a number.
func idKey(s string) string {
	if isDecimalID(s) && (s[0] != '0' || len(s) == 1) && len(s) < 19 {
		return s // already in that form
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
		return strconv.FormatInt(n, 10)
	}
	return normKey(s)
}

// BatchCreateDefault links each pair of records with the unlabeled
// association type HubSpot defines between fromType and toType, in both
// directions, as CreateDefault does one pair: Items[i].Value is the link
// from inputs[i].FromID to inputs[i].ToID, with its type (HubSpot links
// the records the other way too, with the reverse type). Inputs name
// records only: their Types must be empty (use BatchCreate to add labels).
// Inputs are sent in chunks of the most one request may carry (2,000);
// repeated pairs are linked once and reported at each index. HubSpot's 207
// partial failures are matched to their inputs by record IDs (errors.Is
// matches ErrNotFound for a record that does not exist); when an input
// failed, the error is a *BatchError alongside the result.
//
// HubSpot: POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/associate/default.
func (s *AssociationsService) BatchCreateDefault(ctx context.Context, fromType, toType string, inputs []AssociationBatchInput) (*BatchResult[DefaultAssociation], error) {
	what := fromType + " to " + toType + " associations batch create default"
	if err := checkObjectTypes("associations BatchCreateDefault", fromType, toType); err != nil {
		return nil, err
	}
	keys := make([]string, len(inputs))
	for i, in := range inputs {
		if err := checkPairIDs(fmt.Sprintf("associations BatchCreateDefault: input %d", i), in.FromID, in.ToID); err != nil {
			return nil, err
		}
		if len(in.Types) > 0 {
			return nil, errorf("associations BatchCreateDefault: input %d (%s to %s) has association types; the default link has none (use BatchCreate for labels)", i, in.FromID, in.ToID)
		}
		keys[i] = pairKey(in.FromID, in.ToID).s
	}
	_, index, err := dedupe("associations BatchCreateDefault", keys)
	if err != nil {
		return nil, err
	}
	// pairs[j] is the first input of the j-th distinct pair.
	var pairs []AssociationBatchInput
	sent := make(map[batchKey]bool, len(inputs))
	for i, j := range index {
		if j == len(pairs) {
			pairs = append(pairs, inputs[i])
			sent[pairKey(inputs[i].FromID, inputs[i].ToID)] = true
		}
	}
	type wireIn struct {
		From ObjectRef `json:"from"`
		To   ObjectRef `json:"to"`
	}
	spec := pairSpec(what, opAssocBatchDefault, fromType, toType, len(pairs),
		func(i int) (string, []string) { return pairs[i].FromID, []string{pairs[i].ToID} },
		func(lo, hi int) any {
			in := make([]wireIn, 0, hi-lo)
			for _, x := range pairs[lo:hi] {
				in = append(in, wireIn{From: ObjectRef{x.FromID}, To: ObjectRef{x.ToID}})
			}
			return struct {
				Inputs []wireIn `json:"inputs"`
			}{in}
		},
		func(r *wireDefault) (string, string) { return r.From.ID, r.To.ID },
		func(r *wireDefault) DefaultAssociation { return r.value() })
	// HubSpot reports each link both ways: the reverse of a pair sent is
	// expected, not a contradiction.
	spec.echo = func(r *wireDefault) bool { return sent[pairKey(r.To.ID, r.From.ID)] }
	res, err := runBatch(ctx, s.client, spec)
	return fanOut(res, err, index, what)
}

// BatchArchiveLabels removes association types (labels) from pairs of
// records: each input's Types from the link between its FromID and ToID,
// leaving the pair's other types, its default unlabeled link among them,
// in place (BatchArchive removes the whole link). Inputs are sent in
// chunks of the most one request may carry (2,000). HubSpot answers with
// failures only, so an input it does not name succeeded (its Value is
// zero); it skips records that do not exist and types not set between
// them, and refuses a whole request that names a type not defined between
// the object types (then every input it carried has that error, matching
// ErrValidation). When an input failed, the error is a *BatchError
// alongside the result.
//
// HubSpot: POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/labels/archive.
func (s *AssociationsService) BatchArchiveLabels(ctx context.Context, fromType, toType string, inputs []AssociationBatchInput) (*BatchResult[AssociationPair], error) {
	what := fromType + " to " + toType + " associations batch archive labels"
	if err := checkObjectTypes("associations BatchArchiveLabels", fromType, toType); err != nil {
		return nil, err
	}
	for i, in := range inputs {
		if err := checkPairIDs(fmt.Sprintf("associations BatchArchiveLabels: input %d", i), in.FromID, in.ToID); err != nil {
			return nil, err
		}
		if len(in.Types) == 0 {
			return nil, errorf("associations BatchArchiveLabels: input %d (%s to %s) has no association types to remove", i, in.FromID, in.ToID)
		}
		for j, t := range in.Types {
			if err := checkAssocType(fmt.Sprintf("associations BatchArchiveLabels: input %d type %d", i, j), t); err != nil {
				return nil, err
			}
		}
	}
	type wireIn struct {
		From  ObjectRef         `json:"from"`
		To    ObjectRef         `json:"to"`
		Types []AssociationType `json:"types"`
	}
	spec := pairBatch(what, opAssocBatchUnlabel, fromType, toType, len(inputs),
		func(i int) (string, []string) { return inputs[i].FromID, []string{inputs[i].ToID} },
		func(lo, hi int) any {
			in := make([]wireIn, 0, hi-lo)
			for _, x := range inputs[lo:hi] {
				in = append(in, wireIn{From: ObjectRef{x.FromID}, To: ObjectRef{x.ToID}, Types: x.Types})
			}
			return struct {
				Inputs []wireIn `json:"inputs"`
			}{in}
		})
	spec.absent = func(int) AssociationPair { return AssociationPair{} }
	return runBatch(ctx, s.client, spec)
}
