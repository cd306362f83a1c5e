package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets/secretstest"
)

// canaryDigits is a canary that can stand where a response has a number.
const canaryDigits = "98765432109876543210987654321"

// decodeClient returns a client of a server that answers every request
// 200 with body.
func decodeClient(t *testing.T, body string) *Client {
	t.Helper()
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	})
	cache, _ := newCache(t, tokenB)
	c, err := New(WithToken(cache), WithBaseURL(srv.URL), WithRateLimit(RateLimit{}), WithRetry(RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// assertNoCanary fails if err, in any form it prints in, shows canary.
func assertNoCanary(t *testing.T, what string, err error, canary string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%q"} {
		secretstest.AssertNoLeak(t, what+" "+verb, fmt.Sprintf(verb, err), canary)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		secretstest.AssertNoLeak(t, what+" chain", fmt.Sprintf("%+v", e), canary)
	}
}

// A 2xx answer that does not decode yields an error that says what did not
// fit, and where, and never quotes the response: one case per kind of
// decode error, each with a canary where the value was.
func TestDecodeErrorsNeverQuoteTheResponse(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, body, canary, want string
		call                     func(*Client) error
	}{{
		name:   "syntax error",
		body:   `{"id": "1", "properties": {"email": ` + tokenA + `}}`,
		canary: tokenA, want: "invalid JSON at byte",
		call: func(c *Client) error { _, err := c.Contacts.Get(ctx, "1", nil); return err },
	}, {
		name:   "truncated",
		body:   `{"id": "1", "properties": {"email": "` + tokenA,
		canary: tokenA, want: "truncated JSON",
		call: func(c *Client) error { _, err := c.Contacts.Get(ctx, "1", nil); return err },
	}, {
		name:   "number into string",
		body:   `{"id": ` + canaryDigits + `}`,
		canary: canaryDigits, want: "a JSON number at byte",
		call: func(c *Client) error { _, err := c.Contacts.Get(ctx, "1", nil); return err },
	}, {
		name:   "number overflowing an integer",
		body:   `{"portalId": ` + canaryDigits + `}`,
		canary: canaryDigits, want: "does not fit field portalId of AccountDetails (int64)",
		call: func(c *Client) error { _, err := c.Account.Details(ctx); return err },
	}, {
		name:   "string into number",
		body:   `{"portalId": "` + tokenA + `"}`,
		canary: tokenA, want: "a JSON string at byte",
		call: func(c *Client) error { _, err := c.Account.Details(ctx); return err },
	}, {
		name:   "time field (time.Time)",
		body:   `{"id": "1", "createdAt": "` + tokenA + `"}`,
		canary: tokenA, want: "a time value is not an RFC 3339 timestamp",
		call: func(c *Client) error { _, err := c.Contacts.Get(ctx, "1", nil); return err },
	}, {
		name:   "time field (custom UnmarshalJSON)",
		body:   `{"id": "P1", "label": "x", "createdAt": "` + tokenA + `"}`,
		canary: tokenA, want: "neither ISO 8601 nor Unix milliseconds",
		call: func(c *Client) error { _, err := c.Pipelines.Get(ctx, "deals", "P1"); return err },
	}, {
		name:   "time field out of range (custom UnmarshalJSON)",
		body:   `{"id": "P1", "label": "x", "updatedAt": "` + canaryDigits + `"}`,
		canary: canaryDigits, want: "out of range",
		call: func(c *Client) error { _, err := c.Pipelines.Get(ctx, "deals", "P1"); return err },
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(decodeClient(t, tc.body))
			assertNoCanary(t, tc.name, err, tc.canary)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v; want it to say %q", tc.name, err, tc.want)
			}
		})
	}
}

// Errors describeJSONError does not know, or that quote the value in
// their own ways, are reduced to facts that carry no response text.
func TestDescribeJSONErrorDropsText(t *testing.T) {
	canary := tokenA
	for _, err := range []error{
		fmt.Errorf("json: invalid use of ,string struct tag, trying to unmarshal %q into string", canary),
		&json.UnmarshalTypeError{Value: "number " + canary, Type: reflect.TypeFor[int](), Offset: 3},
		&json.UnmarshalTypeError{Value: canary, Type: reflect.TypeFor[int](), Offset: 3},
		fmt.Errorf("decoding: %w", &time.ParseError{Layout: time.RFC3339, Value: canary, LayoutElem: "2006", ValueElem: canary}),
		errors.New("unknown " + canary),
	} {
		assertNoCanary(t, fmt.Sprintf("%T", err), describeJSONError(err), canary)
	}
	var te *json.UnmarshalTypeError
	if errors.As(describeJSONError(&json.UnmarshalTypeError{Value: "number 1"}), &te) {
		t.Error("the description wraps the original error")
	}
}

