package env_test

import (
	"context"
	"fmt"
	"os"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/env"
)

func Example() {
	os.Setenv("EXAMPLE_HUBSPOT_TOKEN", "pat-na1-example\n")
	defer os.Unsetenv("EXAMPLE_HUBSPOT_TOKEN")

	p, err := env.New("EXAMPLE_HUBSPOT_TOKEN")
	if err != nil {
		panic(err)
	}
	cache, err := secrets.NewCache(p)
	if err != nil {
		panic(err)
	}
	defer cache.Close()

	v, err := cache.Get(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Source, v.Value) // the value prints redacted
	// Output: env:EXAMPLE_HUBSPOT_TOKEN [REDACTED]
}
