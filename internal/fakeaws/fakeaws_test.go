package fakeaws_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/fakeaws"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

var testCreds = aws.Credentials{AccessKeyID: fakeaws.AccessKeyID, SecretAccessKey: fakeaws.SecretAccessKey}

func start(t *testing.T, opts ...fakeaws.Option) *fakeaws.SecretsManager {
	t.Helper()
	f := fakeaws.New(opts...)
	t.Cleanup(f.Close)
	return f
}

// signed builds a request for op signed with creds at the given time, the
// way the SDK would.
func signed(t *testing.T, f *fakeaws.SecretsManager, op, body string, creds aws.Credentials, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.URL()+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager."+op)
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "secretsmanager", f.Region(), at); err != nil {
		t.Fatal(err)
	}
	return req
}

type response struct {
	status int
	header http.Header
	body   map[string]any
}

func do(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(b, &r.body); err != nil {
		t.Fatalf("response body is not JSON: %v", err)
	}
	return r
}

// wantError checks AWS's JSON error shape.
func wantError(t *testing.T, r response, status int, code, message string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d", r.status, status)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("Content-Type %q", ct)
	}
	if r.header.Get("X-Amzn-Requestid") == "" || r.header.Get("Date") == "" {
		t.Errorf("missing x-amzn-RequestId or Date: %v", r.header)
	}
	if r.body["__type"] != code {
		t.Errorf("__type %v, want %s", r.body["__type"], code)
	}
	if msg, _ := r.body["message"].(string); !strings.HasPrefix(msg, message) {
		t.Errorf("message %q, want it to start with %q", msg, message)
	}
}

func createSecret(t *testing.T, c *secretsmanager.Client, name, value string) *secretsmanager.CreateSecretOutput {
	t.Helper()
	out, err := c.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: &name, SecretString: &value})
	if err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	return out
}

func TestSignedRequestAccepted(t *testing.T) {
	f := start(t)
	createSecret(t, f.NewClient(), "s", "the-value")
	r := do(t, signed(t, f, "GetSecretValue", `{"SecretId":"s"}`, testCreds, time.Now()))
	if r.status != http.StatusOK || r.body["SecretString"] != "the-value" {
		t.Fatalf("status %d body keys %d", r.status, len(r.body))
	}
}

