// Command webhook-receiver shows an endpoint for HubSpot webhooks that
// verifies HubSpot's v3 signatures while the app's client secret is being
// rotated. The receiver reads its client secret through a secrets.Cache;
// when the cache adopts the new secret, the old one is still accepted for
// webhook.DefaultPreviousGrace (15 minutes) and refused after it. A forged
// delivery, a stale one (a captured request replayed after HubSpot's
// five-minute window) and a replay with its v3 headers stripped (v1 and v2
// are refused by default: they carry no timestamp) are rejected with the
// reason. It starts the receiver on loopback and sends the requests itself,
// the way HubSpot would, on a simulated clock so that the grace can end
// without waiting; no account is needed.
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

	"github.com/hubkey/hubkey/clock"
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

	// Simulated time: the receiver and the sender read this clock, and the
	// example moves it past the grace instead of waiting 15 minutes. A
	// real receiver leaves WithClock out.
	clk := clock.NewFake(time.Now())

	// Where the client secret lives: a real receiver uses a provider
	// (secrets/env, secrets/file, Vault, AWS Secrets Manager...).
	var mu sync.Mutex
	current := oldS
	store := secrets.ProviderFunc(func(context.Context) (secrets.Version, error) {
		mu.Lock()
		defer mu.Unlock()
		return secrets.Version{Value: current, ID: current.Fingerprint(), Source: "example store", FetchedAt: clk.Now()}, nil
	})
	cache, err := secrets.NewCache(store, secrets.WithClock(clk))
	if err != nil {
		return err
	}
	defer cache.Close()

	// The receiver: v3 only (the default), the cache's secret, and the
	// previous one for DefaultPreviousGrace after a rotation.
	v, err := webhook.NewVerifier(webhook.WithSecretSource(cache), webhook.WithClock(clk))
	if err != nil {
		return err
	}
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
	say("webhook receiver at %s, client secret %s", url, oldS.Fingerprint())

	n := 0
	deliver := func(what string, secret secrets.Secret, at time.Time, v1Only bool) error {
		n++
		body := fmt.Sprintf(`[{"eventId":%d,"subscriptionId":1,"portalId":62515,"appId":54321,"occurredAt":%d,`+
			`"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":%d,"propertyName":"email",`+
			`"propertyValue":"ada@example.com","changeSource":"CRM_UI"}]`, n, at.UnixMilli(), 100+n)
		ts := strconv.FormatInt(at.UnixMilli(), 10)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		// HubSpot sends a v1 signature next to the v3 one.
		req.Header.Set(webhook.HeaderSignatureVersion, "v1")
		req.Header.Set(webhook.HeaderSignature, webhook.SignatureV1(secret, []byte(body)))
		if !v1Only {
			req.Header.Set(webhook.HeaderTimestamp, ts)
			req.Header.Set(webhook.HeaderSignatureV3, webhook.SignatureV3(secret, http.MethodPost, url, []byte(body), ts))
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			return err
		}
		reason, err := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusNoContent {
			say("delivery %s: accepted (%d)", what, resp.StatusCode)
		} else {
			say("delivery %s: rejected (%d: %s)", what, resp.StatusCode, strings.TrimSpace(string(reason)))
		}
		return nil
	}

	steps := []func() error{
		func() error { return deliver("signed with the old secret", oldS, clk.Now(), false) },
		func() error {
			mu.Lock()
			current = newS
			mu.Unlock()
			if _, err := cache.Refresh(ctx); err != nil {
				return err
			}
			say("client secret rotated to %s; %s stays accepted for %v", newS.Fingerprint(), oldS.Fingerprint(), webhook.DefaultPreviousGrace)
			return nil
		},
		func() error { return deliver("signed with the new secret", newS, clk.Now(), false) },
		func() error { return deliver("signed with the old secret, within the grace", oldS, clk.Now(), false) },
		func() error {
			//hubkeyvet:ignore a deliberately wrong secret: the example shows a forged delivery refused
			return deliver("forged (signed with a guessed secret)", secrets.New("not-the-app-secret"), clk.Now(), false)
		},
		func() error {
			return deliver("stale (signed 10 minutes ago, replayed)", newS, clk.Now().Add(-10*time.Minute), false)
		},
		func() error { return deliver("replayed with its v3 headers stripped", newS, clk.Now(), true) },
		func() error {
			clk.Advance(webhook.DefaultPreviousGrace)
			say("%v later", webhook.DefaultPreviousGrace)
			return nil
		},
		func() error { return deliver("signed with the old secret, after the grace", oldS, clk.Now(), false) },
		func() error { return deliver("signed with the new secret, after the grace", newS, clk.Now(), false) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}

	mu.Lock()
	defer mu.Unlock()
	say("%d event(s) reached the application", len(received))
	if len(received) != 4 {
		return fmt.Errorf("expected the 4 genuine, timely deliveries to reach the application, got %d events", len(received))
	}
	return nil
}
