// Package awssm reads a credential from AWS Secrets Manager and notices a
// rotation with one cheap DescribeSecret call instead of re-reading the
// value.
//
// The Provider takes a [Client] the caller builds, so any AWS configuration
// works (shared config and profiles, an assumed role, IRSA or EKS Pod
// Identity, a VPC endpoint):
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	if err != nil { ... }
//	p, err := awssm.New(secretsmanager.NewFromConfig(cfg), "prod/hubspot",
//		awssm.WithJSONField("token"))
//	if err != nil { ... }
//	cache, err := secrets.NewCache(p, secrets.WithRefreshInterval(time.Minute, 0.1))
//
// A secret is named by name or ARN. The value is the version's SecretString
// (trimmed of surrounding white space), one string field of a JSON object in
// it, or the raw SecretBinary. The version read is the one labelled
// AWSCURRENT unless WithVersionStage or WithVersionID says otherwise;
// Version.ID is the AWS VersionId, and FetchPrevious reads AWSPREVIOUS, so a
// Cache can fall back while a rotation settles.
//
// # Change detection
//
// Versions in Secrets Manager never change: a new value is a new VersionId.
// So once a Provider has read a stage, each later Fetch first calls
// DescribeSecret and looks up which version carries the stage in
// VersionIdsToStages. When it is the version already read, Fetch returns that
// value again without calling GetSecretValue; only a rotation costs a
// GetSecretValue (and its KMS decryption). The Provider keeps the last
// version it read for each stage, behind a mutex that is never held across a
// network call, so it is safe for concurrent use. If DescribeSecret is denied
// (AccessDeniedException, or HTTP 403 whatever the body: a policy that
// allows only secretsmanager:GetSecretValue, a proxy that refuses the
// call), the Provider falls back to GetSecretValue on every Fetch for the
// rest of its life; WithoutChangeDetection does that from the start.
//
// # Permissions
//
// The caller needs secretsmanager:GetSecretValue on the secret (and
// kms:Decrypt on its key when it is a customer managed key), and for cheap
// change detection secretsmanager:DescribeSecret.
//
// # Errors
//
// Every failure is a [*secrets.Error] naming the secret's Source; test it
// with errors.Is against the sentinels below. What it wraps depends on where
// the failure happened:
//
//   - A Secrets Manager call that failed wraps an [*Error] carrying the
//     operation, the HTTP status, AWS's error code, message and request id,
//     and the sentinel that fits: secrets.ErrNotFound
//     (ResourceNotFoundException, and with ErrScheduledForDeletion a secret
//     scheduled for deletion), secrets.ErrPermission (AccessDeniedException
//     or HTTP 403, and with ErrCredentials a rejected key or signature or
//     HTTP 401), ErrDecryption (DecryptionFailure), ErrThrottled (throttling
//     the SDK's retryer gave up on), secrets.ErrTooLarge (a response body
//     over the limit) and secrets.ErrMalformed (a success answer that could
//     not be decoded). Reach it with errors.As for those details.
//   - A call that succeeded but whose value cannot be used wraps the secrets
//     sentinel directly, with no *Error, since AWS reported nothing:
//     secrets.ErrTooLarge (over WithMaxSize), secrets.ErrEmpty,
//     secrets.ErrMalformed (an answer without a VersionId; with
//     WithJSONField, not a JSON object or the field not a string) and
//     secrets.ErrNotFound (with WithJSONField, no such field).
//   - A context that ended before any call wraps ctx.Err() directly.
//
// An error answer whose body is not an AWS JSON error (XML or HTML from a
// proxy or a wrong endpoint, an empty body) keeps its HTTP status in
// Error.StatusCode and is classified by it alone: 401 and 403 as above,
// other statuses with no sentinel. Such a body is never quoted.
//
// Throttling and transient faults are retried by the SDK's own retryer,
// configured on the client. No error carries a byte of the secret: AWS's
// messages name secrets and stages only, and the SDK's decoding errors,
// which can quote the response, are replaced by a description.
//
// Nothing read is trusted for size: the response body is read through a
// limit derived from WithMaxSize, and the value itself must fit in it.
package awssm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/credhttp"
	"github.com/hubkey/hubkey/secrets"
)

