// Command signed-sensitive-calls signs the HubSpot calls that can destroy
// data (deletes, archives, merges, GDPR deletes, ...) with RFC 9421 HTTP
// Message Signatures, and shows a verifier in front of HubSpot refusing a
// stolen token's attempts to misuse them. The signing key, like the token,
// comes from the environment through a secrets.Cache. An in-memory HubSpot
// (hubspottest) plays HubSpot with the verifier in front, as a gateway
// would; the token it issues must sign sensitive calls. The example
// archives a contact with a signed call, then sends by hand, with
// net/http, a copy of that signed request aimed at another contact
// (tampered) and the signed request once more (replayed): both are
// rejected, with the reason. It prints fingerprints, never a secret.
//
//	go run ./examples/signed-sensitive-calls
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/env"
	"github.com/hubkey/hubkey/signing"
)

const (
	tokenVar = "HUBKEY_EXAMPLE_HUBSPOT_TOKEN"
	keyVar   = "HUBKEY_EXAMPLE_SIGNING_KEY"
	keyID    = "svc-crm-sync"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, os.Stdout, os.LookupEnv, os.Setenv); err != nil {
		fmt.Fprintln(os.Stderr, "signed-sensitive-calls example:", err)
		os.Exit(1)
	}
}

// run runs the example, writing to out; the token and signing key are put
// in the environment with setenv and read back with lookup.
func run(ctx context.Context, out io.Writer, lookup func(string) (string, bool), setenv func(k, v string) error) error {
	say := func(format string, args ...any) { fmt.Fprintf(out, "==> "+format+"\n", args...) }

	// The signing key, shared by the service and the verifier in front of
	// HubSpot, lives where secrets live; here, the environment.
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	if err := setenv(keyVar, hex.EncodeToString(raw)); err != nil {
		return err
	}
	keyProv, err := env.New(keyVar, env.WithLookup(lookup))
	if err != nil {
		return err
	}
	key, err := secrets.NewCache(keyProv)
	if err != nil {
		return err
	}
	defer key.Close()

	// The verifier, and HubSpot behind it: the token must sign what
	// hubspot.IsSensitive calls sensitive, which is what the client signs.
	keys := signing.NewKeySet()
	if err := keys.Add(keyID, key); err != nil {
		return err
	}
	verifier, err := signing.NewVerifier(keys)
	if err != nil {
		return err
	}
	srv, err := hubspottest.Start(
		hubspottest.WithSignatureVerifier(verifier),
		hubspottest.WithSignaturePolicy(hubspot.IsSensitive))
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := setenv(tokenVar, srv.NewKey(keypolicy.Spec{
		Name:             "crm-sync",
		Scopes:           []string{"crm.objects.contacts.read", "crm.objects.contacts.write"},
		RequireSignature: true,
	})); err != nil {
		return err
	}
	tokProv, err := env.New(tokenVar, env.WithLookup(lookup))
	if err != nil {
		return err
	}
	token, err := secrets.NewCache(tokProv)
	if err != nil {
		return err
	}
	defer token.Close()
	kv, err := key.Get(ctx)
	if err != nil {
		return err
	}
	say("HubSpot at %s behind an RFC 9421 verifier; key %q = %s", srv.URL(), keyID, kv.Value.Fingerprint())

	// The service: a client that signs sensitive calls with the key. A
	// recorder below it keeps the last request as sent, for the attacks.
	signer, err := signing.NewSigner(key, keyID)
	if err != nil {
		return err
	}
	rec := &recorder{next: http.DefaultTransport}
	client, err := hubspot.New(
		hubspot.WithToken(token),
		hubspot.WithBaseURL(srv.URL()),
		hubspot.WithSigner(signer, nil),
		hubspot.WithHTTPClient(&http.Client{Transport: rec, Timeout: 10 * time.Second}),
		hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}),
	)
	if err != nil {
		return err
	}
	defer client.Close()

	var ids []string
	for _, email := range []string{"ada@example.com", "grace@example.com"} {
		c, err := client.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": email}})
		if err != nil {
			return fmt.Errorf("create: %w", err)
		}
		ids = append(ids, c.ID)
	}
	say("created contacts %s and %s (not sensitive: unsigned)", ids[0], ids[1])

	if err := client.Contacts.Archive(ctx, ids[0]); err != nil {
		return fmt.Errorf("signed archive: %w", err)
	}
	signed := rec.last()
	if signed == nil || signed.header.Get("Signature") == "" {
		return fmt.Errorf("the archive went out without a Signature field")
	}
	say("archived contact %s with a signed call: accepted (Signature-Input: %s)", ids[0], signed.header.Get("Signature-Input"))

	// The attacks, sent by hand by someone who captured that request,
	// token and signature included.
	hc := &http.Client{Timeout: 10 * time.Second}
	attacks := []struct {
		what string
		url  string
		sign bool
	}{
		{"unsigned archive of " + ids[1], srv.URL() + "/crm/v3/objects/contacts/" + ids[1], false},
		{"tampered: the signed request re-aimed at " + ids[1], srv.URL() + "/crm/v3/objects/contacts/" + ids[1], true},
		{"replayed: the signed request sent again", signed.url, true},
	}
	for _, a := range attacks {
		req, err := http.NewRequestWithContext(ctx, signed.method, a.url, bytes.NewReader(signed.body))
		if err != nil {
			return err
		}
		for k, vs := range signed.header {
			if !a.sign && (k == "Signature" || k == "Signature-Input" || k == "Content-Digest") {
				continue
			}
			req.Header[k] = append([]string(nil), vs...)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		status, reason, err := rejection(resp)
		if err != nil {
			return err
		}
		if status != http.StatusUnauthorized {
			return fmt.Errorf("%s: got status %d, want 401", a.what, status)
		}
		say("%s: rejected (%d, reason %s)", a.what, status, reason)
	}

	for _, o := range srv.Objects("contacts") {
		if o.ID == ids[1] && o.Archived {
			return fmt.Errorf("contact %s was archived by an attack", ids[1])
		}
	}
	say("contact %s is untouched; only the signed call changed anything", ids[1])
	return nil
}

// rejection reads HubSpot's error body and returns the status and the
// signature reason the verifier gave.
func rejection(resp *http.Response) (int, string, error) {
	defer resp.Body.Close()
	body, err := secrets.ReadLimited(resp.Body, 64<<10)
	if err != nil {
		return 0, "", err
	}
	var e struct {
		Context map[string][]string `json:"context"`
	}
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(body, &e); err != nil {
			return 0, "", fmt.Errorf("decoding the %d error body: %w", resp.StatusCode, err)
		}
	}
	return resp.StatusCode, strings.Join(e.Context["signatureReason"], ","), nil
}

// sent is a request as it went on the wire.
type sent struct {
	method, url string
	header      http.Header
	body        []byte
}

// recorder is an http.RoundTripper that keeps a copy of the last request.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	req  *sent
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	s := &sent{method: req.Method, url: req.URL.String(), header: req.Header.Clone()}
	if req.Body != nil && req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		s.body, err = io.ReadAll(io.LimitReader(b, 1<<20))
		b.Close()
		if err != nil {
			return nil, err
		}
	}
	r.mu.Lock()
	r.req = s
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func (r *recorder) last() *sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.req
}
