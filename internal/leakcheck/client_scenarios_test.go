package leakcheck_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// clientScenarioDevKey is the canary developer key of these scenarios.
const clientScenarioDevKey = "canary-devkey-4a7b1c2d-9e8f-4d3c-b2a1-0f9e8d7c6b5a"

// clientScenarioEscaped spells s with a \u escape per character, as a JSON
// encoder may.
func clientScenarioEscaped(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// clientScenarioEchoBatch answers every request with status (200 or 207)
// and a batch body whose errors[] and results repeat the request's
// Authorization header and query string, plainly, JSON-escaped and in
// base64, in every field the client prints or returns.
func clientScenarioEchoBatch(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		echo := r.Header.Get("Authorization") + " " + r.URL.RawQuery
		plain := strings.ReplaceAll(echo, `"`, "")
		esc := clientScenarioEscaped(echo)
		b64 := base64.StdEncoding.EncodeToString([]byte(echo))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", echo)
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"status": "COMPLETE", "numErrors": 1,
			"results": [{"id": "1", "properties": {"echo": "%s"}, "toObjectId": 2, "eventType": "%s"}],
			"errors": [{"status": "error", "category": "VALIDATION_ERROR", "subCategory": "%s",
				"message": "you sent %s / %s", "correlationId": "%s",
				"context": {"ids": ["%s"], "echo": ["%s", "%s"]},
				"links": {"docs": "https://example.com/?e=%s"},
				"errors": [{"message": "%s", "in": "%s", "code": "%s", "context": {"e": ["%s"]}}]}],
			"note": %d}`,
			esc, plain, b64, plain, esc, esc, plain, plain, b64, esc, plain, esc, b64, plain, len(body))
	}
}

// 200 and 207 batch answers that echo the bearer token or the developer
// key, in objects, associations and webhook-subscription batch calls: no
// item error, batch error, result or log line carries either.
func TestLeakHubSpotClientBatchAnswers(t *testing.T) {
	rec := leakcheck.New()
	ctx := context.Background()
	assoc := []hubspot.AssociationType{{Category: hubspot.CategoryHubSpotDefined, TypeID: 3}}
	for _, status := range []int{http.StatusOK, http.StatusMultiStatus} {
		srv := httptest.NewServer(clientScenarioEchoBatch(status))
		c := newClient(t, rec, srv.URL, secretstest.NewStatic(canaryToken),
			hubspot.WithDeveloperKey(secretstest.NewStatic(clientScenarioDevKey)), hubspot.WithRateLimit(hubspot.RateLimit{}))
		name := http.StatusText(status)

		res, err := c.Contacts.BatchUpsert(ctx, []hubspot.BatchInput{{IDProperty: "email", ID: "a@example.com", Properties: hubspot.Properties{"firstname": "A"}}})
		if err == nil || !strings.Contains(err.Error(), secrets.Redacted) {
			t.Errorf("%s upsert: the error is missing or shows no redaction; want HubSpot's echoed message, redacted (else this scenario proves nothing)", name)
		}
		recordBatch(rec, name+" upsert", res, err)
		res, err = c.Contacts.BatchCreate(ctx, []hubspot.ObjectInput{{Properties: hubspot.Properties{"email": "b@example.com"}}})
		recordBatch(rec, name+" create", res, err)
		res, err = c.Contacts.BatchRead(ctx, []string{"1", "2"}, nil)
		recordBatch(rec, name+" read", res, err)

		ar, err := c.Associations.BatchCreate(ctx, "deals", "contacts", []hubspot.AssociationBatchInput{{FromID: "1", ToID: "2", Types: assoc}})
		rec.Err(name+" assoc create", err)
		rec.Dump(name+" assoc create result", ar)
		if ar != nil {
			for _, it := range ar.Items {
				rec.Err(name+" assoc create item", it.Err)
			}
		}
		ar, err = c.Associations.BatchArchive(ctx, "deals", "contacts", []hubspot.AssociationArchiveInput{{FromID: "1", ToIDs: []string{"2"}}})
		rec.Err(name+" assoc archive", err)
		rec.Dump(name+" assoc archive result", ar)
		rr, err := c.Associations.BatchRead(ctx, "deals", "contacts", []string{"1"})
		rec.Err(name+" assoc read", err)
		rec.Dump(name+" assoc read result", rr)
		def, err := c.Associations.CreateDefault(ctx, "deals", "1", "contacts", "2")
		rec.Err(name+" assoc default", err)
		rec.Dump(name+" assoc default result", def)

		wr, err := c.Webhooks.BatchUpdateSubscriptions(ctx, 12345, []hubspot.WebhookSubscriptionUpdate{{ID: 7, Active: true}})
		if err == nil || !strings.Contains(err.Error(), secrets.Redacted) {
			t.Errorf("%s webhooks batch: the error is missing or shows no redaction; want HubSpot's echoed message, redacted", name)
		}
		rec.Err(name+" webhooks batch", err)
		rec.Dump(name+" webhooks batch result", wr)
		if wr != nil {
			for _, it := range wr.Items {
				rec.Err(name+" webhooks batch item", it.Err)
			}
		}
		srv.Close()
	}
	rec.Check(t, canaryToken, clientScenarioDevKey)
	n, size := rec.Outputs()
	t.Logf("batch answers: %d outputs, %d bytes scanned", n, size)
}

func recordBatch(rec *leakcheck.Recorder, name string, res *hubspot.BatchResult[hubspot.Object], err error) {
	rec.Err(name, err)
	if res == nil {
		return
	}
	for _, it := range res.Items {
		rec.Err(name+" item", it.Err)
	}
	rec.Dump(name+" result", res)
}

// 2xx answers that do not decode, with the canaries where values should
// be: the decode errors never quote them.
func TestLeakHubSpotClientDecodeErrors(t *testing.T) {
	rec := leakcheck.New()
	ctx := context.Background()
	for name, body := range map[string]string{
		"time":         `{"id": "1", "createdAt": "` + canaryToken + `"}`,
		"syntax":       `{"id": "1", "properties": {"x": ` + canaryToken + `}}`,
		"type":         `{"id": "1", "properties": "` + canaryToken + `"}`,
		"truncated":    `{"id": "1", "properties": {"x": "` + canaryToken,
		"pipelineTime": `{"id": "1", "label": "x", "createdAt": "` + canaryToken + `"}`,
		"webhookTime":  `{"targetUrl": "https://example.com", "createdAt": "` + clientScenarioDevKey + `"}`,
		"listTime":     `{"list": {"listId": "1", "createdAt": "` + canaryToken + `"}}`,
		"listFilter": `{"list": {"listId": "1", "filterBranch": {"filterBranchType": "OR", "filterBranches": [{"filterBranchType": "AND", "filters": [` +
			`{"filterType": "PROPERTY", "property": "email", "operation": {"operationType": "STRING", "values": "` + canaryToken + `"}}]}]}}}`,
		"listBranch": `{"list": {"listId": "1", "filterBranch": {"filterBranchType": ` + canaryToken + `}}}`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, body)
		}))
		c := newClient(t, rec, srv.URL, secretstest.NewStatic("pat-na1-other-0000-0000"),
			hubspot.WithDeveloperKey(secretstest.NewStatic("devkey-other-0000-0000")))
		_, err := c.Contacts.Get(ctx, "1", nil)
		rec.Err(name+" get", err)
		_, err = c.Pipelines.Get(ctx, "deals", "1")
		rec.Err(name+" pipeline", err)
		_, err = c.Webhooks.GetSettings(ctx, 12345)
		rec.Err(name+" webhook settings", err)
		_, err = c.Lists.Get(ctx, "1", nil)
		rec.Err(name+" list", err)
		srv.Close()
	}
	rec.Check(t, canaryToken, clientScenarioDevKey)
}

