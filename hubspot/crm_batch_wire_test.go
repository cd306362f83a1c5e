package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
)

// These tests pin how batch responses are matched to inputs when HubSpot's
// answer takes shapes the in-memory server does not produce: results
// without objectWriteTraceId, errors keyed by ids, errors that name no
// input, and results nobody asked for.

type wireIn struct {
	Inputs []struct {
		ID    string            `json:"id"`
		Trace string            `json:"objectWriteTraceId"`
		Props map[string]string `json:"properties"`
	} `json:"inputs"`
}

func batchClient(t *testing.T, h func(in wireIn) (int, any)) (*Client, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var in wireIn
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			t.Errorf("bad body: %v", err)
		}
		status, out := h(in)
		if out == nil {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, out)
	})
	cache, _ := newCache(t, tokenA)
	c, err := New(WithToken(cache), WithBaseURL(srv.URL), WithRateLimit(RateLimit{}), WithSearchRateLimit(RateLimit{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, &calls
}

func obj(id string, props map[string]string) map[string]any {
	return map[string]any{"id": id, "properties": props, "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z", "archived": false}
}

func TestBatchCreateWithoutTraceIDsFallsBackToOrder(t *testing.T) {
	c, _ := batchClient(t, func(in wireIn) (int, any) {
		var res []any
		for i, x := range in.Inputs {
			if x.Trace == "" {
				t.Error("input sent without objectWriteTraceId")
			}
			res = append(res, obj(strconv.Itoa(1000+i), x.Props))
		}
		return 201, map[string]any{"status": "COMPLETE", "results": res}
	})
	inputs := make([]ObjectInput, 150)
	for i := range inputs {
		inputs[i] = ObjectInput{Properties: Properties{"n": strconv.Itoa(i)}}
	}
	res, err := c.Contacts.BatchCreate(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range res.Items {
		if it.Err != nil || it.Value.Properties["n"] != strconv.Itoa(i) {
			t.Fatalf("item %d = %+v", i, it)
		}
	}
}

func TestBatchUpdateErrorsByIDsAndUnmentionedInputs(t *testing.T) {
	c, _ := batchClient(t, func(in wireIn) (int, any) {
		// Results in reverse order, keyed by id only; one id reported
		// missing through context.ids; one input not mentioned at all; one
		// result nobody asked for.
		var res []any
		for i := len(in.Inputs) - 1; i >= 0; i-- {
			switch in.Inputs[i].ID {
			case "2", "3":
				continue
			}
			res = append(res, obj(in.Inputs[i].ID, in.Inputs[i].Props))
		}
		res = append(res, obj("999", nil))
		return 207, map[string]any{
			"status":    "COMPLETE",
			"results":   res,
			"numErrors": 1,
			"errors": []any{map[string]any{
				"status": "error", "category": "OBJECT_NOT_FOUND", "message": "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.",
				"context": map[string]any{"ids": []string{"2"}},
			}},
		}
	})
	in := []BatchInput{{ID: "1", Properties: Properties{"a": "1"}}, {ID: "2", Properties: Properties{"a": "2"}}, {ID: "3", Properties: Properties{"a": "3"}}, {ID: "4", Properties: Properties{"a": "4"}}}
	// Strip the trace IDs from results: the server above never echoes them.
	res, err := c.Contacts.BatchUpdate(context.Background(), in)
	var be *BatchError
	if !errors.As(err, &be) || be.Failed != 2 || be.Total != 4 || be.FirstIndex != 1 {
		t.Fatalf("err = %v", err)
	}
	if res.Items[0].Value.ID != "1" || res.Items[3].Value.ID != "4" || res.Items[0].Value.Properties["a"] != "1" {
		t.Fatalf("results not matched by id: %+v", res.Items)
	}
	if !errors.Is(res.Items[1].Err, ErrNotFound) {
		t.Fatalf("input 1: %v", res.Items[1].Err)
	}
	if !errors.Is(res.Items[2].Err, ErrNotInResponse) {
		t.Fatalf("input 2: %v", res.Items[2].Err)
	}
	if len(res.Unmatched) != 1 || res.Unmatched[0].ID != "999" {
		t.Fatalf("unmatched %+v", res.Unmatched)
	}
	if !errors.Is(err, ErrNotFound) {
		t.Fatal("BatchError does not unwrap to the item errors")
	}
}

func TestBatchGeneralErrorGoesToUnnamedInputs(t *testing.T) {
	c, _ := batchClient(t, func(in wireIn) (int, any) {
		return 207, map[string]any{"status": "COMPLETE", "results": []any{},
			"errors": []any{map[string]any{"status": "error", "category": "VALIDATION_ERROR", "message": "something about the batch"}}}
	})
	res, err := c.Contacts.BatchUpsert(context.Background(), []BatchInput{{ID: "a@b.c", IDProperty: "email"}, {ID: "d@e.f", IDProperty: "email"}})
	if err == nil {
		t.Fatal("no error")
	}
	for i, it := range res.Items {
		if !errors.Is(it.Err, ErrValidation) {
			t.Fatalf("item %d: %v", i, it.Err)
		}
	}
}

func TestBatchWholeRequestErrorFailsItsChunkOnly(t *testing.T) {
	c, calls := batchClient(t, func(in wireIn) (int, any) {
		if in.Inputs[0].Trace == "100" { // the second chunk
			return 403, map[string]any{"status": "error", "category": "MISSING_SCOPES", "message": "This app hasn't been granted all required scopes to make this call.",
				"errors": []any{map[string]any{"message": "One or more of the following scopes are required.", "context": map[string]any{"requiredGranularScopes": []string{"crm.objects.contacts.write"}}}}}
		}
		var res []any
		for _, x := range in.Inputs {
			o := obj("id"+x.Trace, x.Props)
			o["objectWriteTraceId"] = x.Trace
			res = append(res, o)
		}
		return 201, map[string]any{"status": "COMPLETE", "results": res}
	})
	inputs := make([]ObjectInput, 250)
	res, err := c.Contacts.BatchCreate(context.Background(), inputs)
	var be *BatchError
	if !errors.As(err, &be) || be.Failed != 100 || be.FirstIndex != 100 {
		t.Fatalf("err = %v", err)
	}
	for i, it := range res.Items {
		inChunk2 := i >= 100 && i < 200
		if inChunk2 != (it.Err != nil) {
			t.Fatalf("item %d: %+v", i, it)
		}
		if inChunk2 && !errors.Is(it.Err, ErrForbidden) {
			t.Fatalf("item %d: %v", i, it.Err)
		}
		if !inChunk2 && it.Value.ID != "id"+strconv.Itoa(i) {
			t.Fatalf("item %d matched to %s", i, it.Value.ID)
		}
	}
	if calls.Load() != 3 {
		t.Fatalf("%d requests, want 3 chunks", calls.Load())
	}
}

func TestBatchArchive204(t *testing.T) {
	c, calls := batchClient(t, func(in wireIn) (int, any) { return 204, nil })
	ids := []string{"1", "2", "1", "3"}
	res, err := c.Deals.BatchArchive(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range res.Items {
		if it.Err != nil || it.Value.ID != ids[i] || !it.Value.Archived {
			t.Fatalf("item %d: %+v", i, it)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("%d calls", calls.Load())
	}
}

func TestBatchInputChecks(t *testing.T) {
	c, calls := batchClient(t, func(in wireIn) (int, any) { return 200, map[string]any{} })
	ctx := context.Background()
	if _, err := c.Contacts.BatchUpdate(ctx, []BatchInput{{ID: "1", Properties: Properties{"a": "b"}}, {ID: "1", Properties: Properties{"a": "c"}}}); !errors.Is(err, ErrValidation) {
		t.Errorf("duplicate ids: %v", err)
	}
	if _, err := c.Contacts.BatchUpdate(ctx, []BatchInput{{ID: "1"}}); !errors.Is(err, ErrValidation) {
		t.Errorf("no properties: %v", err)
	}
	if _, err := c.Contacts.BatchUpsert(ctx, []BatchInput{{IDProperty: "email"}}); !errors.Is(err, ErrValidation) {
		t.Errorf("no id: %v", err)
	}
	if _, err := c.Contacts.BatchRead(ctx, []string{"1", ""}, nil); !errors.Is(err, ErrValidation) {
		t.Errorf("empty id: %v", err)
	}
	if _, err := c.Objects("bad/type").BatchRead(ctx, []string{"1"}, nil); !errors.Is(err, ErrValidation) {
		t.Errorf("bad object type: %v", err)
	}
	if res, err := c.Contacts.BatchCreate(ctx, nil); err != nil || len(res.Items) != 0 {
		t.Errorf("empty batch: %v %v", res, err)
	}
	if calls.Load() != 0 {
		t.Fatalf("%d requests sent for invalid batches", calls.Load())
	}
}
