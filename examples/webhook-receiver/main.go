// Command webhook-receiver shows an endpoint for HubSpot webhooks that
// verifies HubSpot's v3 signatures while the app's client secret is being
// rotated: the verifier holds the new secret and the old one, so deliveries
// signed with either are accepted, while a forged delivery and a stale one
// (a captured request replayed after HubSpot's five-minute window) are
// rejected with the reason. It starts the receiver on loopback and sends the
// four requests itself, the way HubSpot would; no account is needed.
//
//	go run ./examples/webhook-receiver
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/hubspot/webhook"
	"github.com/hubkey/hubkey/secrets"
)

// Example values; a real receiver reads its client secrets from a provider.
const (
	//hubkeyvet:ignore the example's made-up client secret; it signs for a local receiver only
	oldSecret = "11111111-aaaa-bbbb-cccc-000000000001"
	//hubkeyvet:ignore the example's made-up client secret; it signs for a local receiver only
	newSecret = "22222222-dddd-eeee-ffff-000000000002"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "webhook-receiver example:", err)
		os.Exit(1)
	}
}

// run runs the example, writing to out.
func run(ctx context.Context, out io.Writer) error {
	say := func(format string, args ...any) { fmt.Fprintf(out, "==> "+format+"\n", args...) }
	oldS, newS := secrets.New(oldSecret), secrets.New(newSecret)

	// The receiver: accepts the new secret and, while the rotation
	// settles, the old one; v3 only (v1 and v2 can be replayed forever).
	v, err := webhook.NewVerifier(webhook.WithSecrets(newS, oldS), webhook.WithVersions(webhook.V3))
	if err != nil {
		return err
	}
	var mu sync.Mutex
	var received []webhook.Event
	h := webhook.Handler(v, func(_ context.Context, events []webhook.Event) error {
		mu.Lock()
		defer mu.Unlock()
		received = append(received, events...)
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	url := srv.URL + "/hubspot/events"
	say("webhook receiver at %s accepting client secrets %s (new) and %s (old)", url, newS.Fingerprint(), oldS.Fingerprint())

	now := time.Now()
	deliveries := []struct {
		what   string
		secret secrets.Secret
		at     time.Time
	}{
		{"signed with the old secret", oldS, now},
		{"signed with the new secret", newS, now},
		//hubkeyvet:ignore a deliberately wrong secret: the example shows a forged delivery refused
		{"forged (signed with a guessed secret)", secrets.New("not-the-app-secret"), now},
		{"stale (signed 10 minutes ago, replayed)", newS, now.Add(-10 * time.Minute)},
	}
	for i, d := range deliveries {
		body := fmt.Sprintf(`[{"eventId":%d,"subscriptionId":1,"portalId":62515,"appId":54321,"occurredAt":%d,`+
			`"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":%d,"propertyName":"email",`+
			`"propertyValue":"ada@example.com","changeSource":"CRM_UI"}]`, i+1, d.at.UnixMilli(), 100+i)
		ts := strconv.FormatInt(d.at.UnixMilli(), 10)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(webhook.HeaderTimestamp, ts)
		req.Header.Set(webhook.HeaderSignatureV3, webhook.SignatureV3(d.secret, http.MethodPost, url, []byte(body), ts))
		resp, err := srv.Client().Do(req)
		if err != nil {
			return err
		}
		reason, err := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		resp.Body.Close()
		if err != nil {
			return err
		}
		switch {
		case resp.StatusCode == http.StatusNoContent:
			say("delivery %s: accepted (%d)", d.what, resp.StatusCode)
		default:
			say("delivery %s: rejected (%d: %s)", d.what, resp.StatusCode, strings.TrimSpace(string(reason)))
		}
	}

	mu.Lock()
	defer mu.Unlock()
	say("%d event(s) reached the application", len(received))
	if len(received) != 2 {
		return fmt.Errorf("expected the 2 genuine deliveries to reach the application, got %d events", len(received))
	}
	return nil
}