// Requests through Client.HTTPClient to a host the credentials are not
// bound to (another loopback listener, HTTPS elsewhere) carry neither
// credential; what that host receives is checked too.
func TestLeakHubSpotClientUnboundHosts(t *testing.T) {
	rec := leakcheck.New()
	var mu sync.Mutex
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		b, _ := io.ReadAll(r.Body)
		rec.Add("other host received", fmt.Sprintf("%s %s %v %s", r.Method, r.URL, r.Header, b))
	}))
	defer other.Close()
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer home.Close()
	c := newClient(t, rec, home.URL, secretstest.NewStatic(canaryToken),
		hubspot.WithDeveloperKey(secretstest.NewStatic(clientScenarioDevKey)), hubspot.WithRateLimit(hubspot.RateLimit{}))
	for _, u := range []string{
		other.URL + "/crm/v3/objects/contacts",
		other.URL + "/webhooks/v3/1/settings",
		strings.Replace(home.URL, "127.0.0.1", "localhost", 1) + "/webhooks/v3/1/subscriptions",
		"https://api.hubapi.com/crm/v3/objects/contacts",
		home.URL + "/webhooks/v3/1/settings", // bound, then redirected to the other host
		home.URL + "/crm/v3/objects/contacts",
	} {
		resp, err := c.HTTPClient().Get(u)
		rec.Err("GET "+u, err)
		if resp != nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			rec.Add("GET "+u+" response", string(b)+fmt.Sprint(resp.Header))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	rec.Check(t, canaryToken, clientScenarioDevKey)
}

