// Command quickstart is hubkey end to end in one screen: a HubSpot client
// whose token comes from the environment through a secrets.Cache, creating,
// reading, searching, batch-upserting and paging contacts, while the token
// is rotated under it.
//
//	go run ./examples/quickstart
//
// With no configuration it starts an in-memory HubSpot (hubspottest) and
// needs no account. With HUBSPOT_TOKEN set (a private-app token with the
// crm.objects.contacts.read and .write scopes) it talks to HubSpot, or to
// HUBSPOT_BASE_URL, creates a few contacts at example.com, archives them
// again, and skips the rotation step, which needs a server it controls.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/env"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, os.LookupEnv, os.Setenv); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, lookup func(string) (string, bool), setenv func(k, v string) error) error {
	say := func(format string, args ...any) { fmt.Fprintf(out, "==> "+format+"\n", args...) }

	// 1. A HubSpot to talk to: the real one if a token is configured,
	// otherwise an in-memory one that behaves like it.
	baseURL, _ := lookup("HUBSPOT_BASE_URL")
	var srv *hubspottest.Server
	if _, ok := lookup("HUBSPOT_TOKEN"); !ok {
		var err error
		if srv, err = hubspottest.Start(); err != nil {
			return err
		}
		defer srv.Close()
		baseURL = srv.URL()
		// The token reaches the program the way it does in production:
		// through the environment (or a mounted file, or a vault).
		if err := setenv("HUBSPOT_TOKEN", srv.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write")); err != nil {
			return err
		}
		say("no HUBSPOT_TOKEN: started an in-memory HubSpot at %s", baseURL)
	}

	// 2. The token is a secrets.Cache over a provider, never a string in a
	// struct. Debug logs show its fingerprint, never its value.
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: dropTime}))
	provider, err := env.New("HUBSPOT_TOKEN", env.WithLookup(lookup))
	if err != nil {
		return err
	}
	tokens, err := secrets.NewCache(provider, secrets.WithLogger(logger))
	if err != nil {
		return err
	}
	defer tokens.Close()
	opts := []hubspot.Option{hubspot.WithToken(tokens), hubspot.WithLogger(logger)}
	if baseURL != "" {
		opts = append(opts, hubspot.WithBaseURL(baseURL))
	}
	client, err := hubspot.New(opts...)
	if err != nil {
		return err
	}
	defer client.Close()

	// 3. Create, read, search.
	run := time.Now().UnixNano()
	email := fmt.Sprintf("ada.%d@example.com", run)
	ada, err := client.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{
		"email": email, "firstname": "Ada", "lastname": "Lovelace",
	}})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	say("created contact %s (%s)", ada.ID, email)
	created := []string{ada.ID}

	got, err := client.Contacts.Get(ctx, ada.ID, &hubspot.GetOptions{Properties: []string{"email", "firstname"}})
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	say("read it back: firstname=%s", got.Properties["firstname"])

	found, err := client.Contacts.Search(ctx, &hubspot.SearchRequest{
		FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{hubspot.Eq("email", email)}}},
		Properties:   []string{"email"},
	})
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	say("search by email found %d contact(s)", found.Total)

	// 4. A batch of any size: chunked to HubSpot's 100, every input
	// accounted for as a record or an error.
	inputs := make([]hubspot.BatchInput, 250)
	for i := range inputs {
		inputs[i] = hubspot.BatchInput{IDProperty: "email", ID: fmt.Sprintf("member%03d.%d@example.com", i, run),
			Properties: hubspot.Properties{"firstname": fmt.Sprintf("Member %d", i)}}
	}
	res, err := client.Contacts.BatchUpsert(ctx, inputs)
	if err != nil {
		return fmt.Errorf("batch upsert: %w", err)
	}
	for _, it := range res.Items {
		if it.Err == nil {
			created = append(created, it.Value.ID)
		}
	}
	say("batch-upserted %d contacts in chunks of 100: %d failed", len(inputs), res.Failed()) // HubSpot's batch limit

	// 5. Rotate the token with "expire now": the old one dies at once.
	// The next call gets a 401, the cache re-reads the environment, and
	// the call is sent once more with the new token.
	if srv != nil {
		cur, _ := lookup("HUBSPOT_TOKEN")
		if err := setenv("HUBSPOT_TOKEN", srv.RotateToken(cur, hubspottest.ExpireNow)); err != nil {
			return err
		}
		say("rotated the token at the source; the old one is already dead")
	}

	// 6. Stream every contact, a page at a time, in constant memory.
	n := 0
	for _, err := range client.Contacts.All(ctx, &hubspot.ListOptions{Limit: 100, Properties: []string{"email"}}) {
		if err != nil {
			return fmt.Errorf("listing: %w", err)
		}
		n++
	}
	say("paged through %d contacts", n)
	if p, ok := tokens.Previous(); ok {
		v, _ := tokens.Get(ctx)
		say("token rotated from %s to %s with no failed call", p.Value.Fingerprint(), v.Value.Fingerprint())
	}

	// 7. Leave a real account as it was.
	if srv == nil {
		res, err := client.Contacts.BatchArchive(ctx, created)
		if err != nil {
			return fmt.Errorf("cleaning up: %w", err)
		}
		say("archived the %d contacts this run created (%d failed)", len(created), res.Failed())
	}
	return nil
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
