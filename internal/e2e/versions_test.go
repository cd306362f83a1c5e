package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// apiVersionEnv names the environment variable that sets the API version
// newClient's clients speak. The test command (internal/cmd/testall) runs
// this package once per version with it set; unset, the clients speak
// hubspot's default.
const apiVersionEnv = "HUBKEY_TEST_API_VERSION"

// versionOptions returns the option that makes a client speak the version
// $HUBKEY_TEST_API_VERSION names, or none when it is unset.
func versionOptions() []hubspot.Option {
	if v := os.Getenv(apiVersionEnv); v != "" {
		return []hubspot.Option{hubspot.WithAPIVersion(v)}
	}
	return nil
}

// clientVersion returns the version newClient's clients speak, as the
// server sees it: a probe client makes one call to a server of its own,
// once per test binary.
func clientVersion(t testing.TB) endpoints.Version {
	t.Helper()
	v, err := probeVersion()
	if err != nil {
		t.Fatalf("finding the clients' API version: %v", err)
	}
	return v
}

var probeVersion = sync.OnceValues(func() (endpoints.Version, error) {
	srv, err := hubspottest.Start()
	if err != nil {
		return "", err
	}
	defer srv.Close()
	c, err := hubspot.New(append([]hubspot.Option{
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken(hubspottest.AllScopes...))),
		hubspot.WithBaseURL(srv.URL()),
	}, versionOptions()...)...)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := c.Owners.List(context.Background(), nil); err != nil {
		return "", err
	}
	j := srv.Journal()
	if len(j) != 1 {
		return "", fmt.Errorf("the probe made %d calls", len(j))
	}
	_, v, _, ok := endpoints.Match(j[0].Method, j[0].Path)
	if !ok {
		return "", fmt.Errorf("the probe's call %s %s is not in the catalogue", j[0].Method, j[0].Path)
	}
	return v, nil
})

// opPath returns the path newClient's clients call for the operation named
// op with path parameters params (name, value pairs): its path in
// clientVersion, or its numbered path when that version does not offer it
// (as hubspot.WithAPIVersion says).
func opPath(t testing.TB, op string, params ...string) string {
	t.Helper()
	o, ok := endpoints.Lookup(op)
	if !ok {
		t.Fatalf("no operation %s", op)
	}
	p := map[string]string{}
	for i := 0; i+1 < len(params); i += 2 {
		p[params[i]] = params[i+1]
	}
	v := clientVersion(t)
	if _, offered := o.Template(v); !offered {
		v = endpoints.Numbered
	}
	path, err := o.Expand(v, p)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// isOp reports whether a journal entry called the operation named op, in
// any API version.
func isOp(e hubspottest.Call, op string) bool {
	o, _, _, ok := endpoints.Match(e.Method, (&url.URL{Path: e.Path}).EscapedPath())
	return ok && o.Name == op
}

// newClient's clients speak the version the test command asked for, so
// that each of its runs tests that version.
func TestNewClientSpeaksTheTestVersion(t *testing.T) {
	want := endpoints.Version(os.Getenv(apiVersionEnv))
	switch want {
	case "":
		want = clientVersion(t)
	case "numbered":
		want = endpoints.Numbered
	}
	srv := hubspottest.NewServer(t)
	c := newClient(t, srv, secretstest.NewStatic(srv.NewToken(hubspottest.AllScopes...)))
	if _, err := c.Owners.List(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	j := srv.Journal()
	if len(j) != 1 {
		t.Fatalf("%d calls", len(j))
	}
	if _, got, _, ok := endpoints.Match(j[0].Method, j[0].Path); !ok || got != want {
		t.Errorf("sent %s %s (version %q), want version %q", j[0].Method, j[0].Path, got, want)
	}
}
