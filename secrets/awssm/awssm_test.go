package awssm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/fakeaws"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/awssm"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// harness stores the conformance suite's secret in a Secrets Manager (the
// fake, or moto), written and read through the real SDK client.
type harness struct {
	client  *secretsmanager.Client
	close   func()
	name    string
	encode  func(string) (str *string, bin []byte)
	opts    []awssm.Option
	created bool
}

func newHarness(encode func(string) (*string, []byte), opts ...awssm.Option) secretstest.HarnessMaker {
	return func(ctx context.Context, t *testing.T) (secretstest.Harness, error) {
		f := fakeaws.New()
		return &harness{client: f.NewClient(), close: f.Close, name: "hubkey/conformance", encode: encode, opts: opts}, nil
	}
}

func (h *harness) MakeProvider(context.Context) (secrets.Provider, error) {
	return awssm.New(h.client, h.name, h.opts...)
}

func (h *harness) SetValue(ctx context.Context, value string) error {
	str, bin := h.encode(value)
	if !h.created {
		h.created = true
		_, err := h.client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &h.name, SecretString: str, SecretBinary: bin})
		return err
	}
	_, err := h.client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: &h.name, SecretString: str, SecretBinary: bin})
	return err
}

// Break schedules the secret for deletion, as an operator would.
func (h *harness) Break(ctx context.Context) error {
	_, err := h.client.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: &h.name, RecoveryWindowInDays: aws.Int64(7)})
	return err
}

func (h *harness) Close() { h.close() }

func asString(v string) (*string, []byte) { return &v, nil }

func TestConformance(t *testing.T) {
	secretstest.Run(t, newHarness(asString))
}

func TestConformanceJSONField(t *testing.T) {
	secretstest.Run(t, newHarness(func(v string) (*string, []byte) {
		s := fmt.Sprintf(`{"token": %q, "other": "unrelated"}`, v)
		return &s, nil
	}, awssm.WithJSONField("token")))
}

func TestConformanceBinary(t *testing.T) {
	secretstest.Run(t, newHarness(func(v string) (*string, []byte) { return nil, []byte(v) }))
}

func TestConformanceWithoutChangeDetection(t *testing.T) {
	secretstest.Run(t, newHarness(asString, awssm.WithoutChangeDetection()))
}

// env is one fake Secrets Manager and a real SDK client for it.
type env struct {
	t      *testing.T
	fake   *fakeaws.SecretsManager
	client *secretsmanager.Client
}

func newEnv(t *testing.T, opts ...fakeaws.Option) *env {
	t.Helper()
	f := fakeaws.New(opts...)
	t.Cleanup(f.Close)
	return &env{t: t, fake: f, client: f.NewClient()}
}

func (e *env) create(name, value string) string {
	e.t.Helper()
	out, err := e.client.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: &name, SecretString: &value})
	if err != nil {
		e.t.Fatalf("CreateSecret: %v", err)
	}
	return *out.VersionId
}

func (e *env) put(name, value string, stages ...string) string {
	e.t.Helper()
	out, err := e.client.PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{SecretId: &name, SecretString: &value, VersionStages: stages})
	if err != nil {
		e.t.Fatalf("PutSecretValue: %v", err)
	}
	return *out.VersionId
}

func (e *env) provider(id string, opts ...awssm.Option) *awssm.Provider {
	e.t.Helper()
	p, err := awssm.New(e.client, id, opts...)
	if err != nil {
		e.t.Fatalf("awssm.New: %v", err)
	}
	return p
}

func fetch(t *testing.T, f func(context.Context) (secrets.Version, error)) secrets.Version {
	t.Helper()
	v, err := f(context.Background())
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	return v
}

func wantValue(t *testing.T, v secrets.Version, want string) {
	t.Helper()
	if got := v.Value.Reveal(); got != want {
		t.Fatalf("value has fingerprint %s, want %s", v.Value.Fingerprint(), secrets.New(want).Fingerprint())
	}
}

// fetchErr fetches, expects an error and checks that it carries no secret.
func fetchErr(t *testing.T, f func(context.Context) (secrets.Version, error), values ...string) error {
	t.Helper()
	_, err := f(context.Background())
	if err == nil {
		t.Fatal("fetch succeeded, want an error")
	}
	for _, v := range values {
		secretstest.AssertNoLeak(t, "error", err.Error(), v)
		secretstest.AssertNoLeak(t, "error %+v", fmt.Sprintf("%+v", err), v)
		secretstest.AssertNoLeak(t, "error %#v", fmt.Sprintf("%#v", err), v)
	}
	return err
}

