package hubspot

import (
	"context"
	"fmt"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// propertyBatch is the batchSpec of a properties batch call on objectType
// whose input i names the property name(i). Results are matched by name;
// errors by the names their context lists.
func propertyBatch(what string, row *endpoints.Op, objectType string, n int, name func(i int) string, body func(lo, hi int) any) batchSpec[Property, Property] {
	return batchSpec[Property, Property]{
		what: what, op: row, params: propertyParams(objectType, "", ""), n: n, body: body,
		keys: func(ks []batchKey, i int) []batchKey { return append(ks, batchKey{'n', normKey(name(i))}) },
		resultKeys: func(ks []batchKey, r *Property) []batchKey {
			return append(ks, batchKey{'n', normKey(r.Name)})
		},
		errorKeys: func(ks []batchKey, e *Error) []batchKey {
			for _, key := range []string{"name", "names", "propertyName"} {
				for _, v := range e.Context[key] {
					ks = append(ks, batchKey{'n', normKey(v)})
				}
			}
			return ks
		},
		value: func(r *Property) Property { return *r },
	}
}

// wirePropertyName is one input of a properties batch read or archive.
type wirePropertyName struct {
	Name string `json:"name"`
}

// propertyNamesBody returns the body of a properties batch read or
// archive carrying names [lo, hi); archived, the read's flag, is nil for
// an archive.
func propertyNamesBody(names []string, archived *bool) func(lo, hi int) any {
	return func(lo, hi int) any {
		in := make([]wirePropertyName, 0, hi-lo)
		for _, n := range names[lo:hi] {
			in = append(in, wirePropertyName{n})
		}
		return struct {
			Archived *bool              `json:"archived,omitempty"`
			Inputs   []wirePropertyName `json:"inputs"`
		}{archived, in}
	}
}

// checkPropertyNames checks the names of a batch read or archive and
// returns them without repeats, with each name's index among them.
func checkPropertyNames(what string, names []string) ([]string, []int, error) {
	for i, name := range names {
		if err := checkName(fmt.Sprintf("%s: name %d", what, i), "property", name); err != nil {
			return nil, nil, err
		}
	}
	return dedupe(what, names)
}

// BatchCreate defines properties of objectType, as Create does each, and
// accounts for every input: Items[i].Value is inputs[i]'s property as
// HubSpot stored it. HubSpot's 207 partial failures are matched to their
// inputs by name (errors.Is matches ErrConflict for a name in use,
// ErrValidation for a definition HubSpot refuses); the error is then a
// *BatchError alongside the result. Every input is checked as Create
// checks it before anything is sent, and two inputs may not share a name.
//
// HubSpot: POST /crm/v3/properties/{objectType}/batch/create.
func (s *PropertiesService) BatchCreate(ctx context.Context, objectType string, inputs []PropertyInput) (*BatchResult[Property], error) {
	what := "properties BatchCreate"
	if err := checkObjectTypes(what, objectType); err != nil {
		return nil, err
	}
	seen := make(map[string]int, len(inputs))
	for i, in := range inputs {
		if err := checkPropertyInput(fmt.Sprintf("%s: input %d", what, i), in); err != nil {
			return nil, err
		}
		k := normKey(in.Name)
		if j, dup := seen[k]; dup {
			return nil, errorf("%s: inputs %d and %d both name %q; HubSpot creates a property once and refuses the other", what, j, i, in.Name)
		}
		seen[k] = i
	}
	spec := propertyBatch(objectType+" properties batch create", opPropertiesBatchCreate, objectType, len(inputs),
		func(i int) string { return inputs[i].Name },
		func(lo, hi int) any {
			return struct {
				Inputs []PropertyInput `json:"inputs"`
			}{inputs[lo:hi]}
		})
	return runBatch(ctx, s.client, spec)
}

// BatchRead returns the definitions of objectType's properties named by
// names (the archived ones with opts.Archived): Items[i].Value is that of
// names[i]. A property the type does not have is that input's error,
// matching ErrNotFound, and the error is then a *BatchError alongside the
// result. Repeated names are read once and reported at each index.
//
// HubSpot: POST /crm/v3/properties/{objectType}/batch/read.
func (s *PropertiesService) BatchRead(ctx context.Context, objectType string, names []string, opts *PropertyListOptions) (*BatchResult[Property], error) {
	what := "properties BatchRead"
	if err := checkObjectTypes(what, objectType); err != nil {
		return nil, err
	}
	uniq, index, err := checkPropertyNames(what, names)
	if err != nil {
		return nil, err
	}
	archived := opts != nil && opts.Archived
	call := objectType + " properties batch read"
	spec := propertyBatch(call, opPropertiesBatchRead, objectType, len(uniq),
		func(i int) string { return uniq[i] }, propertyNamesBody(uniq, &archived))
	res, err := runBatch(ctx, s.client, spec)
	return fanOut(res, err, index, call)
}

// BatchArchive archives objectType's properties named by names. HubSpot
// answers with failures only, so an input it does not name succeeded: its
// Value has the Name and Archived set. HubSpot skips names the type does
// not have or has archived already, and refuses the whole request when one
// name is a property it defines (then every input has that error,
// matching ErrValidation); the error is then a *BatchError alongside the
// result. Repeated names are archived once and reported at each index.
//
// HubSpot: POST /crm/v3/properties/{objectType}/batch/archive.
func (s *PropertiesService) BatchArchive(ctx context.Context, objectType string, names []string) (*BatchResult[Property], error) {
	what := "properties BatchArchive"
	if err := checkObjectTypes(what, objectType); err != nil {
		return nil, err
	}
	uniq, index, err := checkPropertyNames(what, names)
	if err != nil {
		return nil, err
	}
	call := objectType + " properties batch archive"
	spec := propertyBatch(call, opPropertiesBatchArchive, objectType, len(uniq),
		func(i int) string { return uniq[i] }, propertyNamesBody(uniq, nil))
	spec.absent = func(i int) Property { return Property{Name: uniq[i], Archived: true} }
	res, err := runBatch(ctx, s.client, spec)
	return fanOut(res, err, index, call)
}
