package hubkeyvet_test

import (
	"fmt"
	"path/filepath"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/hubkey/hubkey/hubkeyvet"
)

// printT reports analysistest's complaints on standard output.
type printT struct{}

func (printT) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// Example runs the analyzer on testdata/src/example/app.go, a program with
// a hard-coded token, a revealed secret that is logged and a token read
// by hand, and prints its reports as go vet does. Reports show each
// credential's kind and fingerprint, never its value.
func Example() {
	results := analysistest.Run(printT{}, analysistest.TestData(), hubkeyvet.Analyzer, "example")
	for _, r := range results {
		for _, d := range r.Diagnostics {
			p := r.Pass.Fset.Position(d.Pos)
			fmt.Printf("%s:%d: %s\n", filepath.Base(p.Filename), p.Line, d.Message)
		}
	}
	// Output:
	// app.go:11: hard-coded HubSpot private app token (fp:10ee2d03cda40ed5): rotate it in HubSpot and load it at run time through a provider given to hubspot.WithToken (secrets/env, secrets/file, a secret store)
	// app.go:14: value of Secret.Reveal() (line 14) reaches a logger (log.Printf): log the Secret itself (it prints "[REDACTED]") or its Fingerprint(); call Reveal only where the value goes on the wire or into a MAC
	// app.go:15: HubSpot token read by hand from environment variable HUBSPOT_TOKEN reaches secrets.New as a string: give the client env.New("HUBSPOT_TOKEN") (github.com/hubkey/hubkey/secrets/env) as its token source instead, so the token stays a secrets.Secret and is read again when it rotates
}
