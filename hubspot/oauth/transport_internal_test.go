package oauth

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/hubkey/hubkey/secrets/secretstest"
)

// idleCloser records CloseIdleConnections.
type idleCloser struct {
	http.RoundTripper
	closed atomic.Int64
}

func (c *idleCloser) CloseIdleConnections() { c.closed.Add(1) }

// The Provider's copy of the caller's client passes CloseIdleConnections
// through to the caller's transport: http.Client.CloseIdleConnections
// reaches a transport only if every wrapper passes it on.
func TestClientCopyClosesIdleConnections(t *testing.T) {
	tr := &idleCloser{RoundTripper: http.DefaultTransport}
	p, err := New(Config{
		ClientID: "app", ClientSecret: secretstest.NewStatic("s3cr3t-value"), RefreshToken: secretstest.NewStatic("r3fr3sh-value"),
		HTTPClient: &http.Client{Transport: tr},
	})
	if err != nil {
		t.Fatal(err)
	}
	p.client.CloseIdleConnections()
	if n := tr.closed.Load(); n != 1 {
		t.Fatalf("the caller's transport saw %d CloseIdleConnections calls, want 1", n)
	}
}
