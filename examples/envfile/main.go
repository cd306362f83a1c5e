// Command envfile reads HubSpot tokens from the two places a deployment
// most often puts them, an environment variable and a Kubernetes-style
// mounted secret file, each through a secrets.Cache that re-reads its
// source on a short schedule. It then rotates both tokens at the source the
// way an operator (or the kubelet) would, shows each Cache pick up the new
// value live (OnRotate), revokes the old tokens, and shows the HubSpot
// clients carry on. It runs against an in-memory HubSpot (hubspottest) and
// prints fingerprints, never a token.
//
//	go run ./examples/envfile
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/env"
	"github.com/hubkey/hubkey/secrets/file"
)

// envVar is the variable the example keeps its first token in.
const envVar = "HUBKEY_EXAMPLE_HUBSPOT_TOKEN"

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir, err := os.MkdirTemp("", "hubkey-envfile-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "envfile example:", err)
		os.Exit(1)
	}
	err = run(ctx, os.Stdout, os.LookupEnv, os.Setenv, dir, 200*time.Millisecond)
	os.RemoveAll(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "envfile example:", err)
		os.Exit(1)
	}
}

// run runs the example, writing to out: the environment is read with
// lookup and changed with setenv, the secret volume lives in dir, and both
// Caches re-read their source every interval.
func run(ctx context.Context, out io.Writer, lookup func(string) (string, bool), setenv func(k, v string) error, dir string, interval time.Duration) error {
	say := func(format string, args ...any) { fmt.Fprintf(out, "==> "+format+"\n", args...) }
	srv, err := hubspottest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	scopes := []string{"crm.objects.contacts.read", "crm.objects.contacts.write"}
	say("started an in-memory HubSpot at %s", srv.URL())

	// The two sources, as a deployment would fill them.
	envTok := srv.NewToken(scopes...)
	if err := setenv(envVar, envTok); err != nil {
		return err
	}
	vol := &volume{dir: dir}
	fileTok := srv.NewToken(scopes...)
	if err := vol.write(fileTok); err != nil {
		return err
	}

	// One Cache per source, re-reading it every interval (neither can push
	// a change), and one client per Cache.
	envProv, err := env.New(envVar, env.WithLookup(lookup))
	if err != nil {
		return err
	}
	fileProv, err := file.New(filepath.Join(dir, "token"))
	if err != nil {
		return err
	}
	type source struct {
		name    string
		cache   *secrets.Cache
		client  *hubspot.Client
		rotated chan [2]secrets.Version
	}
	var sources []*source
	for _, p := range []struct {
		name string
		p    secrets.Provider
	}{{"env ", envProv}, {"file", fileProv}} {
		c, err := secrets.NewCache(p.p, secrets.WithRefreshInterval(interval, 0.1))
		if err != nil {
			return err
		}
		defer c.Close()
		cl, err := hubspot.New(hubspot.WithToken(c), hubspot.WithBaseURL(srv.URL()))
		if err != nil {
			return err
		}
		defer cl.Close()
		s := &source{name: p.name, cache: c, client: cl, rotated: make(chan [2]secrets.Version, 4)}
		c.OnRotate(func(old, new secrets.Version) {
			if old.IsZero() {
				return // the first fetch, not a rotation
			}
			select { // never block the refreshing goroutine
			case s.rotated <- [2]secrets.Version{old, new}:
			default:
			}
		})
		sources = append(sources, s)
	}

	// Both clients work with the first tokens.
	var n atomic.Int64
	call := func(s *source) error {
		c, err := s.client.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{
			"email": "member" + strconv.FormatInt(n.Add(1), 10) + "@example.com",
		}})
		if err != nil {
			return fmt.Errorf("%s client: %w", s.name, err)
		}
		if _, err := s.client.Contacts.Get(ctx, c.ID, nil); err != nil {
			return fmt.Errorf("%s client: %w", s.name, err)
		}
		v, err := s.cache.Get(ctx)
		if err != nil {
			return err
		}
		say("%s: created and read contact %s with token %s (%s)", s.name, c.ID, v.Value.Fingerprint(), v.Source)
		return nil
	}
	for _, s := range sources {
		if err := call(s); err != nil {
			return err
		}
	}

	// Rotate both at the source, with a grace period on the old tokens so
	// nothing fails while the Caches catch up.
	newEnv := srv.RotateToken(envTok, time.Hour)
	if err := setenv(envVar, newEnv); err != nil {
		return err
	}
	newFile := srv.RotateToken(fileTok, time.Hour)
	if err := vol.write(newFile); err != nil {
		return err
	}
	say("rotated both tokens at the source: %s=new value, ..data symlink swapped to a new directory", envVar)
	for _, s := range sources {
		select {
		case r := <-s.rotated:
			say("%s: Cache picked up the rotation on its scheduled refresh: %s -> %s", s.name, r[0].Value.Fingerprint(), r[1].Value.Fingerprint())
		case <-ctx.Done():
			return fmt.Errorf("%s: the Cache did not pick up the rotation: %w", s.name, ctx.Err())
		}
	}

	// The old tokens die; the clients carry on with the new ones.
	srv.RevokeToken(envTok)
	srv.RevokeToken(fileTok)
	say("revoked the old tokens")
	for _, s := range sources {
		if err := call(s); err != nil {
			return err
		}
	}
	say("both clients kept working across the rotation")
	return nil
}

// volume imitates a Kubernetes secret volume: "token" is a symlink through
// "..data", which the kubelet points at a fresh directory atomically (a
// rename of a new symlink over the old), so a reader sees the old file or
// the new one, never half of either.
type volume struct {
	dir string
	n   int
}

func (v *volume) write(token string) error {
	v.n++
	ts := filepath.Join(v.dir, fmt.Sprintf("..2026_11_22_%06d", v.n))
	if err := os.Mkdir(ts, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(ts, "token"), []byte(token+"\n"), 0o600); err != nil {
		return err
	}
	tmp := filepath.Join(v.dir, "..data_tmp")
	if err := os.Symlink(filepath.Base(ts), tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(v.dir, "..data")); err != nil {
		return err
	}
	link := filepath.Join(v.dir, "token")
	if _, err := os.Lstat(link); os.IsNotExist(err) {
		return os.Symlink(filepath.Join("..data", "token"), link)
	}
	return nil
}
