// Package examples holds hubkey's runnable examples, one command per
// directory (go run ./examples/NAME), and the test that builds and runs
// every one of them so none rots. The package itself has no API.
package examples
