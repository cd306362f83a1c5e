package fakeaws_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/hubkey/hubkey/internal/fakeaws"
)

func Example() {
	fake := fakeaws.New()
	defer fake.Close()
	ctx := context.Background()
	client := fake.NewClient() // the real SDK client, signed with fakeaws.AccessKeyID

	if _, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name:               aws.String("app/token"),
		SecretString:       aws.String("first"),
		ClientRequestToken: aws.String("00000000-0000-4000-8000-000000000001"),
	}); err != nil {
		log.Fatal(err)
	}
	if _, err := client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId:           aws.String("app/token"),
		SecretString:       aws.String("second"),
		ClientRequestToken: aws.String("00000000-0000-4000-8000-000000000002"),
	}); err != nil {
		log.Fatal(err)
	}
	d, err := client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/token")})
	if err != nil {
		log.Fatal(err)
	}
	for _, id := range slices.Sorted(maps.Keys(d.VersionIdsToStages)) {
		fmt.Println(id, d.VersionIdsToStages[id])
	}

	// A request signed with the wrong secret key is refused, as AWS does.
	bad := fake.NewClient(func(o *secretsmanager.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(fakeaws.AccessKeyID, "wrong", "")
	})
	_, err = bad.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/token")})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.ErrorCode())
	}
	fmt.Println("GetSecretValue served:", fake.Calls("GetSecretValue"))
	// Output:
	// 00000000-0000-4000-8000-000000000001 [AWSPREVIOUS]
	// 00000000-0000-4000-8000-000000000002 [AWSCURRENT]
	// InvalidSignatureException
	// GetSecretValue served: 0
}
