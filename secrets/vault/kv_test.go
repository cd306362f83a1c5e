package vault

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// kvHarness is one secret at its own path in a KV mount of the test's.
type kvHarness struct {
	tv        *testVault
	s         *Session
	version   int
	metaCheck bool
	mount     string
	path      string
}

func (h *kvHarness) MakeProvider(ctx context.Context) (secrets.Provider, error) {
	if h.version == 1 {
		return NewKV1(h.s, h.mount, h.path, WithField("token"))
	}
	return NewKV2(h.s, h.mount, h.path, WithField("token"), WithMetadataCheck(h.metaCheck))
}

func (h *kvHarness) SetValue(ctx context.Context, value string) error {
	data := map[string]any{"token": value, "note": "hubkey conformance"}
	if h.version == 1 {
		_, err := h.tv.root.Logical().WriteWithContext(ctx, h.mount+"/"+h.path, data)
		return err
	}
	_, err := h.tv.root.Logical().WriteWithContext(ctx, h.mount+"/data/"+h.path, map[string]any{"data": data})
	return err
}

// Break deletes the secret with all its versions.
func (h *kvHarness) Break(ctx context.Context) error {
	p := h.mount + "/" + h.path
	if h.version == 2 {
		p = h.mount + "/metadata/" + h.path
	}
	_, err := h.tv.root.Logical().DeleteWithContext(ctx, p)
	return err
}

func (h *kvHarness) Close() {}

func conformance(t *testing.T, version int, metaCheck bool) {
	t.Parallel()
	tv := newTestVault(t)
	mount := tv.mountKV(version)
	s := tv.rootSession()
	secretstest.Run(t, func(ctx context.Context, t *testing.T) (secretstest.Harness, error) {
		return &kvHarness{tv: tv, s: s, version: version, metaCheck: metaCheck, mount: mount, path: "conformance/" + randHex(t, 4)}, nil
	})
}

func TestKV2Conformance(t *testing.T) { conformance(t, 2, false) }
func TestKV1Conformance(t *testing.T) { conformance(t, 1, false) }

// The metadata-first change check passes the suite too.
func TestKV2ConformanceMetadataCheck(t *testing.T) { conformance(t, 2, true) }

// A Cache polling a KV v2 secret sees a rotation. With the metadata check,
// polls without a change read only metadata.
func TestKV2RotationSeenByCache(t *testing.T) {
	t.Parallel()
	for _, meta := range []bool{false, true} {
		t.Run(fmt.Sprintf("metadata-check=%v", meta), func(t *testing.T) {
			t.Parallel()
			rotationSeenByCache(t, meta)
		})
	}
}