// A server that answers every page with the cursor it was given gets an
// error that says so without quoting the cursor.
func TestRepeatedCursorIsNotQuoted(t *testing.T) {
	c := decodeClient(t, `{"results": [{"id": "1"}], "paging": {"next": {"after": "`+tokenA+`"}}}`)
	var last error
	for _, err := range c.Contacts.All(context.Background(), &ListOptions{After: tokenA}) {
		if err != nil {
			last = err
			break
		}
	}
	assertNoCanary(t, "repeated cursor", last, tokenA)
}

// A body that stops arriving is a transport failure, not a decode error:
// when the caller gives up in the middle of the body, the error still
// matches the caller's context error, so callers (and batch results) can
// tell a deadline from a malformed answer. Both paths are covered: a body
// the client decodes as it reads (Get) and one the credential layer reads
// whole to scrub (a batch answer, which can hold errors).
func TestBodyReadFailureKeepsTheContextError(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		body string
		call func(context.Context, *Client) error
	}{
		{"get", `{"id":"1","properties":{"email":"a`, func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.Get(ctx, "1", nil)
			return err
		}},
		{"batch read", `{"status":"COMPLETE","results":[{"id":"1","properties":{"email":"a`, func(ctx context.Context, c *Client) error {
			res, err := c.Contacts.BatchRead(ctx, []string{"1"}, nil)
			if err == nil && res != nil && len(res.Items) == 1 {
				return res.Items[0].Err
			}
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reading := make(chan struct{})
			rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
				return &http.Response{
					StatusCode: http.StatusOK,
					Header:     http.Header{"Content-Type": {"application/json"}},
					Body:       &stallingBody{ctx: req.Context(), part: []byte(tc.body), reading: reading},
					Request:    req,
				}, nil
			})
			cache, _ := newCache(t, tokenB)
			c, err := New(WithToken(cache), WithHTTPClient(&http.Client{Transport: rt}),
				WithRateLimit(RateLimit{}), WithRetry(RetryPolicy{MaxAttempts: 1}))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			ctx, cancel := context.WithCancel(ctx)
			go func() {
				<-reading
				cancel()
			}()
			err = tc.call(ctx, c)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("the caller gave up in the middle of the body: %v; want it to match context.Canceled", err)
			}
			if strings.Contains(err.Error(), "decoding") || strings.Contains(err.Error(), "JSON") {
				t.Errorf("a read failure reads as a decode failure: %v", err)
			}
		})
	}
}

// stallingBody returns part, then blocks until ctx ends and fails with its
// error, as net/http's body does when the caller gives up mid-body. It
// closes reading once part has been read.
type stallingBody struct {
	ctx     context.Context
	part    []byte
	reading chan struct{}
	sent    bool
}

func (b *stallingBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		n := copy(p, b.part)
		b.part = b.part[n:]
		if len(b.part) == 0 {
			close(b.reading)
		} else {
			b.sent = false
		}
		return n, nil
	}
	<-b.ctx.Done()
	return 0, b.ctx.Err()
}

func (b *stallingBody) Close() error { return nil }

// A body the caller's deadline cuts short is reported as the deadline,
// whether the answer is decoded as it streams or scrubbed first (a batch
// answer), not as truncated JSON: callers and batch results tell a call
// that ran out of time from an answer that is broken.
func TestBodyCutShortByTheDeadline(t *testing.T) {
	for _, cut := range []error{context.DeadlineExceeded, context.Canceled} {
		base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			body := io.MultiReader(strings.NewReader(`{"status":"COMPLETE","results":[{"id":"1","properties":{`), failingReader{cut})
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(body), Request: r}, nil
		})
		cache, _ := newCache(t, tokenA)
		c, err := New(WithToken(cache), WithHTTPClient(&http.Client{Transport: base}), WithRateLimit(RateLimit{}), WithRetry(RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ctx := context.Background()
		if _, err := c.Contacts.Get(ctx, "1", nil); !errors.Is(err, cut) || strings.Contains(err.Error(), "truncated") {
			t.Errorf("Get: %v, want %v", err, cut)
		}
		res, err := c.Contacts.BatchRead(ctx, []string{"1"}, nil)
		if res == nil || len(res.Items) != 1 || !errors.Is(res.Items[0].Err, cut) || !errors.Is(err, cut) {
			t.Errorf("BatchRead: %v, want %v", err, cut)
		}
	}
	// A body that is broken, not cut short, is still truncated JSON.
	c := decodeClient(t, `{"id":"1","properties":{`)
	if _, err := c.Contacts.Get(context.Background(), "1", nil); err == nil || !strings.Contains(err.Error(), "truncated JSON") {
		t.Errorf("a truncated body: %v", err)
	}
}
