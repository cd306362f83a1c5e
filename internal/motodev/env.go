package motodev

import (
	"os"
	"testing"
)

// FromEnv returns the endpoint [EnvEndpoint] names, and false when it is
// unset.
func FromEnv() (string, bool) {
	ep := os.Getenv(EnvEndpoint)
	return ep, ep != ""
}

// TestEndpoint returns the moto server handed to this test process in
// [EnvEndpoint]. When it is unset it skips tb, saying how to get one; when
// the CI environment variable is "true" it fails tb instead, because CI must
// not pass with the moto suite skipped.
func TestEndpoint(tb testing.TB) string {
	tb.Helper()
	if ep, ok := FromEnv(); ok {
		return ep
	}
	msg := "no moto server: " + EnvEndpoint + " is not set; " + HowToGet
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + " (CI=true: a skipped moto suite is a failure)")
	}
	tb.Skip(msg)
	return ""
}
