package credhttp_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/hubkey/hubkey/internal/credhttp"
	"github.com/hubkey/hubkey/secrets"
)

func TestLimitBody(t *testing.T) {
	read := func(n int, max int64) ([]byte, error) {
		return io.ReadAll(credhttp.LimitBody(io.NopCloser(strings.NewReader(strings.Repeat("a", n))), max, "the answer"))
	}
	if b, err := read(100, 100); err != nil || len(b) != 100 {
		t.Errorf("100 bytes under a limit of 100: %d bytes, %v", len(b), err)
	}
	if b, err := read(0, 0); err != nil || len(b) != 0 {
		t.Errorf("an empty body under a limit of 0: %d bytes, %v", len(b), err)
	}
	_, err := read(101, 100)
	if !errors.Is(err, secrets.ErrTooLarge) || !strings.Contains(err.Error(), "the answer is larger than 100 bytes") {
		t.Errorf("101 bytes under a limit of 100: %v, want ErrTooLarge naming the answer and the limit", err)
	}
	// One byte at a time reaches the same ends.
	b, err := io.ReadAll(credhttp.LimitBody(io.NopCloser(iotest.OneByteReader(strings.NewReader("abc"))), 3, "x"))
	if err != nil || string(b) != "abc" {
		t.Errorf("byte by byte: %q, %v", b, err)
	}
}

func TestRedactPath(t *testing.T) {
	for in, want := range map[string]string{
		"/oauth/v1/access-tokens/abc":      "/oauth/v1/access-tokens/REDACTED",
		"/oauth/v1/Refresh-Tokens/abc/x":   "/oauth/v1/Refresh-Tokens/REDACTED/x",
		"/oauth/v1/access-tokens/":         "/oauth/v1/access-tokens/",
		"/crm/v3/objects/contacts/1":       "/crm/v3/objects/contacts/1",
		"/oauth/v1/access-tokens/REDACTED": "/oauth/v1/access-tokens/REDACTED",
	} {
		if got := credhttp.RedactPath(in); got != want {
			t.Errorf("RedactPath(%q) = %q, want %q", in, got, want)
		}
	}
}