// canaryExportURLToken is the signature of an export's download URL: the
// URL is a credential of its own.
const canaryExportURLToken = "canary-export-url-sig-3f9a2b7c-1d4e-4c5b-8a6f-2e1d0c9b8a7f"

// An export's download URL, from the status answer to the download: the
// task prints it redacted, no error quotes it (a refused scheme, a file
// host that answers 404, a dead host), and the file host gets no bearer
// token or developer key.
func TestLeakHubSpotExportDownloadURL(t *testing.T) {
	rec := leakcheck.New()
	ctx := context.Background()
	var mu sync.Mutex
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		rec.Add("file host received", fmt.Sprintf("%v", r.Header))
		mu.Unlock()
		http.NotFound(w, r)
	}))
	defer files.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	for name, result := range map[string]string{
		"404":    files.URL + "/export.csv?sig=" + canaryExportURLToken,
		"dead":   deadURL + "/export.csv?sig=" + canaryExportURLToken,
		"http":   "http://files.example.com/export.csv?sig=" + canaryExportURLToken,
		"user":   "https://" + canaryExportURLToken + "@files.example.com/export.csv",
		"bad":    "https://files.example.com/%zz?sig=" + canaryExportURLToken,
		"redir":  files.URL + "/" + canaryExportURLToken,
		"scheme": "gopher://files.example.com/" + canaryExportURLToken,
	} {
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprintf(w, `{"status": "COMPLETE", "startedAt": "2026-03-01T09:00:00.000Z", "completedAt": "2026-03-01T09:00:01.000Z", "result": %q}`, result)
		}))
		c := newClient(t, rec, api.URL, secretstest.NewStatic(canaryToken), hubspot.WithDeveloperKey(secretstest.NewStatic(clientScenarioDevKey)))
		task, err := c.Exports.Status(ctx, "7")
		rec.Err(name+" status", err)
		rec.Dump(name+" task", task)
		_, err = c.Exports.Download(ctx, task, nil)
		rec.Err(name+" download", err)
		_, err = c.Exports.Wait(ctx, "7", 0)
		rec.Err(name+" wait", err)
		api.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	rec.Check(t, canaryExportURLToken, canaryToken, clientScenarioDevKey)
}

// canarySMTPPassword is an SMTP API token's password, as HubSpot hands it
// out on creation and reset.
const canarySMTPPassword = "canary-smtp-password-5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c"

// SMTP API token passwords come back as secrets.Secret: the tokens print
// them redacted, and no decode error quotes one, whatever shape the
// answer has.
func TestLeakHubSpotSMTPTokenPasswords(t *testing.T) {
	rec := leakcheck.New()
	ctx := context.Background()
	for name, body := range map[string]string{
		"ok":        `{"id": "1", "campaignName": "c", "emailCampaignId": "2", "createContact": true, "createdBy": "x", "createdAt": "2026-03-01T09:00:00Z", "password": "` + canarySMTPPassword + `"}`,
		"badTime":   `{"id": "1", "createdAt": "` + canarySMTPPassword + `", "password": "` + canarySMTPPassword + `"}`,
		"badType":   `{"id": "1", "password": {"value": "` + canarySMTPPassword + `"}}`,
		"truncated": `{"id": "1", "password": "` + canarySMTPPassword,
		"list":      `{"results": [{"id": "1", "password": "` + canarySMTPPassword + `"}]}`,
		"listBad":   `{"results": [{"id": "1", "password": ` + canarySMTPPassword + `}]}`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.Method == http.MethodPost && !strings.HasSuffix(r.URL.Path, "password-reset") {
				w.WriteHeader(http.StatusCreated)
			}
			_, _ = io.WriteString(w, body)
		}))
		c := newClient(t, rec, srv.URL, secretstest.NewStatic(canaryToken))
		tok, err := c.Transactional.CreateSMTPToken(ctx, "c", true)
		rec.Err(name+" create", err)
		rec.Dump(name+" created", tok)
		tok, err = c.Transactional.ResetSMTPPassword(ctx, "1")
		rec.Err(name+" reset", err)
		rec.Dump(name+" reset token", tok)
		tok, err = c.Transactional.GetSMTPToken(ctx, "1")
		rec.Err(name+" get", err)
		rec.Dump(name+" got", tok)
		for tk, err := range c.Transactional.SMTPTokens(ctx, nil) {
			rec.Err(name+" list", err)
			rec.Dump(name+" listed", tk)
		}
		srv.Close()
	}
	rec.Check(t, canarySMTPPassword, canaryToken)
}
