package signing

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
)

var benchSizes = []struct {
	name string
	n    int
}{{"1KiB", 1 << 10}, {"1MiB", 1 << 20}}

// BenchmarkSign signs a POST with a JSON body of each size: the body is
// digested from GetBody (as for bytes.Reader, bytes.Buffer and
// strings.Reader bodies), the key read from its source, the signature
// base built and MACed, the fields written.
func BenchmarkSign(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			body := bytes.Repeat([]byte("a"), sz.n)
			s := newTestSigner(b, clock.NewFake(testStart))
			r, _ := http.NewRequest("POST", "https://api.hubapi.com/crm/v3/imports", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			hdr := r.Header
			b.SetBytes(int64(sz.n))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				r.Header = hdr
				if err := s.Sign(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSignStreamed signs a body without GetBody, which the Signer
// buffers once and makes replayable.
func BenchmarkSignStreamed(b *testing.B) {
	body := bytes.Repeat([]byte("a"), 1<<20)
	s := newTestSigner(b, clock.NewFake(testStart))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r, _ := http.NewRequest("POST", "https://api.hubapi.com/crm/v3/imports", nil)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		if err := s.Sign(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify verifies signed requests of each size: parsing the
// fields, the MAC, reading and digesting the body through the limit,
// restoring it, and recording the nonce. Every iteration carries a fresh
// nonce (signed before the timer starts), as real traffic does.
func BenchmarkVerify(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			body := bytes.Repeat([]byte("a"), sz.n)
			clk := clock.NewFake(testStart)
			keys := NewKeySet()
			if err := keys.AddStatic("k1", secrets.New(testKey)); err != nil {
				b.Fatal(err)
			}
			v, err := NewVerifier(keys, WithClock(clk), WithNonceCapacity(b.N+1), WithMaxBodySize(2<<20))
			if err != nil {
				b.Fatal(err)
			}
			r := httptest.NewRequest("POST", "http://api.hubapi.com/crm/v3/imports", nil)
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Content-Digest", ContentDigest(body))
			m := v.serverMessage(r)
			inputs, sigs := make([]string, b.N), make([]string, b.N)
			for i := range b.N {
				p := Params{
					Components: []Component{C("@method"), C("@authority"), C("@path"), C("@query"), C("content-digest"), C("content-type")},
					Created:    testStart, KeyID: "k1", Nonce: fmt.Sprintf("nonce-%d", i), Alg: Algorithm,
				}
				l, err := p.innerList()
				if err != nil {
					b.Fatal(err)
				}
				base, err := signatureBase(m, p.Components, l)
				if err != nil {
					b.Fatal(err)
				}
				inputs[i] = DefaultLabel + "=" + p.String()
				sigs[i] = DefaultLabel + "=:" + base64.StdEncoding.EncodeToString(computeMAC(secrets.New(testKey), base)) + ":"
			}
			rd := bytes.NewReader(body)
			b.SetBytes(int64(sz.n))
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				rd.Reset(body)
				r.Body = io.NopCloser(rd)
				r.ContentLength = int64(sz.n)
				r.Header["Signature-Input"] = []string{inputs[i]}
				r.Header["Signature"] = []string{sigs[i]}
				if _, err := v.Verify(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseSignatureInput parses a typical Signature-Input field.
func BenchmarkParseSignatureInput(b *testing.B) {
	field := sigInputSeeds[4]
	b.SetBytes(int64(len(field)))
	b.ReportAllocs()
	for range b.N {
		if _, err := ParseSignatureInput(field); err != nil {
			b.Fatal(err)
		}
	}
}
