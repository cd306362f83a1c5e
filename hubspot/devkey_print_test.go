package hubspot

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
)

// The developer-key transport keeps the key in an unexported field, where
// fmt and slog cannot call Secret's methods: printing it, or the Transport
// that sends through it, must show nothing of the key's in-memory bytes.
func TestDeveloperKeyTransportPrintsNoMaskedBytes(t *testing.T) {
	key := secrets.New("dev-key-3c9e1f27-8a4b-4d6e-b1f0-5e2d7c8a9b10")
	rt := keyRedactingRT{base: http.DefaultTransport, key: key}
	values := map[string]any{
		"keyRedactingRT":    rt,
		"Transport over it": &Transport{Base: rt},
	}
	for name, v := range values {
		if leakcheck.SecretsIn(v) == 0 {
			t.Fatalf("%s holds no Secret: the test proves nothing", name)
		}
		rec := leakcheck.New()
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			rec.Add(name+" "+verb, fmt.Sprintf(verb, v))
		}
		var text bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("transport", "rt", v)
		rec.Add(name+" slog text", text.String())
		rec.CheckHidden(t, leakcheck.Hidden(v))
	}
}