// Staging labels that Secrets Manager manages.
const (
	StageCurrent  = "AWSCURRENT"
	StagePrevious = "AWSPREVIOUS"
)

// Client is the part of *secretsmanager.Client the Provider uses.
type Client interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
}

var _ Client = (*secretsmanager.Client)(nil)

// Provider reads one secret from Secrets Manager. It implements
// secrets.Provider and secrets.PreviousFetcher, and is safe for concurrent
// use.
type Provider struct {
	client    Client
	secretID  string
	field     string
	stage     string // "" when versionID is set
	versionID string
	maxSize   int64
	detect    bool
	clock     clock.Clock

	mu             sync.Mutex
	last           map[string]cached // by stage
	describeDenied bool
}

// cached is the last version read for a stage. VersionIds are unique to a
// secret, and a secret deleted and created again under the same name gets a
// new ARN, so (arn, Version.ID) names the value for good.
type cached struct {
	arn string
	v   secrets.Version
}

// Option configures a Provider.
type Option func(*Provider) error

// WithJSONField selects the string member name of a JSON object stored in
// the secret, as in {"token": "...", "signingKey": "..."}.
func WithJSONField(name string) Option {
	return func(p *Provider) error {
		if name == "" {
			return errors.New("awssm: WithJSONField needs a field name, got an empty string")
		}
		p.field = name
		return nil
	}
}

// WithVersionStage reads the version carrying the staging label stage
// (default AWSCURRENT).
func WithVersionStage(stage string) Option {
	return func(p *Provider) error {
		if stage == "" {
			return errors.New("awssm: WithVersionStage needs a staging label, got an empty string")
		}
		p.stage = stage
		return nil
	}
}

// WithVersionID pins the Provider to one VersionId. A pinned version never
// rotates; every Fetch reads it with GetSecretValue.
func WithVersionID(id string) Option {
	return func(p *Provider) error {
		if id == "" {
			return errors.New("awssm: WithVersionID needs a version id, got an empty string")
		}
		p.versionID = id
		return nil
	}
}

// WithMaxSize sets the largest value accepted, in bytes (default
// secrets.DefaultMaxSize, which is also Secrets Manager's own limit).
func WithMaxSize(n int64) Option {
	return func(p *Provider) error {
		if n <= 0 {
			return fmt.Errorf("awssm: max size must be > 0, got %d", n)
		}
		p.maxSize = n
		return nil
	}
}

// WithoutChangeDetection makes every Fetch call GetSecretValue instead of
// first asking DescribeSecret whether the version changed. DescribeSecret is
// then used only to confirm that a secret AWS refuses to read is scheduled
// for deletion.
func WithoutChangeDetection() Option {
	return func(p *Provider) error { p.detect = false; return nil }
}

// WithClock sets the clock FetchedAt is read from (default: the system
// clock).
func WithClock(c clock.Clock) Option {
	return func(p *Provider) error { p.clock = c; return nil }
}

// New returns a Provider for the secret secretID (a name or an ARN) read
// through client.
func New(client Client, secretID string, opts ...Option) (*Provider, error) {
	if client == nil {
		return nil, errors.New("awssm: New needs a Client, got nil")
	}
	if secretID == "" {
		return nil, errors.New("awssm: New needs a secret name or ARN, got an empty string")
	}
	p := &Provider{client: client, secretID: secretID, maxSize: secrets.DefaultMaxSize, detect: true, last: map[string]cached{}}
	for _, o := range opts {
		if err := o(p); err != nil {
			return nil, err
		}
	}
	if p.stage != "" && p.versionID != "" {
		return nil, fmt.Errorf("awssm: choose a version stage (%q) or a version id (%q), not both", p.stage, p.versionID)
	}
	if p.stage == "" && p.versionID == "" {
		p.stage = StageCurrent
	}
	p.clock = clock.Or(p.clock)
	return p, nil
}

