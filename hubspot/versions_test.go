package hubspot_test

import (
	"net/url"
	"os"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/internal/endpoints"
)

// TestAPIVersionEnv names the environment variable that sets the API
// version newClient's clients speak. The test command (internal/cmd/testall)
// runs this package once per version with it set; unset, the clients speak
// the package default.
const TestAPIVersionEnv = "HUBKEY_TEST_API_VERSION"

// versionOptions returns the option that makes a client speak the version
// $HUBKEY_TEST_API_VERSION names, or none when it is unset. A test that is
// about one version passes its own WithAPIVersion after these.
func versionOptions() []hubspot.Option {
	if v := os.Getenv(TestAPIVersionEnv); v != "" {
		return []hubspot.Option{hubspot.WithAPIVersion(v)}
	}
	return nil
}

// opOf returns the name of the operation a journal entry called, in any
// API version, and its path parameters; "" when the catalogue does not
// know the call.
func opOf(c hubspottest.Call) (string, map[string]string) {
	o, _, params, ok := endpoints.Match(c.Method, (&url.URL{Path: c.Path}).EscapedPath())
	if !ok {
		return "", nil
	}
	return o.Name, params
}

// isOp reports whether a journal entry called the operation named op.
func isOp(c hubspottest.Call, op string) bool {
	name, _ := opOf(c)
	return name == op
}

// opCalls counts the calls in srv's journal of the operation named op, in
// any API version, whose path parameters include params (name, value
// pairs).
func opCalls(t testing.TB, srv *hubspottest.Server, op string, params ...string) int {
	t.Helper()
	if len(params)%2 != 0 {
		t.Fatalf("odd parameter list %q", params)
	}
	n := 0
	for _, c := range srv.Journal() {
		name, got := opOf(c)
		if name != op {
			continue
		}
		match := true
		for i := 0; i < len(params); i += 2 {
			if got[params[i]] != params[i+1] {
				match = false
			}
		}
		if match {
			n++
		}
	}
	return n
}

// The clients newClient builds speak the version the test command asked
// for, so that each of its runs tests that version.
func TestNewClientSpeaksTheTestVersion(t *testing.T) {
	want := endpoints.Version(os.Getenv(TestAPIVersionEnv))
	switch want {
	case "":
		want = hubspot.DefaultAPIVersion
	case "numbered":
		want = endpoints.Numbered
	}
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
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