func TestChangeDetection(t *testing.T) {
	e := newEnv(t)
	v1 := "pat-na1-11111111-aaaa"
	id1 := e.create("prod/hubspot", v1)
	p := e.provider("prod/hubspot")

	got := fetch(t, p.Fetch)
	wantValue(t, got, v1)
	if got.ID != id1 {
		t.Fatalf("Version.ID = %q, want the AWS VersionId %q", got.ID, id1)
	}
	if n := e.fake.Calls("GetSecretValue"); n != 1 {
		t.Fatalf("first Fetch made %d GetSecretValue calls, want 1", n)
	}

	for range 3 {
		again := fetch(t, p.Fetch)
		wantValue(t, again, v1)
		if again.ID != id1 {
			t.Fatalf("unchanged Fetch returned version %q, want %q", again.ID, id1)
		}
	}
	if n := e.fake.Calls("GetSecretValue"); n != 1 {
		t.Fatalf("unchanged secret was re-read: %d GetSecretValue calls, want 1", n)
	}
	if n := e.fake.Calls("DescribeSecret"); n != 3 {
		t.Fatalf("%d DescribeSecret calls for 3 unchanged Fetches, want 3", n)
	}

	v2 := "pat-na1-22222222-bbbb"
	id2 := e.put("prod/hubspot", v2)
	rotated := fetch(t, p.Fetch)
	wantValue(t, rotated, v2)
	if rotated.ID != id2 {
		t.Fatalf("after rotation Version.ID = %q, want %q", rotated.ID, id2)
	}
	if n := e.fake.Calls("GetSecretValue"); n != 2 {
		t.Fatalf("rotation seen with %d GetSecretValue calls in all, want 2", n)
	}
	fetch(t, p.Fetch)
	if n := e.fake.Calls("GetSecretValue"); n != 2 {
		t.Fatalf("unchanged secret after rotation was re-read: %d GetSecretValue calls, want 2", n)
	}
}

func TestChangeDetectionCachesEachStage(t *testing.T) {
	e := newEnv(t)
	e.create("s", "value-one")
	e.put("s", "value-two")
	p := e.provider("s")
	fetch(t, p.Fetch)
	fetch(t, p.FetchPrevious)
	fetch(t, p.Fetch)
	prev := fetch(t, p.FetchPrevious)
	wantValue(t, prev, "value-one")
	if n := e.fake.Calls("GetSecretValue"); n != 2 {
		t.Fatalf("%d GetSecretValue calls, want 2 (one per stage)", n)
	}
}

func TestWithoutChangeDetection(t *testing.T) {
	e := newEnv(t)
	e.create("s", "value-one")
	p := e.provider("s", awssm.WithoutChangeDetection())
	for range 3 {
		fetch(t, p.Fetch)
	}
	if g, d := e.fake.Calls("GetSecretValue"), e.fake.Calls("DescribeSecret"); g != 3 || d != 0 {
		t.Fatalf("GetSecretValue=%d DescribeSecret=%d, want 3 and 0", g, d)
	}
}

func TestDescribeDeniedFallsBackToGet(t *testing.T) {
	e := newEnv(t)
	e.create("s", "value-one")
	e.fake.Deny("secretsmanager:DescribeSecret", "s")
	p := e.provider("s")
	for range 3 {
		wantValue(t, fetch(t, p.Fetch), "value-one")
	}
	e.put("s", "value-two")
	wantValue(t, fetch(t, p.Fetch), "value-two")
	if g := e.fake.Calls("GetSecretValue"); g != 4 {
		t.Fatalf("GetSecretValue=%d, want 4 (every Fetch, DescribeSecret being denied)", g)
	}
	denied := 0
	for _, c := range e.fake.Journal() {
		if c.Op == "DescribeSecret" && c.ErrorCode == "AccessDeniedException" {
			denied++
		}
	}
	if denied != 1 {
		t.Fatalf("DescribeSecret was denied %d times, want 1: the provider should stop asking", denied)
	}
}

