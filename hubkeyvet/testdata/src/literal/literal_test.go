package literal

import (
	"testing"

	"github.com/hubkey/hubkey/secrets"
)

// In tests, a constant given to secrets.New is a fixture, not a leak.
func TestFixtures(t *testing.T) {
	_ = secrets.New("a test secret")
	_ = secrets.New("pat-na1-example")
	_ = secrets.New("pat-na1-00000000-0000-4000-8000-000000000000")
	// A bare UUID is still a key where a secret goes.
	_ = secrets.New("f8b6b0d7-4955-45db-8684-c22336c2d3a8") // want `developer API key or legacy hapikey .* in secrets.New`
	// And a real-looking private app token is reported in tests too.
	_ = secrets.New("pat-na1-45a1e775-89ef-4cb1-9002-feec472db147") // want `hard-coded HubSpot private app token`
}
