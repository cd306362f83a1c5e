package hubspottest_test

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

const app = int64(1160452)

// hooks calls the Webhooks API of app with key as hapikey.
func hooks(t *testing.T, srv *hubspottest.Server, key, method, rest string, body any) resp {
	t.Helper()
	path := fmt.Sprintf("/webhooks/v3/%d%s", app, rest)
	if key != "" {
		path += "?hapikey=" + url.QueryEscape(key)
	}
	return call(t, srv, "", method, path, body)
}

func wantError(t *testing.T, r resp, status int, category string) map[string]any {
	t.Helper()
	wantStatus(t, r, status)
	b := r.json(t)
	if b["status"] != "error" || b["category"] != category || str(b["message"]) == "" || !uuidRE.MatchString(str(b["correlationId"])) {
		t.Fatalf("error body %s, want category %s", r.body, category)
	}
	return b
}

var settings = map[string]any{
	"targetUrl":  "https://example.com/hubspot/target",
	"throttling": map[string]any{"maxConcurrentRequests": 10},
}

func TestDeveloperKeyFormat(t *testing.T) {
	srv := hubspottest.NewServer(t)
	a, b := srv.NewDeveloperKey(app), srv.NewDeveloperKey(app)
	if a == b {
		t.Fatal("two keys are equal")
	}
	hexDigits := strings.ReplaceAll(a, "-", "")
	if len(hexDigits) != 64 || strings.Trim(hexDigits, "0123456789abcdef") != "" {
		t.Fatalf("the key is not 256 bits of hex: %d characters without dashes", len(hexDigits))
	}
}

func TestWebhookSettingsLifecycle(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	key := srv.NewDeveloperKey(app)

	wantError(t, hooks(t, srv, key, "GET", "/settings", nil), 404, "OBJECT_NOT_FOUND")

	r := hooks(t, srv, key, "PUT", "/settings", settings)
	wantStatus(t, r, 200)
	b := r.json(t)
	th, _ := b["throttling"].(map[string]any)
	if b["targetUrl"] != settings["targetUrl"] || th["maxConcurrentRequests"] != 10.0 || len(th) != 1 ||
		b["createdAt"] != "2025-03-04T05:06:07.000Z" || b["updatedAt"] != "2025-03-04T05:06:07.000Z" {
		t.Fatalf("PUT answered %s", r.body)
	}

	clk.Advance(time.Minute)
	r = hooks(t, srv, key, "PUT", "/settings", map[string]any{
		"targetUrl":  "https://example.com/v2",
		"throttling": map[string]any{"maxConcurrentRequests": 20, "period": "ROLLING_MINUTE"},
	})
	wantStatus(t, r, 200)
	r = hooks(t, srv, key, "GET", "/settings", nil)
	wantStatus(t, r, 200)
	b = r.json(t)
	th, _ = b["throttling"].(map[string]any)
	if b["targetUrl"] != "https://example.com/v2" || th["maxConcurrentRequests"] != 20.0 || th["period"] != nil ||
		b["createdAt"] != "2025-03-04T05:06:07.000Z" || b["updatedAt"] != "2025-03-04T05:07:07.000Z" {
		t.Fatalf("GET answered %s", r.body)
	}

	wantStatus(t, hooks(t, srv, key, "DELETE", "/settings", nil), 204)
	wantError(t, hooks(t, srv, key, "GET", "/settings", nil), 404, "OBJECT_NOT_FOUND")
	wantStatus(t, hooks(t, srv, key, "DELETE", "/settings", nil), 204)

	r = hooks(t, srv, key, "POST", "/settings", settings)
	wantError(t, r, 405, "VALIDATION_ERROR")
	if r.header.Get("Allow") != "GET,PUT,DELETE" {
		t.Fatalf("Allow %q", r.header.Get("Allow"))
	}
}