func TestCachePicksUpRotation(t *testing.T) {
	e := newEnv(t)
	e.create("prod/hubspot", "token-before")
	p := e.provider("prod/hubspot")
	fc := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	c, err := secrets.NewCache(p, secrets.WithClock(fc), secrets.WithRefreshInterval(30*time.Second, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rotated := make(chan secrets.Version, 1)
	c.OnRotate(func(_, nv secrets.Version) { rotated <- nv })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	wantValue(t, mustGet(t, c), "token-before")

	// Two scheduled refreshes without a rotation: DescribeSecret only.
	for range 2 {
		if err := fc.WaitForTimers(ctx, 1); err != nil {
			t.Fatal(err)
		}
		fc.Advance(30 * time.Second)
	}
	if err := fc.WaitForTimers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if g := e.fake.Calls("GetSecretValue"); g != 1 {
		t.Fatalf("GetSecretValue=%d after two unchanged refreshes, want 1", g)
	}

	id2 := e.put("prod/hubspot", "token-after")
	fc.Advance(30 * time.Second)
	select {
	case nv := <-rotated:
		wantValue(t, nv, "token-after")
		if nv.ID != id2 {
			t.Fatalf("rotated to version %q, want %q", nv.ID, id2)
		}
	case <-ctx.Done():
		t.Fatal("the Cache did not report the rotation")
	}
	wantValue(t, mustGet(t, c), "token-after")
	if g := e.fake.Calls("GetSecretValue"); g != 2 {
		t.Fatalf("GetSecretValue=%d, want 2", g)
	}
}

func mustGet(t *testing.T, c *secrets.Cache) secrets.Version {
	t.Helper()
	v, err := c.Get(context.Background())
	if err != nil {
		t.Fatalf("Cache.Get: %v", err)
	}
	return v
}

func TestFetchPrevious(t *testing.T) {
	e := newEnv(t)
	e.create("s", "first-value")
	p := e.provider("s", awssm.WithJSONField("token"))
	err := fetchErr(t, p.FetchPrevious)
	if !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("FetchPrevious before any rotation: %v; want secrets.ErrNotFound", err)
	}

	p = e.provider("s")
	id2 := e.put("s", "second-value")
	e.put("s", "third-value")
	prev := fetch(t, p.FetchPrevious)
	wantValue(t, prev, "second-value")
	if prev.ID != id2 {
		t.Fatalf("previous Version.ID = %q, want %q", prev.ID, id2)
	}
	if want := "awssm:s@AWSPREVIOUS"; prev.Source != want {
		t.Fatalf("previous Source = %q, want %q", prev.Source, want)
	}
	wantValue(t, fetch(t, p.Fetch), "third-value")
}

func TestVersionStageAndID(t *testing.T) {
	e := newEnv(t)
	id1 := e.create("s", "first-value")
	e.put("s", "pending-value", "AWSPENDING")
	e.put("s", "second-value")

	pending := e.provider("s", awssm.WithVersionStage("AWSPENDING"))
	v := fetch(t, pending.Fetch)
	wantValue(t, v, "pending-value")
	if v.Source != "awssm:s@AWSPENDING" {
		t.Fatalf("Source = %q", v.Source)
	}

	pinned := e.provider("s", awssm.WithVersionID(id1))
	v = fetch(t, pinned.Fetch)
	wantValue(t, v, "first-value")
	if v.ID != id1 || v.Source != "awssm:s@"+id1 {
		t.Fatalf("pinned version: ID %q Source %q", v.ID, v.Source)
	}
	e.put("s", "third-value")
	wantValue(t, fetch(t, pinned.Fetch), "first-value")

	missing := e.provider("s", awssm.WithVersionID("00000000-0000-4000-8000-000000000000"))
	if err := fetchErr(t, missing.Fetch); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("unknown version id: %v; want secrets.ErrNotFound", err)
	}
}

func TestNameAndARN(t *testing.T) {
	e := newEnv(t)
	out, err := e.client.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String("team/token"), SecretString: aws.String("by-arn-value")})
	if err != nil {
		t.Fatal(err)
	}
	arn := *out.ARN
	partial := arn[:len(arn)-7]
	for _, id := range []string{"team/token", arn, partial} {
		p := e.provider(id)
		v := fetch(t, p.Fetch)
		wantValue(t, v, "by-arn-value")
		if want := "awssm:" + id + "@AWSCURRENT"; v.Source != want {
			t.Errorf("Source = %q, want %q", v.Source, want)
		}
		fetch(t, p.Fetch) // through DescribeSecret by the same id
	}
}

