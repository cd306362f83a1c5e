// Package webhook verifies the signatures HubSpot puts on the requests it
// sends to an app (webhook deliveries, workflow actions, CRM cards) and
// decodes webhook event batches into typed events.
//
// The signature functions are pure: [SignatureV1], [SignatureV2] and
// [SignatureV3] compute what HubSpot sends in X-HubSpot-Signature and
// X-HubSpot-Signature-v3, and match the examples in HubSpot's
// documentation and the test suites of its official client libraries.
// A [Verifier] checks an *http.Request: it accepts several client secrets
// (an app secret being rotated), compares in constant time, rejects v3
// timestamps older than five minutes or in the future, reads the body
// through a size limit and restores it. [Handler] wraps it all into an
// http.Handler that hands the events to a function.
//
// # Versions
//
// By default a Verifier accepts only v3 signatures. Versions 1 and 2 carry
// no timestamp, so a captured request can be replayed forever (and a v1
// one to any URL); they are accepted only when [WithVersions] allows them.
// A request with an X-HubSpot-Signature-v3 header is judged by its v3
// signature alone, whatever v1 or v2 signature it also carries.
//
// # Rotating the client secret
//
// A [SecretSource] such as a *secrets.Cache keeps the secret it replaced;
// the Verifier accepts that previous secret for [PreviousGrace] after the
// rotation (by default [DefaultPreviousGrace], 15 minutes), measured on
// the Verifier's clock ([WithClock]), and refuses it afterwards, even
// while the current secret cannot be read. Secrets given to [WithSecrets]
// are accepted for as long as they are configured.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/hubkey/hubkey/secrets"
)

// The headers HubSpot signs its requests with.
const (
	HeaderSignature        = "X-HubSpot-Signature"
	HeaderSignatureVersion = "X-HubSpot-Signature-Version"
	HeaderSignatureV3      = "X-HubSpot-Signature-v3"
	HeaderTimestamp        = "X-HubSpot-Request-Timestamp"
)

// Version is a HubSpot signature version.
type Version int

// The signature versions.
const (
	// V1 is SHA-256 over client secret + body, hex-encoded.
	V1 Version = 1
	// V2 is SHA-256 over client secret + method + URI + body, hex-encoded.
	V2 Version = 2
	// V3 is HMAC-SHA256, keyed with the client secret, over method + URI
	// (with some characters decoded) + body + timestamp, base64-encoded.
	V3 Version = 3
)

// String returns "v1", "v2" or "v3".
func (v Version) String() string {
	switch v {
	case V1, V2, V3:
		return "v" + string(rune('0'+v))
	}
	return "unknown"
}

// SignatureV1 returns the version 1 signature of body: the lowercase hex
// SHA-256 of the client secret followed by the body.
func SignatureV1(secret secrets.Secret, body []byte) string {
	h := sha256.New()
	h.Write([]byte(secret.Reveal()))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// SignatureV2 returns the version 2 signature of a request: the lowercase
// hex SHA-256 of client secret + method + URI + body. uri is the full URL
// HubSpot called, scheme included (https://example.com/hook?x=1), with the
// query exactly as sent.
func SignatureV2(secret secrets.Secret, method, uri string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(secret.Reveal()))
	h.Write([]byte(method))
	h.Write([]byte(uri))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// SignatureV3 returns the version 3 signature of a request: the base64
// HMAC-SHA256, keyed with the client secret, of method + URI + body +
// timestamp, where the URI first has the characters HubSpot lists decoded
// (see DecodeV3URI) and timestamp is the X-HubSpot-Request-Timestamp
// value (milliseconds since the epoch) exactly as sent.
func SignatureV3(secret secrets.Secret, method, uri string, body []byte, timestamp string) string {
	return base64.StdEncoding.EncodeToString(macV3([]byte(secret.Reveal()), method, uri, body, timestamp))
}

func macV3(key []byte, method, uri string, body []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(method))
	m.Write([]byte(DecodeV3URI(uri)))
	m.Write(body)
	m.Write([]byte(timestamp))
	return m.Sum(nil)
}

// v3Decodings are the percent-encodings HubSpot's documentation says to
// decode in the URI before computing a v3 signature. Nothing else is
// decoded; in particular %25, %2B, %20 and %3D stay as they are.
var v3Decodings = strings.NewReplacer(
	"%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$",
	"%27", "'", "%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";",
)

// DecodeV3URI decodes, in one left-to-right pass, the percent-encodings
// HubSpot lists for v3 signatures: %3A %2F %3F %40 %21 %24 %27 %28 %29 %2A
// %2C %3B (upper case, as HubSpot writes them).
func DecodeV3URI(uri string) string {
	if !strings.Contains(uri, "%") {
		return uri
	}
	return v3Decodings.Replace(uri)
}