func TestWebhookSettingsValidation(t *testing.T) {
	srv := hubspottest.NewServer(t)
	key := srv.NewDeveloperKey(app)
	for name, body := range map[string]any{
		"no target":     map[string]any{"throttling": settings["throttling"]},
		"http target":   map[string]any{"targetUrl": "http://example.com/x", "throttling": settings["throttling"]},
		"relative":      map[string]any{"targetUrl": "/x", "throttling": settings["throttling"]},
		"no throttling": map[string]any{"targetUrl": "https://example.com/x"},
		"five":          map[string]any{"targetUrl": "https://example.com/x", "throttling": map[string]any{"maxConcurrentRequests": 5}},
		"no max":        map[string]any{"targetUrl": "https://example.com/x", "throttling": map[string]any{}},
		"not JSON":      "{",
		"wrong type":    map[string]any{"targetUrl": 7},
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, hooks(t, srv, key, "PUT", "/settings", body), 400, "VALIDATION_ERROR")
		})
	}
	// The current reference has no throttling period: a body without one
	// is valid, and one that still sends it (as older clients do) is
	// answered without it.
	for _, th := range []map[string]any{{"maxConcurrentRequests": 6}, {"maxConcurrentRequests": 6, "period": "SECONDLY"}} {
		r := hooks(t, srv, key, "PUT", "/settings", map[string]any{"targetUrl": "https://example.com/x", "throttling": th})
		wantStatus(t, r, 200)
		if got := r.json(t)["throttling"]; fmt.Sprint(got) != "map[maxConcurrentRequests:6]" {
			t.Errorf("PUT %v answered throttling %v", th, got)
		}
	}
}

func TestDeveloperKeyAuthentication(t *testing.T) {
	srv := hubspottest.NewServer(t)
	key := srv.NewDeveloperKey(app)
	other := srv.NewDeveloperKey(app + 1)
	revoked := srv.NewDeveloperKey(app)
	srv.RevokeDeveloperKey(revoked)
	token := srv.NewToken(hubspottest.AllScopes...)

	b := wantError(t, hooks(t, srv, "", "GET", "/subscriptions", nil), 401, "INVALID_AUTHENTICATION")
	if !strings.Contains(str(b["message"]), "hapikey") {
		t.Errorf("missing key: %v", b["message"])
	}
	for name, k := range map[string]string{"unknown": strings.Repeat("1", len(key)), "revoked": revoked} {
		b := wantError(t, hooks(t, srv, k, "GET", "/subscriptions", nil), 401, "INVALID_AUTHENTICATION")
		if !strings.HasPrefix(str(b["message"]), "The API key provided is invalid.") {
			t.Errorf("%s key: %v", name, b["message"])
		}
		if links, _ := b["links"].(map[string]any); links["api key"] == nil {
			t.Errorf("%s key: no api key link in %v", name, b)
		}
	}
	wantError(t, hooks(t, srv, other, "GET", "/subscriptions", nil), 403, "FORBIDDEN")
	wantError(t, call(t, srv, "", "GET", "/webhooks/v3/99/subscriptions?hapikey="+key, nil), 403, "FORBIDDEN")

	// A private-app token is refused here, as a bearer token, with or
	// without a valid hapikey beside it.
	path := fmt.Sprintf("/webhooks/v3/%d/subscriptions", app)
	b = wantError(t, call(t, srv, token, "GET", path, nil), 401, "INVALID_AUTHENTICATION")
	if !strings.Contains(str(b["message"]), "Authorization header is not accepted") {
		t.Errorf("bearer: %v", b["message"])
	}
	wantError(t, call(t, srv, token, "GET", path+"?hapikey="+key, nil), 401, "INVALID_AUTHENTICATION")
	wantError(t, call(t, srv, "", "GET", path+"?hapikey="+key+"&hapikey="+key, nil), 401, "INVALID_AUTHENTICATION")
	wantError(t, call(t, srv, "", "GET", path+"?hapikey=", nil), 401, "INVALID_AUTHENTICATION")

	// A developer key opens nothing else, as a bearer token or a hapikey.
	wantError(t, call(t, srv, key, "GET", "/crm/v3/objects/contacts", nil), 401, "INVALID_AUTHENTICATION")
	wantError(t, call(t, srv, "", "GET", "/crm/v3/objects/contacts?hapikey="+key, nil), 401, "INVALID_AUTHENTICATION")

	wantStatus(t, hooks(t, srv, key, "GET", "/subscriptions", nil), 200)
	wantError(t, call(t, srv, "", "GET", "/webhooks/v3/abc/settings?hapikey="+key, nil), 400, "VALIDATION_ERROR")
	wantError(t, call(t, srv, "", "GET", "/webhooks/v3/"+fmt.Sprint(app)+"/other?hapikey="+key, nil), 404, "OBJECT_NOT_FOUND")

	// The journal names keys by ID and fingerprint, never by value.
	var sawKey bool
	for _, c := range srv.Journal() {
		if c.Path == path && c.Status == 200 {
			k, _ := srv.Policy().Get(c.KeyID) // developer keys are not private-app tokens
			if k.ID != "" {
				t.Errorf("developer key %s found among the private-app tokens", c.KeyID)
			}
			if c.KeyID == "" || c.TokenFingerprint == "" || c.Query != "hapikey=REDACTED" {
				t.Errorf("journal entry %+v", c)
			}
			sawKey = true
		}
	}
	if !sawKey {
		t.Fatal("the successful call is not in the journal")
	}
}

