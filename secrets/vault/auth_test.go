package vault

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/file"
)

// writeFile replaces path's content the way an orchestrator would: a new
// file renamed over the old one.
func writeFile(t testing.TB, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func fileProvider(t testing.TB, path string) *file.Provider {
	t.Helper()
	p, err := file.New(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// AppRole with a 6s token TTL and a 15s max TTL: the token is renewed while
// it can be, and when the Session gives it up near the max TTL it logs in
// again, reading the secret ID file again: the
// first secret ID is single-use, so the second login works only with the
// new one written to the file after the first login.
func TestAppRoleRenewsAndLogsInAgainPastMaxTTL(t *testing.T) {
	t.Parallel()
	tv := newTestVault(t)
	mount := tv.mountKV(2)
	value := secretValue(t)
	tv.putKV2(mount, "hubspot", map[string]any{"token": value})
	pol := tv.policy(fmt.Sprintf(`path "%s/data/hubspot" { capabilities = ["read"] }`, mount))
	auth := tv.enableAuth("approle")
	tv.write("auth/"+auth+"/role/app", map[string]any{
		"token_policies":     []string{pol},
		"token_ttl":          "6s",
		"token_max_ttl":      "15s",
		"secret_id_num_uses": 1,
	})
	rid, err := tv.root.Logical().Read("auth/" + auth + "/role/app/role-id")
	if err != nil {
		t.Fatal(err)
	}
	roleIDStr := rid.Data["role_id"].(string)
	newSecretID := func() string {
		return tv.write("auth/"+auth+"/role/app/secret-id", nil).Data["secret_id"].(string)
	}
	sid1, sid2 := newSecretID(), newSecretID()
	sidPath := filepath.Join(t.TempDir(), "secret-id")
	writeFile(t, sidPath, sid1)

	ar, err := NewAppRoleAuth(roleIDStr, fileProvider(t, sidPath), WithMountPath(auth))
	if err != nil {
		t.Fatal(err)
	}
	var logs logBuffer
	s, err := NewSession(tv.newClient(), WithAuth(ar), WithLogger(newLogger(&logs)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := NewKV2(s, mount, "hubspot", WithField("token"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Login(ctx); err != nil {
		t.Fatal(err)
	}
	loggedIn := time.Now()
	tok1 := currentToken(s)
	writeFile(t, sidPath, sid2) // sid1 is spent

	// While the program keeps reading, the token outlives its 6s TTL: the
	// Session renews it. (TTLs leave seconds of slack: the Session renews
	// at about two thirds of the lease, and a loaded CI machine can starve
	// it for a while.)
	err = poll(40*time.Second, func() (bool, error) {
		v, err := p.Fetch(ctx)
		if err != nil {
			return false, fmt.Errorf("Fetch during renewal: %w", err)
		}
		if v.Value.Reveal() != value {
			return false, errors.New("Fetch returned another value")
		}
		return time.Since(loggedIn) > 8*time.Second, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Logins != 1 || st.Renewals < 1 {
		t.Fatalf("stats %+v: want the first token renewed and still in use after 8s", st)
	}

	// Idle until renewal ends near the max TTL: the Session drops the token
	// so that the next request logs in again.
	if err := poll(40*time.Second, func() (bool, error) { return s.Stats().WatcherEnded > 0, nil }); err != nil {
		t.Fatalf("renewal did not end: %v (stats %+v)", err, s.Stats())
	}
	if st := s.Stats(); st.LoggedIn || st.Logins != 1 {
		t.Fatalf("stats %+v: the given-up token is still held", st)
	}
	if v, err := p.Fetch(ctx); err != nil || v.Value.Reveal() != value {
		t.Fatalf("Fetch after the max TTL: %v", err)
	}
	st := s.Stats()
	tok2 := currentToken(s)
	if st.Logins != 2 || st.LoginFailures != 0 || st.InvalidTokenRelogins != 0 {
		t.Errorf("stats %+v: want a second login (with the new secret ID) and nothing refused", st)
	}
	if tok2.IsZero() || tok2.Equal(tok1) {
		t.Error("the second login did not yield a new token")
	}
	noLeak(t, map[string]string{"logs": logs.String()}, value, tok1.Reveal(), tok2.Reveal(), sid1, sid2, roleIDStr)

	// A spent secret ID in the file: the next login fails with an error
	// that names the method and says why, without the secret ID.
	s2, _ := NewSession(tv.newClient(), WithAuth(ar))
	defer s2.Close()
	err = s2.Login(ctx) // sid2 was used by the second login above
	if !errors.Is(err, ErrLogin) || !errors.Is(err, secrets.ErrPermission) {
		t.Fatalf("login with a spent secret ID = %v, want ErrLogin and ErrPermission", err)
	}
	noLeak(t, map[string]string{"error": err.Error()}, sid1, sid2, roleIDStr)
	if s2.Stats().LoginFailures != 1 {
		t.Errorf("stats %+v, want one login failure", s2.Stats())
	}

	// A missing secret ID file is a login error that names the file.
	os.Remove(sidPath)
	s3, _ := NewSession(tv.newClient(), WithAuth(ar))
	defer s3.Close()
	if err := s3.Login(ctx); !errors.Is(err, ErrLogin) || !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("login without the secret ID file = %v, want ErrLogin and ErrNotFound", err)
	}
}

// fakeKube answers Vault's TokenReview calls for the JWTs it knows.
type fakeKube struct {
	mu       sync.Mutex
	known    map[string]bool
	reviewed []string
}

func (k *fakeKube) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/apis/authentication.k8s.io/v1/tokenreviews" {
		http.NotFound(w, r)
		return
	}
	var req struct {
		Spec struct {
			Token string `json:"token"`
		} `json:"spec"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	k.mu.Lock()
	k.reviewed = append(k.reviewed, req.Spec.Token)
	ok := k.known[req.Spec.Token]
	k.mu.Unlock()
	status := map[string]any{"authenticated": false}
	if ok {
		status = map[string]any{"authenticated": true, "user": map[string]any{"username": "system:serviceaccount:hubkey:app", "uid": "uid-app"}}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "status": status})
}

func (k *fakeKube) last() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.reviewed) == 0 {
		return ""
	}
	return k.reviewed[len(k.reviewed)-1]
}

// serviceAccountJWT returns an ES256 JWT with the claims of a Kubernetes
// service-account token for hubkey/app.
func serviceAccountJWT(t testing.TB) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signing := enc(map[string]any{"alg": "ES256", "typ": "JWT"}) + "." + enc(map[string]any{
		"iss":                                    "kubernetes/serviceaccount",
		"sub":                                    "system:serviceaccount:hubkey:app",
		"kubernetes.io/serviceaccount/namespace": "hubkey",
		"kubernetes.io/serviceaccount/service-account.name": "app",
		"kubernetes.io/serviceaccount/service-account.uid":  "uid-app",
		"jti": randHex(t, 8),
	})
	sum := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Kubernetes auth against the real Vault plugin, with a fake Kubernetes
// TokenReview API on loopback: the JWT file is read again at the next
// login, here one caused by Vault refusing a revoked token.
func TestKubernetesLoginRereadsJWT(t *testing.T) {
	t.Parallel()
	tv := newTestVault(t)
	jwtA, jwtB, jwtUnknown := serviceAccountJWT(t), serviceAccountJWT(t), serviceAccountJWT(t)
	kube := &fakeKube{known: map[string]bool{jwtA: true, jwtB: true}}
	ts := httptest.NewServer(kube)
	defer ts.Close()

	mount := tv.mountKV(2)
	value := secretValue(t)
	tv.putKV2(mount, "hubspot", map[string]any{"token": value})
	pol := tv.policy(fmt.Sprintf(`path "%s/*" { capabilities = ["read"] }`, mount))
	auth := tv.enableAuth("kubernetes")
	tv.write("auth/"+auth+"/config", map[string]any{"kubernetes_host": ts.URL, "disable_local_ca_jwt": true})
	tv.write("auth/"+auth+"/role/app", map[string]any{
		"bound_service_account_names":      []string{"app"},
		"bound_service_account_namespaces": []string{"hubkey"},
		"token_policies":                   []string{pol},
		"token_ttl":                        "1h",
	})
	jwtPath := filepath.Join(t.TempDir(), "token")
	writeFile(t, jwtPath, jwtA)
	ka, err := NewKubernetesAuth("app", fileProvider(t, jwtPath), WithMountPath(auth))
	if err != nil {
		t.Fatal(err)
	}
	var logs logBuffer
	s, err := NewSession(tv.newClient(), WithAuth(ka), WithLogger(newLogger(&logs)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, _ := NewKV2(s, mount, "hubspot", WithField("token"))
	ctx := context.Background()
	if v, err := p.Fetch(ctx); err != nil || v.Value.Reveal() != value {
		t.Fatalf("Fetch after Kubernetes login: %v", err)
	}
	if kube.last() != jwtA {
		t.Fatal("Vault did not review the JWT from the file")
	}
	tok1 := currentToken(s)

	// kubelet rotates the JWT; the Vault token is revoked.
	writeFile(t, jwtPath, jwtB)
	if _, err := tv.root.Logical().Write("auth/token/revoke", map[string]any{"token": tok1.Reveal()}); err != nil {
		t.Fatal(err)
	}
	if v, err := p.Fetch(ctx); err != nil || v.Value.Reveal() != value {
		t.Fatalf("Fetch after the token was revoked: %v", err)
	}
	if kube.last() != jwtB {
		t.Fatal("the re-login did not read the rotated JWT")
	}
	if st := s.Stats(); st.Logins != 2 || st.InvalidTokenRelogins != 1 {
		t.Errorf("stats %+v: want a second login caused by the invalid token", st)
	}
	tok2 := currentToken(s)

	// A JWT the cluster does not recognise is refused.
	writeFile(t, jwtPath, jwtUnknown)
	s2, _ := NewSession(tv.newClient(), WithAuth(ka))
	defer s2.Close()
	err = s2.Login(ctx)
	if !errors.Is(err, ErrLogin) || !errors.Is(err, secrets.ErrPermission) {
		t.Fatalf("login with an unknown JWT = %v, want ErrLogin and ErrPermission", err)
	}
	noLeak(t, map[string]string{"logs": logs.String(), "error": err.Error()},
		value, jwtA, jwtB, jwtUnknown, tok1.Reveal(), tok2.Reveal())
}

// Token auth from a file (a Vault Agent sink, say): the token is looked up
// for its TTL, and when Vault refuses it as revoked the file is read again.
func TestTokenAuthFromFile(t *testing.T) {
	t.Parallel()
	tv := newTestVault(t)
	mount := tv.mountKV(1)
	value := secretValue(t)
	tv.write(mount+"/hubspot", map[string]any{"token": value})
	pol := tv.policy(fmt.Sprintf(`path "%s/hubspot" { capabilities = ["read"] }`, mount))
	tok1, tok2 := tv.childToken("1h", pol), tv.childToken("1h", pol)
	path := filepath.Join(t.TempDir(), "vault-token")
	writeFile(t, path, tok1)
	ta, err := NewTokenAuth(fileProvider(t, path))
	if err != nil {
		t.Fatal(err)
	}
	var logs logBuffer
	s, err := NewSession(tv.newClient(), WithAuth(ta), WithLogger(newLogger(&logs)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, _ := NewKV1(s, mount, "hubspot")
	ctx := context.Background()
	if v, err := p.Fetch(ctx); err != nil || v.Value.Reveal() != value {
		t.Fatalf("Fetch: %v", err)
	}
	st := s.Stats()
	if d := time.Until(st.TokenExpiresAt); d < 50*time.Minute || d > time.Hour {
		t.Errorf("TokenExpiresAt is %v from now, want about 1h", d)
	}
	writeFile(t, path, tok2)
	if err := tv.root.Auth().Token().RevokeTree(tok1); err != nil {
		t.Fatal(err)
	}
	if v, err := p.Fetch(ctx); err != nil || v.Value.Reveal() != value {
		t.Fatalf("Fetch after the token was revoked: %v", err)
	}
	if st := s.Stats(); st.Logins != 2 || st.InvalidTokenRelogins != 1 {
		t.Errorf("stats %+v, want one re-login for the invalid token", st)
	}

	// Both revoked: a clear error, without the token.
	if err := tv.root.Auth().Token().RevokeTree(tok2); err != nil {
		t.Fatal(err)
	}
	_, err = p.Fetch(ctx)
	if !errors.Is(err, ErrLogin) || !errors.Is(err, secrets.ErrPermission) {
		t.Fatalf("Fetch with only revoked tokens = %v, want ErrLogin and ErrPermission", err)
	}
	noLeak(t, map[string]string{"logs": logs.String(), "error": err.Error(), "error %+v": fmt.Sprintf("%+v", err)},
		value, tok1, tok2)
}

// The api.Client's own short-lived token is renewed while it is used.
func TestClientTokenRenewed(t *testing.T) {
	t.Parallel()
	tv := newTestVault(t)
	mount := tv.mountKV(2)
	value := secretValue(t)
	tv.putKV2(mount, "hubspot", map[string]any{"token": value})
	pol := tv.policy(fmt.Sprintf(`path "%s/*" { capabilities = ["read"] }`, mount))
	c := tv.newClient()
	tok := tv.childToken("8s", pol)
	c.SetToken(tok)
	s, err := NewSession(c)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, _ := NewKV2(s, mount, "hubspot")
	ctx := context.Background()
	start := time.Now()
	err = poll(40*time.Second, func() (bool, error) {
		if _, err := p.Fetch(ctx); err != nil {
			return false, err
		}
		return time.Since(start) > 16*time.Second, nil
	})
	if err != nil {
		t.Fatalf("using an 8s token for 16s: %v (stats %+v)", err, s.Stats())
	}
	if st := s.Stats(); st.Renewals < 2 || st.LoginFailures != 0 || st.InvalidTokenRelogins != 0 {
		t.Errorf("stats %+v: want the token renewed at least twice and never refused", st)
	}
}

// Concurrent first requests share one login.
func TestSessionLoginIsSingleFlight(t *testing.T) {
	t.Parallel()
	tv := newTestVault(t)
	mount := tv.mountKV(2)
	tv.putKV2(mount, "x", map[string]any{"token": secretValue(t)})
	s := tv.rootSession()
	p, _ := NewKV2(s, mount, "x")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.Fetch(context.Background()); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := s.Stats().Logins; n != 1 {
		t.Errorf("%d logins for 16 concurrent first requests, want 1", n)
	}
	if n := tv.rec.count("/v1/auth/token/lookup-self"); n != 1 {
		t.Errorf("%d token lookups, want 1", n)
	}
}

func TestSessionClose(t *testing.T) {
	t.Parallel()
	tv := newTestVault(t)
	mount := tv.mountKV(2)
	tv.putKV2(mount, "x", map[string]any{"token": secretValue(t)})
	pol := tv.policy(fmt.Sprintf(`path "%s/*" { capabilities = ["read"] }`, mount))
	c := tv.newClient()
	c.SetToken(tv.childToken("1h", pol)) // renewable: a renewal goroutine runs
	s, err := NewSession(c)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := NewKV2(s, mount, "x")
	if _, err := p.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.Close(); s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	if _, err := p.Fetch(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Fetch after Close = %v, want ErrClosed", err)
	}
	if s.Stats().LoggedIn {
		t.Error("still logged in after Close")
	}
}
