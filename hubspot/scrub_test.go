package hubspot

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// devKeyCanary is the developer key of the scrub tests.
const devKeyCanary = "dk-33333333-cccc-4ccc-8ccc-cccccccccccc"

// jsonEscaped spells s with a \u escape for every character, as a JSON
// encoder may; a JSON parser reads it back as s.
func jsonEscaped(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// echoBatch answers every request with status and a batch body whose
// errors[] repeat the credential the request carried (the bearer token, or
// the hapikey parameter), plainly, JSON-escaped and in base64, in every
// field the client prints from. The errors name no input, so every input
// gets them.
func echoBatch(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cred := bearer(r)
		if cred == "" {
			cred = r.URL.Query().Get(developerKeyParam)
		}
		plain, esc, b64 := cred, jsonEscaped(cred), base64.StdEncoding.EncodeToString([]byte(cred))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"status": "COMPLETE", "results": [], "numErrors": 1, "errors": [{
			"status": "error", "category": "VALIDATION_ERROR", "subCategory": %q,
			"message": "you sent %s, also spelled %s",
			"correlationId": "%s",
			"context": {"echo": ["%s", "%s"]},
			"links": {"docs": "https://example.com/?k=%s"},
			"errors": [{"message": "%s", "in": "%s", "code": %q, "context": {"k": ["%s"]}}]
		}]}`, b64, plain, esc, esc, plain, b64, plain, esc, plain, b64, esc)
	}
}

func scrubClient(t *testing.T, status int) *Client {
	t.Helper()
	srv := server(t, echoBatch(status))
	token, _ := newCache(t, tokenA)
	key, _ := newCache(t, devKeyCanary)
	c, err := New(WithToken(token), WithDeveloperKey(key), WithBaseURL(srv.URL), WithRateLimit(RateLimit{}), WithRetry(RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// 200 and 207 batch answers whose errors[] echo the bearer token or the
// developer key are scrubbed before they become item errors: the errors
// are still there, with the credential redacted.
func TestBatchAnswersEchoingCredentialsAreScrubbed(t *testing.T) {
	ctx := context.Background()
	assoc := []AssociationType{{Category: CategoryHubSpotDefined, TypeID: 3}}
	calls := map[string]func(c *Client) (result any, errs []error, err error){
		"objects BatchUpsert": func(c *Client) (any, []error, error) {
			res, err := c.Contacts.BatchUpsert(ctx, []BatchInput{{IDProperty: "email", ID: "a@example.com", Properties: Properties{"firstname": "A"}}})
			return res, batchItemErrs(res), err
		},
		"objects BatchCreate": func(c *Client) (any, []error, error) {
			res, err := c.Contacts.BatchCreate(ctx, []ObjectInput{{Properties: Properties{"email": "a@example.com"}}})
			return res, batchItemErrs(res), err
		},
		"objects BatchRead": func(c *Client) (any, []error, error) {
			res, err := c.Contacts.BatchRead(ctx, []string{"1"}, nil)
			return res, batchItemErrs(res), err
		},
		"associations BatchCreate": func(c *Client) (any, []error, error) {
			res, err := c.Associations.BatchCreate(ctx, "deals", "contacts", []AssociationBatchInput{{FromID: "1", ToID: "2", Types: assoc}})
			var errs []error
			if res != nil {
				for _, it := range res.Items {
					errs = append(errs, it.Err)
				}
			}
			return res, errs, err
		},
		"associations BatchArchive": func(c *Client) (any, []error, error) {
			res, err := c.Associations.BatchArchive(ctx, "deals", "contacts", []AssociationArchiveInput{{FromID: "1", ToIDs: []string{"2"}}})
			var errs []error
			if res != nil {
				for _, it := range res.Items {
					errs = append(errs, it.Err)
				}
			}
			return res, errs, err
		},
		"associations BatchRead": func(c *Client) (any, []error, error) {
			res, err := c.Associations.BatchRead(ctx, "deals", "contacts", []string{"1"})
			var errs []error
			if res != nil {
				for _, it := range res.Items {
					errs = append(errs, it.Err)
				}
			}
			return res, errs, err
		},
		"associations CreateDefault": func(c *Client) (any, []error, error) {
			res, err := c.Associations.CreateDefault(ctx, "deals", "1", "contacts", "2")
			return res, []error{err}, err
		},
		"webhooks BatchUpdateSubscriptions": func(c *Client) (any, []error, error) {
			res, err := c.Webhooks.BatchUpdateSubscriptions(ctx, 12345, []WebhookSubscriptionUpdate{{ID: 7, Active: true}})
			var errs []error
			if res != nil {
				for _, it := range res.Items {
					errs = append(errs, it.Err)
				}
			}
			return res, errs, err
		},
	}
	for _, status := range []int{http.StatusOK, http.StatusMultiStatus} {
		c := scrubClient(t, status)
		for name, call := range calls {
			what := fmt.Sprintf("%s (%d)", name, status)
			res, errs, err := call(c)
			if err == nil {
				t.Errorf("%s: no error; the answer reports a failure", what)
				continue
			}
			if !strings.Contains(err.Error(), secrets.Redacted) {
				t.Errorf("%s: %v; want HubSpot's message with the credential redacted", what, err)
			}
			for _, canary := range []string{tokenA, devKeyCanary} {
				assertNoCanary(t, what, err, canary)
				for i, e := range errs {
					if e != nil {
						assertNoCanary(t, fmt.Sprintf("%s item %d", what, i), e, canary)
					}
				}
				secretstest.AssertNoLeak(t, what+" result", fmt.Sprintf("%+v", res), canary)
			}
		}
	}
}

func batchItemErrs(res *BatchResult[Object]) []error {
	if res == nil {
		return nil
	}
	var errs []error
	for _, it := range res.Items {
		errs = append(errs, it.Err)
	}
	return errs
}

// Only answers the client turns into errors are buffered and scrubbed; a
// record is streamed to the caller untouched.
func TestHoldsErrors(t *testing.T) {
	var anon struct {
		Results []WebhookSubscription `json:"results"`
		Errors  []wireError           `json:"errors"`
	}
	for _, v := range []any{&wireBatch[wireBatchObject]{}, &wireBatch[AssociationPair]{}, &wireBatch[wireAssocRead]{}, &wireBatch[WebhookSubscription]{}, &wireDefaultBatch{}, &anon} {
		if !holdsErrors(reflect.TypeOf(v)) {
			t.Errorf("holdsErrors(%T) = false", v)
		}
	}
	for _, v := range []any{&Object{}, &wirePage{}, &AccountDetails{}, &Pipeline{}, &[]WebhookSubscription{}} {
		if holdsErrors(reflect.TypeOf(v)) {
			t.Errorf("holdsErrors(%T) = true", v)
		}
	}
}
