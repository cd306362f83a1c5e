package vault

import (
	"context"
	"strings"
	"testing"
)

// BenchmarkKV2Poll measures one Cache poll of an unchanged KV v2 secret:
// with the metadata check (read MOUNT/metadata/PATH, compare the version)
// and without it (read MOUNT/data/PATH). It needs the Vault dev server:
//
//	go run ./internal/cmd/testall -run '^$' -bench KV2Poll ./secrets/vault
func BenchmarkKV2Poll(b *testing.B) {
	tv := newTestVault(b)
	mount := tv.mountKV(2)
	// A HubSpot private-app token and a signing key, with the metadata
	// of 10 versions (Vault's default max_versions).
	for range 10 {
		tv.putKV2(mount, "hubspot", map[string]any{"token": "pat-na1-" + randHex(b, 18), "signing_key": strings.Repeat("k", 64)})
	}
	s := tv.rootSession()
	for _, mode := range []struct {
		name string
		meta bool
	}{{"metadata-check", true}, {"data-read", false}} {
		b.Run(mode.name, func(b *testing.B) {
			p, err := NewKV2(s, mount, "hubspot", WithField("token"), WithMetadataCheck(mode.meta))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if _, err := p.Fetch(ctx); err != nil {
				b.Fatal(err)
			}
			before := tv.rec.bodyBytes()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := p.Fetch(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(tv.rec.bodyBytes()-before)/float64(b.N), "resp-bytes/op")
		})
	}
}