func TestSignatureRejected(t *testing.T) {
	f := start(t)
	createSecret(t, f.NewClient(), "s", "the-value")
	now := time.Now()

	t.Run("WrongSecretKey", func(t *testing.T) {
		creds := testCreds
		creds.SecretAccessKey = "wrong-secret-access-key"
		wantError(t, do(t, signed(t, f, "GetSecretValue", `{"SecretId":"s"}`, creds, now)),
			400, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.")
	})
	t.Run("UnknownAccessKey", func(t *testing.T) {
		creds := testCreds
		creds.AccessKeyID = "AKIANOTREGISTERED000"
		wantError(t, do(t, signed(t, f, "GetSecretValue", `{"SecretId":"s"}`, creds, now)),
			400, "UnrecognizedClientException", "The security token included in the request is invalid.")
	})
	t.Run("TamperedBody", func(t *testing.T) {
		req := signed(t, f, "GetSecretValue", `{"SecretId":"s"}`, testCreds, now)
		req.Body = io.NopCloser(strings.NewReader(`{"SecretId":"t"}`)) // same length
		wantError(t, do(t, req), 400, "InvalidSignatureException", "The request signature we calculated does not match")
	})
	t.Run("TamperedTarget", func(t *testing.T) {
		req := signed(t, f, "DescribeSecret", `{"SecretId":"s"}`, testCreds, now)
		req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
		wantError(t, do(t, req), 400, "InvalidSignatureException", "The request signature we calculated does not match")
	})
	t.Run("SignedHeaderRemoved", func(t *testing.T) {
		req := signed(t, f, "GetSecretValue", `{"SecretId":"s"}`, testCreds, now)
		req.Header.Del("Content-Type")
		wantError(t, do(t, req), 400, "InvalidSignatureException", "The request signature we calculated does not match")
	})
	t.Run("WrongRegion", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, f.URL()+"/", strings.NewReader(`{}`))
		req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
		sum := sha256.Sum256([]byte(`{}`))
		_ = v4.NewSigner().SignHTTP(context.Background(), testCreds, req, hex.EncodeToString(sum[:]), "secretsmanager", "eu-west-1", now)
		wantError(t, do(t, req), 400, "InvalidSignatureException", "Credential should be scoped to a valid region, not 'eu-west-1'.")
	})
	t.Run("WrongService", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, f.URL()+"/", strings.NewReader(`{}`))
		req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
		sum := sha256.Sum256([]byte(`{}`))
		_ = v4.NewSigner().SignHTTP(context.Background(), testCreds, req, hex.EncodeToString(sum[:]), "kms", f.Region(), now)
		wantError(t, do(t, req), 400, "InvalidSignatureException", "Credential should be scoped to correct service: 'secretsmanager'.")
	})
	t.Run("MissingAuthorization", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, f.URL()+"/", strings.NewReader(`{"SecretId":"s"}`))
		req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
		wantError(t, do(t, req), 400, "MissingAuthenticationTokenException", "Request is missing Authentication Token")
	})
	t.Run("IncompleteAuthorization", func(t *testing.T) {
		req := signed(t, f, "GetSecretValue", `{"SecretId":"s"}`, testCreds, now)
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+fakeaws.AccessKeyID+"/20250101/us-east-1/secretsmanager/aws4_request")
		wantError(t, do(t, req), 400, "IncompleteSignatureException", "Authorization header requires 'Signature' parameter.")
	})
	if n := f.Calls("GetSecretValue"); n != 0 {
		t.Fatalf("%d rejected GetSecretValue requests were counted as served", n)
	}
}

func TestStaleDate(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	f := start(t, fakeaws.WithClock(clock.NewFake(now)))
	body := `{"SecretId":"s"}`

	wantError(t, do(t, signed(t, f, "DescribeSecret", body, testCreds, now.Add(-6*time.Minute))),
		400, "InvalidSignatureException", "Signature expired: 20250301T115400Z is now earlier than 20250301T115500Z (20250301T120000Z - 5 min.)")
	wantError(t, do(t, signed(t, f, "DescribeSecret", body, testCreds, now.Add(6*time.Minute))),
		400, "InvalidSignatureException", "Signature not yet current: 20250301T120600Z is still later than 20250301T120500Z (20250301T120000Z + 5 min.)")

	// Within five minutes the signature is checked and the call goes
	// through (to a secret that does not exist).
	wantError(t, do(t, signed(t, f, "DescribeSecret", body, testCreds, now.Add(-4*time.Minute))),
		400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

// TestSDKCorrectsClockSkew: a client whose clock is 10 minutes behind is
// rejected once; the SDK reads the fake's Date header, corrects its clock and
// signs again. Without retries the rejection reaches the caller.
func TestSDKCorrectsClockSkew(t *testing.T) {
	f := start(t, fakeaws.WithClock(clock.NewFake(time.Now().Add(10*time.Minute))))
	c := f.NewClient()
	createSecret(t, c, "s", "v")
	var codes []string
	for _, call := range f.Journal() {
		codes = append(codes, call.ErrorCode)
	}
	if len(codes) != 2 || codes[0] != "InvalidSignatureException" || codes[1] != "" {
		t.Fatalf("CreateSecret attempts ended with %q, want an InvalidSignatureException and then a success", codes)
	}

	f2 := start(t, fakeaws.WithClock(clock.NewFake(time.Now().Add(10*time.Minute))))
	_, err := f2.NewClient(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 }).
		DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidSignatureException" || !strings.HasPrefix(apiErr.ErrorMessage(), "Signature expired: ") {
		t.Fatalf("DescribeSecret with a skewed clock and no retries: %v", err)
	}
}

