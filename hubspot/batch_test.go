package hubspot

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// Every batch call goes through one chunk runner; these tests pin what it
// does for the calls whose answers the in-memory server does not shape
// this way.

// An object batch archive answered 207 fails the inputs HubSpot names and
// archives the others.
func TestBatchArchivePartialFailure(t *testing.T) {
	c, _ := batchClient(t, func(in wireIn) (int, any) {
		return 207, map[string]any{
			"status": "COMPLETE",
			"errors": []any{map[string]any{
				"status": "error", "category": "OBJECT_NOT_FOUND", "message": "not found",
				"context": map[string]any{"ids": []string{"2"}},
			}},
		}
	})
	res, err := c.Contacts.BatchArchive(context.Background(), []string{"1", "2", "3", "2"})
	var be *BatchError
	if !errors.As(err, &be) || be.Failed != 2 || be.Total != 4 || be.FirstIndex != 1 {
		t.Fatalf("err = %v", err)
	}
	for i, want := range []string{"1", "", "3", ""} {
		it := res.Items[i]
		if want == "" {
			if !errors.Is(it.Err, ErrNotFound) || it.Value.ID != "" {
				t.Errorf("input %d = %+v, want ErrNotFound", i, it)
			}
			continue
		}
		if it.Err != nil || it.Value.ID != want || !it.Value.Archived {
			t.Errorf("input %d = %+v, want record %s archived", i, it, want)
		}
	}
}

// Association pairs HubSpot reports that no input asked for are kept in
// Unmatched; an input no result names fails with ErrNotInResponse.
func TestAssociationBatchCreateUnmatched(t *testing.T) {
	c, _ := batchClient(t, func(wireIn) (int, any) {
		return 201, map[string]any{"status": "COMPLETE", "results": []any{
			map[string]any{"fromObjectTypeId": "0-1", "fromObjectId": 1, "toObjectTypeId": "0-2", "toObjectId": 10, "labels": []string{}},
			map[string]any{"fromObjectTypeId": "0-1", "fromObjectId": 7, "toObjectTypeId": "0-2", "toObjectId": 70, "labels": []string{}},
		}}
	})
	typ := []AssociationType{{Category: CategoryHubSpotDefined, TypeID: 279}}
	res, err := c.Associations.BatchCreate(context.Background(), "contacts", "companies", []AssociationBatchInput{
		{FromID: "1", ToID: "10", Types: typ}, {FromID: "2", ToID: "20", Types: typ},
	})
	if !errors.Is(err, ErrNotInResponse) {
		t.Fatalf("err = %v", err)
	}
	if res.Items[0].Err != nil || res.Items[0].Value.ToObjectID != "10" || !errors.Is(res.Items[1].Err, ErrNotInResponse) {
		t.Fatalf("items = %+v", res.Items)
	}
	if len(res.Unmatched) != 1 || res.Unmatched[0].FromObjectID != "7" {
		t.Fatalf("unmatched = %+v", res.Unmatched)
	}
}

// A webhook subscription batch is matched by subscription ID, and a
// result for a subscription not asked about is kept in Unmatched.
func TestWebhookBatchUnmatched(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 207, map[string]any{"status": "COMPLETE",
			"results": []any{
				map[string]any{"id": "9", "eventType": "contact.creation", "active": true},
				map[string]any{"id": 5, "eventType": "contact.deletion", "active": true},
			},
			"errors": []any{map[string]any{"status": "error", "category": "OBJECT_NOT_FOUND", "message": "no such subscription", "context": map[string]any{"ids": []string{"06"}}}},
		})
	})
	keys, _ := newCache(t, "dev-key")
	c, err := New(WithDeveloperKey(keys), WithBaseURL(srv.URL), WithRateLimit(RateLimit{}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := c.Webhooks.BatchUpdateSubscriptions(context.Background(), 1, []WebhookSubscriptionUpdate{{ID: 5, Active: true}, {ID: 6, Active: true}})
	if !errors.Is(err, ErrNotFound) || res.Failed() != 1 {
		t.Fatalf("err = %v", err)
	}
	if res.Items[0].Err != nil || res.Items[0].Value.EventType != "contact.deletion" || !errors.Is(res.Items[1].Err, ErrNotFound) {
		t.Fatalf("items = %+v", res.Items)
	}
	if len(res.Unmatched) != 1 || res.Unmatched[0].ID != 9 {
		t.Fatalf("unmatched = %+v", res.Unmatched)
	}
}

// Record IDs match by number: "7", "07" and " 7" are one record; IDs that
// are not numbers match by their normalized text.
func TestIDKey(t *testing.T) {
	for in, want := range map[string]string{
		"7": "7", "07": "7", " 7 ": "7", "0": "0", "000": "0", "-5": "-5",
		"123456789012345678": "123456789012345678", "1234567890123456789": "1234567890123456789",
		"12345678901234567890": "12345678901234567890", "ABC": "abc", " x ": "x", "": "",
	} {
		if got := idKey(in); got != want {
			t.Errorf("idKey(%q) = %q, want %q", in, got, want)
		}
	}
}
