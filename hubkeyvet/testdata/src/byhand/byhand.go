// Package byhand reads HubSpot tokens from the environment or a file by
// hand and hands them on as strings, instead of through a provider.
package byhand

import (
	"context"
	"net/http"
	"os"
	"strings"

	acme "github.com/acme/go-hubspot"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/env"
)

func reported(req *http.Request) {
	_ = secrets.New(os.Getenv("HUBSPOT_TOKEN")) // want `HubSpot token read by hand from environment variable HUBSPOT_TOKEN reaches secrets.New as a string: give the client env.New\("HUBSPOT_TOKEN"\) \(github.com/hubkey/hubkey/secrets/env\) as its token source instead`

	tok, ok := os.LookupEnv("HUBSPOT_PRIVATE_APP_TOKEN")
	if ok {
		_ = secrets.New(strings.TrimSpace(tok)) // want `from environment variable HUBSPOT_PRIVATE_APP_TOKEN reaches secrets.New`
	}

	b, err := os.ReadFile("/run/secrets/hubspot-token")
	if err == nil {
		_ = secrets.NewBytes(b) // want `from file /run/secrets/hubspot-token reaches secrets.NewBytes as a string: give the client file.New\("/run/secrets/hubspot-token"\)`
	}

	// Any variable, once it reaches a HubSpot client's credential.
	_ = acme.NewClient(acme.SetPrivateAppToken(os.Getenv("TOKEN")))             // want `from environment variable TOKEN reaches hubspot.SetPrivateAppToken`
	_, _ = hubspot.New(hubspot.WithToken(os.Getenv("HS_TOKEN")))                // want `reaches hubspot.WithToken`
	_ = acme.NewFromConfig(acme.Config{AccessToken: os.Getenv("ACCESS_TOKEN")}) // want `reaches field AccessToken`
	var c acme.Client
	c.SetToken(os.Getenv("APP_TOKEN")) // want `reaches Client.SetToken`
	var cfg acme.Config
	cfg.AccessToken = strings.TrimSpace(os.Getenv("ACCESS_TOKEN")) // want `reaches field AccessToken`
	cfg.BaseURL = os.Getenv("HUBSPOT_URL")
	_ = acme.NewFromConfig(cfg)

	req.Header.Set("Authorization", "Bearer "+os.Getenv("HUBSPOT_TOKEN")) // want `reaches an Authorization header`
	req.Header["Authorization"] = []string{"Bearer " + tok}               // want `reaches an Authorization header`
	q := req.URL.Query()
	q.Set("hapikey", os.Getenv("DEV_KEY")) // want `reaches the "hapikey" query parameter`

	fn := secrets.ProviderFunc(func(ctx context.Context) (secrets.Version, error) {
		return secrets.Version{Value: secrets.New(os.Getenv("HUBSPOT_TOKEN"))}, nil // want `reaches secrets.New`
	})
	_ = fn
}

// Not reported.
func notReported(req *http.Request, name string) {
	p, _ := env.New("HUBSPOT_TOKEN") // the fix
	_, _ = hubspot.New(hubspot.WithToken(p))

	_ = secrets.New(os.Getenv("VAULT_TOKEN"))                             // not named as a HubSpot credential
	_ = secrets.New(os.Getenv(name))                                      // the name is not known
	_, _ = hubspot.New(hubspot.WithBaseURL(os.Getenv("HUBSPOT_API_URL"))) // not a credential parameter
	_ = acme.NewClient(acme.SetBaseURL(os.Getenv("HUBSPOT_TOKEN_URL")))
	_ = acme.NewFromConfig(acme.Config{BaseURL: os.Getenv("HUBSPOT_URL"), PageToken: os.Getenv("CURSOR")})
	req.Header.Set("X-Trace", os.Getenv("HUBSPOT_TOKEN"))
	req.Header.Set("Authorization", "Bearer "+os.Getenv("OTHER_SERVICE_TOKEN"))
	if os.Getenv("HUBSPOT_TOKEN") == "" {
		return
	}
}
