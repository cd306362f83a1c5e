// Package fakeaws is an in-memory AWS Secrets Manager on loopback that the
// real aws-sdk-go-v2 client talks to, for tests and runnable examples that
// have no AWS account.
//
// It checks what AWS checks where a client can tell the difference:
//
//   - every request is authenticated with Signature Version 4: the fake
//     recomputes the signature with the SDK's own v4 signer from the caller's
//     registered secret key, over the signed headers and the body it
//     received, and compares; a wrong secret key, a tampered body or header,
//     an unknown access key, a wrong credential scope, or an X-Amz-Date more
//     than five minutes from the fake's clock is rejected with the error AWS
//     returns (InvalidSignatureException, UnrecognizedClientException,
//     IncompleteSignatureException, MissingAuthenticationTokenException);
//   - operations are dispatched on X-Amz-Target ("secretsmanager.GetSecretValue");
//   - errors use the AWS JSON 1.1 shape: HTTP 400 (500 for server faults),
//     Content-Type application/x-amz-json-1.1, a body of {"__type", "message"},
//     and x-amzn-RequestId; every response carries a Date header from the
//     fake's clock, which the SDK uses to correct clock skew;
//   - secrets are found by name, full ARN or partial ARN, and versions carry
//     staging labels that move as on AWS: PutSecretValue moves AWSCURRENT to
//     the new version and AWSPREVIOUS to the version that held AWSCURRENT;
//   - a secret scheduled for deletion answers DescribeSecret (with
//     DeletedDate) but fails GetSecretValue and PutSecretValue with
//     InvalidRequestException, and disappears when its recovery window ends.
//
// Operations: CreateSecret, GetSecretValue, DescribeSecret, PutSecretValue,
// DeleteSecret. Faults can be injected (Throttle, Deny, FailDecryption), and
// Journal records every request without any secret value.
//
// The awssm tests also run against moto's emulator (see
// [github.com/hubkey/hubkey/internal/motodev]), a second implementation that
// has what this fake lacks (UpdateSecretVersionStage, RestoreSecret) but
// checks no signature and injects no fault; this fake stays the backend for
// signing, throttling, denials and decryption failures.
//
// Where AWS's exact behaviour is not documented (the error code for a value
// over 64 KiB, a request body over the fake's limit), the fake picks a
// plausible AWS error and says so in the code.
package fakeaws

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hubkey/hubkey/clock"
)

// Defaults of a SecretsManager made without options. The keys are test
// values that work only against the fake.
const (
	AccessKeyID     = "AKIAFAKEHUBKEY000001"
	SecretAccessKey = "fakeaws/test/secret/access/key/not/a/real/one"
	Region          = "us-east-1"
	Account         = "123456789012"
)

const (
	serviceName    = "secretsmanager"
	contentType    = "application/x-amz-json-1.1"
	maxRequestBody = 1 << 20
)

// Identity is an access key the fake accepts.
type Identity struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken, when set, must arrive in X-Amz-Security-Token, as with
	// temporary (STS) credentials.
	SessionToken string
	// ARN names the principal in AccessDeniedException messages; default
	// arn:aws:iam::ACCOUNT:user/hubkey-test.
	ARN string
}

// Call is one request as the fake saw it. It never holds a secret value.
type Call struct {
	Op          string // operation from X-Amz-Target, "" when absent
	SecretID    string // SecretId or Name as the caller gave it
	AccessKeyID string // from the Authorization header, "" when absent
	Status      int    // HTTP status returned
	ErrorCode   string // AWS error code returned, "" on success
}

// Option configures a SecretsManager.
type Option func(*SecretsManager)

// WithIdentity adds an access key the fake accepts. Without this option the
// fake accepts AccessKeyID with SecretAccessKey.
func WithIdentity(id Identity) Option {
	return func(s *SecretsManager) { s.identities = append(s.identities, id) }
}

// WithRegion sets the region requests must be signed for (default Region).
func WithRegion(region string) Option { return func(s *SecretsManager) { s.region = region } }

// WithAccount sets the account in ARNs (default Account).
func WithAccount(account string) Option { return func(s *SecretsManager) { s.account = account } }

// WithClock sets the fake's clock: it checks X-Amz-Date against it, sends it
// in the Date header and stamps secrets with it (default: the system clock).
func WithClock(c clock.Clock) Option { return func(s *SecretsManager) { s.clock = c } }

