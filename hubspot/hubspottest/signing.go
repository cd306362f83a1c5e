package hubspottest

import (
	"errors"
	"strings"

	"github.com/hubkey/hubkey/gateway/keypolicy"
)

// Request signatures.
//
// A token made with keypolicy.Spec{RequireSignature: true} (see
// [Server.NewKey]) must sign its calls, or only those [WithSignaturePolicy]
// names, with a signature the [WithSignatureVerifier] verifier accepts.
// hubkey's signing package provides the verifier; [SensitiveCall] names
// the calls hubkey's operation catalogue marks sensitive, which hubkey's
// client signs by default:
//
//	v, _ := signing.NewVerifier(keys)
//	srv := hubspottest.NewServer(t,
//		hubspottest.WithSignatureVerifier(v),
//		hubspottest.WithSignaturePolicy(hubspottest.SensitiveCall))
//
// A refused call gets HubSpot's 401 authentication error body with
// subCategory SIGNATURE_REQUIRED (no signature) or SIGNATURE_INVALID, a
// message naming the reason, and the reason code in context.signatureReason:
// "unsigned", or the verifier's reason, such as "bad_signature" (tampered
// or wrong key), "unknown_key", "replayed", "stale", "future", "expired" or
// "bad_digest".

// signatureReasoner is implemented by verifier errors that carry a reason
// code; *signing.VerifyError does. Reading it through an interface keeps
// hubspottest independent of any one signature scheme.
type signatureReasoner interface {
	SignatureReason() string
}

// signatureReason returns the reason code for a refused signature.
func signatureReason(d *keypolicy.DenyError) string {
	if d.Reason == keypolicy.ReasonSignatureRequired {
		if d.Err != nil {
			return "no_verifier"
		}
		return "unsigned"
	}
	var sr signatureReasoner
	if errors.As(d.Err, &sr) {
		if r := sr.SignatureReason(); r != "" {
			return r
		}
	}
	return "invalid"
}

// annotateSignatureError names the reason a signature was refused in the
// 401 body: in the message and in context.signatureReason.
func annotateSignatureError(e *apiError, d *keypolicy.DenyError) {
	reason := signatureReason(d)
	e.Message = strings.TrimSuffix(e.Message, ".") + " (" + reason + ")."
	if e.Context == nil {
		e.Context = map[string][]string{}
	}
	e.Context["signatureReason"] = []string{reason}
}
