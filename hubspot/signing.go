package hubspot

import (
	"errors"
	"net/http"

	"github.com/hubkey/hubkey/signing"
)

// WithSigner signs the sensitive calls with s: RFC 9421 HTTP Message
// Signatures (hmac-sha256) with an RFC 9530 Content-Digest of the body.
// The sensitive calls are those IsSensitive names: the operations hubkey's
// operation catalogue marks sensitive (deletes and archives, single and
// batch, merges, GDPR deletes) and, for calls the catalogue does not know
// too (through Client.Do or Client.HTTPClient), HubSpot's other
// destructive, exporting and mail-sending calls.
//
// extra, when not nil, has the calls its rules match signed as well, their
// paths taken from the API root (under the base URL's path prefix, for a
// gateway): signing.EveryRequest() signs every call. It adds to the
// sensitive calls; it cannot exempt one.
//
// The signing layer is the innermost of the transport stack, below the
// credential layer: every attempt (a retry, the one resend after a 401) is
// signed afresh with a new created time and nonce, and the Authorization
// field is already set when the signature is made, so a Signer built with
// signing.SignFields("authorization") can bind the signature to the token.
//
// HubSpot itself does not check these signatures: whatever sits in front of
// it does (a gateway with a signing.Verifier, or hubspottest).
func WithSigner(s *signing.Signer, extra *signing.Policy) Option {
	return func(o *options) error {
		if s == nil {
			return errors.New("hubspot: WithSigner(nil, ...): a *signing.Signer is required")
		}
		o.signs = true
		o.innermost = append(o.innermost, func(base http.RoundTripper) http.RoundTripper {
			// New calls this after every option is applied and the base URL
			// is checked, so o.baseURL is final here.
			prefix := basePath(o.baseURL)
			t := &signTransport{
				sign:   &signing.Transport{Signer: s, Policy: everyRequest, Base: base},
				base:   base,
				prefix: prefix,
			}
			if extra != nil {
				t.extra = extra
				if under, err := extra.Under(prefix); err == nil {
					t.extra = under
				}
			}
			return t
		})
		return nil
	}
}

var everyRequest = signing.EveryRequest()

// signTransport signs the requests IsSensitive names, and those its extra
// policy matches, with sign; it sends the others to base.
type signTransport struct {
	sign   *signing.Transport
	extra  *signing.Policy // nil: none; its rules are under prefix
	base   http.RoundTripper
	prefix string
}

func (t *signTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	oc, req := callOf(req, t.prefix)
	if oc.sensitive() || t.extra.Sensitive(req) {
		if oc.obs != nil {
			oc.obs.signed = true
		}
		return t.sign.RoundTrip(req)
	}
	return t.base.RoundTrip(req)
}

// IsSensitive reports whether r is a call that WithSigner signs: one that
// deletes, archives, merges, exports, sends mail, manages users or changes
// subscriptions. These are the operations hubkey's operation catalogue
// marks sensitive (deletes and archives, single and batch, merges, GDPR
// deletes, list and list folder deletions, user provisioning, changes and
// removal, and email subscription status changes) and, whether the
// catalogue knows the call or not, HubSpot's destructive, exporting and
// mail-sending calls by path: any DELETE, batch archives, merges and GDPR
// deletes, exports and imports, a private file's signed URL, user and team management, and marketing
// and transactional email sends. Paths are matched as sent and decoded,
// without dot segments, and without regard to case, so an escaped slash
// cannot hide a sensitive call. r's URL path is taken from the API root
// (/crm/v3/objects/contacts/1).
//
// A verifier in front of HubSpot can use it to require signatures on
// exactly the calls a Client signs, such as with
// hubspottest.WithSignaturePolicy(hubspot.IsSensitive).
func IsSensitive(r *http.Request) bool {
	if r == nil || r.URL == nil {
		return false
	}
	if c, ok := carried(r); ok {
		return c.sensitive()
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	c := matchCall(method, r.URL.EscapedPath(), "")
	return c.sensitive()
}

// sensitive reports whether c is a sensitive call (see IsSensitive): the
// catalogue's row says so, or, whether the catalogue knows the call or
// not, one of sensitiveRules matches it.
func (c *opCall) sensitive() bool {
	if c.op != nil && c.op.Sensitive {
		return true
	}
	_, ok := sensitiveRules.Match(c.method, c.path)
	return ok
}

// sensitiveRules name HubSpot's destructive, bulk-exfiltrating and
// mail-sending calls by path, for the calls the catalogue does not know.
// They name the catalogue's sensitive rows too, and are checked for every
// call: they match a path decoded and with its dot segments removed, so a
// call through HTTPClient whose path parameter hides an escaped slash or a
// dot segment cannot pass for a row that is not sensitive. Patterns leave
// the version segment free, so the date-based paths
// (/crm/objects/2026-03/...) are covered as well as /crm/v3/....
var sensitiveRules = signing.MustPolicy(
	// Every delete or archive of a single thing: CRM objects,
	// associations, properties, pipelines, schemas, lists, users, files,
	// emails, and whatever else HubSpot adds.
	"DELETE /**",
	// Batch archives (objects, associations, properties), GDPR deletes
	// and merges.
	"POST /crm/**/batch/archive",
	"POST /crm/**/gdpr-delete",
	"POST /crm/**/merge",
	// Exports (start, status, download) and imports (start, cancel, read).
	"* /crm/**/exports/**",
	"* /crm/**/imports/**",
	// A private file's signed URL (GET /files/v3/files/{fileId}/signed-url),
	// a credential for the file, as an export's status is for its file.
	"GET /files/**/signed-url",
	// User and team management: /settings/v3/users and /settings/v3/users/teams.
	"POST /settings/**/users/**",
	"PUT /settings/**/users/**",
	"PATCH /settings/**/users/**",
	// Transactional email: POST /marketing/v3/transactional/single-email/send.
	"POST /marketing/**/single-email/send",
	// Marketing single send: POST /marketing/v4/email/single-send.
	"POST /marketing/**/email/single-send",
	// Publishing (sending or scheduling) a marketing email:
	// POST /marketing/v3/emails/{emailId}/publish.
	"POST /marketing/**/emails/**/publish",
	// The legacy single-send API: POST /email/public/v1/singleEmail/send.
	"POST /email/public/*/singleEmail/send",
)
