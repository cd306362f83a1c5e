package vaultdev

import (
	"os"
	"testing"

	"github.com/hubkey/hubkey/secrets"
)

// Conn is how a test or example reaches a running Vault server.
type Conn struct {
	// Addr is the server address, such as "http://127.0.0.1:41234".
	Addr string
	// Token is a root token of that server.
	Token secrets.Secret
}

// FromEnv returns the server that [EnvAddr] and [EnvToken] name, and false
// when either is unset.
func FromEnv() (Conn, bool) {
	addr, tok := os.Getenv(EnvAddr), os.Getenv(EnvToken)
	if addr == "" || tok == "" {
		return Conn{}, false
	}
	return Conn{Addr: addr, Token: secrets.New(tok)}, true
}

// Conn returns how to reach s.
func (s *Server) Conn() Conn { return Conn{Addr: s.Addr, Token: s.Token} }

// HowToGet is the one-line explanation of how to get a Vault dev server
// for the tests.
const HowToGet = "run the suite with `go run ./internal/cmd/testall` (add -run and package patterns to narrow it), " +
	"which builds Vault " + Version + " once into the user cache directory, starts it in dev mode on loopback " +
	"and sets " + EnvAddr + " and " + EnvToken + "; or point those two variables at a Vault dev server of your own"

// TestServer returns the Vault dev server handed to this test process in
// [EnvAddr] and [EnvToken]. When they are unset it skips tb, saying how to
// get one; when the CI environment variable is "true" it fails tb instead,
// because CI must not pass with the Vault suite skipped.
func TestServer(tb testing.TB) Conn {
	tb.Helper()
	c, ok := FromEnv()
	if ok {
		return c
	}
	msg := "no Vault dev server: " + EnvAddr + " and " + EnvToken + " are not both set; " + HowToGet
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + " (CI=true: a skipped Vault suite is a failure)")
	}
	tb.Skip(msg)
	return Conn{}
}
