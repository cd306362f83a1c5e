// Package contexts holds bare UUIDs: reported where they are used as a
// credential, and not elsewhere.
package contexts

import (
	"net/http"
	"net/url"

	acme "github.com/acme/go-hubspot"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/secrets"
)

type settings struct {
	APIKey       string
	ClientSecret string
	RefreshToken string
	PageToken    string
	TokenURL     string
	RequestID    string
}

// Reported.

const hubspotAPIKey = "87dca17e-e51e-4c48-a7b8-b8f8ceb1d858" // want `hard-coded HubSpot developer API key or legacy hapikey \(fp:[0-9a-f]{16}\) in hubspotAPIKey: rotate it in HubSpot and give hubspot.WithDeveloperKey a secrets.Cache over a provider`

func reported(req *http.Request) {
	_ = secrets.New("f8b6b0d7-4955-45db-8684-c22336c2d3a8") // want `developer API key or legacy hapikey \(fp:[0-9a-f]{16}\) in secrets.New`

	_ = acme.NewClient(acme.SetAPIKey("45a1e775-89ef-4cb1-9002-feec472db147")) // want `in hubspot.SetAPIKey`

	_, _ = hubspot.New(hubspot.WithDeveloperKey("dc3d799b-ce9f-4cc5-a104-c14d5e7d03ac")) // want `in hubspot.WithDeveloperKey`

	q := req.URL.Query()
	q.Set("hapikey", "e79345d6-f6c8-49a8-b137-0134e1d347d9") // want `developer API key or legacy hapikey .* in the "hapikey" query parameter`

	_ = url.Values{"hapikey": {"6f40c633-069d-454e-9762-120b4408e409"}} // want `in the "hapikey" query parameter`

	_ = settings{
		APIKey:       "5df1fa23-2ee3-4ecb-9335-0d935df6ff70", // want `developer API key or legacy hapikey .* in field APIKey`
		ClientSecret: "19c72d05-2a9b-4f5c-bd75-94f1f085e39f", // want `HubSpot app client secret .* in field ClientSecret: revoke it`
		RefreshToken: "81c11006-f671-4ce5-bacf-09210148a0c3", // want `HubSpot OAuth refresh token \(UUID\)`
	}

	devKey := "fec728e1-7c68-4f42-a6f6-d63dacec6c48" // want `developer API key or legacy hapikey .* in devKey`
	q.Set("hapikey", devKey)                         // reported once, where the value is written

	var s settings
	s.APIKey = "1776a47a-0d45-4b43-875d-0e5447e8292b" // want `in APIKey`

	// A named constant reaching a credential parameter is reported at
	// its declaration.
	_ = acme.NewClient(acme.SetAPIKey(sharedKey))
	_ = q
	_ = s
}

const sharedKey = "238ddfde-cd07-4099-b2be-e68ad248861b" // want `developer API key or legacy hapikey .* in hubspot.SetAPIKey on line 53`

// Not reported: UUIDs that are not keys.

func notReported(req *http.Request, c *acme.Client) {
	requestID := "87dca17e-e51e-4c48-a7b8-b8f8ceb1d858"
	req.Header.Set("X-Request-Id", requestID)
	_ = settings{
		PageToken: "f8b6b0d7-4955-45db-8684-c22336c2d3a8",
		TokenURL:  "https://api.hubapi.com/oauth/v1/token",
		RequestID: "45a1e775-89ef-4cb1-9002-feec472db147",
	}
	q := req.URL.Query()
	q.Set("objectId", "dc3d799b-ce9f-4cc5-a104-c14d5e7d03ac")
	_ = c.Get("/crm/v3/objects/contacts/e79345d6-f6c8-49a8-b137-0134e1d347d9", "")
	_ = acme.NewClient(acme.SetBaseURL("https://6f40c633-069d-454e-9762-120b4408e409.example"))
	idempotencyKey := "5df1fa23-2ee3-4ecb-9335-0d935df6ff70"
	nextPageToken := "19c72d05-2a9b-4f5c-bd75-94f1f085e39f"
	_, _ = idempotencyKey, nextPageToken
	// Placeholder UUIDs are fixtures even where a key goes.
	_ = acme.NewClient(acme.SetAPIKey("00000000-0000-4000-8000-000000000000"))
	apiKey := "11111111-2222-3333-4444-555555555555"
	_ = apiKey
	// A value that is not constant is not a hard-coded key.
	_ = acme.NewClient(acme.SetAPIKey(req.URL.Query().Get("k")))
}
