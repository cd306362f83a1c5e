package browserdev_test

import (
	"fmt"

	"github.com/hubkey/hubkey/internal/browserdev"
)

// Find the browser, as the test command does before it hands the path to
// the tests.
func ExampleFind() {
	path, err := browserdev.Find()
	_, _ = path, err // path is the browser to start; err says how to get one
	fmt.Println("the tests read its path from", browserdev.EnvPath)
	// Output: the tests read its path from HUBKEY_TEST_CHROMIUM
}

// The test command hands the path to the tests in this variable.
func ExampleFromEnv() {
	fmt.Println(browserdev.EnvPath)
	// Output: HUBKEY_TEST_CHROMIUM
}