func TestWebhookSubscriptions(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	key := srv.NewDeveloperKey(app)

	r := hooks(t, srv, key, "POST", "/subscriptions", map[string]any{"eventType": "contact.propertyChange", "propertyName": "email"})
	wantStatus(t, r, 201)
	first := r.json(t)
	id, _ := first["id"].(string)
	if id == "" || first["active"] != false || first["eventType"] != "contact.propertyChange" || first["propertyName"] != "email" || first["createdAt"] != "2025-03-04T05:06:07.000Z" {
		t.Fatalf("created %s", r.body)
	}
	r = hooks(t, srv, key, "POST", "/subscriptions", map[string]any{"eventType": "deal.creation", "active": true})
	wantStatus(t, r, 201)
	second := r.json(t)
	if second["active"] != true || second["propertyName"] != nil {
		t.Fatalf("created %s", r.body)
	}

	r = hooks(t, srv, key, "GET", "/subscriptions", nil)
	wantStatus(t, r, 200)
	list, _ := r.json(t)["results"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["id"] != id || list[1].(map[string]any)["id"] != second["id"] {
		t.Fatalf("list %s", r.body)
	}

	clk.Advance(time.Second)
	r = hooks(t, srv, key, "PATCH", "/subscriptions/"+id, map[string]any{"active": true})
	wantStatus(t, r, 200)
	if b := r.json(t); b["active"] != true || b["updatedAt"] != "2025-03-04T05:06:08.000Z" || b["createdAt"] != "2025-03-04T05:06:07.000Z" {
		t.Fatalf("patched %s", r.body)
	}
	wantStatus(t, hooks(t, srv, key, "PUT", "/subscriptions/"+id, map[string]any{"active": false}), 200)
	r = hooks(t, srv, key, "GET", "/subscriptions/"+id, nil)
	wantStatus(t, r, 200)
	if r.json(t)["active"] != false {
		t.Fatalf("got %s", r.body)
	}
	wantStatus(t, hooks(t, srv, key, "DELETE", "/subscriptions/"+id, nil), 204)
	wantError(t, hooks(t, srv, key, "GET", "/subscriptions/"+id, nil), 404, "OBJECT_NOT_FOUND")
	wantError(t, hooks(t, srv, key, "DELETE", "/subscriptions/"+id, nil), 404, "OBJECT_NOT_FOUND")
	wantError(t, hooks(t, srv, key, "PATCH", "/subscriptions/"+id, map[string]any{"active": true}), 404, "OBJECT_NOT_FOUND")
	wantError(t, hooks(t, srv, key, "GET", "/subscriptions/x1", nil), 400, "VALIDATION_ERROR")
}

func TestWebhookSubscriptionValidation(t *testing.T) {
	srv := hubspottest.NewServer(t)
	key := srv.NewDeveloperKey(app)
	for name, body := range map[string]any{
		"no event type":          map[string]any{"active": true},
		"unknown event type":     map[string]any{"eventType": "contact.exploded"},
		"product association":    map[string]any{"eventType": "product.associationChange"},
		"no property":            map[string]any{"eventType": "deal.propertyChange"},
		"property on creation":   map[string]any{"eventType": "deal.creation", "propertyName": "amount"},
		"unavailable property":   map[string]any{"eventType": "contact.propertyChange", "propertyName": "hs_lastmodifieddate"},
		"unavailable property 2": map[string]any{"eventType": "company.propertyChange", "propertyName": "num_unique_conversion_events"},
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, hooks(t, srv, key, "POST", "/subscriptions", body), 400, "VALIDATION_ERROR")
		})
	}
	in := map[string]any{"eventType": "ticket.propertyChange", "propertyName": "subject"}
	wantStatus(t, hooks(t, srv, key, "POST", "/subscriptions", in), 201)
	wantError(t, hooks(t, srv, key, "POST", "/subscriptions", in), 409, "CONFLICT")
	wantStatus(t, hooks(t, srv, key, "POST", "/subscriptions", map[string]any{"eventType": "ticket.propertyChange", "propertyName": "content"}), 201)
	for _, ev := range []string{"conversation.newMessage", "contact.privacyDeletion", "line_item.merge", "company.restore"} {
		wantStatus(t, hooks(t, srv, key, "POST", "/subscriptions", map[string]any{"eventType": ev}), 201)
	}
}

