package motodev_test

import (
	"context"
	"fmt"

	"github.com/hubkey/hubkey/internal/motodev"
)

// Start moto's server from PATH and hand it to a test process.
func ExampleStart() {
	bin, err := motodev.Find()
	if err != nil {
		fmt.Println("no moto:", motodev.HowToGet)
		return
	}
	srv, err := motodev.Start(context.Background(), bin, motodev.StartOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Stop()
	fmt.Println("moto serves Secrets Manager at", srv.Endpoint, "; tests get", srv.Env())
}
