package otelhubspot_test

import (
	"os/exec"
	"strings"
	"testing"
)

// A program that imports hubspot, its webhook package or only
// secrets/env, and not otelhubspot, compiles no OpenTelemetry code.
func TestOnlyOtelhubspotCompilesOpenTelemetry(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/hubkey/hubkey/hubspot",
		"github.com/hubkey/hubkey/hubspot/webhook", "github.com/hubkey/hubkey/secrets/env").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "go.opentelemetry.io/") {
		t.Fatal("package hubspot, hubspot/webhook or secrets/env depends on an OpenTelemetry package")
	}
}
