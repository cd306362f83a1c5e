// Package hubkey is the root of a Go module for calling the HubSpot API
// without HubSpot's all-powerful key being the weakest point of an
// integration.
//
// The module is three parts that fit together:
//
//   - [github.com/hubkey/hubkey/secrets]: where credentials come from. A
//     [secrets.Secret] never prints its value; a [secrets.Provider] (env,
//     file, AWS Secrets Manager, Vault, Conjur, CyberArk, OAuth refresh)
//     fetches it; a [secrets.Cache] keeps it fresh, lock-free, and swaps it
//     when it rotates.
//   - hubspot: a typed HubSpot client whose credential is a Cache, not a
//     string, with retries, rate limits and streaming pages; hubspot/hubspottest
//     is an in-memory HubSpot for tests.
//   - signing: RFC 9421 HMAC signatures for sensitive calls and their
//     verifier; hubspot/webhook verifies HubSpot's own webhook signatures.
//
// Nothing in the module writes a secret to a log, an error, a panic or a URL.
// This package has no code; start with the README and the examples.
package hubkey

import _ "github.com/hubkey/hubkey/secrets" // for doc links