func TestBinarySecret(t *testing.T) {
	e := newEnv(t)
	raw := []byte{0x00, 0xff, 0x10, '\n', 0x80, 'k', 'e', 'y', ' '}
	if _, err := e.client.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String("bin"), SecretBinary: raw}); err != nil {
		t.Fatal(err)
	}
	v := fetch(t, e.provider("bin").Fetch)
	if got := []byte(v.Value.Reveal()); string(got) != string(raw) {
		t.Fatalf("binary value came back as %d bytes with fingerprint %s, want the %d bytes stored untouched (fingerprint %s)",
			len(got), v.Value.Fingerprint(), len(raw), secrets.NewBytes(raw).Fingerprint())
	}

	if _, err := e.client.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String("binjson"), SecretBinary: []byte(`{"key":"from-binary-json"}`)}); err != nil {
		t.Fatal(err)
	}
	wantValue(t, fetch(t, e.provider("binjson", awssm.WithJSONField("key")).Fetch), "from-binary-json")
}

func TestStringTrimmed(t *testing.T) {
	e := newEnv(t)
	e.create("s", "  token-with-newline\n")
	wantValue(t, fetch(t, e.provider("s").Fetch), "token-with-newline")
}

func TestJSONFieldErrors(t *testing.T) {
	const secret = "sk-very-secret-0123456789"
	tests := []struct {
		name, payload, field string
		want                 error
		mention              string
	}{
		{"not JSON", secret, "token", secrets.ErrMalformed, "not valid JSON"},
		{"truncated JSON", `{"token": "` + secret, "token", secrets.ErrMalformed, "not valid JSON"},
		{"array", `["` + secret + `"]`, "token", secrets.ErrMalformed, "not an object"},
		{"missing field", `{"other": "` + secret + `"}`, "token", secrets.ErrNotFound, `field "token"`},
		{"number field", `{"token": 12345, "x": "` + secret + `"}`, "token", secrets.ErrMalformed, "not a string"},
		{"empty field", `{"token": "  ", "x": "` + secret + `"}`, "token", secrets.ErrEmpty, `field "token"`},
		{"trailing data", `{"token": "a"} ` + secret, "token", secrets.ErrMalformed, "after the JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.create("json", tc.payload)
			p := e.provider("json", awssm.WithJSONField(tc.field))
			err := fetchErr(t, p.Fetch, secret, tc.payload)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %q does not wrap %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.mention) || !strings.Contains(err.Error(), "awssm:json#token@AWSCURRENT") {
				t.Fatalf("error %q should name the source and say %q", err, tc.mention)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	const value = "pat-na1-do-not-leak-42"
	t.Run("NotFound", func(t *testing.T) {
		e := newEnv(t)
		err := fetchErr(t, e.provider("nope").Fetch)
		if !errors.Is(err, secrets.ErrNotFound) {
			t.Fatalf("%v: want secrets.ErrNotFound", err)
		}
		var rnf *types.ResourceNotFoundException
		if !errors.As(err, &rnf) {
			t.Fatalf("%v: the SDK's ResourceNotFoundException is not reachable with errors.As", err)
		}
		var ae *awssm.Error
		if !errors.As(err, &ae) || ae.Op != "GetSecretValue" || ae.Code != "ResourceNotFoundException" || ae.RequestID == "" {
			t.Fatalf("awssm.Error = %+v", ae)
		}
		if !strings.HasPrefix(err.Error(), "secrets: awssm:nope@AWSCURRENT: GetSecretValue: ResourceNotFoundException: ") {
			t.Fatalf("error text %q", err)
		}
	})
	t.Run("NotFoundAfterCaching", func(t *testing.T) {
		e := newEnv(t)
		e.create("s", value)
		p := e.provider("s")
		fetch(t, p.Fetch)
		if _, err := e.client.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("s"), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		err := fetchErr(t, p.Fetch, value)
		var ae *awssm.Error
		if !errors.Is(err, secrets.ErrNotFound) || !errors.As(err, &ae) || ae.Op != "DescribeSecret" {
			t.Fatalf("%v: want secrets.ErrNotFound from DescribeSecret", err)
		}
	})
	t.Run("AccessDenied", func(t *testing.T) {
		e := newEnv(t)
		e.create("s", value)
		e.fake.Deny("GetSecretValue", "s")
		err := fetchErr(t, e.provider("s").Fetch, value)
		if !errors.Is(err, secrets.ErrPermission) || errors.Is(err, awssm.ErrCredentials) {
			t.Fatalf("%v: want secrets.ErrPermission and not ErrCredentials", err)
		}
		if !strings.Contains(err.Error(), "AccessDeniedException") || !strings.Contains(err.Error(), "secretsmanager:GetSecretValue") {
			t.Fatalf("error %q should carry AWS's code and message", err)
		}
	})
	t.Run("DecryptionFailure", func(t *testing.T) {
		e := newEnv(t)
		e.create("s", value)
		if err := e.fake.FailDecryption("s", true); err != nil {
			t.Fatal(err)
		}
		err := fetchErr(t, e.provider("s").Fetch, value)
		if !errors.Is(err, awssm.ErrDecryption) {
			t.Fatalf("%v: want ErrDecryption", err)
		}
		var df *types.DecryptionFailure
		if !errors.As(err, &df) {
			t.Fatalf("%v: the SDK's DecryptionFailure is not reachable", err)
		}
	})
	t.Run("ScheduledForDeletion", func(t *testing.T) {
		e := newEnv(t)
		e.create("s", value)
		cachedP := e.provider("s")
		fetch(t, cachedP.Fetch)
		if _, err := e.client.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("s"), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
			t.Fatal(err)
		}
		// A fresh provider: GetSecretValue's InvalidRequestException,
		// confirmed by DescribeSecret's DeletedDate.
		err := fetchErr(t, e.provider("s").Fetch, value)
		var ae *awssm.Error
		if !errors.Is(err, awssm.ErrScheduledForDeletion) || !errors.Is(err, secrets.ErrNotFound) || !errors.As(err, &ae) || ae.Code != "InvalidRequestException" {
			t.Fatalf("%v: want ErrScheduledForDeletion and ErrNotFound over InvalidRequestException", err)
		}
		if !strings.Contains(err.Error(), "scheduled for deletion on ") {
			t.Fatalf("error %q should give the deletion date", err)
		}
		// A provider holding the value: DescribeSecret's DeletedDate, no
		// GetSecretValue.
		err = fetchErr(t, cachedP.Fetch, value)
		if !errors.Is(err, awssm.ErrScheduledForDeletion) || !errors.As(err, &ae) || ae.Op != "DescribeSecret" {
			t.Fatalf("%v: want ErrScheduledForDeletion from DescribeSecret", err)
		}
	})
	t.Run("ScheduledForDeletionDescribeDenied", func(t *testing.T) {
		e := newEnv(t)
		e.create("s", value)
		e.fake.Deny("DescribeSecret", "*")
		if _, err := e.client.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("s")}); err != nil {
			t.Fatal(err)
		}
		err := fetchErr(t, e.provider("s").Fetch, value)
		if !errors.Is(err, awssm.ErrScheduledForDeletion) {
			t.Fatalf("%v: want ErrScheduledForDeletion recognised from AWS's message", err)
		}
	})
	t.Run("WrongSecretKey", func(t *testing.T) {
		e := newEnv(t)
		e.create("s", value)
		bad := e.fake.NewClient(func(o *secretsmanager.Options) {
			o.Credentials = credentials.NewStaticCredentialsProvider(fakeaws.AccessKeyID, "not-the-right-secret-key", "")
		})
		p, err := awssm.New(bad, "s")
		if err != nil {
			t.Fatal(err)
		}
		err = fetchErr(t, p.Fetch, value, "not-the-right-secret-key")
		var ae *awssm.Error
		if !errors.Is(err, awssm.ErrCredentials) || !errors.Is(err, secrets.ErrPermission) || !errors.As(err, &ae) || ae.Code != "InvalidSignatureException" {
			t.Fatalf("%v: want ErrCredentials over InvalidSignatureException", err)
		}
	})
	t.Run("UnknownAccessKey", func(t *testing.T) {
		e := newEnv(t)
		e.create("s", value)
		bad := e.fake.NewClient(func(o *secretsmanager.Options) {
			o.Credentials = credentials.NewStaticCredentialsProvider("AKIAUNKNOWNKEY000000", fakeaws.SecretAccessKey, "")
		})
		p, _ := awssm.New(bad, "s")
		err := fetchErr(t, p.Fetch, value, fakeaws.SecretAccessKey)
		var ae *awssm.Error
		if !errors.Is(err, awssm.ErrCredentials) || !errors.As(err, &ae) || ae.Code != "UnrecognizedClientException" {
			t.Fatalf("%v: want ErrCredentials over UnrecognizedClientException", err)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		e := newEnv(t)
		e.create("s", value)
		p := e.provider("s")
		fetch(t, p.Fetch)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := p.Fetch(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("%v: want context.Canceled", err)
		}
	})
}

