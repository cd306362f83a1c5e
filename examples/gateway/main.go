// Command gateway shows the key gateway: one real HubSpot token held by the
// gateway, and narrow keys of its own for each service, checked on every
// call and audited.
//
//	go run ./examples/gateway
//
// It needs no account and no setup: it starts an in-memory HubSpot
// (hubspottest) and the gateway in front of it, with its keys and audit
// trail in an SQLite file in a temporary directory. It then makes
//
//   - a read-only key for a dashboard, usable from 127.0.0.1 only;
//   - a writer key for a sync job, which must sign its deletes;
//   - a key for a batch job, usable from 10.0.0.0/8 only;
//
// and shows which calls the gateway forwards and which it refuses, revokes
// the dashboard's key, and prints the audit summary: calls and denials per
// key. In production the gateway is the hubkey-gateway program and keys
// are made with hubkey-gateway keys create.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/sqlstore"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/signing"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) (err error) {
	say := func(format string, args ...any) { fmt.Fprintf(out, "==> "+format+"\n", args...) }

	// 1. HubSpot, with the one real token only the gateway will hold.
	hs, err := hubspottest.Start()
	if err != nil {
		return err
	}
	defer hs.Close()
	real := hs.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write")
	upstream, err := secrets.NewCache(secrets.ProviderFunc(func(context.Context) (secrets.Version, error) {
		return secrets.Version{Value: secrets.New(real), ID: "1", Source: "example"}, nil
	}))
	if err != nil {
		return err
	}
	defer upstream.Close()

	// 2. The gateway's store, and the key that seals signing secrets in it.
	dir, err := os.MkdirTemp("", "hubkey-gateway-example-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "gateway.db"))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, store.Close()) }()
	storeKey := secrets.NewBytes([]byte(rand.Text() + rand.Text()))

	// 3. Keys: what each service may do, and from where.
	admin, err := gateway.NewAdmin(store, storeKey, nil)
	if err != nil {
		return err
	}
	reader, err := admin.Create(ctx, gateway.KeySpec{
		Name: "dashboard reader", Service: "dashboard",
		Scopes:     []string{"crm.objects.contacts.read"},
		AllowedIPs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
	})
	if err != nil {
		return err
	}
	writer, err := admin.Create(ctx, gateway.KeySpec{
		Name: "sync writer", Service: "crm-sync",
		Scopes:           []string{"crm.objects.contacts.read", "crm.objects.contacts.write"},
		RequireSignature: true,
	})
	if err != nil {
		return err
	}
	batch, err := admin.Create(ctx, gateway.KeySpec{
		Name: "batch job", Service: "nightly-batch",
		Scopes:     []string{"crm.objects.contacts.read"},
		AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
	})
	if err != nil {
		return err
	}
	say("keys made (their tokens are shown once, at creation; not printed here):")
	for _, iss := range []gateway.Issued{reader, writer, batch} {
		k := iss.Key
		fmt.Fprintf(out, "    %-16s service %-13s scopes %s", k.Name, k.Service, strings.Join(k.Scopes, ","))
		if len(k.AllowedIPs) > 0 {
			fmt.Fprintf(out, ", from %s", k.AllowedIPs[0])
		}
		if k.RequireSignature {
			fmt.Fprint(out, ", signs sensitive calls")
		}
		fmt.Fprintln(out)
	}

	// 4. The gateway, on loopback. It loads every key when it starts, and
	// learns of later changes from the store.
	gw, err := gateway.New(ctx, gateway.Config{Store: store, StoreKey: storeKey, Upstream: hs.URL(), Token: upstream})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, gw.Close()) }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	gwURL := "http://" + ln.Addr().String()
	say("gateway started in front of HubSpot (in memory); only the gateway holds the HubSpot token")

	// 5. Each service points an unchanged hubspot.Client at the gateway,
	// with its key as the token.
	client := func(iss gateway.Issued, opts ...hubspot.Option) (*hubspot.Client, error) {
		tok, err := secrets.NewCache(secrets.ProviderFunc(func(context.Context) (secrets.Version, error) {
			return secrets.Version{Value: iss.Token, ID: "1", Source: "example"}, nil
		}))
		if err != nil {
			return nil, err
		}
		opts = append([]hubspot.Option{hubspot.WithBaseURL(gwURL), hubspot.WithToken(tok),
			hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1})}, opts...)
		return hubspot.New(opts...)
	}
	readerC, err := client(reader)
	if err != nil {
		return err
	}
	defer readerC.Close()
	writerC, err := client(writer)
	if err != nil {
		return err
	}
	defer writerC.Close()
	batchC, err := client(batch)
	if err != nil {
		return err
	}
	defer batchC.Close()
	signer, err := signing.NewSigner(signing.StaticKey(writer.SigningSecret), writer.Key.ID)
	if err != nil {
		return err
	}
	signedC, err := client(writer, hubspot.WithSigner(signer, nil))
	if err != nil {
		return err
	}
	defer signedC.Close()

	// 6. Calls, allowed and refused.
	outcome := func(what string, err error, wantRefused bool) error {
		if err == nil {
			if wantRefused {
				return fmt.Errorf("%s: the gateway let it through", what)
			}
			say("%-48s allowed", what)
			return nil
		}
		var he *hubspot.Error
		if !errors.As(err, &he) || !wantRefused {
			return fmt.Errorf("%s: %w", what, err)
		}
		reason := he.Category
		if he.SubCategory != "" {
			reason += " " + he.SubCategory
		}
		say("%-48s refused: %d %s", what, he.StatusCode, reason)
		return nil
	}
	contact, err := writerC.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "ada@example.com"}})
	if err := outcome("sync writer creates a contact", err, false); err != nil {
		return err
	}
	_, err = readerC.Contacts.Get(ctx, contact.ID, nil)
	if err := outcome("dashboard reader reads it", err, false); err != nil {
		return err
	}
	_, err = readerC.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "eve@example.com"}})
	if err := outcome("dashboard reader tries to create a contact", err, true); err != nil {
		return err
	}
	_, err = batchC.Contacts.Get(ctx, contact.ID, nil)
	if err := outcome("batch job reads from outside 10.0.0.0/8", err, true); err != nil {
		return err
	}
	err = writerC.Contacts.Archive(ctx, contact.ID)
	if err := outcome("sync writer deletes it, unsigned", err, true); err != nil {
		return err
	}
	err = signedC.Contacts.Archive(ctx, contact.ID)
	if err := outcome("sync writer deletes it, signed", err, false); err != nil {
		return err
	}

	// 7. Revocation. The store tells the gateways on it before Revoke
	// returns, and every other replica within a second.
	if _, err := admin.Revoke(ctx, reader.Key.ID); err != nil {
		return err
	}
	say("dashboard reader's key revoked")
	_, err = readerC.Contacts.Get(ctx, contact.ID, &hubspot.GetOptions{Archived: true})
	if err := outcome("dashboard reader reads again", err, true); err != nil {
		return err
	}

	// 8. The audit trail: calls and denials per key.
	if err := gw.FlushAudit(ctx); err != nil {
		return err
	}
	to := time.Now().Add(time.Second)
	from := to.Add(-time.Hour)
	usage, err := store.Usage(ctx, from, to, to.Sub(from))
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, iss := range []gateway.Issued{reader, writer, batch} {
		names[iss.Key.ID] = iss.Key.Name
	}
	slices.SortFunc(usage, func(a, b gateway.Usage) int { return strings.Compare(names[a.KeyID], names[b.KeyID]) })
	say("audit summary, the last hour:")
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "    KEY\tSERVICE\tCALLS\tDENIALS")
	for _, u := range usage {
		fmt.Fprintf(tw, "    %s\t%s\t%d\t%d\n", names[u.KeyID], u.Service, u.Calls, u.Denials)
	}
	return tw.Flush()
}
