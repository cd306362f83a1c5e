package hubkeyvet_test

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/hubkey/hubkey/hubkeyvet"
)

// TestAnalyzer runs the analyzer on every testdata package (loaded once:
// they share the standard library). Each holds the reports it must
// produce, as "// want" comments, and near misses that must produce none:
//
//   - hardcoded: credentials recognisable on their own;
//   - contexts: bare UUIDs where a credential goes, and where not;
//   - literal: constants given to secrets.New, in and out of tests;
//   - reveal: Secret.Reveal() reaching logs, prints, errors, panics, URLs;
//   - byhand: tokens read from the environment or a file by hand;
//   - ignore: //hubkeyvet:ignore comments, with and without a reason;
//   - fixtures: hubspottest tokens and placeholders in tests.
//
// Then it checks that no report quotes a credential: not a token, not a
// UUID, not a long base64 run, not one of the constants the literal rule
// reports; and that every report names a fix.
func TestAnalyzer(t *testing.T) {
	leak := regexp.MustCompile(`pat-[a-z]{2}[0-9]-[0-9a-f]|[0-9a-f]{8}-[0-9a-f]{4}-|[A-Za-z0-9_-]{40,}|hunter2|correct horse|s3cr3t|secret-value|typed const|assigned once`)
	results := analysistest.Run(t, analysistest.TestData(), hubkeyvet.Analyzer,
		"hardcoded", "contexts", "literal", "reveal", "byhand", "ignore", "fixtures")
	n := 0
	for _, r := range results {
		for _, d := range r.Diagnostics {
			n++
			if m := leak.FindString(d.Message); m != "" {
				t.Errorf("%s: report quotes %q: %s", r.Pass.Fset.Position(d.Pos), m, d.Message)
			}
			if !strings.Contains(d.Message, ": ") {
				t.Errorf("%s: report names no fix: %s", r.Pass.Fset.Position(d.Pos), d.Message)
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d reports: the testdata did not load", n)
	}
}