// selector is the version a fetch reads: a stage or a version id.
type selector struct{ stage, versionID string }

func (p *Provider) current() selector { return selector{p.stage, p.versionID} }

// Source returns "awssm:SECRET#FIELD@STAGE" ("#FIELD" only when a field is
// selected; "@VERSIONID" when pinned to a version). It never contains the
// value.
func (p *Provider) Source() string { return p.source(p.current()) }

func (p *Provider) source(sel selector) string {
	var b strings.Builder
	b.WriteString("awssm:")
	b.WriteString(p.secretID)
	if p.field != "" {
		b.WriteString("#")
		b.WriteString(p.field)
	}
	b.WriteString("@")
	if sel.versionID != "" {
		b.WriteString(sel.versionID)
	} else {
		b.WriteString(sel.stage)
	}
	return b.String()
}

// Fetch returns the configured version of the secret. After the first read
// of a stage it calls DescribeSecret first and skips GetSecretValue when the
// stage still points at the version it holds (see the package doc).
func (p *Provider) Fetch(ctx context.Context) (secrets.Version, error) {
	return p.fetch(ctx, p.current())
}

// FetchPrevious returns the version labelled AWSPREVIOUS, the one AWSCURRENT
// pointed at before the last rotation, whatever stage or version the
// Provider reads. Its Source ends in "@AWSPREVIOUS". It fails with
// secrets.ErrNotFound when the secret has not been rotated yet.
func (p *Provider) FetchPrevious(ctx context.Context) (secrets.Version, error) {
	return p.fetch(ctx, selector{stage: StagePrevious})
}

func (p *Provider) fetch(ctx context.Context, sel selector) (secrets.Version, error) {
	src := p.source(sel)
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, &secrets.Error{Source: src, Err: err}
	}
	if sel.stage != "" && p.detect {
		if v, ok, err := p.unchanged(ctx, sel.stage); err != nil {
			return secrets.Version{}, &secrets.Error{Source: src, Err: err}
		} else if ok {
			return v, nil
		}
	}

	in := &secretsmanager.GetSecretValueInput{SecretId: &p.secretID}
	if sel.versionID != "" {
		in.VersionId = &sel.versionID
	} else {
		in.VersionStage = &sel.stage
	}
	out, err := p.client.GetSecretValue(ctx, in, p.limitResponse)
	if err != nil {
		return secrets.Version{}, &secrets.Error{Source: src, Err: p.getError(ctx, err)}
	}
	v, err := p.version(out, src)
	if err != nil {
		return secrets.Version{}, &secrets.Error{Source: src, Err: err}
	}
	if sel.stage != "" && out.ARN != nil {
		p.mu.Lock()
		p.last[sel.stage] = cached{arn: *out.ARN, v: v}
		p.mu.Unlock()
	}
	return v, nil
}

// unchanged reports whether stage still points at the version last read for
// it, by DescribeSecret, and returns that version with a fresh FetchedAt.
// ok is false (and err nil) when GetSecretValue must be called: nothing
// cached yet, a rotation, or DescribeSecret not allowed.
func (p *Provider) unchanged(ctx context.Context, stage string) (v secrets.Version, ok bool, err error) {
	p.mu.Lock()
	c, have := p.last[stage]
	denied := p.describeDenied
	p.mu.Unlock()
	if !have || denied {
		return secrets.Version{}, false, nil
	}
	arn, id, err := p.describe(ctx, stage)
	if err != nil {
		if errors.Is(err, secrets.ErrPermission) && !errors.Is(err, ErrCredentials) && ctx.Err() == nil {
			p.mu.Lock()
			p.describeDenied = true
			p.mu.Unlock()
			return secrets.Version{}, false, nil
		}
		return secrets.Version{}, false, err
	}
	if arn != c.arn || id != c.v.ID {
		return secrets.Version{}, false, nil
	}
	c.v.FetchedAt = p.clock.Now()
	return c.v, true, nil
}

