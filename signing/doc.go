// Package signing signs HTTP requests with RFC 9421 HTTP Message
// Signatures (hmac-sha256, with an RFC 9530 Content-Digest of the body) and
// verifies them, so that whoever sits in front of HubSpot (a gateway, a
// proxy, hubspottest) can tell that a sensitive call came from a holder of
// the key, unmodified, once.
//
// A [Signer] takes its key from a [KeySource], normally a *secrets.Cache,
// so signing keys rotate the way tokens do; the key ID it sends is a name,
// never the key. A [Transport] signs the requests a [Policy] of your rules
// calls sensitive (every request, without one) and can wrap any
// http.RoundTripper. The package knows no API: which HubSpot calls are
// sensitive is package hubspot's to say (hubspot.IsSensitive,
// hubspot.WithSigner).
//
// A [Verifier] checks signatures, as net/http middleware or through
// [Verifier.VerifyRequest]: keys are looked up by key ID in a [KeySet]
// (current and previous during a rotation), created must fall within a
// window and expires be in the future, nonces are remembered in a bounded
// cache to refuse replays, the body's digest is recomputed through a size
// limit, and MACs are compared in constant time. A failure carries a
// [Reason] for logs; it never contains a MAC or a key.
//
// # Key rotation
//
// A key source that keeps the version it replaced (a *secrets.Cache) lets
// a [KeySet] accept that previous key for [PreviousGrace] after the
// rotation, by default [DefaultPreviousGrace] (one hour), measured on the
// Verifier's clock ([WithClock]). After the grace the previous key is
// refused, even while the current key cannot be read; a previous version
// past its own ExpiresAt is refused too, and so is a current one.
//
// # Replay cache
//
// The nonces of accepted signatures are remembered until the signature
// would be stale anyway (its created plus the max age). The cache has a
// fixed capacity (WithNonceCapacity) and fixed-size entries, so memory is
// bounded whatever arrives; and only signatures whose MAC and digest
// verified are recorded, so filling it takes a valid key. When it is full
// of live entries, the oldest is evicted and the Verifier from then on
// refuses, as stale, every signature created no later than the evicted
// one: it fails closed (older requests must be re-signed) rather than
// open (a replay of an evicted nonce would pass). Size the capacity above
// the peak number of signed requests per max-age window.
//
// The structured fields involved (Signature-Input, Signature,
// Content-Digest) are parsed and serialized exactly per RFC 9651 (which
// obsoletes RFC 8941); [ParseSignatureInput], [ParseSignature] and
// [ParseContentDigest] expose the parsers. The package reproduces RFC
// 9421's own hmac-sha256 example (Appendix B.2.5) byte for byte.
//
// Supported covered components: @method, @target-uri, @authority, @scheme,
// @request-target, @path, @query, and request fields with the sf, key and
// bs parameters. @query-param, @status and the req and tr parameters are
// not supported; signatures covering them are rejected as malformed.
package signing
