package awssm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/awssm"
)

// fuzzCanary stands for the secret in a GetSecretValue answer: the seeds
// embed it, the fuzzer mutates around it, and no error may carry it.
const fuzzCanary = "AWS-CANARY-sm-0c4f91"

// payloadClient answers GetSecretValue with the payload under test.
type payloadClient struct {
	str *string
	bin []byte
}

func (c *payloadClient) GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	return &secretsmanager.GetSecretValueOutput{
		ARN:           aws.String("arn:aws:secretsmanager:us-east-1:123456789012:secret:hubspot/prod-AbCdEf"),
		Name:          aws.String("hubspot/prod"),
		VersionId:     aws.String("EXAMPLE1-90ab-cdef-fedc-ba987SECRET1"),
		VersionStages: []string{"AWSCURRENT"},
		SecretString:  c.str,
		SecretBinary:  c.bin,
	}, nil
}

func (c *payloadClient) DescribeSecret(context.Context, *secretsmanager.DescribeSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	return &secretsmanager.DescribeSecretOutput{}, nil
}

// FuzzPayload feeds SecretString and SecretBinary payloads to a Provider,
// whole and with WithJSONField. Properties: no panic; errors never carry
// the canary, not even as a JSON member name; a value never exceeds
// WithMaxSize; a JSON field's value is exactly what secrets.JSONField
// returns, trimmed.
func FuzzPayload(f *testing.F) {
	for _, s := range []string{
		`{"token":"` + fuzzCanary + `"}`,
		`{"username":"svc-hubspot","token":" ` + fuzzCanary + "\\n" + `"}`,
		`{"password":"` + fuzzCanary + `"}`,
		`{"` + fuzzCanary + `":"x"}`,
		`{"token":["` + fuzzCanary + `"]}`,
		`{"token":"` + fuzzCanary,
		`{"token":"` + fuzzCanary + `"}}`,
		`{"token":"` + strings.Repeat("x", 100) + `"}`,
		fuzzCanary,
		" \n\t ",
		"",
	} {
		f.Add([]byte(s), false, true)
		f.Add([]byte(s), true, false)
	}
	const maxSize = 96
	f.Fuzz(func(t *testing.T, payload []byte, binary, field bool) {
		c := &payloadClient{}
		if binary {
			c.bin = payload
		} else {
			s := string(payload)
			c.str = &s
		}
		opts := []awssm.Option{awssm.WithMaxSize(maxSize), awssm.WithoutChangeDetection()}
		if field {
			opts = append(opts, awssm.WithJSONField("token"))
		}
		p, err := awssm.New(c, "hubspot/prod", opts...)
		if err != nil {
			t.Fatal(err)
		}
		v, err := p.Fetch(context.Background())
		if err != nil {
			if strings.Contains(err.Error(), fuzzCanary) {
				t.Fatalf("error carries the canary: %v", err)
			}
			return
		}
		if len(payload) > maxSize || v.Value.Len() > maxSize || v.Value.IsZero() {
			t.Fatalf("value of %d bytes from a payload of %d (limit %d)", v.Value.Len(), len(payload), maxSize)
		}
		if field {
			want, ferr := secrets.JSONField(payload, "token")
			if ferr != nil || v.Value.Reveal() != strings.TrimSpace(want) {
				t.Fatal("the value is not the trimmed JSON field")
			}
		}
	})
}
