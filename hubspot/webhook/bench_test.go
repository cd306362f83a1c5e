package webhook

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// BenchmarkVerifyV3 verifies a v3-signed delivery of about 1 KiB (a small
// batch of events) with two client secrets configured, the usual state
// during a rotation: both are tried in constant time.
func BenchmarkVerifyV3(b *testing.B) {
	body := bytes.Repeat([]byte(hsV1Body[1:len(hsV1Body)-1]+","), 5)
	body = append(append([]byte("["), body[:len(body)-1]...), ']')
	const url = "https://hooks.example.com/hubspot?portal=1"
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	v, err := NewVerifier(WithSecrets(secrets.New("new-secret"), secrets.New(hsSecret)), WithClock(clock.NewFake(now)))
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("POST", url, nil)
	r.Header.Set(HeaderTimestamp, ts)
	r.Header.Set(HeaderSignatureV3, SignatureV3(secrets.New(hsSecret), "POST", url, body, ts))
	rd := bytes.NewReader(body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for range b.N {
		rd.Reset(body)
		r.Body = io.NopCloser(rd)
		r.ContentLength = int64(len(body))
		if _, err := v.Verify(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyV3Rotating is BenchmarkVerifyV3 with the secrets read
// from a *secrets.Cache just after a rotation, the delivery signed with
// the previous secret: it adds the grace bookkeeping (an atomic load and
// two fingerprint compares) to the two MACs.
func BenchmarkVerifyV3Rotating(b *testing.B) {
	body := bytes.Repeat([]byte(hsV1Body[1:len(hsV1Body)-1]+","), 5)
	body = append(append([]byte("["), body[:len(body)-1]...), ']')
	const url = "https://hooks.example.com/hubspot?portal=1"
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	clk := clock.NewFake(now)
	st := secretstest.NewStatic(hsSecret)
	st.SetTTL(0, clk.Now)
	cache, err := secrets.NewCache(st, secrets.WithClock(clk))
	if err != nil {
		b.Fatal(err)
	}
	defer cache.Close()
	v, err := NewVerifier(WithSecretSource(cache), WithClock(clk))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := cache.Get(context.Background()); err != nil {
		b.Fatal(err)
	}
	st.Rotate("new-secret")
	if _, err := cache.Refresh(context.Background()); err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("POST", url, nil)
	r.Header.Set(HeaderTimestamp, ts)
	r.Header.Set(HeaderSignatureV3, SignatureV3(secrets.New(hsSecret), "POST", url, body, ts))
	rd := bytes.NewReader(body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for range b.N {
		rd.Reset(body)
		r.Body = io.NopCloser(rd)
		r.ContentLength = int64(len(body))
		if _, err := v.Verify(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseEvents decodes the same delivery into typed events.
func BenchmarkParseEvents(b *testing.B) {
	body := []byte(`[` + hsV1Body[1:len(hsV1Body)-1] + `,` + hsV1Body[1:len(hsV1Body)-1] + `]`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for range b.N {
		if _, err := ParseEvents(body); err != nil {
			b.Fatal(err)
		}
	}
}