// SecretsManager is the fake service. Its methods are safe for concurrent use.
type SecretsManager struct {
	srv        *httptest.Server
	signer     *v4.Signer
	clock      clock.Clock
	region     string
	account    string
	identities []Identity

	mu       sync.Mutex
	secrets  map[string]*secret // by name
	journal  []Call
	throttle map[string]int // op -> requests left to throttle
	denies   []deny
}

type deny struct{ action, secretID string }

// New starts a fake Secrets Manager on 127.0.0.1. Close it when done.
func New(opts ...Option) *SecretsManager {
	s := &SecretsManager{
		signer:   v4.NewSigner(),
		region:   Region,
		account:  Account,
		secrets:  map[string]*secret{},
		throttle: map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	s.clock = clock.Or(s.clock)
	if len(s.identities) == 0 {
		s.identities = []Identity{{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey}}
	}
	for i := range s.identities {
		if s.identities[i].ARN == "" {
			s.identities[i].ARN = "arn:aws:iam::" + s.account + ":user/hubkey-test"
		}
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the endpoint to give the SDK as BaseEndpoint.
func (s *SecretsManager) URL() string { return s.srv.URL }

// Region is the region requests must be signed for.
func (s *SecretsManager) Region() string { return s.region }

// Close shuts the server down.
func (s *SecretsManager) Close() { s.srv.Close() }

// Credentials returns a provider of the first identity's keys.
func (s *SecretsManager) Credentials() aws.CredentialsProvider {
	id := s.identities[0]
	return credentials.NewStaticCredentialsProvider(id.AccessKeyID, id.SecretAccessKey, id.SessionToken)
}

// NewClient returns a real SDK client for the fake, signed with the first
// identity's keys. It keeps the SDK's standard retryer (same retry decisions,
// clock skew correction and retry quota) with its backoff delay set to zero,
// so tests that exercise retries do not sleep. optFns adjust the options
// after that, as in secretsmanager.New.
func (s *SecretsManager) NewClient(optFns ...func(*secretsmanager.Options)) *secretsmanager.Client {
	opts := secretsmanager.Options{
		Region:       s.region,
		BaseEndpoint: aws.String(s.URL()),
		Credentials:  s.Credentials(),
		HTTPClient:   s.srv.Client(),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		}),
	}
	return secretsmanager.New(opts, optFns...)
}

// Throttle makes the next n requests for op ("GetSecretValue", ...) fail with
// ThrottlingException, after they pass authentication.
func (s *SecretsManager) Throttle(op string, n int) {
	s.mu.Lock()
	s.throttle[op] = n
	s.mu.Unlock()
}

// Deny makes every caller's action ("GetSecretValue" or
// "secretsmanager:GetSecretValue"; "*" for all) on the secret (a name or
// ARN; "*" for all) fail with AccessDeniedException, as an IAM policy that
// does not allow it would. Authorization is checked before the secret is
// looked up, as on AWS.
func (s *SecretsManager) Deny(action, secretID string) {
	s.mu.Lock()
	s.denies = append(s.denies, deny{strings.TrimPrefix(action, serviceName+":"), secretID})
	s.mu.Unlock()
}

// FailDecryption makes GetSecretValue of the secret (name or ARN) fail with
// DecryptionFailure while on is true, as when its KMS key is disabled.
func (s *SecretsManager) FailDecryption(secretID string, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.lookupLocked(secretID, s.clock.Now())
	if sec == nil {
		return fmt.Errorf("fakeaws: no secret %q", secretID)
	}
	sec.decryptFails = on
	return nil
}

// Journal returns every request received so far, in order.
func (s *SecretsManager) Journal() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.journal...)
}

// Calls counts the requests for op that succeeded.
func (s *SecretsManager) Calls(op string) int {
	n := 0
	for _, c := range s.Journal() {
		if c.Op == op && c.ErrorCode == "" {
			n++
		}
	}
	return n
}

// apiError is an AWS error response.
type apiError struct {
	status  int
	code    string
	message string
}

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

var operations = map[string]func(*SecretsManager, *request) (any, *apiError){
	"CreateSecret":   (*SecretsManager).createSecret,
	"GetSecretValue": (*SecretsManager).getSecretValue,
	"DescribeSecret": (*SecretsManager).describeSecret,
	"PutSecretValue": (*SecretsManager).putSecretValue,
	"DeleteSecret":   (*SecretsManager).deleteSecret,
}

