package hubkeyvet

import (
	"fmt"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"
)

// golangci-lint's module plugin system finds a linter through this
// registration: a custom golangci-lint binary built with this package
// (see the package documentation) runs Analyzer as "hubkeyvet".
func init() { register.Plugin("hubkeyvet", newPlugin) }

// settings is the plugin's configuration: it has none, and refuses any.
type settings struct{}

type plugin struct{}

func newPlugin(conf any) (register.LinterPlugin, error) {
	if _, err := register.DecodeSettings[settings](conf); err != nil {
		return nil, fmt.Errorf("hubkeyvet takes no settings: %w", err)
	}
	return plugin{}, nil
}

func (plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return []*analysis.Analyzer{Analyzer}, nil
}

func (plugin) GetLoadMode() string { return register.LoadModeTypesInfo }
