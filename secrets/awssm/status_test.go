package awssm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hubkey/hubkey/internal/fakeaws"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/awssm"
)

// bodyCanary stands for what a proxy's error page may echo: the request's
// credentials, a session cookie, a value. It must never reach an error.
const bodyCanary = "proxy-echo-canary-5f0c2e7d"

// foreignBody is an error answer that is not an AWS JSON error.
type foreignBody struct {
	name, contentType string
	body              func(r *http.Request) string
}

// foreignBodies echo the canary and the request's Authorization header (its
// access key id and signature), as a proxy's diagnostic page might.
var foreignBodies = []foreignBody{
	{"XML", "application/xml", func(r *http.Request) string {
		return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>` + bodyCanary +
			` ` + r.Header.Get("Authorization") + `</Message><RequestId>ABC</RequestId></Error>`
	}},
	{"HTML", "text/html; charset=utf-8", func(r *http.Request) string {
		return `<html><head><title>Forbidden</title></head><body><h1>` + bodyCanary + `</h1><pre>` +
			r.Header.Get("Authorization") + `</pre></body></html>`
	}},
	{"empty", "", func(*http.Request) string { return "" }},
	{"JSON without an AWS code", "application/json", func(r *http.Request) string {
		return `{"message":"` + bodyCanary + ` ` + r.Header.Get("Authorization") + `"}`
	}},
}

// proxy stands in front of a fake Secrets Manager, as a corporate proxy, a
// wrong endpoint or an emulator's auth layer would: it answers the
// operations it is told to block itself, with a status and a body that is
// not an AWS error, and forwards the rest (keeping the Host header, so the
// signature still verifies).
type proxy struct {
	srv *httptest.Server

	mu       sync.Mutex
	block    map[string]blocked // by operation
	answered map[string]int     // blocked answers given, by operation
	auth     []string           // Authorization headers blocked requests carried
}

type blocked struct {
	status int
	body   foreignBody
}

func newProxy(t *testing.T, fake *fakeaws.SecretsManager) *proxy {
	t.Helper()
	target, err := url.Parse(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	fwd := httputil.NewSingleHostReverseProxy(target)
	p := &proxy{block: map[string]blocked{}, answered: map[string]int{}}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
		p.mu.Lock()
		b, ok := p.block[op]
		if ok {
			p.answered[op]++
			p.auth = append(p.auth, r.Header.Get("Authorization"))
		}
		p.mu.Unlock()
		if !ok {
			fwd.ServeHTTP(w, r)
			return
		}
		if b.body.contentType != "" {
			w.Header().Set("Content-Type", b.body.contentType)
		}
		w.WriteHeader(b.status)
		fmt.Fprint(w, b.body.body(r))
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *proxy) blockOp(op string, status int, body foreignBody) {
	p.mu.Lock()
	p.block[op] = blocked{status, body}
	p.mu.Unlock()
}

func (p *proxy) count(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.answered[op]
}

// client returns an SDK client that reaches e's fake through p.
func (p *proxy) client(e *env) *secretsmanager.Client {
	return e.fake.NewClient(func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(p.srv.URL) })
}

// assertQuotesNoBody fails when err, in any usual format, carries the
// canary, the signature the request carried, or markup from the body.
func assertQuotesNoBody(t *testing.T, err error, p *proxy) {
	t.Helper()
	p.mu.Lock()
	auth := append([]string(nil), p.auth...)
	p.mu.Unlock()
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		for _, bad := range append([]string{bodyCanary, "<", "Signature=", "AccessDenied<", `"message"`}, auth...) {
			if bad != "" && strings.Contains(text, bad) {
				t.Fatalf("error quotes the body or the request (%q): %s", bad, text)
			}
		}
	}
	for e := error(err); e != nil; e = errors.Unwrap(e) {
		if u, ok := e.(interface{ Unwrap() []error }); ok {
			for _, inner := range u.Unwrap() {
				if strings.Contains(inner.Error(), bodyCanary) {
					t.Fatalf("a wrapped %T quotes the body: %s", inner, inner)
				}
			}
		}
	}
}

// TestForeignErrorBodyKeepsStatus: an error answer whose body is not AWS
// JSON keeps its HTTP status, is classified by it, and is never quoted.
func TestForeignErrorBodyKeepsStatus(t *testing.T) {
	const value = "pat-na1-foreign-body-value"
	statuses := []struct {
		status      int
		permission  bool
		credentials bool
	}{
		{http.StatusUnauthorized, true, true},
		{http.StatusForbidden, true, false},
		{http.StatusBadGateway, false, false},
	}
	for _, st := range statuses {
		for _, body := range foreignBodies {
			t.Run(fmt.Sprintf("%d %s", st.status, body.name), func(t *testing.T) {
				e := newEnv(t)
				e.create("s", value)
				px := newProxy(t, e.fake)
				px.blockOp("GetSecretValue", st.status, body)
				p, err := awssm.New(px.client(e), "s")
				if err != nil {
					t.Fatal(err)
				}
				err = fetchErr(t, p.Fetch, value)
				var ae *awssm.Error
				if !errors.As(err, &ae) {
					t.Fatalf("%v: no *awssm.Error", err)
				}
				if ae.StatusCode != st.status || ae.Op != "GetSecretValue" || ae.Code != "" {
					t.Fatalf("awssm.Error{Op: %q, Code: %q, StatusCode: %d}, want GetSecretValue, no code, status %d", ae.Op, ae.Code, ae.StatusCode, st.status)
				}
				if want := fmt.Sprintf("HTTP %d", st.status); !strings.Contains(err.Error(), want) {
					t.Fatalf("error %q does not say %q", err, want)
				}
				if errors.Is(err, secrets.ErrMalformed) {
					t.Fatalf("%v: an error answer from something other than Secrets Manager is not a malformed secret", err)
				}
				if got := errors.Is(err, secrets.ErrPermission); got != st.permission {
					t.Fatalf("%v: errors.Is(secrets.ErrPermission) = %v, want %v", err, got, st.permission)
				}
				if got := errors.Is(err, awssm.ErrCredentials); got != st.credentials {
					t.Fatalf("%v: errors.Is(ErrCredentials) = %v, want %v", err, got, st.credentials)
				}
				assertQuotesNoBody(t, err, px)
			})
		}
	}
}

// TestForbiddenDescribeFallsBackToGet: a DescribeSecret refused with 403 and
// a body that is not AWS JSON is a denied DescribeSecret, so the Provider
// falls back to GetSecretValue as it does for AccessDeniedException.
func TestForbiddenDescribeFallsBackToGet(t *testing.T) {
	for _, body := range foreignBodies {
		t.Run(body.name, func(t *testing.T) {
			e := newEnv(t)
			e.create("s", "value-one")
			px := newProxy(t, e.fake)
			px.blockOp("DescribeSecret", http.StatusForbidden, body)
			p, err := awssm.New(px.client(e), "s")
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				wantValue(t, fetch(t, p.Fetch), "value-one")
			}
			e.put("s", "value-two")
			wantValue(t, fetch(t, p.Fetch), "value-two")
			if g := e.fake.Calls("GetSecretValue"); g != 4 {
				t.Fatalf("GetSecretValue=%d, want 4 (every Fetch, DescribeSecret being refused)", g)
			}
			if n := px.count("DescribeSecret"); n != 1 {
				t.Fatalf("DescribeSecret was refused %d times, want 1: the provider should stop asking", n)
			}
		})
	}
}

// TestUnauthorizedDescribeDoesNotFallBack: 401 says the identity was
// rejected, which GetSecretValue would not get past either, so the Provider
// reports it instead of falling back.
func TestUnauthorizedDescribeDoesNotFallBack(t *testing.T) {
	for _, body := range foreignBodies {
		t.Run(body.name, func(t *testing.T) {
			e := newEnv(t)
			e.create("s", "value-one")
			px := newProxy(t, e.fake)
			p, err := awssm.New(px.client(e), "s")
			if err != nil {
				t.Fatal(err)
			}
			fetch(t, p.Fetch)
			px.blockOp("DescribeSecret", http.StatusUnauthorized, body)
			err = fetchErr(t, p.Fetch, "value-one")
			var ae *awssm.Error
			if !errors.Is(err, awssm.ErrCredentials) || !errors.As(err, &ae) || ae.Op != "DescribeSecret" || ae.StatusCode != http.StatusUnauthorized {
				t.Fatalf("%v: want ErrCredentials from DescribeSecret with status 401", err)
			}
			if g := e.fake.Calls("GetSecretValue"); g != 1 {
				t.Fatalf("GetSecretValue=%d, want 1: a rejected identity is not a reason to fall back", g)
			}
			assertQuotesNoBody(t, err, px)
		})
	}
}

// TestAWSErrorKeepsStatus: AWS's own JSON errors keep their status too, and
// their code decides the class; a code the Provider does not know is
// classified by the status.
func TestAWSErrorKeepsStatus(t *testing.T) {
	e := newEnv(t)
	err := fetchErr(t, e.provider("nope").Fetch)
	var ae *awssm.Error
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest || ae.Code != "ResourceNotFoundException" || !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("%v: want ResourceNotFoundException with status 400", err)
	}

	e.create("s", "value-one")
	px := newProxy(t, e.fake)
	px.blockOp("GetSecretValue", http.StatusForbidden, foreignBody{"unknown AWS code", "application/x-amz-json-1.1", func(*http.Request) string {
		return `{"__type":"ForbiddenException","message":"not for you"}`
	}})
	p, err := awssm.New(px.client(e), "s")
	if err != nil {
		t.Fatal(err)
	}
	err = fetchErr(t, p.Fetch, "value-one")
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusForbidden || ae.Code != "ForbiddenException" ||
		!errors.Is(err, secrets.ErrPermission) || errors.Is(err, awssm.ErrCredentials) {
		t.Fatalf("%v: want ForbiddenException with status 403 classified as secrets.ErrPermission", err)
	}
}

func TestForeignErrorBodyUnknownStatus(t *testing.T) {
	e := newEnv(t)
	e.create("s", "value-one")
	px := newProxy(t, e.fake)
	px.blockOp("GetSecretValue", 599, foreignBodies[1])
	p, err := awssm.New(px.client(e), "s", awssm.WithoutChangeDetection())
	if err != nil {
		t.Fatal(err)
	}
	err = fetchErr(t, p.Fetch, "value-one")
	var ae *awssm.Error
	if !errors.As(err, &ae) || ae.StatusCode != 599 || !strings.Contains(err.Error(), "HTTP 599 with a body") {
		t.Fatalf("%v: want status 599 named plainly", err)
	}
}

// TestErrorShapes pins the package doc's promise: every failure is a
// *secrets.Error; a failed call wraps an *awssm.Error; a value that was read
// but cannot be used, and a context that ended first, do not.
func TestErrorShapes(t *testing.T) {
	const value = "pat-na1-shape-value-0001"
	e := newEnv(t)
	e.create("plain", value)
	e.create("blank", "   ")
	e.create("json", `{"other": "`+value+`"}`)
	e.create("notjson", value)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name     string
		p        *awssm.Provider
		ctx      context.Context
		sentinel error
		call     bool // the failure is a failed Secrets Manager call
	}{
		{"not found", e.provider("nope"), context.Background(), secrets.ErrNotFound, true},
		{"denied", func() *awssm.Provider { e.fake.Deny("GetSecretValue", "denied"); return e.provider("denied") }(), context.Background(), secrets.ErrPermission, true},
		{"over WithMaxSize", e.provider("plain", awssm.WithMaxSize(4)), context.Background(), secrets.ErrTooLarge, false},
		{"empty", e.provider("blank"), context.Background(), secrets.ErrEmpty, false},
		{"missing field", e.provider("json", awssm.WithJSONField("token")), context.Background(), secrets.ErrNotFound, false},
		{"not JSON", e.provider("notjson", awssm.WithJSONField("token")), context.Background(), secrets.ErrMalformed, false},
		{"cancelled first", e.provider("plain"), cancelled, context.Canceled, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.p.Fetch(tc.ctx)
			if err == nil {
				t.Fatal("Fetch succeeded")
			}
			var se *secrets.Error
			if !errors.As(err, &se) || se.Source != tc.p.Source() {
				t.Fatalf("%v: not a *secrets.Error naming %s", err, tc.p.Source())
			}
			if !errors.Is(err, tc.sentinel) {
				t.Fatalf("%v: does not wrap %v", err, tc.sentinel)
			}
			var ae *awssm.Error
			if got := errors.As(err, &ae); got != tc.call {
				t.Fatalf("%v: errors.As(*awssm.Error) = %v, want %v", err, got, tc.call)
			}
			if strings.Contains(err.Error(), value) {
				t.Fatal("error quotes the value")
			}
		})
	}
}
