// Command hubkey-gateway runs the key gateway: many narrow, revocable,
// IP-bound keys in front of one real HubSpot token, and administers it.
//
// Run it (nothing else to set up: the keys and the audit trail go to an
// SQLite file in the user's config directory):
//
//	export HUBSPOT_TOKEN=pat-na1-...        # the real private-app token
//	export HUBKEY_ADMIN_TOKEN=$(openssl rand -hex 32)
//	hubkey-gateway serve
//
// The gateway then speaks HubSpot's API on 127.0.0.1:8080 and its admin API
// on 127.0.0.1:8081, where http://127.0.0.1:8081/console/ is a web console
// (log in with the admin token) showing the keys, their usage and the
// audit trail. Give each service a key of its own:
//
//	hubkey-gateway keys create -name "billing reader" -service billing-sync \
//	    -scope crm.objects.contacts.read -allow-ip 10.1.0.0/16
//
// and point its HubSpot client at the gateway with that key as its token
// (hubspot.WithBaseURL("http://127.0.0.1:8080")). The token is printed
// once.
//
// Subcommands:
//
//	serve                                   run the gateway and its admin API
//	keys create|list|show|suspend|resume|revoke|rotate
//	                                        manage keys through the admin API
//	audit export|summary|services           the audit trail: calls as JSON lines, calls and
//	                                        denials per key, which services use the token
//	version                                 print the build's module version
//
// serve's flags (hubkey-gateway serve -h lists them all):
//
//	-listen 127.0.0.1:8080        the gateway's address
//	-admin-listen 127.0.0.1:8081  the admin API's address (its own listener only)
//	-db PATH                      the SQLite file (default: <config dir>/hubkey-gateway/gateway.db)
//	-postgres-env DATABASE_URL    use PostgreSQL, whose URL is in this environment variable
//	-replicas N                   with -postgres-env: how many gateways share HubSpot's rate budget
//	-upstream URL                 HubSpot's API root (default https://api.hubapi.com)
//	-token env:HUBSPOT_TOKEN      where the real HubSpot token is (env:NAME or file:PATH)
//	-admin-token env:HUBKEY_ADMIN_TOKEN
//	                              where the admin API's token is
//	-store-key SOURCE             the key that seals signing secrets in the store (default with
//	                              -db: a random key file beside the database, made on first run)
//	-trusted-proxy CIDR           a proxy whose X-Forwarded-For is believed (repeatable)
//	-rate-limit free|professional|api-addon
//	-idle-after 720h              the console marks keys unused this long as idle
//	-audit-retention 2160h        delete audited calls older than this, hourly (default: keep all)
//
// Secrets are given as sources, never as values: a flag names an
// environment variable or a file, and the PostgreSQL URL (which may hold a
// password) is read from the variable -postgres-env names. No secret is
// printed, logged or put in an error, except a new key's token (and signing
// secret), which keys create and keys rotate print once.
//
// keys and audit talk to the admin API at -admin (default
// http://127.0.0.1:8081, or HUBKEY_ADMIN_URL) with the token in
// HUBKEY_ADMIN_TOKEN.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "hubkey-gateway:", err)
		}
		os.Exit(2)
	}
}

const usage = `usage: hubkey-gateway <command> [flags]

commands:
  serve                                 run the gateway and its admin API
  keys create|list|show|suspend|resume|revoke|rotate
                                        manage keys through the admin API
  audit export|summary|services         read the audit trail through the admin API
  version                               print the version

Run hubkey-gateway <command> -h for a command's flags.
`

// run is the program: args without the program's name, lookup reads the
// environment.
func run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, lookup, stderr)
	case "keys":
		return keysCmd(ctx, rest, lookup, stdout, stderr)
	case "audit":
		return auditCmd(ctx, rest, lookup, stdout, stderr)
	case "version":
		v := "(devel)"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			v = bi.Main.Version
		}
		fmt.Fprintln(stdout, "hubkey-gateway", v)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
