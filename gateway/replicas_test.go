package gateway_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/sqlstore"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/internal/pgdev"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/env"
)

// The environment of a replica process (see TestMain).
const (
	envReplica   = "HUBKEY_GATEWAY_TEST_REPLICA" // "1" makes the test binary a replica
	envDatabase  = "HUBKEY_GATEWAY_TEST_DATABASE_URL"
	envUpstream  = "HUBKEY_GATEWAY_TEST_UPSTREAM"
	envToken     = "HUBKEY_GATEWAY_TEST_HUBSPOT_TOKEN"
	envStoreKey  = "HUBKEY_GATEWAY_TEST_STORE_KEY"
	replicaReady = "listening on "
)

func TestMain(m *testing.M) {
	if os.Getenv(envReplica) == "1" {
		if err := runReplica(); err != nil {
			fmt.Fprintln(os.Stderr, "replica:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runReplica is a gateway process as a deployment runs it: secrets from
// the environment, keys in PostgreSQL. It serves until its stdin closes.
func runReplica() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	pool, err := pgxpool.New(ctx, os.Getenv(envDatabase))
	if err != nil {
		return err
	}
	defer pool.Close()
	st, err := sqlstore.OpenPostgres(ctx, pool)
	if err != nil {
		return err
	}
	defer st.Close()
	tokProvider, err := env.New(envToken)
	if err != nil {
		return err
	}
	tok, err := secrets.NewCache(tokProvider)
	if err != nil {
		return err
	}
	defer tok.Close()
	skProvider, err := env.New(envStoreKey)
	if err != nil {
		return err
	}
	sk, err := skProvider.Fetch(ctx)
	if err != nil {
		return err
	}
	gw, err := gateway.New(ctx, gateway.Config{Store: st, StoreKey: sk.Value, Upstream: os.Getenv(envUpstream), Token: tok})
	if err != nil {
		return err
	}
	defer gw.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("%shttp://%s\n", replicaReady, ln.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
	return srv.Close()
}

// pgSchemaURL makes a schema of its own in the test database and returns a
// URL whose connections use it.
func pgSchemaURL(t *testing.T) string {
	t.Helper()
	base := pgdev.TestURL(t)
	ctx := context.Background()
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "gw_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("pool_max_conns", "4")
	u.RawQuery = q.Encode()
	return u.String()
}

// startReplica starts a gateway process and returns its URL.
func startReplica(t *testing.T, dbURL, upstream, token string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		envReplica+"=1", envDatabase+"="+dbURL, envUpstream+"="+upstream,
		envToken+"="+token, envStoreKey+"="+storeKey.Reveal())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("replica: %v\n%s", err, stderr.String())
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("replica did not start: %v\n%s", err, stderr.String())
	}
	u, ok := strings.CutPrefix(strings.TrimSpace(line), replicaReady)
	if !ok {
		t.Fatalf("replica said %q", line)
	}
	return u
}

// TestRevocationReachesEveryReplica runs three gateway processes on one
// PostgreSQL database: a key created through an Admin of a fourth store
// works on all of them, and once revoked is refused by all of them, each
// learning of it through the database's notifications.
func TestRevocationReachesEveryReplica(t *testing.T) {
	dbURL := pgSchemaURL(t)
	hs := hubspottest.NewServer(t)
	real := hs.NewToken("crm.objects.contacts.read")
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	st, err := sqlstore.OpenPostgres(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	adm, err := gateway.NewAdmin(st, storeKey, nil)
	if err != nil {
		t.Fatal(err)
	}

	var replicas []string
	for range 3 {
		replicas = append(replicas, startReplica(t, dbURL, hs.URL(), real))
	}
	iss, err := adm.Create(ctx, gateway.KeySpec{Name: "replicated", Service: "sync", Scopes: []string{"crm.objects.contacts.read"}})
	if err != nil {
		t.Fatal(err)
	}
	tok := iss.Token.Reveal()
	status := func(base string) int {
		req, _ := http.NewRequest("GET", base+"/crm/v3/objects/contacts", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	// waitFor polls every replica until it answers want, and returns how
	// long each took.
	waitFor := func(want int) []time.Duration {
		start := time.Now()
		took := make([]time.Duration, len(replicas))
		var wg sync.WaitGroup
		for i, base := range replicas {
			wg.Add(1)
			go func() {
				defer wg.Done()
				deadline := time.Now().Add(10 * time.Second)
				for {
					got := status(base)
					if got == want {
						took[i] = time.Since(start)
						return
					}
					if time.Now().After(deadline) {
						t.Errorf("replica %d still answers %d, want %d", i, got, want)
						return
					}
					time.Sleep(5 * time.Millisecond) // a polling interval, not a wait for an event
				}
			}()
		}
		wg.Wait()
		return took
	}
	waitFor(http.StatusOK)
	if t.Failed() {
		return
	}
	if _, err := adm.Revoke(ctx, iss.Key.ID); err != nil {
		t.Fatal(err)
	}
	took := waitFor(http.StatusUnauthorized)
	t.Logf("revocation refused by the replicas after %v", took)
}