func TestThrottlingRetriedBySDK(t *testing.T) {
	e := newEnv(t)
	e.create("s", "throttled-value")
	e.fake.Throttle("GetSecretValue", 1)
	wantValue(t, fetch(t, e.provider("s").Fetch), "throttled-value")
	var codes []string
	for _, c := range e.fake.Journal() {
		if c.Op == "GetSecretValue" {
			codes = append(codes, c.ErrorCode)
		}
	}
	if len(codes) != 2 || codes[0] != "ThrottlingException" || codes[1] != "" {
		t.Fatalf("GetSecretValue attempts ended with %q, want a ThrottlingException and then a success", codes)
	}

	// Throttled beyond the retryer's attempts: the error says so.
	e.fake.Throttle("GetSecretValue", 100)
	err := fetchErr(t, e.provider("s", awssm.WithoutChangeDetection()).Fetch, "throttled-value")
	if !errors.Is(err, awssm.ErrThrottled) {
		t.Fatalf("%v: want ErrThrottled", err)
	}
}

func TestSizeLimit(t *testing.T) {
	e := newEnv(t)
	big := strings.Repeat("s3cr3t-", 20) // 140 bytes
	e.create("big", big)
	err := fetchErr(t, e.provider("big", awssm.WithMaxSize(100)).Fetch, big)
	if !errors.Is(err, secrets.ErrTooLarge) || !strings.Contains(err.Error(), "limit of 100") {
		t.Fatalf("%v: want ErrTooLarge naming the limit", err)
	}
	wantValue(t, fetch(t, e.provider("big", awssm.WithMaxSize(140)).Fetch), big)

	// A response far over what the limit allows is cut off while it is
	// read: 20000 control bytes are 120000 bytes of \u escapes in JSON.
	huge := strings.Repeat("\x01", 20000)
	e.create("huge", huge)
	err = fetchErr(t, e.provider("huge", awssm.WithMaxSize(16)).Fetch, huge)
	if !errors.Is(err, secrets.ErrTooLarge) || !strings.Contains(err.Error(), "response body") {
		t.Fatalf("%v: want ErrTooLarge for the response body", err)
	}
}