func TestSessionToken(t *testing.T) {
	id := fakeaws.Identity{AccessKeyID: "ASIATEMPORARY0000001", SecretAccessKey: "temporary-secret", SessionToken: "session-token-1"}
	f := start(t, fakeaws.WithIdentity(id))
	good := f.NewClient()
	createSecret(t, good, "s", "v")

	noToken := f.NewClient(func(o *secretsmanager.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(id.AccessKeyID, id.SecretAccessKey, "")
	})
	_, err := noToken.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnrecognizedClientException" {
		t.Fatalf("request without the session token: %v", err)
	}
}

// tamper rewrites request bodies after the SDK has signed them.
type tamper struct{ next secretsmanager.HTTPClient }

func (t tamper) Do(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	b = []byte(strings.Replace(string(b), `"SecretId":"a"`, `"SecretId":"b"`, 1))
	r.Body = io.NopCloser(strings.NewReader(string(b)))
	return t.next.Do(r)
}

func TestSDKTamperedBodyRejected(t *testing.T) {
	f := start(t)
	createSecret(t, f.NewClient(), "a", "value-a")
	createSecret(t, f.NewClient(), "b", "value-b")
	c := f.NewClient(func(o *secretsmanager.Options) { o.HTTPClient = tamper{o.HTTPClient} })
	_, err := c.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("a")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidSignatureException" {
		t.Fatalf("tampered GetSecretValue: %v", err)
	}
}

func TestDispatch(t *testing.T) {
	f := start(t)
	wantError(t, do(t, signed(t, f, "RotateSecret", `{"SecretId":"s"}`, testCreds, time.Now())), 400, "UnknownOperationException", "")
	req := signed(t, f, "GetSecretValue", `{"SecretId":"s"}`, testCreds, time.Now())
	req.Header.Set("X-Amz-Target", "kms.GetSecretValue")
	wantError(t, do(t, req), 400, "InvalidSignatureException", "") // the target is signed
	wantError(t, do(t, signed(t, f, "GetSecretValue", `not json`, testCreds, time.Now())), 400, "SerializationException", "")
	get, _ := http.NewRequest(http.MethodGet, f.URL()+"/", nil)
	wantError(t, do(t, get), 404, "UnknownOperationException", "")
}

func stagesOf(t *testing.T, c *secretsmanager.Client, id string) map[string][]string {
	t.Helper()
	out, err := c.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: &id})
	if err != nil {
		t.Fatalf("DescribeSecret: %v", err)
	}
	return out.VersionIdsToStages
}

func TestStageMovesOnRotation(t *testing.T) {
	f := start(t)
	c := f.NewClient()
	ctx := context.Background()
	v1 := *createSecret(t, c, "s", "one").VersionId
	put := func(value string, stages ...string) string {
		out, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s"), SecretString: &value, VersionStages: stages})
		if err != nil {
			t.Fatalf("PutSecretValue: %v", err)
		}
		return *out.VersionId
	}
	if got := stagesOf(t, c, "s"); fmt.Sprint(got) != fmt.Sprint(map[string][]string{v1: {"AWSCURRENT"}}) {
		t.Fatalf("after create: %v", got)
	}
	v2 := put("two")
	got := stagesOf(t, c, "s")
	if fmt.Sprint(got[v2]) != "[AWSCURRENT]" || fmt.Sprint(got[v1]) != "[AWSPREVIOUS]" {
		t.Fatalf("after first rotation: %v", got)
	}
	pending := put("pending", "AWSPENDING")
	got = stagesOf(t, c, "s")
	if fmt.Sprint(got[v2]) != "[AWSCURRENT]" || fmt.Sprint(got[pending]) != "[AWSPENDING]" {
		t.Fatalf("a version staged AWSPENDING must not move AWSCURRENT: %v", got)
	}
	v3 := put("three")
	got = stagesOf(t, c, "s")
	if len(got) != 3 || fmt.Sprint(got[v3]) != "[AWSCURRENT]" || fmt.Sprint(got[v2]) != "[AWSPREVIOUS]" || got[v1] != nil {
		t.Fatalf("after second rotation: %v (v1 should have lost its label)", got)
	}
	for stage, want := range map[string]string{"AWSCURRENT": "three", "AWSPREVIOUS": "two", "AWSPENDING": "pending"} {
		out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s"), VersionStage: aws.String(stage)})
		if err != nil || *out.SecretString != want {
			t.Fatalf("GetSecretValue %s: %v", stage, err)
		}
	}
	out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s"), VersionId: &v1})
	if err != nil || *out.SecretString != "one" || len(out.VersionStages) != 0 {
		t.Fatalf("GetSecretValue of the unlabelled first version: %v", err)
	}
}

