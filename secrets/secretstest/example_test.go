package secretstest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hubkey/hubkey/secrets/secretstest"
)

// A provider package runs the conformance suite against its backend.
func ExampleRun() {
	_ = func(t *testing.T) {
		secretstest.Run(t, func(ctx context.Context, t *testing.T) (secretstest.Harness, error) {
			return secretstest.StaticHarness(), nil // your backend's harness here
		})
	}
}

func ExampleStatic() {
	p := secretstest.NewStatic("first")
	p.Rotate("second")
	v, _ := p.Fetch(context.Background())
	fmt.Println(v.ID, v.Value, p.Fetches())
	// Output: v2 [REDACTED] 1
}

func ExampleLeaks() {
	out := `Authorization: Bearer cGF0LW5hMS1zZWNyZXQ=`
	fmt.Println(secretstest.Leaks(out, "pat-na1-secret")) // finds the base64 form
	// Output: [cGF0LW5hMS1zZWNyZXQ= cGF0LW5hMS1zZWNyZXQ]
}
