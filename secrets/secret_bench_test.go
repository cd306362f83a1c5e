package secrets_test

import (
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