func TestWebhookSubscriptionLimit(t *testing.T) {
	srv := hubspottest.NewServer(t)
	key := srv.NewDeveloperKey(app)
	for i := range 1000 {
		r := hooks(t, srv, key, "POST", "/subscriptions", map[string]any{"eventType": "contact.propertyChange", "propertyName": fmt.Sprintf("p%d", i)})
		if r.status != 201 {
			t.Fatalf("subscription %d: %d %s", i, r.status, r.body)
		}
	}
	b := wantError(t, hooks(t, srv, key, "POST", "/subscriptions", map[string]any{"eventType": "deal.creation"}), 400, "VALIDATION_ERROR")
	if b["message"] != "Couldn't create another subscription. You've reached the maximum number allowed per application (1000)." {
		t.Fatalf("message %q", b["message"])
	}
}

func TestWebhookBatchUpdate(t *testing.T) {
	srv := hubspottest.NewServer(t)
	key := srv.NewDeveloperKey(app)
	var ids []string
	for _, ev := range []string{"contact.creation", "deal.creation"} {
		r := hooks(t, srv, key, "POST", "/subscriptions", map[string]any{"eventType": ev})
		wantStatus(t, r, 201)
		ids = append(ids, str(r.json(t)["id"]))
	}
	num := func(s string) int64 {
		var n int64
		fmt.Sscan(s, &n)
		return n
	}

	r := hooks(t, srv, key, "POST", "/subscriptions/batch/update", map[string]any{"inputs": []any{
		map[string]any{"id": num(ids[0]), "active": true},
		map[string]any{"id": num(ids[1]), "active": true},
	}})
	wantStatus(t, r, 200)
	b := r.json(t)
	res, _ := b["results"].([]any)
	if b["status"] != "COMPLETE" || len(res) != 2 || b["startedAt"] == nil || b["completedAt"] == nil {
		t.Fatalf("batch %s", r.body)
	}
	for _, x := range res {
		if x.(map[string]any)["active"] != true {
			t.Fatalf("batch %s", r.body)
		}
	}

	r = hooks(t, srv, key, "POST", "/subscriptions/batch/update", map[string]any{"inputs": []any{
		map[string]any{"id": num(ids[0]), "active": false},
		map[string]any{"id": 424242, "active": false},
	}})
	wantStatus(t, r, 207)
	b = r.json(t)
	res, _ = b["results"].([]any)
	errs, _ := b["errors"].([]any)
	if len(res) != 1 || b["numErrors"] != 1.0 || len(errs) != 1 {
		t.Fatalf("207 %s", r.body)
	}
	e := errs[0].(map[string]any)
	ctx, _ := e["context"].(map[string]any)
	if e["category"] != "OBJECT_NOT_FOUND" || fmt.Sprint(ctx["ids"]) != "[424242]" {
		t.Fatalf("207 error %v", e)
	}
	if got := str(hooks(t, srv, key, "GET", "/subscriptions/"+ids[0], nil).json(t)["id"]); got != ids[0] {
		t.Fatalf("get %s", got)
	}

	wantError(t, hooks(t, srv, key, "POST", "/subscriptions/batch/update", map[string]any{"inputs": []any{}}), 400, "VALIDATION_ERROR")
	wantError(t, hooks(t, srv, key, "POST", "/subscriptions/batch/update", map[string]any{"inputs": []any{map[string]any{"id": 1}}}), 400, "VALIDATION_ERROR")
	wantError(t, hooks(t, srv, key, "GET", "/subscriptions/batch/update", nil), 405, "VALIDATION_ERROR")
}

