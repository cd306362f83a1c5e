package awssm_test

// Tests against moto's Secrets Manager emulator, a second implementation
// written independently of hubkey, which has what internal/fakeaws lacks:
// UpdateSecretVersionStage and RestoreSecret. The test command starts it
// (see internal/motodev); without it these tests skip, saying how to get it.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/motodev"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/awssm"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// motoClient returns an SDK client for the moto server handed to this test
// process, or skips t.
func motoClient(t *testing.T) *secretsmanager.Client {
	t.Helper()
	ep := motodev.TestEndpoint(t)
	return secretsmanager.New(secretsmanager.Options{
		Region:       motodev.Region,
		BaseEndpoint: aws.String(ep),
		Credentials:  credentials.NewStaticCredentialsProvider(motodev.AccessKeyID, motodev.SecretAccessKey, ""),
	})
}

// motoName returns a secret name no other test uses: one moto server serves
// the whole run and keeps every secret until it stops.
func motoName(t *testing.T, what string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "hubkey-test/" + what + "/" + hex.EncodeToString(b[:])
}

// forceDelete removes name from moto at once, ignoring a secret that is
// already gone.
func forceDelete(c *secretsmanager.Client, name string) {
	c.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), ForceDeleteWithoutRecovery: aws.Bool(true)})
}

func newMotoHarness(encode func(string) (*string, []byte), opts ...awssm.Option) secretstest.HarnessMaker {
	return func(ctx context.Context, t *testing.T) (secretstest.Harness, error) {
		c := motoClient(t)
		name := motoName(t, "conformance")
		return &harness{client: c, close: func() { forceDelete(c, name) }, name: name, encode: encode, opts: opts}, nil
	}
}

func TestMotoConformance(t *testing.T) {
	motoClient(t) // skip once, not in every subtest
	t.Run("String", func(t *testing.T) { secretstest.Run(t, newMotoHarness(asString)) })
	t.Run("JSONField", func(t *testing.T) {
		secretstest.Run(t, newMotoHarness(func(v string) (*string, []byte) {
			s := fmt.Sprintf(`{"token": %q, "other": "unrelated"}`, v)
			return &s, nil
		}, awssm.WithJSONField("token")))
	})
	t.Run("Binary", func(t *testing.T) {
		secretstest.Run(t, newMotoHarness(func(v string) (*string, []byte) { return nil, []byte(v) }))
	})
	t.Run("WithoutChangeDetection", func(t *testing.T) {
		secretstest.Run(t, newMotoHarness(asString, awssm.WithoutChangeDetection()))
	})
}

// countingClient counts the calls the Provider makes to the real client.
type countingClient struct {
	awssm.Client
	gets, describes atomic.Int64
}

func (c *countingClient) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	c.gets.Add(1)
	return c.Client.GetSecretValue(ctx, in, optFns...)
}

func (c *countingClient) DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	c.describes.Add(1)
	return c.Client.DescribeSecret(ctx, in, optFns...)
}

