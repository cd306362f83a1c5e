package secrets_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/secrets"
)

// benchSizes are a private-app token, an RSA private key in PEM and a
// payload near DefaultMaxSize.
var benchSizes = []struct {
	name string
	v    string
}{
	{"token", canary},
	{"1KiB", strings.Repeat("k", 1<<10)},
	{"64KiB", strings.Repeat("k", 64<<10)},
}

func BenchmarkNew(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(size.v)))
			for b.Loop() {
				_ = secrets.New(size.v)
			}
		})
	}
}

func BenchmarkRevealSizes(b *testing.B) {
	for _, size := range benchSizes {
		s := secrets.New(size.v)
		b.Run(size.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(size.v)))
			for b.Loop() {
				_ = s.Reveal()
			}
		})
	}
}

func BenchmarkEqual(b *testing.B) {
	x, y := secrets.New(canary), secrets.New(canary)
	b.ReportAllocs()
	for b.Loop() {
		if !x.Equal(y) {
			b.Fatal("equal values compare unequal")
		}
	}
}

// BenchmarkRedact scrubs an error text of three credentials, as a provider
// does with every error it returns: a text that holds none of them (the
// common case), one that holds a token, and credentials with the
// characters Go's %q and JSON escape, in a text that holds none or that
// quotes one.
func BenchmarkRedact(b *testing.B) {
	const quoted = `canary-client-secret-"q\b-é-3a9f`
	tokens := []secrets.Secret{secrets.New(canary), secrets.New("canary-refresh-token-1e2f3a4b5c6d"), secrets.New("canary-client-secret-b9d3e1f2a7c4")}
	escaped := []secrets.Secret{secrets.New(quoted), secrets.New(`canary-pvwa-password-"p\w-é-4e8b`), secrets.New(canary)}
	const prefix = `Post "https://api.hubapi.com/oauth/v3/token": net/http: HTTP/1.x transport connection broken: `
	for _, bc := range []struct {
		name  string
		text  string
		creds []secrets.Secret
	}{
		{"clean", prefix + "read tcp 127.0.0.1:50000->127.0.0.1:443: read: connection reset by peer", tokens},
		{"token", prefix + "upstream said Bearer " + canary, tokens},
		{"escaped clean", prefix + "read tcp 127.0.0.1:50000->127.0.0.1:443: read: connection reset by peer", escaped},
		{"escaped quoted", prefix + fmt.Sprintf("upstream said %q", quoted), escaped},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = secrets.RedactString(bc.text, bc.creds...)
			}
		})
	}
}