func TestDeveloperKeyRateLimit(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk), hubspottest.WithRateLimit(hubspottest.RateLimit{Max: 2, Interval: 10 * time.Second}))
	key := srv.NewDeveloperKey(app)
	for range 2 {
		r := hooks(t, srv, key, "GET", "/subscriptions", nil)
		wantStatus(t, r, 200)
		if r.header.Get("X-HubSpot-RateLimit-Max") != "2" {
			t.Fatalf("headers %v", r.header)
		}
	}
	b := wantError(t, hooks(t, srv, key, "GET", "/subscriptions", nil), 429, "RATE_LIMITS")
	if b["policyName"] != "TEN_SECONDLY_ROLLING" {
		t.Fatalf("429 %v", b)
	}
	clk.Advance(10 * time.Second)
	wantStatus(t, hooks(t, srv, key, "GET", "/subscriptions", nil), 200)
}

func TestDeveloperKeyNeverEchoed(t *testing.T) {
	var logs syncBuffer
	srv := hubspottest.NewServer(t, hubspottest.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	key := srv.NewDeveloperKey(app)
	revoked := srv.NewDeveloperKey(app)
	srv.RevokeDeveloperKey(revoked)
	token := srv.NewToken(hubspottest.AllScopes...)

	var bodies strings.Builder
	for _, r := range []resp{
		hooks(t, srv, key, "GET", "/settings", nil),
		hooks(t, srv, key, "PUT", "/settings", settings),
		hooks(t, srv, key, "POST", "/subscriptions", map[string]any{"eventType": "contact.exploded"}),
		hooks(t, srv, revoked, "GET", "/subscriptions", nil),
		call(t, srv, "", "GET", fmt.Sprintf("/webhooks/v3/%d/nothing?hapikey=%s", app, key), nil),
		call(t, srv, "", "GET", "/webhooks/v3/1/settings?HAPIKEY="+key, nil),
		call(t, srv, token, "GET", "/webhooks/v3/1/settings?hapikey="+key, nil),
		call(t, srv, "", "GET", "/crm/v3/objects/contacts?hapikey="+key, nil),
	} {
		fmt.Fprintf(&bodies, "%d %s %v\n", r.status, r.body, r.header)
	}
	journal := fmt.Sprintf("%+v %#v", srv.Journal(), srv.Journal())
	for _, k := range []string{key, revoked} {
		secretstest.AssertNoLeak(t, "logs", logs.String(), k)
		secretstest.AssertNoLeak(t, "journal", journal, k)
		secretstest.AssertNoLeak(t, "responses", bodies.String(), k)
	}
	if !strings.Contains(journal, "hapikey=REDACTED") || !strings.Contains(journal, "HAPIKEY=REDACTED") {
		t.Fatal("the journal does not show the redacted hapikey")
	}
}