// TestMotoLambdaRotation rotates a secret the way a Secrets Manager rotation
// Lambda does (createSecret, setSecret, testSecret, finishSecret), while an
// application reads it through a Provider behind a secrets.Cache; then
// deletes it with a recovery window and restores it.
func TestMotoLambdaRotation(t *testing.T) {
	sm := motoClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	name := motoName(t, "rotation")
	t.Cleanup(func() { forceDelete(sm, name) })
	const before, after = "pat-na1-before-rotation-1111", "pat-na1-after-rotation-2222"

	created, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(before)})
	if err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	oldID := *created.VersionId

	// The application: a Provider behind a Cache.
	counting := &countingClient{Client: sm}
	p, err := awssm.New(counting, name)
	if err != nil {
		t.Fatal(err)
	}
	cache, err := secrets.NewCache(p, secrets.WithClock(clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	type rotation struct{ old, new secrets.Version }
	rotated := make(chan rotation, 4)
	cache.OnRotate(func(o, n secrets.Version) { rotated <- rotation{o, n} })
	got := mustGet(t, cache)
	wantValue(t, got, before)
	if got.ID != oldID {
		t.Fatalf("Version.ID = %q, want the VersionId %q", got.ID, oldID)
	}
	if err := fetchErr(t, p.FetchPrevious, before); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("FetchPrevious before any rotation: %v; want secrets.ErrNotFound", err)
	}

	// createSecret: the Lambda gets a ClientRequestToken from Secrets
	// Manager, checks that AWSCURRENT exists and that no version has the
	// token yet, and stores the new value under the token with AWSPENDING.
	token := newToken(t)
	if _, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String(awssm.StageCurrent)}); err != nil {
		t.Fatalf("createSecret: reading AWSCURRENT: %v", err)
	}
	_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionId: aws.String(token), VersionStage: aws.String("AWSPENDING")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("createSecret: the pending version exists before it was put: %v", err)
	}
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(name), ClientRequestToken: aws.String(token), SecretString: aws.String(after), VersionStages: []string{"AWSPENDING"},
	}); err != nil {
		t.Fatalf("createSecret: PutSecretValue AWSPENDING: %v", err)
	}

	// While the new value is pending, the application keeps the current
	// one and does not re-read it: DescribeSecret shows AWSCURRENT where it
	// was.
	gets := counting.gets.Load()
	same, err := cache.Refresh(ctx)
	if err != nil || same.ID != oldID {
		t.Fatalf("Refresh with a pending version = %q, %v; want the current version %q", same.ID, err, oldID)
	}
	if n := counting.gets.Load() - gets; n != 0 {
		t.Fatalf("%d GetSecretValue calls while the secret had only a pending version, want 0", n)
	}

	// setSecret and testSecret: the Lambda reads the pending value, sets it
	// in the service it protects and tries it. A Provider on AWSPENDING is
	// how hubkey code would.
	pendingP, err := awssm.New(sm, name, awssm.WithVersionStage("AWSPENDING"))
	if err != nil {
		t.Fatal(err)
	}
	pending := fetch(t, pendingP.Fetch)
	wantValue(t, pending, after)
	if pending.ID != token || pending.Source != "awssm:"+name+"@AWSPENDING" {
		t.Fatalf("pending version: ID %q Source %q; want %q on AWSPENDING", pending.ID, pending.Source, token)
	}

	// finishSecret: move AWSCURRENT to the new version; Secrets Manager
	// moves AWSPREVIOUS to the version it left.
	desc, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		t.Fatalf("finishSecret: DescribeSecret: %v", err)
	}
	current := ""
	for id, stages := range desc.VersionIdsToStages {
		if slices.Contains(stages, awssm.StageCurrent) {
			current = id
		}
	}
	if current != oldID {
		t.Fatalf("finishSecret: AWSCURRENT is on %q, want %q", current, oldID)
	}
	if _, err := sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(name), VersionStage: aws.String(awssm.StageCurrent), MoveToVersionId: aws.String(token), RemoveFromVersionId: aws.String(current),
	}); err != nil {
		t.Fatalf("finishSecret: UpdateSecretVersionStage: %v", err)
	}

	// The application sees the new version at its next refresh.
	nv, err := cache.Refresh(ctx)
	if err != nil {
		t.Fatalf("Refresh after the rotation: %v", err)
	}
	wantValue(t, nv, after)
	if nv.ID != token {
		t.Fatalf("after the rotation Version.ID = %q, want the token %q", nv.ID, token)
	}
	select {
	case r := <-rotated:
		if r.old.ID != oldID || r.new.ID != token {
			t.Fatalf("OnRotate from %q to %q, want %q to %q", r.old.ID, r.new.ID, oldID, token)
		}
	default:
		t.Fatal("OnRotate was not called for the rotation")
	}
	if n := counting.gets.Load() - gets; n != 1 {
		t.Fatalf("%d GetSecretValue calls to see one rotation, want 1", n)
	}
	if prev, ok := cache.Previous(); !ok || prev.ID != oldID {
		t.Fatalf("Cache.Previous = %q, %v; want %q", prev.ID, ok, oldID)
	}
	prev := fetch(t, p.FetchPrevious)
	wantValue(t, prev, before)
	if prev.ID != oldID || prev.Source != "awssm:"+name+"@AWSPREVIOUS" {
		t.Fatalf("FetchPrevious: ID %q Source %q; want %q on AWSPREVIOUS", prev.ID, prev.Source, oldID)
	}

	// An operator deletes the secret with a recovery window: refreshes
	// fail as scheduled for deletion, and the Cache keeps serving the last
	// value it had.
	if _, err := sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
		t.Fatalf("DeleteSecret: %v", err)
	}
	_, err = cache.Refresh(ctx)
	if !errors.Is(err, awssm.ErrScheduledForDeletion) || !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("Refresh of a deleted secret: %v; want ErrScheduledForDeletion and secrets.ErrNotFound", err)
	}
	secretstest.AssertNoLeak(t, "error", err.Error(), after)
	if v := mustGet(t, cache); v.ID != token {
		t.Fatalf("Cache.Get after a failed refresh = %q, want the last good version %q", v.ID, token)
	}
	fresh, err := awssm.New(sm, name)
	if err != nil {
		t.Fatal(err)
	}
	err = fetchErr(t, fresh.Fetch, after)
	var ae *awssm.Error
	if !errors.Is(err, awssm.ErrScheduledForDeletion) || !errors.As(err, &ae) || ae.Code != "InvalidRequestException" {
		t.Fatalf("a fresh Provider on a deleted secret: %v; want ErrScheduledForDeletion over InvalidRequestException", err)
	}

	// RestoreSecret brings the same secret back, versions and stages
	// intact: the Provider recognises the version it holds and does not
	// read it again.
	if _, err := sm.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(name)}); err != nil {
		t.Fatalf("RestoreSecret: %v", err)
	}
	gets = counting.gets.Load()
	restored, err := cache.Refresh(ctx)
	if err != nil {
		t.Fatalf("Refresh after RestoreSecret: %v", err)
	}
	wantValue(t, restored, after)
	if restored.ID != token {
		t.Fatalf("after RestoreSecret Version.ID = %q, want %q", restored.ID, token)
	}
	if n := counting.gets.Load(); n != gets {
		t.Fatalf("GetSecretValue called %d more times after RestoreSecret, want 0: the version is unchanged", n-gets)
	}
	select {
	case r := <-rotated:
		t.Fatalf("OnRotate from %q to %q after RestoreSecret; the version did not change", r.old.ID, r.new.ID)
	default:
	}
	wantValue(t, fetch(t, fresh.Fetch), after)
	wantValue(t, fetch(t, p.FetchPrevious), before)
}

// newToken returns a ClientRequestToken in the UUID form Secrets Manager
// gives a rotation Lambda.
func newToken(t *testing.T) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
