// Command vault shows a HubSpot token kept in HashiCorp Vault's KV v2 and
// rotated while a program uses it: the program logs in with AppRole, reads
// the token through a secrets.Cache that polls Vault, and picks up a new
// version live. It prints fingerprints, never the token.
//
//	go run ./examples/vault
//
// It needs a Vault server and uses, in this order: the one named by
// HUBKEY_TEST_VAULT_ADDR and HUBKEY_TEST_VAULT_TOKEN (a root token), or a
// dev server it starts itself from the binary that the test command builds
// once into the user cache directory. It never uses VAULT_ADDR, which may be
// a real Vault: it writes a mount, a policy and an AppRole (all removed at
// the end). Without either, it says how to get the binary and exits.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/hubkey/hubkey/internal/vaultdev"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/file"
	"github.com/hubkey/hubkey/secrets/vault"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "examples/vault:", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	conn, ok := vaultdev.FromEnv()
	if ok {
		fmt.Printf("using the Vault server at %s (from %s)\n", conn.Addr, vaultdev.EnvAddr)
	} else {
		bin, err := vaultdev.Find()
		if errors.Is(err, vaultdev.ErrNoBinary) {
			fmt.Printf("no Vault server: build the dev binary once with `go run ./internal/cmd/testall ./secrets/vault` (a few minutes) and run this again, or set %s and %s\n", vaultdev.EnvAddr, vaultdev.EnvToken)
			return nil
		}
		if err != nil {
			return err
		}
		srv, err := vaultdev.Start(ctx, bin, vaultdev.StartOptions{})
		if err != nil {
			return err
		}
		defer srv.Stop()
		conn = srv.Conn()
		fmt.Printf("started a Vault %s dev server at %s\n", vaultdev.Version, conn.Addr)
	}

	// The operator's side: a KV v2 mount holding the token, a policy that
	// may read it, and an AppRole for the application.
	root, err := newClient(conn.Addr)
	if err != nil {
		return err
	}
	root.SetToken(conn.Token.Reveal())
	op, err := setUp(ctx, root)
	if err != nil {
		return err
	}
	defer op.tearDown(root)

	// The application's side: an AppRole session and a Cache over the
	// token's KV v2 secret, polling for new versions.
	secretID, err := file.New(op.secretIDFile)
	if err != nil {
		return err
	}
	auth, err := vault.NewAppRoleAuth(op.roleID, secretID, vault.WithMountPath(op.authMount))
	if err != nil {
		return err
	}
	client, err := newClient(conn.Addr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))
	session, err := vault.NewSession(client, vault.WithAuth(auth), vault.WithLogger(logger))
	if err != nil {
		return err
	}
	defer session.Close()
	provider, err := vault.NewKV2(session, op.kvMount, "hubspot/prod", vault.WithField("token"))
	if err != nil {
		return err
	}
	cache, err := secrets.NewCache(provider, secrets.WithRefreshInterval(250*time.Millisecond, 0.1), secrets.WithLogger(logger))
	if err != nil {
		return err
	}
	defer cache.Close()
	rotated := make(chan secrets.Version, 1)
	cache.OnRotate(func(old, new secrets.Version) {
		select {
		case rotated <- new:
		default:
		}
	})

	v, err := cache.Get(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("HubSpot token %s, version %s, from %s (prints as %q)\n", v.Value.Fingerprint(), v.ID, v.Source, v.Value)

	// The operator rotates the token; the running program sees it.
	next := secrets.New(newToken())
	start := time.Now()
	if _, err := root.KVv2(op.kvMount).Put(ctx, "hubspot/prod", map[string]any{"token": next.Reveal()}); err != nil {
		return fmt.Errorf("rotating the token: %w", err)
	}
	fmt.Printf("rotated the token in Vault to %s\n", next.Fingerprint())
	select {
	case nv := <-rotated:
		fmt.Printf("the Cache picked up version %s (%s) after %v, without a restart\n", nv.ID, nv.Value.Fingerprint(), time.Since(start).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		return errors.New("the Cache did not pick up the rotation within 10s")
	case <-ctx.Done():
		return ctx.Err()
	}

	// While the new token settles, the old one is at hand for fallback.
	if old, ok := cache.Previous(); ok {
		fmt.Printf("previous version kept by the Cache: %s (%s)\n", old.ID, old.Value.Fingerprint())
	}
	prev, err := provider.FetchPrevious(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("previous version read from Vault: %s (%s)\n", prev.ID, prev.Value.Fingerprint())
	st := session.Stats()
	fmt.Printf("vault session: %d login(s), %d renewal(s), token valid until %s\n", st.Logins, st.Renewals, st.TokenExpiresAt.Format(time.TimeOnly))
	return nil
}

// newClient returns an api.Client for addr that ignores VAULT_TOKEN and
// VAULT_NAMESPACE from the environment.
func newClient(addr string) (*api.Client, error) {
	cfg := api.DefaultConfig()
	cfg.Address = addr
	c, err := api.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	c.ClearToken()
	c.ClearNamespace()
	return c, nil
}

type operator struct {
	kvMount, authMount, policy string
	roleID, secretIDFile       string
	dir                        string
}

// setUp creates, with the root token, what an operator would: a KV v2
// mount holding the first token, a read-only policy for it, and an AppRole
// whose secret ID is written to a file for the application.
func setUp(ctx context.Context, root *api.Client) (*operator, error) {
	suffix := randHex(4)
	op := &operator{kvMount: "hubkey-example-" + suffix, authMount: "approle-example-" + suffix, policy: "hubkey-example-" + suffix}
	var err error
	if op.dir, err = os.MkdirTemp("", "hubkey-vault-example"); err != nil {
		return nil, err
	}
	steps := []func() error{
		func() error {
			return root.Sys().MountWithContext(ctx, op.kvMount, &api.MountInput{Type: "kv", Options: map[string]string{"version": "2"}})
		},
		func() error {
			_, err := root.KVv2(op.kvMount).Put(ctx, "hubspot/prod", map[string]any{"token": newToken()})
			return err
		},
		func() error {
			return root.Sys().PutPolicyWithContext(ctx, op.policy, fmt.Sprintf(`path "%s/data/hubspot/prod" { capabilities = ["read"] }
path "%s/metadata/hubspot/prod" { capabilities = ["read"] }`, op.kvMount, op.kvMount))
		},
		func() error {
			return root.Sys().EnableAuthWithOptionsWithContext(ctx, op.authMount, &api.EnableAuthOptions{Type: "approle"})
		},
		func() error {
			_, err := root.Logical().WriteWithContext(ctx, "auth/"+op.authMount+"/role/hubspot-sync", map[string]any{
				"token_policies": []string{op.policy}, "token_ttl": "1m", "token_max_ttl": "10m",
			})
			return err
		},
		func() error {
			sec, err := root.Logical().ReadWithContext(ctx, "auth/"+op.authMount+"/role/hubspot-sync/role-id")
			if err != nil {
				return err
			}
			op.roleID, _ = sec.Data["role_id"].(string)
			return nil
		},
		func() error {
			sec, err := root.Logical().WriteWithContext(ctx, "auth/"+op.authMount+"/role/hubspot-sync/secret-id", nil)
			if err != nil {
				return err
			}
			sid, _ := sec.Data["secret_id"].(string)
			op.secretIDFile = filepath.Join(op.dir, "secret-id")
			return os.WriteFile(op.secretIDFile, []byte(sid+"\n"), 0o600)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			op.tearDown(root)
			return nil, fmt.Errorf("setting up Vault: %w", err)
		}
	}
	return op, nil
}

// tearDown removes what setUp created, so that a shared server is left as
// it was.
func (op *operator) tearDown(root *api.Client) {
	root.Sys().DisableAuth(op.authMount)
	root.Sys().DeletePolicy(op.policy)
	root.Sys().Unmount(op.kvMount)
	os.RemoveAll(op.dir)
}

func newToken() string { return "pat-na1-" + randHex(16) }

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