// describe returns the secret's ARN and the VersionId carrying stage ("" if
// none does). A secret scheduled for deletion is an error.
func (p *Provider) describe(ctx context.Context, stage string) (arn, versionID string, err error) {
	out, err := p.client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &p.secretID}, p.limitResponse)
	if err != nil {
		return "", "", newError(ctx, "DescribeSecret", err)
	}
	if out.DeletedDate != nil {
		return "", "", scheduledError("DescribeSecret", *out.DeletedDate)
	}
	if out.ARN != nil {
		arn = *out.ARN
	}
	for id, stages := range out.VersionIdsToStages {
		if slices.Contains(stages, stage) {
			return arn, id, nil
		}
	}
	return arn, "", nil
}

// getError classifies a GetSecretValue failure. AWS answers a secret
// scheduled for deletion with a generic InvalidRequestException, so that case
// is confirmed with DescribeSecret's DeletedDate (or, where DescribeSecret is
// not allowed, recognised by AWS's message).
func (p *Provider) getError(ctx context.Context, err error) error {
	e := newError(ctx, "GetSecretValue", err)
	if e.Code != "InvalidRequestException" {
		return e
	}
	p.mu.Lock()
	denied := p.describeDenied
	p.mu.Unlock()
	var out *secretsmanager.DescribeSecretOutput
	derr := errDescribeDenied
	if !denied {
		out, derr = p.client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &p.secretID}, p.limitResponse)
	}
	switch {
	case derr == nil && out.DeletedDate != nil:
		e.detail = "scheduled for deletion on " + out.DeletedDate.UTC().Format(time.RFC3339)
		e.kinds = append(e.kinds, ErrScheduledForDeletion, secrets.ErrNotFound)
	case derr != nil && strings.Contains(e.Message, "marked for deletion"):
		e.kinds = append(e.kinds, ErrScheduledForDeletion, secrets.ErrNotFound)
	}
	return e
}

// version turns a GetSecretValue answer into a Version, applying the size
// limit and the field selection.
func (p *Provider) version(out *secretsmanager.GetSecretValueOutput, src string) (secrets.Version, error) {
	if out.VersionId == nil || *out.VersionId == "" {
		return secrets.Version{}, fmt.Errorf("%w: GetSecretValue answered without a VersionId", secrets.ErrMalformed)
	}
	id := *out.VersionId
	var data []byte
	kind := "SecretString"
	switch {
	case out.SecretString != nil:
		data = []byte(*out.SecretString)
	case out.SecretBinary != nil:
		data, kind = out.SecretBinary, "SecretBinary"
	default:
		return secrets.Version{}, fmt.Errorf("%w: version %s has neither SecretString nor SecretBinary", secrets.ErrEmpty, id)
	}
	if int64(len(data)) > p.maxSize {
		return secrets.Version{}, fmt.Errorf("%w: the %s of version %s is %d bytes, over the limit of %d", secrets.ErrTooLarge, kind, id, len(data), p.maxSize)
	}
	var val string
	switch {
	case p.field != "":
		f, err := secrets.JSONField(data, p.field)
		if err != nil {
			return secrets.Version{}, fmt.Errorf("%s of version %s: %w", kind, id, err)
		}
		val = strings.TrimSpace(f)
	case kind == "SecretString":
		val = strings.TrimSpace(string(data))
	default:
		val = string(data)
	}
	if val == "" {
		what := kind
		if p.field != "" {
			what = fmt.Sprintf("field %q of the %s", p.field, kind)
		}
		return secrets.Version{}, fmt.Errorf("%w: %s of version %s is empty", secrets.ErrEmpty, what, id)
	}
	return secrets.Version{Value: secrets.New(val), ID: id, Source: src, FetchedAt: p.clock.Now()}, nil
}

