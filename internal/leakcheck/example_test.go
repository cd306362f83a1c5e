package leakcheck_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/hubkey/hubkey/internal/leakcheck"
)

// A scenario hands every output to a Recorder, then checks it for the
// canaries it used.
func Example() {
	_ = func(t *testing.T) {
		rec := leakcheck.New()
		logger := rec.Logger() // give this to the code under test
		logger.Debug("calling HubSpot")
		rec.Err("call", errors.New("hubspot: 401 Unauthorized"))
		rec.Check(t, "pat-na1-canary")
	}
	fmt.Println("scan logs, errors, panics and dumps for canaries")
	// Output: scan logs, errors, panics and dumps for canaries
}
