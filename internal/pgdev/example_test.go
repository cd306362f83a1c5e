package pgdev_test

import (
	"context"
	"fmt"

	"github.com/hubkey/hubkey/internal/pgdev"
)

// Start a throwaway PostgreSQL cluster and hand it to a test process.
func ExampleStart() {
	bin, err := pgdev.Find()
	if err != nil {
		fmt.Println("no PostgreSQL:", pgdev.HowToGet)
		return
	}
	srv, err := pgdev.Start(context.Background(), bin, pgdev.StartOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Stop()
	fmt.Println("tests get", pgdev.EnvURL, "from", srv.Env())
}
