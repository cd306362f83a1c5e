package hubspot

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func respWith(status int, body string, hdr http.Header) *http.Response {
	req, _ := http.NewRequest("PATCH", "https://api.hubapi.com/crm/v3/objects/contacts/alice@example.com?idProperty=email&hapikey=SECRETQUERY", nil)
	if hdr == nil {
		hdr = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: hdr, Body: io.NopCloser(strings.NewReader(body)), Request: req}
}

func TestErrorParsesHubSpotBody(t *testing.T) {
	body := `{"status":"error","message":"Property values were not valid","correlationId":"c0ffee",
	"category":"VALIDATION_ERROR","subCategory":"standard",
	"errors":[{"message":"Property \"foo\" does not exist","code":"PROPERTY_DOESNT_EXIST","in":"foo","context":{"propertyName":["foo"]}}],
	"context":{"missingScopes":["crm.objects.contacts.write"],"count":3,"nested":{"a":1}},
	"links":{"knowledge-base":"https://www.hubspot.com/products/service/knowledge-base"}}`
	err := newResponseError(respWith(400, body, nil), epoch)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%T is not *Error", err)
	}
	if e.StatusCode != 400 || e.Category != "VALIDATION_ERROR" || e.SubCategory != "standard" || e.Message != "Property values were not valid" || e.CorrelationID != "c0ffee" {
		t.Fatalf("parsed %+v", e)
	}
	if len(e.Errors) != 1 || e.Errors[0].Code != "PROPERTY_DOESNT_EXIST" || e.Errors[0].In != "foo" || e.Errors[0].Context["propertyName"][0] != "foo" {
		t.Fatalf("details %+v", e.Errors)
	}
	if got := e.RequiredScopes(); len(got) != 1 || got[0] != "crm.objects.contacts.write" {
		t.Fatalf("missing scopes %v", got)
	}
	if e.Context["count"][0] != "3" || e.Context["nested"][0] != `{"a":1}` {
		t.Fatalf("lenient context %v", e.Context)
	}
	if e.Links["knowledge-base"] == "" {
		t.Fatal("links lost")
	}
	if !errors.Is(err, ErrValidation) || errors.Is(err, ErrNotFound) {
		t.Fatal("errors.Is mapping wrong")
	}
	msg := err.Error()
	if strings.Contains(msg, "SECRETQUERY") || strings.Contains(msg, "idProperty") || strings.Contains(msg, "?") {
		t.Fatalf("Error() shows the query string: %s", msg)
	}
	for _, want := range []string{"PATCH", "/crm/v3/objects/contacts/alice@example.com", "400", "VALIDATION_ERROR", "Property values were not valid", "c0ffee"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Error() = %q lacks %q", msg, want)
		}
	}
}

func TestErrorLenientShapes(t *testing.T) {
	for name, body := range map[string]string{
		"empty":               ``,
		"html":                `<html><body>502 Bad Gateway</body></html>`,
		"subCategory object":  `{"message":"m","subCategory":{},"category":"OBJECT_NOT_FOUND"}`,
		"context string":      `{"message":"m","errors":[{"message":"x","context":"{missingScopes=[a, b]}"}]}`,
		"numbers everywhere":  `{"message":12,"category":true,"correlationId":null}`,
		"truncated":           `{"message":"m","cat`,
		"array":               `[1,2,3]`,
		"errors not an array": `{"message":"m","errors":{"a":1}}`,
	} {
		t.Run(name, func(t *testing.T) {
			err := newResponseError(respWith(404, body, nil), epoch)
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != 404 || !errors.Is(err, ErrNotFound) {
				t.Fatalf("got %v", err)
			}
			if strings.Contains(err.Error(), "<html>") {
				t.Fatal("raw body in the error")
			}
		})
	}
}

func TestErrorBodyReadThroughLimit(t *testing.T) {
	big := `{"message":"` + strings.Repeat("x", 3<<20) + `"}`
	r := respWith(500, big, nil)
	err := newResponseError(r, epoch)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	if len(e.Message) > maxErrorBody {
		t.Fatalf("message of %d bytes read past the limit", len(e.Message))
	}
}