func TestPutIsIdempotent(t *testing.T) {
	f := start(t)
	c := f.NewClient()
	ctx := context.Background()
	createSecret(t, c, "s", "one")
	token := "11111111-2222-4333-8444-555555555555"
	in := &secretsmanager.PutSecretValueInput{SecretId: aws.String("s"), ClientRequestToken: &token, SecretString: aws.String("two")}
	for range 2 {
		out, err := c.PutSecretValue(ctx, in)
		if err != nil || *out.VersionId != token {
			t.Fatalf("PutSecretValue: %v", err)
		}
	}
	if got := stagesOf(t, c, "s"); len(got) != 2 {
		t.Fatalf("a repeated PutSecretValue created another version: %v", got)
	}
	in.SecretString = aws.String("different")
	_, err := c.PutSecretValue(ctx, in)
	var exists *types.ResourceExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("PutSecretValue with a used token and another value: %v", err)
	}
}

func TestDeleteLifecycle(t *testing.T) {
	fc := clock.NewFake(time.Now())
	f := start(t, fakeaws.WithClock(fc))
	c := f.NewClient()
	ctx := context.Background()
	created := createSecret(t, c, "s", "value")

	_, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s"), RecoveryWindowInDays: aws.Int64(3)})
	var invalidParam *types.InvalidParameterException
	if !errors.As(err, &invalidParam) {
		t.Fatalf("DeleteSecret with a 3-day window: %v", err)
	}
	_, err = c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s"), RecoveryWindowInDays: aws.Int64(7), ForceDeleteWithoutRecovery: aws.Bool(true)})
	if !errors.As(err, &invalidParam) {
		t.Fatalf("DeleteSecret with both a window and force: %v", err)
	}
	del, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: created.ARN, RecoveryWindowInDays: aws.Int64(7)})
	if err != nil {
		t.Fatalf("DeleteSecret: %v", err)
	}
	if want := fc.Now().Add(7 * 24 * time.Hour); del.DeletionDate.Sub(want).Abs() > time.Second {
		t.Fatalf("DeletionDate %v, want %v", del.DeletionDate, want)
	}

	desc, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
	if err != nil || desc.DeletedDate == nil || !desc.DeletedDate.Equal(*del.DeletionDate) {
		t.Fatalf("DescribeSecret of a secret scheduled for deletion: %v, DeletedDate %v", err, desc)
	}
	var invalidReq *types.InvalidRequestException
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
	if !errors.As(err, &invalidReq) || invalidReq.ErrorMessage() != "You can't perform this operation on the secret because it was marked for deletion." {
		t.Fatalf("GetSecretValue of a secret scheduled for deletion: %v", err)
	}
	_, err = c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s"), SecretString: aws.String("x")})
	if !errors.As(err, &invalidReq) {
		t.Fatalf("PutSecretValue of a secret scheduled for deletion: %v", err)
	}
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("x")})
	if !errors.As(err, &invalidReq) {
		t.Fatalf("CreateSecret over a secret scheduled for deletion: %v", err)
	}

	// When the window ends the secret is gone. The SDK's clock is now a
	// week behind the fake's; it corrects that from the Date header.
	fc.Advance(7*24*time.Hour + time.Second)
	var notFound *types.ResourceNotFoundException
	if _, err = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")}); !errors.As(err, &notFound) {
		t.Fatalf("DescribeSecret after the recovery window: %v", err)
	}
	createSecret(t, c, "s", "again")
	if _, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s"), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatalf("DeleteSecret with force: %v", err)
	}
	if _, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")}); !errors.As(err, &notFound) {
		t.Fatalf("GetSecretValue after a forced delete: %v", err)
	}
}