// request is what an operation handler gets.
type request struct {
	body     []byte
	now      time.Time
	identity Identity
	secretID string // filled by decode for the journal and authorization
}

// decode unmarshals the body into v, which must have a SecretId or Name.
func (r *request) decode(v any) *apiError {
	dec := json.NewDecoder(bytes.NewReader(r.body))
	if err := dec.Decode(v); err != nil {
		// AWS JSON services answer a body they cannot read with a
		// SerializationException and no detail.
		return errorf(http.StatusBadRequest, "SerializationException", "")
	}
	return nil
}

func (s *SecretsManager) serveHTTP(w http.ResponseWriter, r *http.Request) {
	now := s.clock.Now()
	call := Call{}
	if a, msg := parseAuthorization(r.Header.Get("Authorization")); msg == "" {
		call.AccessKeyID = a.accessKeyID
	}
	call.Op, _ = strings.CutPrefix(r.Header.Get("X-Amz-Target"), serviceName+".")

	out, aerr := s.handle(r, now, &call)
	w.Header().Set("x-amzn-RequestId", newUUID())
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	w.Header().Set("Content-Type", contentType)
	var body []byte
	status := http.StatusOK
	if aerr != nil {
		status = aerr.status
		call.ErrorCode = aerr.code
		e := map[string]string{"__type": aerr.code}
		if aerr.message != "" {
			e["message"] = aerr.message
		}
		body, _ = json.Marshal(e)
	} else {
		var err error
		if body, err = json.Marshal(out); err != nil {
			status, call.ErrorCode = http.StatusInternalServerError, "InternalServiceError"
			body = []byte(`{"__type":"InternalServiceError","message":"An error occurred on the server side."}`)
		}
	}
	call.Status = status
	s.mu.Lock()
	s.journal = append(s.journal, call)
	s.mu.Unlock()
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *SecretsManager) handle(r *http.Request, now time.Time, call *Call) (any, *apiError) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "SerializationException", "")
	}
	if len(body) > maxRequestBody {
		// Not documented for Secrets Manager; a 413 like AWS's front ends.
		return nil, errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException", "Request body exceeds %d bytes", maxRequestBody)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return nil, errorf(http.StatusNotFound, "UnknownOperationException", "")
	}
	id, aerr := s.authenticate(r, body, now)
	if aerr != nil {
		return nil, aerr
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := operations[call.Op]
	if !ok || target != serviceName+"."+call.Op {
		return nil, errorf(http.StatusBadRequest, "UnknownOperationException", "")
	}
	req := &request{body: body, now: now, identity: id}
	var ref struct{ SecretId, Name string }
	_ = json.Unmarshal(body, &ref) // the handler reports malformed bodies
	req.secretID = ref.SecretId
	if req.secretID == "" {
		req.secretID = ref.Name
	}
	call.SecretID = req.secretID

	s.mu.Lock()
	if n := s.throttle[call.Op]; n > 0 {
		s.throttle[call.Op] = n - 1
		s.mu.Unlock()
		return nil, errorf(http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
	}
	denied := s.deniedLocked(call.Op, req.secretID, now)
	s.mu.Unlock()
	if denied {
		return nil, errorf(http.StatusBadRequest, "AccessDeniedException",
			"User: %s is not authorized to perform: %s:%s on resource: %s because no identity-based policy allows the %s:%s action",
			id.ARN, serviceName, call.Op, req.secretID, serviceName, call.Op)
	}
	return op(s, req)
}

func (s *SecretsManager) deniedLocked(op, secretID string, now time.Time) bool {
	sec := s.lookupLocked(secretID, now)
	for _, d := range s.denies {
		if d.action != "*" && d.action != op {
			continue
		}
		switch {
		case d.secretID == "*", d.secretID == secretID:
			return true
		case sec != nil && (d.secretID == sec.name || d.secretID == sec.arn):
			return true
		}
	}
	return false
}

func (s *SecretsManager) identity(accessKeyID string) (Identity, bool) {
	for _, id := range s.identities {
		if id.AccessKeyID == accessKeyID {
			return id, true
		}
	}
	return Identity{}, false
}

// newUUID returns a random (version 4) UUID, the form of AWS version and
// request ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
