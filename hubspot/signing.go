package hubspot

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/hubkey/hubkey/signing"
)

// WithSigner signs the calls policy calls sensitive with s: RFC 9421 HTTP
// Message Signatures (hmac-sha256) with an RFC 9530 Content-Digest of the
// body. A nil policy means signing.DefaultPolicy(): deletes and archives
// (single and batch), GDPR deletes, merges, exports and imports, user and
// team management, and marketing and transactional email sends. When the
// base URL has a path prefix (a gateway), the policy's paths are taken
// under it.
//
// The signing layer is the innermost of the transport stack, below the
// credential layer: every attempt (a retry, the one resend after a 401) is
// signed afresh with a new created time and nonce, and the Authorization
// field is already set when the signature is made, so a Signer built with
// signing.SignFields("authorization") can bind the signature to the token.
//
// HubSpot itself does not check these signatures: whatever sits in front of
// it does (a gateway with a signing.Verifier, or hubspottest).
func WithSigner(s *signing.Signer, policy *signing.Policy) Option {
	return func(o *options) error {
		if s == nil {
			return errors.New("hubspot: WithSigner(nil, ...): a *signing.Signer is required")
		}
		if policy == nil {
			policy = signing.DefaultPolicy()
		}
		o.innermost = append(o.innermost, func(base http.RoundTripper) http.RoundTripper {
			// New calls this after every option is applied and the base URL
			// is checked, so o.baseURL is final here.
			p := policy
			if u, err := url.Parse(o.baseURL); err == nil {
				if under, err := policy.Under(u.Path); err == nil {
					p = under
				}
			}
			return &signing.Transport{Signer: s, Policy: p, Base: base}
		})
		return nil
	}
}
