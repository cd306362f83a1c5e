package signing

import (
	"bytes"
	"errors"
	"maps"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
)

// The fuzz targets check properties, not just the absence of panics: a
// field that parses serializes to a canonical form that parses to the same
// value, and serializing that again changes nothing. Seeds come from RFC
// 9421, RFC 9530 and RFC 9651 and from this package's own output; the
// corpora under testdata/fuzz replay in every normal test run.

var sigInputSeeds = []string{
	rfcB25Input,
	`sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"`,
	`sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"`,
	`sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"`,
	`hubkey=("@method" "@authority" "@path" "@query" "content-digest" "content-type");created=1740830400;keyid="k1";nonce="nBl7n3n0A9x1cXb1PZk8oQ";alg="hmac-sha256"`,
	`proxy=("@method");created=1, hubkey=("@path" "content-digest";key="sha-256" "x";bs "signature";sf);expires=2;nonce="n"`,
	`a=("@method");created=1;unknown=?0;other=1.5;when=@1;disp=%"x"`,
	`sig1=( "@method"  "@path" );created=1`,
}

func FuzzParseSignatureInput(f *testing.F) {
	for _, s := range sigInputSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		inputs, err := ParseSignatureInput(field)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		d := sfDict{}
		for _, in := range inputs {
			d.set(in.Label, sfMember{isList: true, list: in.raw})
		}
		canon, err := serializeSFDictionary(d)
		if err != nil {
			t.Fatalf("parsed input does not serialize: %v", err)
		}
		again, err := ParseSignatureInput(canon)
		if err != nil {
			t.Fatalf("canonical form %q does not parse: %v", canon, err)
		}
		if len(again) != len(inputs) {
			t.Fatalf("%d labels, then %d", len(inputs), len(again))
		}
		for i := range inputs {
			a, b := inputs[i], again[i]
			if a.Label != b.Label || a.KeyID != b.KeyID || a.Nonce != b.Nonce || a.Alg != b.Alg || a.Tag != b.Tag ||
				!a.Created.Equal(b.Created) || !a.Expires.Equal(b.Expires) || componentNames(a.Params) != componentNames(b.Params) {
				t.Fatalf("round trip changed %q: %+v then %+v", a.Label, a.Params, b.Params)
			}
		}
	})
}

func FuzzParseSignature(f *testing.F) {
	for _, s := range []string{
		rfcB25Signature,
		`sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==:`,
		`a=:AAAA:, b=:YWJj:`,
		`a=:YWJj:;p=1`,
		`a=:YWJ:`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		sigs, err := ParseSignature(field)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		d := sfDict{}
		for label, b := range sigs {
			d.set(label, sfMember{item: sfItem{val: b}})
		}
		canon, err := serializeSFDictionary(d)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseSignature(canon)
		if err != nil {
			t.Fatalf("canonical form %q does not parse: %v", canon, err)
		}
		if !maps.EqualFunc(sigs, again, bytes.Equal) {
			t.Fatalf("round trip changed the signatures")
		}
	})
}

func FuzzParseContentDigest(f *testing.F) {
	for _, s := range []string{rfcContentDigest256, rfcContentDigest512, rfcContentDigest256 + ", " + rfcContentDigest512, `unixsum=:AAAA:, md5=:YWJj:`, `sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE:`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		d, err := ParseContentDigest(field)
		if err != nil {
			return
		}
		for alg, want := range d {
			if alg == "sha-256" && len(want) == 32 {
				// Whatever parses, checking never panics and a body
				// whose digest it is passes.
				_ = checkContentDigest(field, []byte(field))
			}
		}
		sd := sfDict{}
		for alg, b := range d {
			sd.set(alg, sfMember{item: sfItem{val: b}})
		}
		canon, err := serializeSFDictionary(sd)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseContentDigest(canon)
		if err != nil || !maps.EqualFunc(d, again, bytes.Equal) {
			t.Fatalf("round trip of %q: %v", canon, err)
		}
	})
}