func TestIsMapping(t *testing.T) {
	for _, tc := range []struct {
		e    *Error
		want error
	}{
		{&Error{StatusCode: 404}, ErrNotFound},
		{&Error{Category: "OBJECT_NOT_FOUND"}, ErrNotFound},
		{&Error{StatusCode: 401}, ErrUnauthorized},
		{&Error{Category: "INVALID_AUTHENTICATION"}, ErrUnauthorized},
		{&Error{StatusCode: 403, Category: "MISSING_SCOPES"}, ErrForbidden},
		{&Error{StatusCode: 409}, ErrConflict},
		{&Error{Category: "CONFLICT"}, ErrConflict},
		{&Error{StatusCode: 207, Category: "OBJECT_ALREADY_EXISTS"}, ErrConflict},
		{&Error{StatusCode: 429}, ErrRateLimited},
		{&Error{StatusCode: 400}, ErrValidation},
		{&Error{StatusCode: 207, Category: "VALIDATION_ERROR"}, ErrValidation},
	} {
		if !errors.Is(tc.e, tc.want) {
			t.Errorf("%+v does not match %v", tc.e, tc.want)
		}
	}
	if errors.Is(&Error{StatusCode: 500}, ErrNotFound) {
		t.Error("500 matches ErrNotFound")
	}
}

func TestRateLimitError(t *testing.T) {
	body := `{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","correlationId":"x","policyName":"DAILY","groupName":"publicapi:daily"}`
	err := newResponseError(respWith(429, body, nil), epoch)
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.Policy != Daily || rl.RetryAfter != 0 {
		t.Fatalf("got %#v", err)
	}
	if !errors.Is(err, ErrRateLimited) {
		t.Fatal("not ErrRateLimited")
	}
	var e *Error
	if !errors.As(err, &e) || e.Category != "RATE_LIMITS" {
		t.Fatalf("unwrap to *Error: %v", e)
	}
	if !strings.Contains(err.Error(), "DAILY") {
		t.Fatalf("Error() = %q lacks the policy", err)
	}

	body = `{"status":"error","message":"ten","errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"}`
	h := http.Header{"X-Hubspot-Ratelimit-Interval-Milliseconds": {"10000"}}
	err = newResponseError(respWith(429, body, h), epoch)
	if !errors.As(err, &rl) || rl.Policy != TenSecondly || rl.RetryAfter != 10*time.Second {
		t.Fatalf("got %+v", rl)
	}
	h = http.Header{"Retry-After": {"3"}}
	err = newResponseError(respWith(429, `{"policyName":"SECONDLY"}`, h), epoch)
	if !errors.As(err, &rl) || rl.Policy != Secondly || rl.RetryAfter != 3*time.Second {
		t.Fatalf("got %+v", rl)
	}
}

func TestParseRetryAfter(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"0": 0, "7": 7 * time.Second, epoch.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		epoch.Add(-time.Hour).Format(http.TimeFormat): 0,
	} {
		if got, ok := parseRetryAfter(in, epoch); !ok || got != want {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "soon", "-1", "99999999999999"} {
		if _, ok := parseRetryAfter(in, epoch); ok {
			t.Errorf("parseRetryAfter(%q) accepted", in)
		}
	}
}

func TestSanitizeError(t *testing.T) {
	in := &url.Error{Op: "Get", URL: "https://user:pw@api.hubapi.com/crm/v3/objects/contacts?hapikey=SECRET#frag", Err: errors.New("connection refused")}
	out := sanitizeError(in)
	s := out.Error()
	for _, bad := range []string{"SECRET", "hapikey", "pw", "frag", "user"} {
		if strings.Contains(s, bad) {
			t.Errorf("sanitized error %q contains %q", s, bad)
		}
	}
	if !strings.Contains(s, "https://api.hubapi.com/crm/v3/objects/contacts") || !strings.Contains(s, "connection refused") {
		t.Errorf("sanitized error lost its facts: %q", s)
	}
	if sanitizeURL("%zz?q=SECRET") != "%zz" {
		t.Error("unparsable URL keeps its query")
	}
}
