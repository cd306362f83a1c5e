package hubspot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
	"github.com/hubkey/hubkey/signing"
)

const (
	signingKey   = "0f1e2d3c4b5a69788796a5b4c3d2e1f0-signing-key-for-tests"
	signingKeyID = "svc-billing"
)

var signingEpoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// signedWorld is a hubspottest server whose token requires a signature on
// sensitive calls, checked by a signing.Verifier.
type signedWorld struct {
	srv   *hubspottest.Server
	token string
	clk   *clock.Fake // the signers' and the verifier's clock
	v     *signing.Verifier

	contacts int
}

func newSignedWorld(t *testing.T) *signedWorld {
	t.Helper()
	w := &signedWorld{clk: clock.NewFake(signingEpoch)}
	keys := signing.NewKeySet()
	if err := keys.AddStatic(signingKeyID, secrets.New(signingKey)); err != nil {
		t.Fatal(err)
	}
	var err error
	w.v, err = signing.NewVerifier(keys, signing.WithClock(w.clk))
	if err != nil {
		t.Fatal(err)
	}
	w.srv = hubspottest.NewServer(t,
		hubspottest.WithSignatureVerifier(w.v),
		hubspottest.WithSignaturePolicy(hubspot.IsSensitive))
	w.token = w.srv.NewKey(keypolicy.Spec{Scopes: hubspottest.AllScopes, RequireSignature: true})
	return w
}