// limitResponse makes the SDK read the response body through a limit: a
// value of maxSize bytes takes at most six times that in JSON (every byte a
// \u escape), plus room for the rest of the answer.
func (p *Provider) limitResponse(o *secretsmanager.Options) {
	if o.HTTPClient != nil {
		o.HTTPClient = limitedClient{next: o.HTTPClient, max: 6*p.maxSize + 64<<10}
	}
}

// errDescribeDenied stands for a DescribeSecret call not made because an
// earlier one was denied.
var errDescribeDenied = errors.New("awssm: DescribeSecret is not allowed")

type limitedClient struct {
	next secretsmanager.HTTPClient
	max  int64
}

func (c limitedClient) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.next.Do(r)
	if err != nil || resp == nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = credhttp.LimitBody(resp.Body, c.max, "AWS's answer")
	return resp, nil
}

// Sentinels for failures that have no counterpart among the secrets
// sentinels. Test for them with errors.Is.
var (
	// ErrScheduledForDeletion: the secret is scheduled for deletion
	// (DeleteSecret with a recovery window). Errors wrapping it also wrap
	// secrets.ErrNotFound.
	ErrScheduledForDeletion = errors.New("secret is scheduled for deletion")
	// ErrCredentials: AWS rejected the request's access key, session token or
	// signature (UnrecognizedClientException, InvalidSignatureException,
	// ExpiredTokenException, ...), or the answer was HTTP 401 with no AWS
	// error code. Errors wrapping it also wrap secrets.ErrPermission.
	ErrCredentials = errors.New("AWS rejected the request's credentials or signature")
	// ErrDecryption: Secrets Manager could not decrypt the secret with its
	// KMS key (DecryptionFailure), as when the key is disabled or its policy
	// does not let the caller use it.
	ErrDecryption = errors.New("secret could not be decrypted with its KMS key")
	// ErrThrottled: AWS kept throttling after the SDK's retries.
	ErrThrottled = errors.New("request throttled by AWS")
)