func rotationSeenByCache(t *testing.T, metaCheck bool) {
	tv := newTestVault(t)
	mount := tv.mountKV(2)
	v1, v2 := secretValue(t), secretValue(t)
	tv.putKV2(mount, "hubspot", map[string]any{"token": v1})
	var logs logBuffer
	s := tv.rootSession(WithLogger(newLogger(&logs)))
	p, err := NewKV2(s, mount, "hubspot", WithField("token"), WithMetadataCheck(metaCheck))
	if err != nil {
		t.Fatal(err)
	}
	c, err := secrets.NewCache(p, secrets.WithRefreshInterval(50*time.Millisecond, 0.1), secrets.WithLogger(newLogger(&logs)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rotated := make(chan [2]secrets.Version, 1)
	c.OnRotate(func(old, new secrets.Version) { rotated <- [2]secrets.Version{old, new} })
	ctx := context.Background()
	got, err := c.Get(ctx)
	if err != nil || got.Value.Reveal() != v1 || got.ID != "1" {
		t.Fatalf("Get = %v (id %q), %v; want version 1", got.Value.Fingerprint(), got.ID, err)
	}

	// Let a few polls go by without a change.
	dataPath, metaPath := "/v1/"+mount+"/data/hubspot", "/v1/"+mount+"/metadata/hubspot"
	data0 := tv.rec.count(dataPath)
	if err := poll(10*time.Second, func() (bool, error) {
		return tv.rec.count(dataPath)+tv.rec.count(metaPath) >= data0+3, nil
	}); err != nil {
		t.Fatalf("the Cache did not poll: %v", err)
	}
	if metaCheck && tv.rec.count(dataPath) != data0 {
		t.Errorf("with the metadata check, polls without a change read the data %d times, want 0", tv.rec.count(dataPath)-data0)
	}
	if !metaCheck && tv.rec.count(metaPath) != 0 {
		t.Errorf("without the metadata check, polls read the metadata %d times", tv.rec.count(metaPath))
	}

	tv.putKV2(mount, "hubspot", map[string]any{"token": v2})
	select {
	case r := <-rotated:
		if r[0].ID != "1" || r[1].ID != "2" || r[1].Value.Reveal() != v2 {
			t.Fatalf("rotation from %q to %q (fingerprint %s), want 1 to 2 with the new value", r[0].ID, r[1].ID, r[1].Value.Fingerprint())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the Cache did not see the rotation")
	}
	if got, _ := c.Get(ctx); got.ID != "2" {
		t.Fatalf("Get after rotation = version %q, want 2", got.ID)
	}
	noLeak(t, map[string]string{"logs": logs.String()}, v1, v2, tv.conn.Token.Reveal())
}

func TestKV2PreviousVersion(t *testing.T) {
	t.Parallel()
	tv := newTestVault(t)
	mount := tv.mountKV(2)
	vals := []string{secretValue(t), secretValue(t), secretValue(t)}
	for _, v := range vals {
		tv.putKV2(mount, "app", map[string]any{"token": v})
	}
	s := tv.rootSession()
	p, err := NewKV2(s, mount, "app", WithField("token"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	prev, err := p.FetchPrevious(ctx)
	if err != nil || prev.ID != "2" || prev.Value.Reveal() != vals[1] {
		t.Fatalf("FetchPrevious = version %q (%s), %v; want version 2", prev.ID, prev.Value.Fingerprint(), err)
	}

	// Pinned to version 2, the previous one is 1.
	p2, err := NewKV2(s, mount, "app", WithField("token"), WithVersion(2))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := p2.Fetch(ctx); err != nil || got.ID != "2" || got.Value.Reveal() != vals[1] {
		t.Fatalf("pinned Fetch = version %q, %v; want 2", got.ID, err)
	}
	if p2.Source() != "vault:"+mount+"/app#token@v2" {
		t.Errorf("pinned Source = %q", p2.Source())
	}
	if got, err := p2.FetchPrevious(ctx); err != nil || got.ID != "1" || got.Value.Reveal() != vals[0] {
		t.Fatalf("pinned FetchPrevious = version %q, %v; want 1", got.ID, err)
	}
	p1, _ := NewKV2(s, mount, "app", WithField("token"), WithVersion(1))
	if _, err := p1.FetchPrevious(ctx); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("FetchPrevious of version 1 = %v, want ErrNotFound", err)
	}

	// Fallback: the current version is deleted; Fetch fails, the previous
	// one is still there.
	tv.write(mount+"/delete/app", map[string]any{"versions": []int{3}})
	if _, err := p.Fetch(ctx); !errors.Is(err, ErrVersionDeleted) || !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("Fetch of a deleted current version = %v, want ErrVersionDeleted and ErrNotFound", err)
	}
	prev, err = p.FetchPrevious(ctx)
	if err != nil || prev.ID != "2" || prev.Value.Reveal() != vals[1] {
		t.Fatalf("FetchPrevious with the current version deleted = version %q, %v; want 2", prev.ID, err)
	}

	// The previous version deleted, then destroyed.
	tv.write(mount+"/undelete/app", map[string]any{"versions": []int{3}})
	tv.write(mount+"/delete/app", map[string]any{"versions": []int{2}})
	_, err = p.FetchPrevious(ctx)
	if !errors.Is(err, ErrVersionDeleted) || !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("FetchPrevious of a deleted version = %v, want ErrVersionDeleted and ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "version 2") || !strings.Contains(err.Error(), "vault:"+mount+"/app#token") {
		t.Errorf("error %q does not name the version and the secret", err)
	}
	tv.write(mount+"/destroy/app", map[string]any{"versions": []int{2}})
	_, err = p.FetchPrevious(ctx)
	if !errors.Is(err, ErrVersionDestroyed) || !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("FetchPrevious of a destroyed version = %v, want ErrVersionDestroyed and ErrNotFound", err)
	}
	noLeak(t, map[string]string{"error": err.Error()}, vals...)
}

// A deleted current version is seen through the metadata check too, and an
// undelete brings it back.
func TestKV2DeletedCurrentVersion(t *testing.T) {
	t.Parallel()
	tv := newTestVault(t)
	mount := tv.mountKV(2)
	v := secretValue(t)
	tv.putKV2(mount, "app", map[string]any{"token": v})
	p, err := NewKV2(tv.rootSession(), mount, "app", WithMetadataCheck(true))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if got, err := p.Fetch(ctx); err != nil || got.Value.Reveal() != v {
		t.Fatalf("Fetch = %v; want the only field's value", err)
	}
	metaReads := tv.rec.count("/metadata/app")
	tv.write(mount+"/delete/app", map[string]any{"versions": []int{1}})
	_, err = p.Fetch(ctx)
	if !errors.Is(err, ErrVersionDeleted) {
		t.Fatalf("Fetch after delete = %v, want ErrVersionDeleted", err)
	}
	if tv.rec.count("/metadata/app") != metaReads+1 {
		t.Error("the second Fetch did not go through the metadata check")
	}
	var serr *secrets.Error
	if !errors.As(err, &serr) || serr.Source != "vault:"+mount+"/app" {
		t.Errorf("error %v is not a *secrets.Error naming the secret", err)
	}
	tv.write(mount+"/undelete/app", map[string]any{"versions": []int{1}})
	if got, err := p.Fetch(ctx); err != nil || got.ID != "1" {
		t.Fatalf("Fetch after undelete = %v", err)
	}
	tv.write(mount+"/destroy/app", map[string]any{"versions": []int{1}})
	if _, err := p.Fetch(ctx); !errors.Is(err, ErrVersionDestroyed) {
		t.Fatalf("Fetch after destroy = %v, want ErrVersionDestroyed", err)
	}
	// A fresh provider reads the data directly and gets the same answer.
	p2, _ := NewKV2(tv.rootSession(), mount, "app")
	if _, err := p2.Fetch(ctx); !errors.Is(err, ErrVersionDestroyed) || !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("fresh Fetch of a destroyed version = %v, want ErrVersionDestroyed", err)
	}
}

func TestKVFieldsAndMissing(t *testing.T) {
	t.Parallel()
	tv := newTestVault(t)
	m2, m1 := tv.mountKV(2), tv.mountKV(1)
	tok := secretValue(t)
	tv.putKV2(m2, "multi", map[string]any{"token": tok, "count": 3, "nested": map[string]any{"a": "b"}, "blank": "  \n"})
	tv.write(m1+"/multi", map[string]any{"token": tok, "count": 3})
	s := tv.rootSession()
	ctx := context.Background()

	tests := []struct {
		name    string
		mk      func() (secrets.Provider, error)
		want    error
		mention []string
	}{
		{"kv2 field", func() (secrets.Provider, error) { return NewKV2(s, m2, "multi", WithField("token")) }, nil, nil},
		{"kv1 field", func() (secrets.Provider, error) { return NewKV1(s, m1, "multi", WithField("token")) }, nil, nil},
		{"kv2 missing field", func() (secrets.Provider, error) { return NewKV2(s, m2, "multi", WithField("tokn")) }, secrets.ErrNotFound, []string{`"tokn"`, "4 fields"}},
		{"kv1 missing field", func() (secrets.Provider, error) { return NewKV1(s, m1, "multi", WithField("tokn")) }, secrets.ErrNotFound, []string{`"tokn"`}},
		{"number field", func() (secrets.Provider, error) { return NewKV2(s, m2, "multi", WithField("count")) }, secrets.ErrMalformed, []string{"number"}},
		{"object field", func() (secrets.Provider, error) { return NewKV2(s, m2, "multi", WithField("nested")) }, secrets.ErrMalformed, []string{"object"}},
		{"blank field", func() (secrets.Provider, error) { return NewKV2(s, m2, "multi", WithField("blank")) }, secrets.ErrEmpty, nil},
		{"no field, several", func() (secrets.Provider, error) { return NewKV2(s, m2, "multi") }, secrets.ErrMalformed, []string{"4 fields", "WithField"}},
		{"kv2 missing path", func() (secrets.Provider, error) { return NewKV2(s, m2, "nope", WithField("token")) }, secrets.ErrNotFound, []string{m2 + "/data/nope"}},
		{"kv1 missing path", func() (secrets.Provider, error) { return NewKV1(s, m1, "nope", WithField("token")) }, secrets.ErrNotFound, []string{m1 + "/nope"}},
		{"missing mount", func() (secrets.Provider, error) { return NewKV2(s, "no-such-mount", "x", WithField("token")) }, secrets.ErrNotFound, []string{"no handler for route"}},
		{"kv1 reader on kv2 mount", func() (secrets.Provider, error) { return NewKV1(s, m2, "multi", WithField("token")) }, secrets.ErrNotFound, []string{"versioned K/V"}},
		{"kv2 missing version", func() (secrets.Provider, error) { return NewKV2(s, m2, "multi", WithField("token"), WithVersion(7)) }, secrets.ErrNotFound, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.mk()
			if err != nil {
				t.Fatal(err)
			}
			v, err := p.Fetch(ctx)
			if tc.want == nil {
				if err != nil || v.Value.Reveal() != tok {
					t.Fatalf("Fetch = %s, %v; want the token", v.Value.Fingerprint(), err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Fetch error = %v, want %v", err, tc.want)
			}
			for _, m := range tc.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
			secretstest.AssertNoLeak(t, "error", err.Error(), tok)
			secretstest.AssertNoLeak(t, "error", fmt.Sprintf("%+v", err), tok)
			// Member names of the data are not quoted either, only the
			// field that was asked for.
			if tc.name == "kv2 missing field" || tc.name == "no field, several" {
				for _, name := range []string{`"token"`, `"count"`, `"nested"`, `"blank"`} {
					if strings.Contains(err.Error(), name) {
						t.Errorf("error %q quotes the member name %s", err, name)
					}
				}
			}
		})
	}
}

func TestKVSizeLimit(t *testing.T) {
	t.Parallel()
	tv := newTestVault(t)
	mount := tv.mountKV(2)
	small := strings.Repeat("s", 200)
	tv.putKV2(mount, "small", map[string]any{"token": small})
	// Vault caps one JSON string at 1 MiB: spread the bulk over fields.
	chunk := strings.Repeat("h", 900<<10)
	tv.putKV2(mount, "huge", map[string]any{"token": "t", "a": chunk, "b": chunk, "c": chunk})
	s := tv.rootSession()
	ctx := context.Background()

	p, _ := NewKV2(s, mount, "small", WithMaxSize(100))
	_, err := p.Fetch(ctx)
	if !errors.Is(err, secrets.ErrTooLarge) || !strings.Contains(err.Error(), "200 bytes") {
		t.Fatalf("Fetch of 200 bytes with a limit of 100 = %v, want ErrTooLarge", err)
	}
	// Over the response limit, the body is not even read whole.
	p, _ = NewKV2(s, mount, "huge", WithField("token"), WithMaxSize(10<<20))
	_, err = p.Fetch(ctx)
	if !errors.Is(err, secrets.ErrTooLarge) {
		t.Fatalf("Fetch of a response over %d bytes = %v, want ErrTooLarge", maxResponseSize, err)
	}
	if len(err.Error()) > 1000 {
		t.Errorf("error is %d bytes long", len(err.Error()))
	}
	secretstest.AssertNoLeak(t, "error", err.Error(), small)
}

// A token whose policy allows reading one secret's data and nothing else:
// other secrets fail with ErrPermission, and the allowed one still works
// (without the metadata check, which it may not do), with no re-login.
func TestKVPermissionDenied(t *testing.T) {
	t.Parallel()
	tv := newTestVault(t)
	mount := tv.mountKV(2)
	v := secretValue(t)
	tv.putKV2(mount, "allowed", map[string]any{"token": v})
	tv.putKV2(mount, "forbidden", map[string]any{"token": secretValue(t)})
	pol := tv.policy(fmt.Sprintf(`path "%s/data/allowed" { capabilities = ["read"] }`, mount))
	tok := tv.childToken("1h", pol)
	c := tv.newClient()
	c.SetToken(tok)
	var logs logBuffer
	s, err := NewSession(c, WithLogger(newLogger(&logs)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()

	denied, _ := NewKV2(s, mount, "forbidden", WithField("token"))
	_, err = denied.Fetch(ctx)
	if !errors.Is(err, secrets.ErrPermission) {
		t.Fatalf("Fetch without permission = %v, want ErrPermission", err)
	}
	if !strings.Contains(err.Error(), mount+"/data/forbidden") {
		t.Errorf("error %q does not name the path", err)
	}
	if _, err := denied.FetchPrevious(ctx); !errors.Is(err, secrets.ErrPermission) {
		t.Fatalf("FetchPrevious without permission = %v, want ErrPermission", err)
	}

	allowed, _ := NewKV2(s, mount, "allowed", WithField("token"), WithMetadataCheck(true))
	for i := range 3 {
		got, err := allowed.Fetch(ctx)
		if err != nil || got.Value.Reveal() != v {
			t.Fatalf("Fetch #%d of the allowed secret: %v", i+1, err)
		}
	}
	if !allowed.metaDenied.Load() {
		t.Error("the provider did not fall back to data reads when metadata was refused")
	}
	if st := s.Stats(); st.Logins != 1 || st.InvalidTokenRelogins != 0 {
		t.Errorf("stats %+v: a policy refusal must not cause a re-login", st)
	}
	noLeak(t, map[string]string{"error": err.Error(), "logs": logs.String()}, v, tok)
}

func TestKVConstruction(t *testing.T) {
	c := newOfflineClient(t)
	s, err := NewSession(c)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bad := []struct {
		name string
		mk   func() error
		want string
	}{
		{"nil session", func() error { _, err := NewKV2(nil, "secret", "x"); return err }, "needs a *Session"},
		{"empty mount", func() error { _, err := NewKV2(s, "", "x"); return err }, "mount path is empty"},
		{"empty path", func() error { _, err := NewKV2(s, "secret", "/"); return err }, "secret path is empty"},
		{"dot dot", func() error { _, err := NewKV2(s, "secret", "a/../b"); return err }, `".." segment`},
		{"double slash", func() error { _, err := NewKV1(s, "secret", "a//b"); return err }, "empty segment"},
		{"query", func() error { _, err := NewKV2(s, "secret", "a?version=1"); return err }, "not allowed"},
		{"version 0", func() error { _, err := NewKV2(s, "secret", "a", WithVersion(0)); return err }, ">= 1"},
		{"version on kv1", func() error { _, err := NewKV1(s, "secret", "a", WithVersion(2)); return err }, "KV v2 only"},
		{"metadata on kv1", func() error { _, err := NewKV1(s, "secret", "a", WithMetadataCheck(false)); return err }, "KV v2 only"},
		{"empty field", func() error { _, err := NewKV2(s, "secret", "a", WithField("")); return err }, "field name"},
		{"max size", func() error { _, err := NewKV2(s, "secret", "a", WithMaxSize(0)); return err }, "size > 0"},
	}
	for _, tc := range bad {
		err := tc.mk()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
	p, err := NewKV2(s, "/secret/", "/hubspot/prod/", WithField("token"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Source() != "vault:secret/hubspot/prod#token" {
		t.Errorf("Source = %q", p.Source())
	}
}
