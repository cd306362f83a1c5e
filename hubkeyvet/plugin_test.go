package hubkeyvet_test

import (
	"testing"

	"github.com/golangci/plugin-module-register/register"

	"github.com/hubkey/hubkey/hubkeyvet"
)

// A golangci-lint binary built with this package finds the analyzer by
// name, with no settings or empty ones, and refuses settings it does not
// know.
func TestGolangciPlugin(t *testing.T) {
	newPlugin, err := register.GetPlugin("hubkeyvet")
	if err != nil {
		t.Fatal(err)
	}
	for _, conf := range []any{nil, map[string]any{}} {
		p, err := newPlugin(conf)
		if err != nil {
			t.Fatalf("settings %v: %v", conf, err)
		}
		as, err := p.BuildAnalyzers()
		if err != nil || len(as) != 1 || as[0] != hubkeyvet.Analyzer {
			t.Fatalf("BuildAnalyzers = %v, %v", as, err)
		}
		if p.GetLoadMode() != register.LoadModeTypesInfo {
			t.Fatalf("load mode %q: the analyzer needs types", p.GetLoadMode())
		}
	}
	if _, err := newPlugin(map[string]any{"strict": true}); err == nil {
		t.Fatal("an unknown setting was accepted")
	}
}
