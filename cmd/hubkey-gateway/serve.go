package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/sqlstore"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/pgbudget"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/env"
	"github.com/hubkey/hubkey/secrets/file"
)

// serveFlags are serve's settings.
type serveFlags struct {
	listen, adminListen string
	db, postgresEnv     string
	replicas            int
	upstream            string
	token, adminToken   string
	storeKey            string
	trusted             []netip.Prefix
	rateLimit           string
	publicURL           string
	verbose             bool
	idleAfter           time.Duration
	auditRetention      time.Duration
}

func parseServeFlags(args []string, stderr io.Writer) (*serveFlags, error) {
	f := &serveFlags{}
	fs := flag.NewFlagSet("hubkey-gateway serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "`address` the gateway (HubSpot's API) listens on")
	fs.StringVar(&f.adminListen, "admin-listen", "127.0.0.1:8081", "`address` the admin API listens on (never the gateway's)")
	fs.StringVar(&f.db, "db", "", "SQLite database `file` for keys and audit (default <config dir>/hubkey-gateway/gateway.db)")
	fs.StringVar(&f.postgresEnv, "postgres-env", "", "use PostgreSQL: the environment `variable` holding its URL (e.g. DATABASE_URL)")
	fs.IntVar(&f.replicas, "replicas", 1, "with -postgres-env: how many gateways share HubSpot's rate budget")
	fs.StringVar(&f.upstream, "upstream", gateway.DefaultUpstream, "HubSpot's API root `URL`")
	fs.StringVar(&f.token, "token", "env:HUBSPOT_TOKEN", "`source` of the real HubSpot token: env:NAME or file:PATH")
	fs.StringVar(&f.adminToken, "admin-token", "env:HUBKEY_ADMIN_TOKEN", "`source` of the admin API's token: env:NAME or file:PATH")
	fs.StringVar(&f.storeKey, "store-key", "", "`source` of the key sealing signing secrets in the store, env:NAME or file:PATH\n(default with -db: a random key file beside the database, made on first run)")
	fs.Func("trusted-proxy", "`CIDR` of a proxy whose X-Forwarded-For is believed (repeatable)", func(v string) error {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return fmt.Errorf("%q is not an address or CIDR prefix", v)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		f.trusted = append(f.trusted, p.Masked())
		return nil
	})
	fs.StringVar(&f.rateLimit, "rate-limit", "free", "HubSpot's limit for the account: free, professional or api-addon")
	fs.StringVar(&f.publicURL, "public-url", "", "scheme and authority callers reach the gateway at, which signatures cover (default: the request's Host)")
	fs.BoolVar(&f.verbose, "v", false, "log refused calls too")
	fs.DurationVar(&f.idleAfter, "idle-after", 30*24*time.Hour, "the console marks a key unused for this `long` as idle")
	fs.DurationVar(&f.auditRetention, "audit-retention", 0, "delete audited calls older than this `long` (e.g. 2160h for 90 days), hourly; 0 keeps them all")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("serve takes no arguments; got %q", fs.Arg(0))
	}
	if f.db != "" && f.postgresEnv != "" {
		return nil, errors.New("-db and -postgres-env cannot both be set: choose SQLite or PostgreSQL")
	}
	if f.auditRetention < 0 || (f.auditRetention > 0 && f.auditRetention < time.Hour) {
		return nil, fmt.Errorf("-audit-retention %v: 0 (keep every call) or at least 1h", f.auditRetention)
	}
	if f.replicas < 1 {
		return nil, fmt.Errorf("-replicas %d: at least 1", f.replicas)
	}
	if f.replicas > 1 && f.postgresEnv == "" {
		return nil, errors.New("-replicas needs -postgres-env: replicas share their rate budget in PostgreSQL")
	}
	if _, err := rateLimit(f.rateLimit); err != nil {
		return nil, err
	}
	if f.listen == f.adminListen && !strings.HasSuffix(f.listen, ":0") {
		return nil, errors.New("-listen and -admin-listen must differ: the admin API has a listener of its own")
	}
	return f, nil
}

func rateLimit(name string) (hubspot.RateLimit, error) {
	switch name {
	case "free", "starter":
		return hubspot.LimitFreeStarter(), nil
	case "professional", "enterprise":
		return hubspot.LimitProfessional(), nil
	case "api-addon":
		return hubspot.LimitAPIAddOn(), nil
	}
	return hubspot.RateLimit{}, fmt.Errorf("-rate-limit %q: want free, professional or api-addon", name)
}

// source turns a flag's source spec into a provider. The spec is not
// echoed in errors: someone may have put a token there by mistake.
func source(flagName, spec string, lookup func(string) (string, bool)) (secrets.Provider, error) {
	kind, arg, ok := strings.Cut(spec, ":")
	switch {
	case ok && kind == "env" && arg != "":
		p, err := env.New(arg, env.WithLookup(lookup))
		if err != nil {
			return nil, fmt.Errorf("-%s: %w", flagName, err)
		}
		return p, nil
	case ok && kind == "file" && arg != "":
		p, err := file.New(arg)
		if err != nil {
			return nil, fmt.Errorf("-%s: %w", flagName, err)
		}
		return p, nil
	}
	return nil, fmt.Errorf("-%s must be a source such as env:NAME or file:PATH (the value given is not shown, in case it is a secret)", flagName)
}

// missingSecret says what to do about a secret a source could not give.
func missingSecret(flagName, spec, what string, err error) string {
	if name, ok := strings.CutPrefix(spec, "env:"); ok && (errors.Is(err, secrets.ErrNotFound) || errors.Is(err, secrets.ErrEmpty)) {
		return fmt.Sprintf("set %s to %s (or pass -%s file:PATH)", name, what, flagName)
	}
	return fmt.Sprintf("-%s %s: %v; it should hold %s", flagName, spec, err, what)
}

func serve(ctx context.Context, args []string, lookup func(string) (string, bool), stderr io.Writer) (err error) {
	f, err := parseServeFlags(args, stderr)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if f.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	// The two tokens first: with neither set, say what to set before
	// touching any database.
	upP, err := source("token", f.token, lookup)
	if err != nil {
		return err
	}
	adP, err := source("admin-token", f.adminToken, lookup)
	if err != nil {
		return err
	}
	upstream, err := secrets.NewCache(upP, secrets.WithLogger(logger))
	if err != nil {
		return err
	}
	defer upstream.Close()
	adminTok, err := secrets.NewCache(adP, secrets.WithLogger(logger))
	if err != nil {
		return err
	}
	defer adminTok.Close()
	var missing []string
	for _, c := range []struct {
		flag, spec, what string
		p                secrets.Provider
	}{
		{"token", f.token, "the HubSpot private-app token the gateway calls HubSpot with", upP},
		{"admin-token", f.adminToken, "a long random token of your choice for the admin API (e.g. openssl rand -hex 32)", adP},
	} {
		v, err := c.p.Fetch(ctx)
		if err != nil {
			missing = append(missing, missingSecret(c.flag, c.spec, c.what, err))
		} else if c.flag == "admin-token" && v.Value.Len() < gateway.MinAdminTokenLen {
			missing = append(missing, fmt.Sprintf("-admin-token %s holds %d bytes; the admin token must be at least %d (e.g. openssl rand -hex 32)", c.spec, v.Value.Len(), gateway.MinAdminTokenLen))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("cannot start:\n  %s", strings.Join(missing, "\n  "))
	}

	st, storeKey, shared, closeStore, err := openStore(ctx, f, lookup, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, closeStore()) }()

	limit, _ := rateLimit(f.rateLimit)
	gw, err := gateway.New(ctx, gateway.Config{
		Store: st, StoreKey: storeKey, Upstream: f.upstream, Token: upstream,
		RateLimit: limit, SharedBudget: shared, TrustedProxies: f.trusted,
		PublicURL: f.publicURL, Logger: logger,
	})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, gw.Close()) }()
	if f.auditRetention > 0 {
		trim, ok := st.(auditTrimmer)
		if !ok {
			return errors.New("-audit-retention: this store cannot delete audited calls")
		}
		tctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); trimAudit(tctx, trim, f.auditRetention, time.Hour, logger) }()
		defer func() { stop(); <-done }() // before the store closes
	}
	adm, err := gateway.NewAdmin(st, storeKey, nil)
	if err != nil {
		return err
	}
	adminAPI, err := gateway.NewAdminHandler(adm, adminTok, gateway.WithGateway(gw), gateway.WithAdminLogger(logger),
		gateway.WithConsole(gateway.ConsoleConfig{IdleAfter: f.idleAfter}))
	if err != nil {
		return err
	}

	gl, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("-listen: %w", err)
	}
	al, err := net.Listen("tcp", f.adminListen)
	if err != nil {
		gl.Close()
		return fmt.Errorf("-admin-listen: %w", err)
	}
	servers := []*http.Server{
		{Handler: gw, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)},
		{Handler: adminAPI, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)},
	}
	errc := make(chan error, 2)
	for i, l := range []net.Listener{gl, al} {
		go func() {
			if err := servers[i].Serve(l); !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	logger.Info("hubkey-gateway: serving", "gateway", "http://"+gl.Addr().String(), "admin", "http://"+al.Addr().String(),
		"console", "http://"+al.Addr().String()+"/console/", "upstream", f.upstream)

	var serveErr error
	select {
	case <-ctx.Done():
		logger.Info("hubkey-gateway: shutting down")
	case serveErr = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for _, s := range servers {
		serveErr = errors.Join(serveErr, s.Shutdown(sctx))
	}
	return serveErr
}

// auditTrimmer is a store that deletes old audited calls (sqlstore's).
type auditTrimmer interface {
	DeleteCallsBefore(ctx context.Context, t time.Time) (int64, error)
}

// trimAudit deletes the calls older than retention at once and then every
// interval, until ctx ends.
func trimAudit(ctx context.Context, st auditTrimmer, retention, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := st.DeleteCallsBefore(ctx, time.Now().Add(-retention))
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			logger.Warn("hubkey-gateway: trimming the audit trail failed", "error", err)
		case n > 0:
			logger.Info("hubkey-gateway: trimmed the audit trail", "deleted", n, "older_than", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// openStore opens the store serve was told to use, the key that seals
// signing secrets in it and, on PostgreSQL, the shared rate budget.
func openStore(ctx context.Context, f *serveFlags, lookup func(string) (string, bool), stderr io.Writer) (gateway.Store, secrets.Secret, hubspot.SharedBudget, func() error, error) {
	fail := func(err error) (gateway.Store, secrets.Secret, hubspot.SharedBudget, func() error, error) {
		return nil, secrets.Secret{}, hubspot.SharedBudget{}, nil, err
	}
	if f.postgresEnv != "" {
		if f.storeKey == "" {
			return fail(errors.New("-postgres-env needs -store-key (env:NAME or file:PATH): every replica must seal signing secrets with the same key"))
		}
		key, err := fetchStoreKey(ctx, f.storeKey, lookup)
		if err != nil {
			return fail(err)
		}
		url, ok := lookup(f.postgresEnv)
		if !ok || url == "" {
			return fail(fmt.Errorf("-postgres-env %s: the environment variable %s is not set; set it to the database's URL", f.postgresEnv, f.postgresEnv))
		}
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			// pgx's parse errors can quote the URL, password included.
			return fail(fmt.Errorf("-postgres-env %s: the URL in %s is not a valid PostgreSQL URL", f.postgresEnv, f.postgresEnv))
		}
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return fail(fmt.Errorf("connecting to PostgreSQL: %w", err))
		}
		st, err := sqlstore.OpenPostgres(ctx, pool)
		if err != nil {
			pool.Close()
			return fail(err)
		}
		shared := hubspot.SharedBudget{Budget: pgbudget.New(pool), Replicas: f.replicas}
		return st, key, shared, func() error { err := st.Close(); pool.Close(); return err }, nil
	}

	db := f.db
	if db == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return fail(fmt.Errorf("no -db given and no config directory to put the database in: %w", err))
		}
		db = filepath.Join(dir, "hubkey-gateway", "gateway.db")
	}
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		return fail(fmt.Errorf("-db: %w", err))
	}
	var key secrets.Secret
	var err error
	if f.storeKey != "" {
		key, err = fetchStoreKey(ctx, f.storeKey, lookup)
	} else {
		key, err = storeKeyFile(ctx, filepath.Join(filepath.Dir(db), filepath.Base(db)+".key"), stderr)
	}
	if err != nil {
		return fail(err)
	}
	st, err := sqlstore.OpenSQLite(ctx, db)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stderr, "hubkey-gateway: keys and audit trail in %s\n", db)
	return st, key, hubspot.SharedBudget{}, st.Close, nil
}

