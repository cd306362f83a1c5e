package secrets_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

func ExampleSecret() {
	token := secrets.New("pat-na1-example")
	fmt.Println(token)                     // every printing path is redacted
	fmt.Printf("%#v\n", token)             // Go syntax too
	fmt.Println(token.Fingerprint() != "") // a short id, safe to log
	// Output:
	// [REDACTED]
	// secrets.Secret{[REDACTED]}
	// true
}

func ExampleCache() {
	p := secretstest.NewStatic("pat-na1-first") // any Provider: env, file, AWS, Vault...
	cache, err := secrets.NewCache(p)
	if err != nil {
		panic(err)
	}
	defer cache.Close()
	rotated := make(chan string, 1)
	cache.OnRotate(func(old, new secrets.Version) {
		rotated <- old.ID + " -> " + new.ID // hooks run on the refreshing goroutine
	})

	ctx := context.Background()
	v, _ := cache.Get(ctx) // first call fetches; later calls are one atomic load
	fmt.Println("using", v.ID)

	// The server answers 401 for v: tell the cache. A newer version is
	// fetched once, however many callers report the same rejection.
	p.Rotate("pat-na1-second")
	cache.Invalidate(v)
	v, _ = cache.Get(ctx)
	fmt.Println("using", v.ID)
	fmt.Println("rotated", <-rotated)
	// Output:
	// using v1
	// using v2
	// rotated v1 -> v2
}

func ExampleWithLogger() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	cache, _ := secrets.NewCache(secretstest.NewStatic("pat-na1-x"), secrets.WithLogger(logger))
	defer cache.Close()
	v, _ := cache.Get(context.Background())
	logger.Info("calling HubSpot", "token", v.Value, "version", v) // no value in the log line
	// Output: level=INFO msg="calling HubSpot" token=[REDACTED] version.id=v1 version.source=static version.fingerprint=fp:2d25815704cf329d
}

func ExampleChain() {
	p := secrets.Chain(
		secrets.ProviderFunc(func(context.Context) (secrets.Version, error) {
			return secrets.Version{}, &secrets.Error{Source: "env:HUBSPOT_TOKEN", Err: secrets.ErrNotFound}
		}),
		secretstest.NewStatic("pat-na1-fallback"),
	)
	v, err := p.Fetch(context.Background())
	fmt.Println(v.Source, err)
	// Output: static <nil>
}