func TestLookupByNameAndARN(t *testing.T) {
	f := start(t)
	c := f.NewClient()
	out := createSecret(t, c, "team/app/token", "v")
	arn := *out.ARN
	if !strings.HasPrefix(arn, "arn:aws:secretsmanager:us-east-1:123456789012:secret:team/app/token-") || len(arn) != len("arn:aws:secretsmanager:us-east-1:123456789012:secret:team/app/token-")+6 {
		t.Fatalf("ARN %q", arn)
	}
	for _, id := range []string{"team/app/token", arn, arn[:len(arn)-7]} {
		got, err := c.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: &id})
		if err != nil || *got.ARN != arn || *got.Name != "team/app/token" {
			t.Fatalf("GetSecretValue by %q: %v", id, err)
		}
	}
	var notFound *types.ResourceNotFoundException
	// The ARN with its last character changed (the suffix is random: it
	// may end in X already).
	wrong := arn[:len(arn)-1] + "X"
	if strings.HasSuffix(arn, "X") {
		wrong = arn[:len(arn)-1] + "Y"
	}
	if _, err := c.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(wrong)}); !errors.As(err, &notFound) {
		t.Fatalf("GetSecretValue by a wrong ARN: %v", err)
	}
}

func TestValidation(t *testing.T) {
	f := start(t)
	c := f.NewClient()
	ctx := context.Background()
	var invalidParam *types.InvalidParameterException
	_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("a"), SecretBinary: []byte("b")})
	if !errors.As(err, &invalidParam) {
		t.Fatalf("CreateSecret with both values: %v", err)
	}
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bad name!")})
	if !errors.As(err, &invalidParam) {
		t.Fatalf("CreateSecret with a bad name: %v", err)
	}
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("big"), SecretString: aws.String(strings.Repeat("x", 65537))})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		t.Fatalf("CreateSecret over 64 KiB: %v", err)
	}
	createSecret(t, c, "exists", "v")
	var exists *types.ResourceExistsException
	if _, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("exists")}); !errors.As(err, &exists) {
		t.Fatalf("CreateSecret of an existing name: %v", err)
	}
	// A secret with no value yet has no AWSCURRENT version.
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("empty")}); err != nil {
		t.Fatal(err)
	}
	var notFound *types.ResourceNotFoundException
	if _, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("empty")}); !errors.As(err, &notFound) || !strings.Contains(notFound.ErrorMessage(), "staging label: AWSCURRENT") {
		t.Fatalf("GetSecretValue of a secret without a value: %v", err)
	}
}

func TestFaultInjection(t *testing.T) {
	f := start(t)
	c := f.NewClient()
	ctx := context.Background()
	createSecret(t, c, "s", "v")

	f.Throttle("GetSecretValue", 2)
	if _, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")}); err != nil {
		t.Fatalf("GetSecretValue throttled twice, retried by the SDK: %v", err)
	}
	f.Deny("*", "s")
	var denied smithy.APIError
	if _, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")}); !errors.As(err, &denied) || denied.ErrorCode() != "AccessDeniedException" {
		t.Fatalf("DescribeSecret denied: %v", err)
	}
	if err := f.FailDecryption("nope", true); err == nil {
		t.Fatal("FailDecryption of a missing secret succeeded")
	}
}

func TestJournalHasNoValues(t *testing.T) {
	f := start(t)
	c := f.NewClient()
	const value = "journal-must-not-hold-this"
	createSecret(t, c, "s", value)
	if _, err := c.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	j := f.Journal()
	if len(j) != 2 || j[0].Op != "CreateSecret" || j[1].Op != "GetSecretValue" || j[1].SecretID != "s" || j[1].AccessKeyID != fakeaws.AccessKeyID || j[1].Status != 200 {
		t.Fatalf("journal %+v", j)
	}
	secretstest.AssertNoLeak(t, "journal", fmt.Sprintf("%+v", j), value)
}
