package hubspot

import (
	"net/http"
	"testing"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// Helpers that keep a test independent of the API version its client
// speaks.

// pathFor returns the escaped path c's typed methods call for the
// operation named op with path parameters params (name, value pairs).
func pathFor(t testing.TB, c *Client, op string, params ...string) string {
	t.Helper()
	oc, err := c.prepare(mustOp(op), pairs(t, params))
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	return oc.path
}

// isCall reports whether r calls the operation named op, in any API
// version, with path parameters that include params (name, value pairs).
func isCall(t testing.TB, r *http.Request, op string, params ...string) bool {
	t.Helper()
	o, _, got, ok := endpoints.Match(r.Method, r.URL.EscapedPath())
	if !ok || o.Name != op {
		return false
	}
	for k, v := range pairs(t, params) {
		if got[k] != v {
			return false
		}
	}
	return true
}

func pairs(t testing.TB, kv []string) map[string]string {
	t.Helper()
	if len(kv)%2 != 0 {
		t.Fatalf("odd parameter list %q", kv)
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// PathFor is pathFor for the package's external tests.
var PathFor = pathFor

// DefaultAPIVersion is the version a Client speaks unless WithAPIVersion
// says otherwise, for the package's external tests.
const DefaultAPIVersion = defaultAPIVersion
