package leakcheck_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// canaryFileURLToken is the signature of a file's signed URL, or of a
// presigned URL a file is imported from: each is a credential of its own.
const canaryFileURLToken = "canary-file-url-sig-7c1e4b2a-9d3f-4e8a-b6c5-1f2e3d4c5b6a"

// A private file's signed URL, from the signed-url answer to the
// download: the result prints it redacted, no error quotes it (a refused
// scheme, user info, a file host that answers 404, a dead host, a
// redirect loop, an answer that does not decode), and the file host gets
// no bearer token or developer key.
func TestLeakHubSpotFileSignedURL(t *testing.T) {
	rec := leakcheck.New()
	ctx := context.Background()
	var mu sync.Mutex
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		rec.Add("file host received", fmt.Sprintf("%v", r.Header))
		mu.Unlock()
		if r.URL.Path == "/loop" {
			http.Redirect(w, r, "/loop?sig="+canaryFileURLToken, http.StatusFound)
			return
		}
		http.NotFound(w, r)
	}))
	defer files.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	for name, answer := range map[string]string{
		"404":    fmt.Sprintf(`{"url": %q, "expiresAt": "2026-03-01T09:00:00Z"}`, files.URL+"/f.pdf?sig="+canaryFileURLToken),
		"loop":   fmt.Sprintf(`{"url": %q, "expiresAt": "2026-03-01T09:00:00Z"}`, files.URL+"/loop?sig="+canaryFileURLToken),
		"dead":   fmt.Sprintf(`{"url": %q, "expiresAt": "2026-03-01T09:00:00Z"}`, deadURL+"/f.pdf?sig="+canaryFileURLToken),
		"http":   fmt.Sprintf(`{"url": %q, "expiresAt": "2026-03-01T09:00:00Z"}`, "http://files.example.com/f.pdf?sig="+canaryFileURLToken),
		"user":   fmt.Sprintf(`{"url": %q, "expiresAt": "2026-03-01T09:00:00Z"}`, "https://"+canaryFileURLToken+"@files.example.com/f.pdf"),
		"bad":    fmt.Sprintf(`{"url": %q, "expiresAt": "2026-03-01T09:00:00Z"}`, "https://files.example.com/%zz?sig="+canaryFileURLToken),
		"scheme": fmt.Sprintf(`{"url": %q, "expiresAt": "2026-03-01T09:00:00Z"}`, "gopher://files.example.com/"+canaryFileURLToken),
		"decode": fmt.Sprintf(`{"url": %q, "expiresAt": %q}`, files.URL+"/f.pdf?sig="+canaryFileURLToken, canaryFileURLToken),
		"type":   fmt.Sprintf(`{"url": %s}`, canaryFileURLToken),
	} {
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprint(w, answer)
		}))
		c := newClient(t, rec, api.URL, secretstest.NewStatic(canaryToken), hubspot.WithDeveloperKey(secretstest.NewStatic(clientScenarioDevKey)))
		su, err := c.Files.SignedURL(ctx, "7", nil)
		rec.Err(name+" signed url", err)
		rec.Dump(name+" signed url result", su)
		if su != nil {
			_, err = c.Files.Download(ctx, su, nil)
			rec.Err(name+" download", err)
		}
		api.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	rec.Check(t, canaryFileURLToken, canaryToken, clientScenarioDevKey)
}

// The presigned URL a file is imported from: the request prints it
// redacted, and no error quotes it, whether the client refuses it or
// HubSpot's answer fails, quoting the URL it was sent or not.
func TestLeakHubSpotFileImportURL(t *testing.T) {
	rec := leakcheck.New()
	ctx := context.Background()
	var n atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			URL string `json:"url"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		w.Header().Set("Content-Type", "application/json")
		if n.Add(1)%2 == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = fmt.Fprint(w, `{"status": "error", "category": "INTERNAL_ERROR", "message": "try again"}`)
			return
		}
		// A validation error that quotes what it was sent, in the
		// message and in the error's context.
		w.WriteHeader(http.StatusBadRequest)
		q, _ := json.Marshal(in.URL)
		_, _ = fmt.Fprintf(w, `{"status": "error", "category": "VALIDATION_ERROR", "message": "cannot fetch %s", "context": {"url": [%s]}, "errors": [{"message": "bad url %s"}]}`,
			strings.Trim(string(q), `"`), q, strings.Trim(string(q), `"`))
	}))
	defer api.Close()
	c := newClient(t, rec, api.URL, secretstest.NewStatic(canaryToken))
	opts := hubspot.FileOptions{Access: hubspot.FilePrivate, FolderPath: "/in"}
	for name, u := range map[string]string{
		"ok":     "https://files.example.com/a.png?sig=" + canaryFileURLToken,
		"ok2":    "https://files.example.com/b.png?X-Amz-Signature=" + canaryFileURLToken,
		"scheme": "gopher://files.example.com/" + canaryFileURLToken,
		"bad":    "https://files.example.com/%zz?sig=" + canaryFileURLToken,
		"host":   "https:///" + canaryFileURLToken,
	} {
		in := hubspot.FileImport{URL: secrets.New(u), FileOptions: opts}
		rec.Dump(name+" request", in)
		_, err := c.Files.ImportFromURL(ctx, in)
		rec.Err(name+" import", err)
		var he *hubspot.Error
		if errors.As(err, &he) {
			rec.Dump(name+" error", he)
		}
	}
	rec.Check(t, canaryFileURLToken, canaryToken)
}
