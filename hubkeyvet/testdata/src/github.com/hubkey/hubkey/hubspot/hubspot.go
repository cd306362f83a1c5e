// Package hubspot is a stub of github.com/hubkey/hubkey/hubspot.
package hubspot

type Option func() error

type Client struct{}

func New(opts ...Option) (*Client, error)                          { return &Client{}, nil }
func WithToken(src any) Option                                     { return nil }
func WithDeveloperKey(src any) Option                              { return nil }
func WithCredential(name string, src any, scopes ...string) Option { return nil }
func WithBaseURL(u string) Option                                  { return nil }
func WithUserAgent(suffix string) Option                           { return nil }