func (w *signedWorld) signer(t *testing.T, keyID, key string, opts ...signing.SignerOption) *signing.Signer {
	t.Helper()
	s, err := signing.NewSigner(signing.StaticKey(secrets.New(key)), keyID, append([]signing.SignerOption{signing.SignWithClock(w.clk)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (w *signedWorld) client(t *testing.T, opts ...hubspot.Option) *hubspot.Client {
	t.Helper()
	c, err := hubspot.New(append(append([]hubspot.Option{
		hubspot.WithToken(secretstest.NewStatic(w.token)),
		hubspot.WithBaseURL(w.srv.URL()),
		hubspot.WithRateLimit(hubspot.RateLimit{}),
		hubspot.WithSearchRateLimit(hubspot.RateLimit{}),
		hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}),
	}, versionOptions()...), opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// createContact creates a contact with an unsigned call: creating is not
// sensitive.
func (w *signedWorld) createContact(t *testing.T, c *hubspot.Client) string {
	t.Helper()
	w.contacts++
	email := fmt.Sprintf("contact%d@example.com", w.contacts)
	o, err := c.Contacts.Create(context.Background(), hubspot.ObjectInput{Properties: hubspot.Properties{"email": email}})
	if err != nil {
		t.Fatalf("create (not sensitive, unsigned): %v", err)
	}
	return o.ID
}

// wantSignatureRejected checks err is HubSpot's 401 with the signature
// reason in its message and context.
func wantSignatureRejected(t *testing.T, err error, subCategory, reason string) {
	t.Helper()
	var he *hubspot.Error
	if !errors.As(err, &he) {
		t.Fatalf("err = %v, want a *hubspot.Error", err)
	}
	if he.StatusCode != http.StatusUnauthorized || he.SubCategory != subCategory {
		t.Fatalf("got %d %s (%s), want 401 %s", he.StatusCode, he.SubCategory, he.Message, subCategory)
	}
	if got := he.Context["signatureReason"]; len(got) != 1 || got[0] != reason || !strings.Contains(he.Message, "("+reason+")") {
		t.Fatalf("reason %v, message %q; want %q", got, he.Message, reason)
	}
	secretstest.AssertNoLeak(t, "error", err.Error(), signingKey)
}

func TestWithSignerSignsSensitiveCalls(t *testing.T) {
	w := newSignedWorld(t)
	c := w.client(t, hubspot.WithSigner(w.signer(t, signingKeyID, signingKey), nil))
	ctx := context.Background()
	id := w.createContact(t, c)
	if err := c.Contacts.Archive(ctx, id); err != nil {
		t.Fatalf("signed archive: %v", err)
	}
	id2 := w.createContact(t, c)
	res, err := c.Contacts.BatchArchive(ctx, []string{id2})
	if err != nil || len(res.Items) != 1 || res.Items[0].Err != nil {
		t.Fatalf("signed batch archive: %v %+v", err, res)
	}
	for _, o := range w.srv.Objects("contacts") {
		if !o.Archived {
			t.Errorf("contact %s not archived", o.ID)
		}
	}
	signed := map[string]bool{} // by operation
	for _, call := range w.srv.Journal() {
		if op, _ := opOf(call); op != "" {
			signed[op] = call.Signed
		}
	}
	if !signed["crm.objects.archive"] || !signed["crm.objects.batch.archive"] {
		t.Errorf("sensitive calls not signed: %v", signed)
	}
	if signed["crm.objects.create"] {
		t.Error("a create was signed although the policy does not call it sensitive")
	}
}

func TestSignatureRequiredWithoutSigner(t *testing.T) {
	w := newSignedWorld(t)
	c := w.client(t)
	id := w.createContact(t, c)
	err := c.Contacts.Archive(context.Background(), id)
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	if !errors.Is(err, hubspot.ErrUnauthorized) {
		t.Errorf("errors.Is(err, ErrUnauthorized) = false for %v", err)
	}
}

func TestSignatureWrongKeyAndUnknownKey(t *testing.T) {
	w := newSignedWorld(t)
	plain := w.client(t)
	id := w.createContact(t, plain)

	wrong := w.client(t, hubspot.WithSigner(w.signer(t, signingKeyID, strings.Repeat("k", 40)), nil))
	wantSignatureRejected(t, wrong.Contacts.Archive(context.Background(), id), "SIGNATURE_INVALID", "bad_signature")

	unknown := w.client(t, hubspot.WithSigner(w.signer(t, "svc-unknown", signingKey), nil))
	wantSignatureRejected(t, unknown.Contacts.Archive(context.Background(), id), "SIGNATURE_INVALID", "unknown_key")
}

func TestSignatureStaleAndFuture(t *testing.T) {
	w := newSignedWorld(t)
	id := w.createContact(t, w.client(t))
	lagging, _ := signing.NewSigner(signing.StaticKey(secrets.New(signingKey)), signingKeyID,
		signing.SignWithClock(clock.NewFake(signingEpoch.Add(-signing.DefaultMaxAge-time.Minute))))
	wantSignatureRejected(t, w.client(t, hubspot.WithSigner(lagging, nil)).Contacts.Archive(context.Background(), id), "SIGNATURE_INVALID", "stale")

	ahead, _ := signing.NewSigner(signing.StaticKey(secrets.New(signingKey)), signingKeyID,
		signing.SignWithClock(clock.NewFake(signingEpoch.Add(time.Hour))))
	wantSignatureRejected(t, w.client(t, hubspot.WithSigner(ahead, nil)).Contacts.Archive(context.Background(), id), "SIGNATURE_INVALID", "future")
}

// recordingRT records each request it sends (with its body), so a test can
// replay or tamper with what the client signed.
type recordingRT struct {
	mu     sync.Mutex
	reqs   []*http.Request
	bodies [][]byte
	edit   func(*http.Request) // applied before sending, after signing
}

func (rt *recordingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	if rt.edit != nil {
		rt.edit(r2)
	}
	rt.mu.Lock()
	rt.reqs = append(rt.reqs, r.Clone(context.Background()))
	rt.bodies = append(rt.bodies, body)
	rt.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r2)
}

func TestSignatureReplayedAndTampered(t *testing.T) {
	w := newSignedWorld(t)
	ctx := context.Background()
	id := w.createContact(t, w.client(t))
	id2 := w.createContact(t, w.client(t))

	rec := &recordingRT{}
	c := w.client(t, hubspot.WithSigner(w.signer(t, signingKeyID, signingKey), nil), hubspot.WithHTTPClient(&http.Client{Transport: rec}))
	if err := c.Contacts.Archive(ctx, id); err != nil {
		t.Fatal(err)
	}
	// An eavesdropper resends the exact signed request.
	replay := rec.reqs[len(rec.reqs)-1].Clone(ctx)
	replay.RequestURI = ""
	resp, err := http.DefaultTransport.RoundTrip(replay)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		SubCategory string              `json:"subCategory"`
		Context     map[string][]string `json:"context"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 401 || body.SubCategory != "SIGNATURE_INVALID" || strings.Join(body.Context["signatureReason"], "") != "replayed" {
		t.Fatalf("replay: %d %+v", resp.StatusCode, body)
	}

	// A man in the middle points a signed delete at another contact.
	rec.edit = func(r *http.Request) {
		r.URL.Path = strings.Replace(r.URL.Path, id2, id, 1)
	}
	wantSignatureRejected(t, c.Contacts.Archive(ctx, id2), "SIGNATURE_INVALID", "bad_signature")

	// ... or rewrites the ids in a signed batch archive.
	rec.edit = func(r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		b = bytes.ReplaceAll(b, []byte(id2), []byte(id))
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
	}
	_, err = c.Contacts.BatchArchive(ctx, []string{id2})
	wantSignatureRejected(t, err, "SIGNATURE_INVALID", "bad_digest")
	for _, o := range w.srv.Objects("contacts") {
		if o.ID == id2 && o.Archived {
			t.Error("a tampered request archived the contact")
		}
	}
}

func TestSignatureFreshOnEveryRetry(t *testing.T) {
	w := newSignedWorld(t)
	plain := w.client(t)
	id := w.createContact(t, plain)
	// Two rate-limit answers: retried whatever the method, after Retry-After.
	w.srv.InjectFault(hubspottest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1", Count: 2, Method: "DELETE",
		PathPrefix: hubspot.PathFor(t, plain, "crm.objects.archive", "objectType", "contacts", "objectId", id)})
	clientClock := clock.NewFake(signingEpoch)
	rec := &recordingRT{}
	c := w.client(t,
		hubspot.WithSigner(w.signer(t, signingKeyID, signingKey), nil),
		hubspot.WithHTTPClient(&http.Client{Transport: rec}),
		hubspot.WithClock(clientClock),
		hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Second, MaxDelay: time.Second, MaxRetryAfter: time.Minute}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // let the retry backoff pass on the client's fake clock
		for clientClock.WaitForTimers(ctx, 1) == nil {
			clientClock.AdvanceToNext()
		}
	}()
	if err := c.Contacts.Archive(ctx, id); err != nil {
		t.Fatalf("archive after two 429s: %v", err)
	}
	nonces := map[string]bool{}
	for _, r := range rec.reqs {
		if r.Method != "DELETE" {
			continue
		}
		in, err := signing.ParseSignatureInput(r.Header.Get("Signature-Input"))
		if err != nil {
			t.Fatal(err)
		}
		nonces[in[0].Nonce] = true
	}
	if len(nonces) != 3 {
		t.Fatalf("%d distinct nonces over 3 attempts; each attempt must be signed afresh", len(nonces))
	}
}

func TestWithSignerUnderGatewayPrefix(t *testing.T) {
	// A gateway at /hubspot: the default policy applies under the prefix,
	// so a batch archive is signed there too.
	w := newSignedWorld(t)
	var mu sync.Mutex
	var verified []string
	gateway := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if err := w.v.VerifyRequest(r); err != nil {
			http.Error(rw, err.Error(), http.StatusUnauthorized)
			return
		}
		mu.Lock()
		verified = append(verified, r.Method+" "+r.URL.Path)
		mu.Unlock()
		rw.WriteHeader(http.StatusNoContent)
	}))
	defer gateway.Close()
	c, err := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic("pat-na1-00000000-0000-4000-8000-000000000000")),
		hubspot.WithBaseURL(gateway.URL+"/hubspot"),
		hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}),
		hubspot.WithRateLimit(hubspot.RateLimit{}),
		hubspot.WithSigner(w.signer(t, signingKeyID, signingKey), nil))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Contacts.BatchArchive(context.Background(), []string{"42"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(verified) != 1 || verified[0] != "POST /hubspot"+hubspot.PathFor(t, c, "crm.objects.batch.archive", "objectType", "contacts") {
		t.Fatalf("gateway verified %v", verified)
	}
}

// IsSensitive names the catalogue's sensitive operations in every version
// and HubSpot's other destructive, exporting and mail-sending calls, and
// cannot be dodged by the spelling of a path.
func TestIsSensitive(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		want         bool
	}{
		// Deletes and archives, single and batch, in every version.
		{"DELETE", "/crm/v3/objects/contacts/1", true},
		{"DELETE", "/crm/objects/2026-03/contacts/1", true},
		{"DELETE", "/crm/v4/objects/contacts/1/associations/companies/2", true},
		{"DELETE", "/crm/v3/properties/contacts/favorite_food", true},
		{"DELETE", "/webhooks/v3/7/subscriptions/9", true},
		{"DELETE", "/settings/v3/users/5", true},
		{"POST", "/crm/v3/objects/contacts/batch/archive", true},
		{"POST", "/crm/objects/2025-09/contacts/batch/archive", true},
		{"POST", "/crm/v4/associations/contacts/companies/batch/archive", true},
		{"POST", "/crm/associations/2026-09/contacts/companies/batch/archive", true},
		{"POST", "/crm/v3/properties/contacts/batch/archive", true},
		// GDPR delete and merges.
		{"POST", "/crm/v3/objects/contacts/gdpr-delete", true},
		{"POST", "/crm/v3/objects/companies/merge", true},
		{"POST", "/crm/objects/2026-03/contacts/merge", true},
		// Exports and imports, which the catalogue does not list.
		{"POST", "/crm/v3/exports/export/async", true},
		{"GET", "/crm/v3/exports/export/async/tasks/77/status", true},
		{"POST", "/crm/v3/imports", true},
		{"POST", "/crm/v3/imports/12/cancel", true},
		{"GET", "/crm/v3/imports/12", true},
		// User and team management.
		{"POST", "/settings/v3/users", true},
		{"PUT", "/settings/v3/users/5", true},
		{"GET", "/settings/v3/users", false},
		{"GET", "/settings/v3/users/teams", false},
		// Email sends.
		{"POST", "/marketing/v3/transactional/single-email/send", true},
		{"POST", "/marketing/v4/email/single-send", true},
		{"POST", "/marketing/v3/emails/123/publish", true},
		{"POST", "/marketing/emails/2026-09/123/publish", true},
		{"POST", "/email/public/v1/singleEmail/send", true},
		// Ordinary reads and writes are not sensitive.
		{"GET", "/crm/v3/objects/contacts/1", false},
		{"GET", "/crm/objects/2026-03/contacts/1", false},
		{"POST", "/crm/v3/objects/contacts", false},
		{"PATCH", "/crm/v3/objects/contacts/1", false},
		{"POST", "/crm/v3/objects/contacts/search", false},
		{"POST", "/crm/v3/objects/contacts/batch/read", false},
		{"POST", "/crm/v3/objects/contacts/batch/upsert", false},
		{"GET", "/marketing/v3/emails/123", false},
		{"", "/crm/v3/objects/contacts/1", false}, // no method: GET
		// Not dodged by case, dot segments, doubled or trailing slashes,
		// an escaped slash or escaped letters, nor by hiding the call in
		// a path parameter of a call that is not sensitive.
		{"POST", "/CRM/V3/Objects/Contacts/MERGE", true},
		{"post", "/crm/v3/objects/contacts/merge", true},
		{"POST", "/crm/v3/objects/deals/../contacts/merge", true},
		{"POST", "//crm/v3/objects/contacts/merge", true},
		{"POST", "/crm/v3/objects/contacts/merge/", true},
		{"POST", "/crm/v3/objects/contacts%2Fmerge", true},
		{"POST", "/crm/v3/objects/contacts/%6Derge", true},
		{"GET", "/crm/v3/objects/contacts/..%2F..%2Fexports%2Fexport%2Fasync", true},
	} {
		u, err := url.Parse("https://api.hubapi.com" + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		r := &http.Request{Method: tc.method, URL: u}
		if got := hubspot.IsSensitive(r); got != tc.want {
			t.Errorf("%s %s: IsSensitive = %v, want %v", tc.method, tc.path, got, tc.want)
		}
	}
	if hubspot.IsSensitive(nil) || hubspot.IsSensitive(&http.Request{Method: "DELETE"}) {
		t.Error("a request without a URL is sensitive")
	}
}

// WithSigner signs the sensitive calls, typed or not, and what its policy
// adds, under the base URL's path prefix; nothing else.
func TestWithSignerSignsWhatIsSensitiveAndWhatThePolicyAdds(t *testing.T) {
	var mu sync.Mutex
	signed := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		signed[r.Method+" "+r.URL.EscapedPath()] = r.Header.Get("Signature") != ""
		mu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		rw.Write([]byte(`{"id":"1","properties":{}}`))
	}))
	defer srv.Close()
	w := newSignedWorld(t)
	c, err := hubspot.New(
		hubspot.WithAPIVersion("numbered"), // the policy's rule names a numbered path
		hubspot.WithToken(secretstest.NewStatic("pat-na1-00000000-0000-4000-8000-000000000000")),
		hubspot.WithBaseURL(srv.URL+"/gw"),
		hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}),
		hubspot.WithRateLimit(hubspot.RateLimit{}),
		hubspot.WithSigner(w.signer(t, signingKeyID, signingKey), signing.MustPolicy("POST /crm/*/objects/deals")))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Deals.Create(ctx, hubspot.ObjectInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Contacts.Create(ctx, hubspot.ObjectInput{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Contacts.Archive(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"GET", "DELETE"} {
		req, _ := http.NewRequest(m, c.BaseURL()+"/crm/v3/lists/1", nil)
		res, err := c.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string]bool{
		"POST /gw/crm/v3/objects/deals":        true, // the policy's
		"POST /gw/crm/v3/objects/contacts":     false,
		"DELETE /gw/crm/v3/objects/contacts/1": true, // the catalogue's
		"GET /gw/crm/v3/lists/1":               false,
		"DELETE /gw/crm/v3/lists/1":            true, // not in the catalogue: by path
	}
	for call, w := range want {
		if got, ok := signed[call]; !ok || got != w {
			t.Errorf("%s: signed %v (sent %v), want signed %v", call, got, ok, w)
		}
	}
}

func TestWithSignerNil(t *testing.T) {
	if _, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic("x")), hubspot.WithSigner(nil, nil)); err == nil {
		t.Fatal("WithSigner(nil) accepted")
	}
}

// A client that signs its sensitive calls, against a hubspottest server
// whose token requires a signature on them.
func ExampleWithSigner() {
	key := secrets.New("0f1e2d3c4b5a69788796a5b4c3d2e1f0-signing-key")

	// The server side: a verifier that knows the key as "svc-billing".
	keys := signing.NewKeySet()
	if err := keys.AddStatic("svc-billing", key); err != nil {
		panic(err)
	}
	v, err := signing.NewVerifier(keys)
	if err != nil {
		panic(err)
	}
	srv, err := hubspottest.Start(hubspottest.WithSignatureVerifier(v), hubspottest.WithSignaturePolicy(hubspot.IsSensitive))
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	token := srv.NewKey(keypolicy.Spec{Scopes: hubspottest.AllScopes, RequireSignature: true})

	// The client side: the same key, from any secrets provider.
	signer, err := signing.NewSigner(signing.StaticKey(key), "svc-billing")
	if err != nil {
		panic(err)
	}
	for _, opts := range [][]hubspot.Option{nil, {hubspot.WithSigner(signer, nil)}} {
		c, err := hubspot.New(append([]hubspot.Option{hubspot.WithToken(secretstest.NewStatic(token)), hubspot.WithBaseURL(srv.URL())}, opts...)...)
		if err != nil {
			panic(err)
		}
		ctx := context.Background()
		contact, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": fmt.Sprintf("c%d@example.com", len(opts))}})
		if err != nil {
			panic(err)
		}
		err = c.Contacts.Archive(ctx, contact.ID)
		var he *hubspot.Error
		if errors.As(err, &he) {
			fmt.Println("archive:", he.StatusCode, he.SubCategory, he.Context["signatureReason"])
		} else {
			fmt.Println("archive:", err)
		}
		c.Close()
	}
	// Output:
	// archive: 401 SIGNATURE_REQUIRED [unsigned]
	// archive: <nil>
}
