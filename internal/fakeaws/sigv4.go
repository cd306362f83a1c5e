package fakeaws

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

const (
	sigv4Algorithm = "AWS4-HMAC-SHA256"
	amzDateFormat  = "20060102T150405Z"
	scopeDate      = "20060102"
	// maxSkew is how far X-Amz-Date may be from the server's clock, as on AWS.
	maxSkew = 5 * time.Minute

	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgInvalidToken = "The security token included in the request is invalid."
)

// authorization is a parsed SigV4 Authorization header.
type authorization struct {
	accessKeyID   string
	date          string // YYYYMMDD from the credential scope
	region        string
	service       string
	terminator    string
	signedHeaders []string
	signature     string
}

// parseAuthorization parses "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
// Signature=…". Its errors are IncompleteSignatureException messages.
func parseAuthorization(h string) (authorization, string) {
	var a authorization
	rest, ok := strings.CutPrefix(h, sigv4Algorithm+" ")
	if !ok {
		return a, "Authorization header must start with '" + sigv4Algorithm + "' (only Signature Version 4 is supported)."
	}
	params := map[string]string{}
	for p := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok {
			params[k] = v
		}
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[k] == "" {
			missing = append(missing, "Authorization header requires '"+k+"' parameter.")
		}
	}
	if len(missing) > 0 {
		return a, strings.Join(missing, " ")
	}
	cred := strings.Split(params["Credential"], "/")
	if len(cred) != 5 {
		return a, fmt.Sprintf("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", params["Credential"])
	}
	a.accessKeyID, a.date, a.region, a.service, a.terminator = cred[0], cred[1], cred[2], cred[3], cred[4]
	a.signedHeaders = strings.Split(params["SignedHeaders"], ";")
	a.signature = params["Signature"]
	return a, ""
}

// authenticate checks r's SigV4 signature the way AWS does: it recomputes
// the signature with the SDK's own signer from the caller's registered
// secret key, over the headers the caller says it signed and the body the
// server received, and compares. It returns the caller's identity, or the
// AWS error AWS would return.
//
// Secrets Manager speaks the JSON protocol, whose services report every
// signature failure, an expired X-Amz-Date included, as
// InvalidSignatureException with HTTP 400 (for example "InvalidSignatureException
// when calling the GetSecretValue operation: Signature expired: … - 5 min.)"
// in boto/botocore#3587). SignatureDoesNotMatch is the code of the
// query/XML services (STS, S3), so the fake does not use it.
func (s *SecretsManager) authenticate(r *http.Request, body []byte, now time.Time) (Identity, *apiError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return Identity{}, errorf(http.StatusBadRequest, "MissingAuthenticationTokenException", "Request is missing Authentication Token")
	}
	a, msg := parseAuthorization(h)
	if msg != "" {
		return Identity{}, errorf(http.StatusBadRequest, "IncompleteSignatureException", "%s", msg)
	}
	if !slices.Contains(a.signedHeaders, "host") {
		return Identity{}, errorf(http.StatusBadRequest, "IncompleteSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	rawDate := r.Header.Get("X-Amz-Date")
	if rawDate == "" {
		return Identity{}, errorf(http.StatusBadRequest, "IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	signedAt, err := time.Parse(amzDateFormat, rawDate)
	if err != nil {
		return Identity{}, errorf(http.StatusBadRequest, "IncompleteSignatureException", "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", rawDate)
	}

	id, ok := s.identity(a.accessKeyID)
	if !ok {
		return Identity{}, errorf(http.StatusBadRequest, "UnrecognizedClientException", msgInvalidToken)
	}
	if r.Header.Get("X-Amz-Security-Token") != id.SessionToken {
		return Identity{}, errorf(http.StatusBadRequest, "UnrecognizedClientException", msgInvalidToken)
	}

	if want := signedAt.Format(scopeDate); a.date != want {
		return Identity{}, errorf(http.StatusBadRequest, "InvalidSignatureException",
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", a.date, want, rawDate)
	}
	if a.region != s.region {
		return Identity{}, errorf(http.StatusBadRequest, "InvalidSignatureException", "Credential should be scoped to a valid region, not '%s'. ", a.region)
	}
	if a.service != serviceName {
		return Identity{}, errorf(http.StatusBadRequest, "InvalidSignatureException", "Credential should be scoped to correct service: '%s'. ", serviceName)
	}
	if a.terminator != "aws4_request" {
		return Identity{}, errorf(http.StatusBadRequest, "InvalidSignatureException", "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ", a.terminator)
	}

	now = now.UTC()
	if earliest := now.Add(-maxSkew); signedAt.Before(earliest) {
		return Identity{}, errorf(http.StatusBadRequest, "InvalidSignatureException", "Signature expired: %s is now earlier than %s (%s - 5 min.)",
			rawDate, earliest.Format(amzDateFormat), now.Format(amzDateFormat))
	}
	if latest := now.Add(maxSkew); signedAt.After(latest) {
		return Identity{}, errorf(http.StatusBadRequest, "InvalidSignatureException", "Signature not yet current: %s is still later than %s (%s + 5 min.)",
			rawDate, latest.Format(amzDateFormat), now.Format(amzDateFormat))
	}

	want, err := s.signature(r, a, body, id, signedAt)
	if err != nil || !hmac.Equal([]byte(want), []byte(a.signature)) {
		return Identity{}, errorf(http.StatusBadRequest, "InvalidSignatureException", msgSignatureMismatch)
	}
	return id, nil
}

// signature recomputes the signature of r with the SDK's v4 signer, over a
// copy of r that carries only the headers a lists as signed.
func (s *SecretsManager) signature(r *http.Request, a authorization, body []byte, id Identity, signedAt time.Time) (string, error) {
	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	req := &http.Request{Method: r.Method, URL: u, Host: r.Host, Header: http.Header{}}
	for _, name := range a.signedHeaders {
		switch name {
		case "host":
			// The signer always signs the request's host.
		case "content-length":
			req.ContentLength = r.ContentLength
		default:
			if vals := r.Header.Values(name); len(vals) > 0 {
				req.Header[http.CanonicalHeaderKey(name)] = vals
			}
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: id.AccessKeyID, SecretAccessKey: id.SecretAccessKey, SessionToken: id.SessionToken}
	if err := s.signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), a.service, a.region, signedAt); err != nil {
		return "", err
	}
	recomputed, msg := parseAuthorization(req.Header.Get("Authorization"))
	if msg != "" {
		return "", fmt.Errorf("fakeaws: the SDK signer produced an unparsable Authorization header: %s", msg)
	}
	return recomputed.signature, nil
}