// TestDecodeErrorsDoNotLeak: the SDK's JSON decoding errors quote the token
// they stopped at, which here is the value itself.
func TestDecodeErrorsDoNotLeak(t *testing.T) {
	const value = "98765432123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprintf(w, `{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:s-abcdef","VersionId":"v1","SecretString":%s}`, value)
	}))
	defer srv.Close()
	client := secretsmanager.New(secretsmanager.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
	p, err := awssm.New(client, "s")
	if err != nil {
		t.Fatal(err)
	}
	err = fetchErr(t, p.Fetch, value)
	if !errors.Is(err, secrets.ErrMalformed) {
		t.Fatalf("%v: want secrets.ErrMalformed", err)
	}
	for e := error(err); e != nil; {
		secretstest.AssertNoLeak(t, "wrapped error", e.Error(), value)
		u, ok := e.(interface{ Unwrap() []error })
		if !ok {
			e = errors.Unwrap(e)
			continue
		}
		for _, inner := range u.Unwrap() {
			secretstest.AssertNoLeak(t, "wrapped error", inner.Error(), value)
		}
		break
	}
}

func TestNew(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		client awssm.Client
		id     string
		opts   []awssm.Option
		want   string
	}{
		{"nil client", nil, "s", nil, "needs a Client"},
		{"empty id", e.client, "", nil, "secret name or ARN"},
		{"stage and id", e.client, "s", []awssm.Option{awssm.WithVersionStage("AWSPENDING"), awssm.WithVersionID("abc")}, "not both"},
		{"empty stage", e.client, "s", []awssm.Option{awssm.WithVersionStage("")}, "staging label"},
		{"empty version", e.client, "s", []awssm.Option{awssm.WithVersionID("")}, "version id"},
		{"empty field", e.client, "s", []awssm.Option{awssm.WithJSONField("")}, "field name"},
		{"zero size", e.client, "s", []awssm.Option{awssm.WithMaxSize(0)}, "max size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := awssm.New(tc.client, tc.id, tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	p, err := awssm.New(e.client, "prod/hubspot", awssm.WithJSONField("token"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Source(), "awssm:prod/hubspot#token@AWSCURRENT"; got != want {
		t.Fatalf("Source() = %q, want %q", got, want)
	}
}
