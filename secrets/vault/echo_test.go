package vault

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/vault/api"
)

// These tests run against stand-ins for Vault on loopback that answer with
// errors echoing the credentials each request carried, the way a buggy
// proxy or a hostile server might. They need no Vault server.

// Canary credentials. Their '+', '/', '=' and ' ' make every encoding the
// leak checks look for (base64, hex, query and path escaping) differ from
// the plain form.
const (
	echoToken    = "hvs.CANARY+tok/en=4e1c 9f"
	echoSecretID = "CANARY+secret/id=7b2d a1"
	echoRoleID   = "CANARY+role/id=0c9e 5f"
	echoJWT      = "eyJCANARY+jwt/x=3a8f b4"
)

// lookupOK answers auth/token/lookup-self for a token without a TTL.
func lookupOK(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"data":{"ttl":0,"renewable":false,"policies":["default"]}}`)
}

// echoClient returns a client for addr that does not retry, holding token
// (none when it is empty).
func echoClient(t testing.TB, addr, token string) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = addr
	cfg.MaxRetries = 0
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.ClearNamespace()
	c.ClearToken()
	if token != "" {
		c.SetToken(token)
	}
	return c
}
