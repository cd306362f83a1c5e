package hubspot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
)

// heldKey is a TokenSource holding its version in an unexported field,
// where fmt and slog cannot call Secret's methods.
type heldKey struct{ v secrets.Version }

func (h heldKey) Get(context.Context) (secrets.Version, error) { return h.v, nil }
func (heldKey) Invalidate(secrets.Version)                     {}

// A Transport holding a developer key (and a token) in its sources
// shows nothing of their in-memory bytes when it is printed.
func TestTransportPrintsNoMaskedBytes(t *testing.T) {
	key := secrets.New("dev-key-3c9e1f27-8a4b-4d6e-b1f0-5e2d7c8a9b10")
	values := map[string]any{
		"Transport with a held key":        &Transport{DeveloperKey: heldKey{secrets.Version{Value: key}}, Base: &http.Transport{}}, // its own: printing one reads it, racing its users
		"Transport with a key and a token": &Transport{Source: heldKey{secrets.Version{Value: secrets.New("pat-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")}}, DeveloperKey: heldKey{secrets.Version{Value: key}}},
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
