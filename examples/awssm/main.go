// Command awssm shows a HubSpot token kept in AWS Secrets Manager and
// rotated while a program uses it, with no AWS account: it starts hubkey's
// fake Secrets Manager in-process, talks to it with the real aws-sdk-go-v2
// client, reads the token through a secrets.Cache that refreshes on a short
// schedule, rotates the secret with PutSecretValue, and shows the Cache
// picking the new version up live. Only fingerprints are printed.
//
//	go run ./examples/awssm
//
// Against real AWS the only change is the client:
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	client := secretsmanager.NewFromConfig(cfg)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hubkey/hubkey/internal/fakeaws"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/awssm"
)

const secretName = "prod/hubspot/private-app"

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, os.Stdout, 250*time.Millisecond); err != nil {
		fmt.Fprintln(os.Stderr, "awssm example:", err)
		os.Exit(1)
	}
}

// run does the whole demonstration, refreshing the Cache every interval.
func run(ctx context.Context, out io.Writer, interval time.Duration) error {
	fake := fakeaws.New()
	defer fake.Close()
	fmt.Fprintf(out, "fake Secrets Manager on %s (%s)\n", fake.URL(), fake.Region())

	// A real SDK client; only the endpoint and the static test keys say
	// that it talks to the fake. Every request is SigV4-signed and checked.
	client := secretsmanager.New(secretsmanager.Options{
		Region:       fake.Region(),
		BaseEndpoint: aws.String(fake.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider(fakeaws.AccessKeyID, fakeaws.SecretAccessKey, ""),
	})
	created, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name:         aws.String(secretName),
		SecretString: aws.String(`{"token": "pat-na1-11111111-example-first", "portalId": "1234567"}`),
	})
	if err != nil {
		return fmt.Errorf("creating the secret: %w", err)
	}
	fmt.Fprintf(out, "created %s, version %s\n", secretName, aws.ToString(created.VersionId))

	p, err := awssm.New(client, secretName, awssm.WithJSONField("token"))
	if err != nil {
		return err
	}
	cache, err := secrets.NewCache(p, secrets.WithRefreshInterval(interval, 0.1))
	if err != nil {
		return err
	}
	defer cache.Close()
	type rotation struct{ old, new secrets.Version }
	rotated := make(chan rotation, 1)
	cache.OnRotate(func(old, new secrets.Version) {
		select {
		case rotated <- rotation{old, new}:
		default:
		}
	})

	v, err := cache.Get(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "cache holds token %s (version %s) from %s\n", v.Value.Fingerprint(), v.ID, v.Source)

	// Scheduled refreshes of an unchanged secret cost one DescribeSecret
	// each and no GetSecretValue.
	if err := waitFor(ctx, interval, func() bool { return fake.Calls("DescribeSecret") >= 2 }); err != nil {
		return fmt.Errorf("waiting for two refreshes: %w", err)
	}
	fmt.Fprintf(out, "2 refreshes without a rotation: %d DescribeSecret, %d GetSecretValue\n",
		fake.Calls("DescribeSecret"), fake.Calls("GetSecretValue"))

	put, err := client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId:     aws.String(secretName),
		SecretString: aws.String(`{"token": "pat-na1-22222222-example-second", "portalId": "1234567"}`),
	})
	if err != nil {
		return fmt.Errorf("rotating the secret: %w", err)
	}
	fmt.Fprintf(out, "rotated in Secrets Manager: AWSCURRENT is now version %s\n", aws.ToString(put.VersionId))

	select {
	case r := <-rotated:
		fmt.Fprintf(out, "cache picked the rotation up: %s -> %s (version %s)\n", r.old.Value.Fingerprint(), r.new.Value.Fingerprint(), r.new.ID)
	case <-ctx.Done():
		return errors.New("the cache did not pick up the rotation")
	}
	v, err = cache.Get(ctx)
	if err != nil {
		return err
	}
	prev, _ := cache.Previous()
	fmt.Fprintf(out, "cache serves %s; previous %s kept for fallback\n", v.Value.Fingerprint(), prev.Value.Fingerprint())

	fmt.Fprintf(out, "Secrets Manager calls so far: %d GetSecretValue, %d DescribeSecret\n", fake.Calls("GetSecretValue"), fake.Calls("DescribeSecret"))

	awsPrev, err := p.FetchPrevious(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "AWSPREVIOUS in Secrets Manager: %s (version %s)\n", awsPrev.Value.Fingerprint(), awsPrev.ID)
	return nil
}

// waitFor polls cond every interval until it holds or ctx ends.
func waitFor(ctx context.Context, interval time.Duration, cond func() bool) error {
	t := time.NewTicker(interval / 2)
	defer t.Stop()
	for !cond() {
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
