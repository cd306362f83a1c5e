package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/file"
)

// DefaultServiceAccountTokenPath is where Kubernetes mounts a pod's
// service-account token, which kubelet rotates in place.
const DefaultServiceAccountTokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token"

// AuthOption configures a login method.
type AuthOption func(*authOptions) error

type authOptions struct{ mount string }

// WithMountPath sets the path the auth method is mounted at, without the
// "auth/" prefix (defaults: "approle", "kubernetes").
func WithMountPath(path string) AuthOption {
	return func(o *authOptions) error {
		p := strings.Trim(path, "/")
		if err := checkPath("auth mount path", p); err != nil {
			return err
		}
		o.mount = p
		return nil
	}
}

func applyAuthOptions(def string, opts []AuthOption) (authOptions, error) {
	o := authOptions{mount: def}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// TokenAuth "logs in" with an existing Vault token: one read from a
// secrets.Provider at every login, so a token file that Vault Agent or an
// operator rewrites is picked up at the next login. Each login looks the
// token up (auth/token/lookup-self) to learn its TTL, so the Session can
// renew it; a token whose policies do not allow that lookup is used as it
// is, without renewal.
type TokenAuth struct {
	token secrets.Provider
}

// NewTokenAuth returns a TokenAuth that reads the token from p at every
// login, for example file.New("/home/vault/.vault-token") for a Vault
// Agent token sink.
func NewTokenAuth(p secrets.Provider) (*TokenAuth, error) {
	if p == nil {
		return nil, errors.New("vault: NewTokenAuth needs a secrets.Provider for the token, got nil")
	}
	return &TokenAuth{token: p}, nil
}

func (a *TokenAuth) describe() string { return "token" }

// Login implements api.AuthMethod.
func (a *TokenAuth) Login(ctx context.Context, c *api.Client) (*api.Secret, error) {
	v, err := a.token.Fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: token: reading the token: %w", ErrLogin, err)
	}
	tok := v.Value
	resp, err := c.WithRequestCallbacks(func(r *api.Request) { r.ClientToken = tok.Reveal() }).
		Logical().ReadRawWithContext(ctx, "auth/token/lookup-self")
	defer closeBody(resp)
	if err != nil {
		switch {
		case invalidToken(resp, err):
			return nil, fmt.Errorf("%w: %w: the token from %s is invalid or expired", ErrLogin, secrets.ErrPermission, v.Source)
		case resp != nil && resp.StatusCode == http.StatusForbidden:
			// Valid, but its policies do not allow lookup-self: use it
			// without knowing its TTL.
			return &api.Secret{Auth: &api.SecretAuth{ClientToken: tok.Reveal()}}, nil
		}
		return nil, fmt.Errorf("%w: token: looking up the token from %s: %w", ErrLogin, v.Source, requestError(ctx, "auth/token/lookup-self", resp, err, tok))
	}
	body, err := secrets.ReadLimited(resp.Body, maxResponseSize)
	if err != nil {
		return nil, fmt.Errorf("%w: token: reading the lookup-self response: %w", ErrLogin, scrubErr(err, tok))
	}
	// The response also holds the token itself ("id"): decode only what is
	// needed.
	var out struct {
		Data struct {
			TTL       int64    `json:"ttl"`
			Renewable bool     `json:"renewable"`
			Policies  []string `json:"policies"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("%w: token: the lookup-self response is not the JSON Vault sends", ErrLogin)
	}
	return &api.Secret{Auth: &api.SecretAuth{
		ClientToken:   tok.Reveal(),
		LeaseDuration: int(out.Data.TTL),
		Renewable:     out.Data.Renewable,
		Policies:      out.Data.Policies,
	}}, nil
}

// staticToken is the token an api.Client held when the Session was made.
func staticToken(tok secrets.Secret) secrets.Provider {
	return secrets.ProviderFunc(func(ctx context.Context) (secrets.Version, error) {
		return secrets.Version{Value: tok, ID: tok.Fingerprint(), Source: "api.Client", FetchedAt: time.Now()}, nil
	})
}

// AppRoleAuth logs in with Vault's AppRole auth method. The secret ID is
// fetched from a secrets.Provider at every login (a file that a
// trusted orchestrator rewrites, typically), so a rotated or single-use
// secret ID works: unlike api/auth/approle, which reads its file once.
type AppRoleAuth struct {
	mount    string
	roleID   secrets.Secret // not a credential alone, but kept out of dumps and errors like one
	secretID secrets.Provider
}

// NewAppRoleAuth returns an AppRoleAuth for roleID. secretID is read at
// every login; it may be nil for a role created with bind_secret_id=false.
// Use file.New(path) to read it from a file.
func NewAppRoleAuth(roleID string, secretID secrets.Provider, opts ...AuthOption) (*AppRoleAuth, error) {
	if strings.TrimSpace(roleID) == "" {
		return nil, errors.New("vault: NewAppRoleAuth needs a role ID, got an empty one")
	}
	o, err := applyAuthOptions("approle", opts)
	if err != nil {
		return nil, err
	}
	return &AppRoleAuth{mount: o.mount, roleID: secrets.New(roleID), secretID: secretID}, nil
}

func (a *AppRoleAuth) describe() string { return "approle (auth/" + a.mount + ")" }

// Login implements api.AuthMethod.
func (a *AppRoleAuth) Login(ctx context.Context, c *api.Client) (*api.Secret, error) {
	body := map[string]any{"role_id": a.roleID.Reveal()}
	var sid secrets.Secret
	if a.secretID != nil {
		v, err := a.secretID.Fetch(ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: reading the secret ID: %w", ErrLogin, a.describe(), err)
		}
		sid = v.Value
		body["secret_id"] = sid.Reveal()
	}
	return login(ctx, c, a.describe(), "auth/"+a.mount+"/login", body, sid, a.roleID)
}

// KubernetesAuth logs in with Vault's Kubernetes auth method. The
// service-account JWT is read again at every login, because kubelet
// rotates projected tokens in place (hourly by default) and a JWT read
// once at startup is refused after it expires: api/auth/kubernetes reads it
// only when it is constructed.
type KubernetesAuth struct {
	mount string
	role  string
	jwt   secrets.Provider
}

// NewKubernetesAuth returns a KubernetesAuth for the Vault role role. jwt
// is read at every login; nil means the pod's own token at
// [DefaultServiceAccountTokenPath].
func NewKubernetesAuth(role string, jwt secrets.Provider, opts ...AuthOption) (*KubernetesAuth, error) {
	if strings.TrimSpace(role) == "" {
		return nil, errors.New("vault: NewKubernetesAuth needs a role name, got an empty one")
	}
	o, err := applyAuthOptions("kubernetes", opts)
	if err != nil {
		return nil, err
	}
	if jwt == nil {
		f, err := file.New(DefaultServiceAccountTokenPath)
		if err != nil {
			return nil, err
		}
		jwt = f
	}
	return &KubernetesAuth{mount: o.mount, role: role, jwt: jwt}, nil
}

func (a *KubernetesAuth) describe() string { return "kubernetes (auth/" + a.mount + ")" }

// Login implements api.AuthMethod.
func (a *KubernetesAuth) Login(ctx context.Context, c *api.Client) (*api.Secret, error) {
	v, err := a.jwt.Fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: reading the service-account JWT: %w", ErrLogin, a.describe(), err)
	}
	body := map[string]any{"role": a.role, "jwt": v.Value.Reveal()}
	return login(ctx, c, a.describe(), "auth/"+a.mount+"/login", body, v.Value)
}

// login writes body to path and returns the login response; its errors
// never carry the credentials in hide.
func login(ctx context.Context, c *api.Client, method, path string, body map[string]any, hide ...secrets.Secret) (*api.Secret, error) {
	sec, err := c.Logical().WriteWithContext(ctx, path, body)
	if err == nil {
		return sec, nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrLogin, method, cerr)
	}
	var re *api.ResponseError
	if !errors.As(err, &re) {
		return nil, fmt.Errorf("%w: %s at %s: %s", ErrLogin, method, path, errorText(err, hide...))
	}
	msg := vaultMessages(err, hide...)
	switch re.StatusCode {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		return nil, fmt.Errorf("%w: %w: %s at %s: vault said %q", ErrLogin, secrets.ErrPermission, method, path, msg)
	}
	return nil, fmt.Errorf("%w: %s at %s: %w", ErrLogin, method, path, &StatusError{Status: re.StatusCode, Messages: msg})
}

var (
	_ api.AuthMethod = (*TokenAuth)(nil)
	_ api.AuthMethod = (*AppRoleAuth)(nil)
	_ api.AuthMethod = (*KubernetesAuth)(nil)
)