// FuzzStructuredField checks the parser and serializer as a pair on any
// dictionary: canonical output is a fixed point.
func FuzzStructuredField(f *testing.F) {
	for _, s := range append(sigInputSeeds,
		`a=?0, b, c; foo=bar`, `a=(1 2), b=3, c=4;aa=bb, d=(5 6);valid`,
		`en="Applepie", da=:w4ZibGV0w6ZydGUK:`, `a=1.5, b=-0.001, c=123456789012.999`,
		`t=foo/bar:baz, d=@1659578233, s=%"f%c3%bc%c3%bc"`, `a=1,b=2,a=3`,
	) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		d, err := parseSFDictionary(field)
		if err != nil {
			return
		}
		canon, err := serializeSFDictionary(d)
		if err != nil {
			t.Fatalf("parsed %q does not serialize: %v", field, err)
		}
		d2, err := parseSFDictionary(canon)
		if err != nil {
			t.Fatalf("canonical %q does not parse: %v", canon, err)
		}
		if !reflect.DeepEqual(normalize(d), normalize(d2)) {
			t.Fatalf("round trip changed the value: %q -> %q", field, canon)
		}
		canon2, err := serializeSFDictionary(d2)
		if err != nil || canon2 != canon {
			t.Fatalf("serialization is not a fixed point: %q -> %q", canon, canon2)
		}
	})
}

// normalize makes empty and nil byte sequences and parameter lists
// compare equal.
func normalize(d sfDict) sfDict {
	out := make(sfDict, len(d))
	for i, e := range d {
		m := e.val
		m.item = normItem(m.item)
		items := make([]sfItem, len(m.list.items))
		for j, it := range m.list.items {
			items[j] = normItem(it)
		}
		m.list.items = items
		m.list.params = normParams(m.list.params)
		out[i] = sfDictEntry{key: e.key, val: m}
	}
	return out
}

func normItem(it sfItem) sfItem {
	if b, ok := it.val.([]byte); ok && len(b) == 0 {
		it.val = []byte{}
	}
	it.params = normParams(it.params)
	return it
}

func normParams(p sfParams) sfParams {
	if len(p) == 0 {
		return nil
	}
	out := make(sfParams, len(p))
	for i, kv := range p {
		if b, ok := kv.val.([]byte); ok && len(b) == 0 {
			kv.val = []byte{}
		}
		out[i] = kv
	}
	return out
}

// FuzzVerifierHeaders throws arbitrary Signature-Input, Signature and
// Content-Digest fields at a Verifier: it must reject them with a
// *VerifyError and never panic. (A forged MAC cannot pass by chance.)
func FuzzVerifierHeaders(f *testing.F) {
	f.Add(rfcB25Input, rfcB25Signature, rfcContentDigest256, []byte(rfcBody))
	f.Add(sigInputSeeds[4], `hubkey=:AAAA:`, rfcContentDigest256, []byte(""))
	f.Add(`hubkey=("@method" "@authority" "@path" "@query" "content-digest");created=1740830400;keyid="k1";nonce="n"`, `hubkey=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:`, `sha-256=:AAAA:`, []byte("x"))
	keys := NewKeySet()
	if err := keys.AddStatic("k1", secrets.New(testKey)); err != nil {
		f.Fatal(err)
	}
	if err := keys.Add("test-shared-secret", rfcKey(f)); err != nil {
		f.Fatal(err)
	}
	v, err := NewVerifier(keys, WithClock(clock.NewFake(time.Unix(1740830400, 0))), WithMaxBodySize(1<<10))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, input, sig, digest string, body []byte) {
		r := httptest.NewRequest("POST", "http://api.test/crm/v3/objects/contacts/merge?x=1", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header["Signature-Input"] = []string{input}
		r.Header["Signature"] = []string{sig}
		r.Header["Content-Digest"] = []string{digest}
		_, err := v.Verify(r)
		if err == nil {
			t.Fatalf("accepted a forged signature: %q %q", input, sig)
		}
		var ve *VerifyError
		if !errors.As(err, &ve) || ve.Reason == "" {
			t.Fatalf("error %v is not a *VerifyError with a reason", err)
		}
	})
}
