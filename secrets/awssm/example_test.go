package awssm_test

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hubkey/hubkey/internal/fakeaws"
	"github.com/hubkey/hubkey/secrets/awssm"
)

// The example runs against hubkey's in-process fake Secrets Manager. With an
// AWS account, build the client from your configuration instead:
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	client := secretsmanager.NewFromConfig(cfg)
func Example() {
	fake := fakeaws.New()
	defer fake.Close()
	ctx := context.Background()
	client := secretsmanager.New(secretsmanager.Options{
		Region:       fake.Region(),
		BaseEndpoint: aws.String(fake.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider(fakeaws.AccessKeyID, fakeaws.SecretAccessKey, ""),
	})
	if _, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name:               aws.String("prod/hubspot"),
		SecretString:       aws.String(`{"token": "pat-na1-first", "appId": "12345"}`),
		ClientRequestToken: aws.String("00000000-0000-4000-8000-000000000001"),
	}); err != nil {
		log.Fatal(err)
	}

	p, err := awssm.New(client, "prod/hubspot", awssm.WithJSONField("token"))
	if err != nil {
		log.Fatal(err)
	}
	v, err := p.Fetch(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Source, v.ID, v.Value.Fingerprint(), v.Value)

	// Rotation: AWSCURRENT moves to the new version, AWSPREVIOUS to the old.
	if _, err := client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId:           aws.String("prod/hubspot"),
		SecretString:       aws.String(`{"token": "pat-na1-second", "appId": "12345"}`),
		ClientRequestToken: aws.String("00000000-0000-4000-8000-000000000002"),
	}); err != nil {
		log.Fatal(err)
	}
	v, err = p.Fetch(ctx)
	if err != nil {
		log.Fatal(err)
	}
	prev, err := p.FetchPrevious(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Source, v.ID, v.Value.Fingerprint())
	fmt.Println(prev.Source, prev.ID, prev.Value.Fingerprint())
	// Output:
	// awssm:prod/hubspot#token@AWSCURRENT 00000000-0000-4000-8000-000000000001 fp:44ddde13a7594791 [REDACTED]
	// awssm:prod/hubspot#token@AWSCURRENT 00000000-0000-4000-8000-000000000002 fp:8b5b1cf095a0f0a3
	// awssm:prod/hubspot#token@AWSPREVIOUS 00000000-0000-4000-8000-000000000001 fp:44ddde13a7594791
}
