package leakcheck_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/internal/leakcheck"
)

// BenchmarkRecorderCheck checks a suite's worth of outputs (1,000 clean
// texts of 1 KiB) for eight canaries, half of them with characters Go's
// %q and JSON escape, as TestLeakConjurCyberArkEchoes does.
func BenchmarkRecorderCheck(b *testing.B) {
	r := leakcheck.New()
	line := strings.Repeat("secrets: conjur:myorg:variable:hubspot/token: Conjur answered HTTP 403 Forbidden [REDACTED]; ", 12)[:1<<10]
	for i := range 1000 {
		r.Add(fmt.Sprintf("output %d", i), line)
	}
	canaries := []string{
		"canary-token-5f1d2e7a9b", "canary-spaced-61e0 second-half-a4c9", "hvs.CANARY+vault/token=5d1e 0a", "canary-refresh-1e2f3a4b5c6d",
		`canary-apikey-"k\y-é-2b7d`, `canary-secret-"c\s-é-5e20`, `canary-platform-"p\t-é-c1a6`, `canary-sig-"s\g-é-93f1`,
	}
	b.ReportAllocs()
	for b.Loop() {
		ft := &fakeT{TB: b}
		r.Check(ft, canaries...)
		if len(ft.failures) != 0 {
			b.Fatal("a clean output was reported")
		}
	}
}
