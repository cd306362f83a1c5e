package leakcheck_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/file"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// echoAuth answers every request with status and a HubSpot-shaped error
// body that repeats the request's Authorization header, query string and
// body everywhere a client might print from.
func echoAuth(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		echo := r.Header.Get("Authorization") + " " + r.URL.RawQuery + " " + string(body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", echo)
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"status":        "error",
			"message":       "you sent " + echo,
			"correlationId": echo,
			"category":      "RATE_LIMITS",
			"policyName":    "DAILY",
			"errors":        []map[string]any{{"message": echo, "context": map[string][]string{"token": {echo}}}},
			"context":       map[string][]string{"echo": {echo}},
			"links":         map[string]string{"docs": "https://example.com/?t=" + echo},
		})
	}
}

func newClient(t *testing.T, rec *leakcheck.Recorder, base string, src hubspot.TokenSource, opts ...hubspot.Option) *hubspot.Client {
	t.Helper()
	c, err := hubspot.New(append([]hubspot.Option{
		hubspot.WithToken(src),
		hubspot.WithBaseURL(base),
		hubspot.WithLogger(rec.Logger()),
		hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxRetryAfter: time.Millisecond}),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// exercise makes one call of each kind and records every error.
func exercise(ctx context.Context, rec *leakcheck.Recorder, name string, c *hubspot.Client) {
	_, err := c.Contacts.Get(ctx, "1", &hubspot.GetOptions{Properties: []string{"email"}})
	rec.Err(name+" get", err)
	_, err = c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "a@example.com"}})
	rec.Err(name+" create", err)
	_, err = c.Contacts.Search(ctx, &hubspot.SearchRequest{Query: "x"})
	rec.Err(name+" search", err)
	res, err := c.Contacts.BatchUpsert(ctx, []hubspot.BatchInput{{IDProperty: "email", ID: "b@example.com", Properties: hubspot.Properties{"firstname": "B"}}})
	rec.Err(name+" batch", err)
	if res != nil {
		for _, it := range res.Items {
			rec.Err(name+" batch item", it.Err)
		}
		rec.Dump(name+" batch result", res)
	}
	for _, err := range c.Contacts.All(ctx, nil) {
		rec.Err(name+" all", err)
		if err != nil {
			break
		}
	}
}

func TestLeakHubSpotClientFailurePaths(t *testing.T) {
	rec := leakcheck.New()
	ctx := context.Background()
	token := secretstest.NewStatic(canaryToken)

	// Hostile servers echoing the credential back in every field.
	for _, status := range []int{302, 401, 403, 404, 409, 429, 500, 502} { // a 302 without Location comes back unfollowed
		srv := httptest.NewServer(echoAuth(status))
		c := newClient(t, rec, srv.URL, token)
		exercise(ctx, rec, http.StatusText(status), c)
		srv.Close()
	}

	// Connection refused.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := "http://" + ln.Addr().String()
	ln.Close()
	exercise(ctx, rec, "refused", newClient(t, rec, refused, token))

	// TLS failure: https to a plain HTTP listener.
	plain := httptest.NewServer(echoAuth(200))
	defer plain.Close()
	exercise(ctx, rec, "tls", newClient(t, rec, "https"+plain.URL[len("http"):], token))

	// Redirect to another host, which echoes whatever it receives.
	other := httptest.NewServer(echoAuth(500))
	defer other.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	exercise(ctx, rec, "redirect", newClient(t, rec, redirector.URL, token))

	// Context cancelled mid-request.
	stop := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer hang.Close()
	defer close(stop)
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	exercise(cctx, rec, "cancelled", newClient(t, rec, hang.URL, token))
	cancel()

	// Invalid base URLs, some carrying the token where it must not be.
	for _, base := range []string{
		"http://api.hubapi.com",
		"https://user:" + canaryToken + "@api.hubapi.com",
		"https://api.hubapi.com/?hapikey=" + canaryToken,
		"::not a url " + canaryToken,
	} {
		_, err := hubspot.New(hubspot.WithToken(token), hubspot.WithBaseURL(base))
		if err == nil {
			t.Errorf("New accepted base URL %d", len(base))
		}
		rec.Err("base url", err)
	}

	// A provider that fails with the secret in a malformed payload.
	bad := filepath.Join(t.TempDir(), "token.json")
	_ = os.WriteFile(bad, []byte(`{"token": "`+canaryToken), 0o600)
	fp, _ := file.New(bad, file.WithJSONField("token"))
	fpCache, err := secrets.NewCache(fp, secrets.WithLogger(rec.Logger()))
	if err != nil {
		t.Fatal(err)
	}
	defer fpCache.Close()
	exercise(ctx, rec, "provider error", newClient(t, rec, plain.URL, fpCache))

	// A client and its cache holding a fetched token, dumped before any
	// connection exists (a live http.Transport cannot be dumped without
	// racing its connection goroutines).
	cache, _ := secrets.NewCache(token)
	defer cache.Close()
	if _, err := cache.Get(ctx); err != nil {
		t.Fatal(err)
	}
	fresh := newClient(t, rec, plain.URL, cache)
	rec.Dump("client", fresh)
	rec.Dump("cache", cache)
	rec.Testify("client vs nil", fresh, nil)
	rec.Check(t, canaryToken)
	n, size := rec.Outputs()
	t.Logf("client failure paths: %d outputs, %d bytes scanned", n, size)
}

// Against hubspottest: revoked, unscoped, rate-limited and rotated tokens,
// with the server's journal and the client dumped too.
func TestLeakHubSpotAgainstHubSpotTest(t *testing.T) {
	rec := leakcheck.New()
	// With 3 calls an hour the client's limiter would wait for the next
	// slot; a deadline makes it fail at once instead.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := hubspottest.NewServer(t, hubspottest.WithLogger(rec.Logger()), hubspottest.WithRateLimit(hubspottest.RateLimit{Max: 3, Interval: time.Hour}))
	full := srv.NewToken(hubspottest.AllScopes...)
	readOnly := srv.NewToken("crm.objects.contacts.read")
	revoked := srv.NewToken(hubspottest.AllScopes...)
	srv.RevokeToken(revoked)

	for name, tok := range map[string]string{"full": full, "read-only": readOnly, "revoked": revoked} {
		p := secretstest.NewStatic(tok)
		cache, _ := secrets.NewCache(p, secrets.WithLogger(rec.Logger()))
		c := newClient(t, rec, srv.URL(), cache)
		exercise(ctx, rec, name, c) // the limit of 3 per hour gives 429s too
		cache.Close()
		rec.Dump(name+" cache", cache)
	}
	rotated := srv.RotateToken(full, hubspottest.ExpireNow)
	p := secretstest.NewStatic(full)
	c := newClient(t, rec, srv.URL(), p)
	_, err := c.Contacts.Get(ctx, "1", nil)
	rec.Err("rotated away", err)
	p.Rotate(rotated)
	_, err = c.Contacts.Get(ctx, "1", nil)
	rec.Err("after rotation", err)

	for _, call := range srv.Journal() {
		b, _ := json.Marshal(call)
		rec.Add("journal", string(b))
	}
	rec.Dump("journal", srv.Journal())
	var herr *hubspot.Error
	if errors.As(err, &herr) {
		rec.Dump("hubspot.Error", herr)
	}
	rec.Check(t, full, readOnly, revoked, rotated)
}
