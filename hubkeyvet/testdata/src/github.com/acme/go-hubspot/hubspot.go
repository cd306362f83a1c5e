// Package hubspot is a stub of a third-party HubSpot SDK that takes its
// credentials as strings.
package hubspot

type Client struct{}

type ClientOption func(*Client)

type Config struct {
	AccessToken string
	PageToken   string
	BaseURL     string
}

func NewClient(opts ...ClientOption) *Client          { return &Client{} }
func NewFromConfig(c Config) *Client                  { return &Client{} }
func SetPrivateAppToken(token string) ClientOption    { return nil }
func SetAPIKey(apiKey string) ClientOption            { return nil }
func SetBaseURL(u string) ClientOption                { return nil }
func (c *Client) Get(path string, query string) error { return nil }
func (c *Client) SetToken(token string)               {}