func fetchStoreKey(ctx context.Context, spec string, lookup func(string) (string, bool)) (secrets.Secret, error) {
	p, err := source("store-key", spec, lookup)
	if err != nil {
		return secrets.Secret{}, err
	}
	v, err := p.Fetch(ctx)
	if err != nil {
		return secrets.Secret{}, errors.New(missingSecret("store-key", spec, "the store key (at least 32 random bytes, the same for every replica)", err))
	}
	return v.Value, nil
}

// storeKeyFile reads the store key kept beside the SQLite database, making
// it (32 random bytes, hex, mode 0600) on first run.
func storeKeyFile(ctx context.Context, path string, stderr io.Writer) (secrets.Secret, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return secrets.Secret{}, err
		}
		buf := []byte(hex.EncodeToString(b[:]) + "\n")
		clear(b[:])
		fd, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return secrets.Secret{}, fmt.Errorf("making the store key file: %w", err)
		}
		_, werr := fd.Write(buf)
		clear(buf)
		if err := errors.Join(werr, fd.Sync(), fd.Close()); err != nil {
			return secrets.Secret{}, fmt.Errorf("writing the store key file %s: %w", path, err)
		}
		fmt.Fprintf(stderr, "hubkey-gateway: made a new store key in %s (mode 0600); keep it with the database: without it the keys' signing secrets cannot be read\n", path)
	}
	p, err := file.New(path)
	if err != nil {
		return secrets.Secret{}, err
	}
	v, err := p.Fetch(ctx)
	if err != nil {
		return secrets.Secret{}, fmt.Errorf("reading the store key: %w", err)
	}
	return v.Value, nil
}
