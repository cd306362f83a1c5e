package reveal

import (
	"testing"

	"github.com/hubkey/hubkey/secrets"
)

func TestLogs(t *testing.T) {
	s := secrets.New("x")
	got := s.Reveal()
	if got != "x" {
		t.Fatalf("Reveal = %q", got) // want `reaches test output \(T.Fatalf\) through got`
	}
	t.Logf("fingerprint %s", s.Fingerprint())
}