// Error is a failed Secrets Manager call; a value that was read but cannot
// be used is not one (see the package doc). It never holds the secret's
// value. errors.Is matches it against the secrets sentinel that fits and the
// sentinels above; errors.As reaches the SDK's error (for example
// *types.ResourceNotFoundException) through it, except when that error
// could quote the response (an answer that is not an AWS error, one that
// could not be decoded).
type Error struct {
	// Op is the Secrets Manager operation: "GetSecretValue" or
	// "DescribeSecret".
	Op string
	// Code is AWS's error code, such as "ResourceNotFoundException"; empty
	// when no AWS error came back (a network failure, a cancelled context).
	Code string
	// StatusCode is the HTTP status of the answer; 0 when none came back.
	StatusCode int
	// Message is AWS's error message, or, when the answer carried none, a
	// description written here. AWS's messages name secrets, versions and
	// stages, never values; an answer that is not an AWS error (from a
	// proxy, a wrong endpoint or an emulator) is never quoted.
	Message string
	// RequestID is AWS's request id, for AWS support.
	RequestID string

	detail string  // what the provider found out besides AWS's answer
	kinds  []error // sentinels this error matches
	err    error   // the SDK's error, nil when it could quote the response
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	switch {
	case e.Code != "":
		b.WriteString(": ")
		b.WriteString(e.Code)
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
	case e.Message != "":
		b.WriteString(": ")
		b.WriteString(e.Message)
	case e.err != nil:
		b.WriteString(": ")
		b.WriteString(e.err.Error())
	}
	if e.detail != "" {
		b.WriteString(" (")
		b.WriteString(e.detail)
		b.WriteString(")")
	}
	if e.RequestID != "" {
		b.WriteString(" [request id ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	return b.String()
}

// Unwrap returns the sentinels e matches and the SDK's error.
func (e *Error) Unwrap() []error {
	errs := slices.Clone(e.kinds)
	if e.err != nil {
		errs = append(errs, e.err)
	}
	return errs
}

// credentialCodes are the AWS error codes of a rejected key, token or
// signature.
var credentialCodes = map[string]bool{
	"UnrecognizedClientException":         true,
	"InvalidSignatureException":           true,
	"SignatureDoesNotMatch":               true,
	"IncompleteSignatureException":        true,
	"MissingAuthenticationTokenException": true,
	"InvalidClientTokenId":                true,
	"ExpiredTokenException":               true,
	"ExpiredToken":                        true,
}

// newError classifies an SDK error from op.
func newError(ctx context.Context, op string, err error) *Error {
	e := &Error{Op: op, err: err}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		e.RequestID = re.ServiceRequestID()
		e.StatusCode = re.HTTPStatusCode()
	}
	var apiErr smithy.APIError
	hasCode := errors.As(err, &apiErr) && apiErr.ErrorCode() != "" && apiErr.ErrorCode() != sdkUnknownCode
	var decErr *smithy.DeserializationError
	switch {
	case errors.Is(err, secrets.ErrTooLarge):
		e.Message = "the response body was over the size limit"
		e.kinds = []error{secrets.ErrTooLarge}
		e.err = nil
	case e.StatusCode >= 300 && !hasCode:
		// An error answer without an AWS error code: XML or HTML from a
		// proxy or a wrong endpoint, an empty body, JSON of another shape.
		// The status is all that can be trusted; the SDK's error holds or
		// quotes the body, which may echo the request's credentials.
		e.Message = fmt.Sprintf("HTTP %d with a body that is not an AWS error (not shown)", e.StatusCode)
		if text := http.StatusText(e.StatusCode); text != "" {
			e.Message = fmt.Sprintf("HTTP %d %s with a body that is not an AWS error (not shown)", e.StatusCode, text)
		}
		e.kinds = statusKinds(e.StatusCode)
		e.err = nil
	case errors.As(err, &decErr):
		// The SDK's decoding errors can quote the response, which may hold
		// the value: keep none of it.
		e.Message = "the response could not be decoded"
		e.kinds = []error{secrets.ErrMalformed}
		e.err = nil
	case errors.As(err, &apiErr):
		e.Code, e.Message = apiErr.ErrorCode(), apiErr.ErrorMessage()
		switch {
		case e.Code == "ResourceNotFoundException":
			e.kinds = []error{secrets.ErrNotFound}
		case e.Code == "AccessDeniedException":
			e.kinds = []error{secrets.ErrPermission}
		case credentialCodes[e.Code]:
			e.kinds = []error{ErrCredentials, secrets.ErrPermission}
		case e.Code == "DecryptionFailure":
			e.kinds = []error{ErrDecryption}
		case isThrottle(e.Code):
			e.kinds = []error{ErrThrottled}
		default:
			e.kinds = statusKinds(e.StatusCode)
		}
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		e.kinds = append(e.kinds, cerr)
	}
	return e
}

// sdkUnknownCode is the code the SDK gives an error answer whose body names
// none.
const sdkUnknownCode = "UnknownError"

// statusKinds are the sentinels an error answer's HTTP status implies
// whatever its body says: 401 is a rejected identity, 403 a refusal, which
// may be the caller's policy (so a denied DescribeSecret still falls back to
// GetSecretValue).
func statusKinds(status int) []error {
	switch status {
	case http.StatusUnauthorized:
		return []error{ErrCredentials, secrets.ErrPermission}
	case http.StatusForbidden:
		return []error{secrets.ErrPermission}
	}
	return nil
}

func isThrottle(code string) bool {
	switch code {
	case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded":
		return true
	}
	return false
}

func scheduledError(op string, when time.Time) *Error {
	return &Error{
		Op:      op,
		Message: "the secret is scheduled for deletion on " + when.UTC().Format(time.RFC3339),
		kinds:   []error{ErrScheduledForDeletion, secrets.ErrNotFound},
	}
}

var (
	_ secrets.Provider        = (*Provider)(nil)
	_ secrets.PreviousFetcher = (*Provider)(nil)
)
