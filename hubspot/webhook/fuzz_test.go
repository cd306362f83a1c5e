package webhook

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
)

// FuzzVerifyHeaders throws arbitrary signature headers at a Verifier that
// allows every version: it must reject them with an *Error naming a
// reason, never panic, and never accept a signature it did not compute,
// nor a v1 or v2 one when a v3 header is present. Seeds are HubSpot's
// examples.
func FuzzVerifyHeaders(f *testing.F) {
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	f.Add("v1", hsV1Sig, "", "", hsV1Body)
	f.Add("v2", hsV2PostSig, "", "", hsV2PostBody)
	f.Add("v2", strings.ToUpper(hsV2GetSig), "", "", "")
	f.Add("", "", pyV3Sig, pyV3Timestamp, pyBody)
	f.Add("v3", "", pyV3Sig, ts, pyBody)
	f.Add("V3", "", strings.TrimRight(pyV3Sig, "="), ts+"0", pyBody)
	f.Add("v9", "x", "", "-1", "")
	f.Add("v1", hsV1Sig, " ", "", hsV1Body) // a blanked v3 header is no way back to v1
	f.Add("v1", hsV1Sig, pyV3Sig, ts, hsV1Body)
	v, err := NewVerifier(WithSecrets(secrets.New(hsSecret), secrets.New("other-secret")), WithClock(clock.NewFake(now)), WithMaxBodySize(4096), WithVersions(V1, V2, V3))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, version, sig, sigV3, timestamp, body string) {
		r := httptest.NewRequest("POST", "https://hooks.example.com/hubspot?portal=1", strings.NewReader(body))
		r.Header[http.CanonicalHeaderKey(HeaderSignatureVersion)] = []string{version}
		if sig != "" {
			r.Header[http.CanonicalHeaderKey(HeaderSignature)] = []string{sig}
		}
		if sigV3 != "" {
			r.Header[http.CanonicalHeaderKey(HeaderSignatureV3)] = []string{sigV3}
		}
		if timestamp != "" {
			r.Header[http.CanonicalHeaderKey(HeaderTimestamp)] = []string{timestamp}
		}
		_, err := v.Verify(r)
		if err == nil {
			// Only a signature this secret really produces may pass.
			s := secrets.New(hsSecret)
			url := "https://hooks.example.com/hubspot?portal=1"
			// With a v3 header present, only the v3 signature counts.
			genuine := SignatureV3(s, "POST", url, []byte(body), strings.TrimSpace(timestamp)) == strings.TrimSpace(sigV3)
			if sigV3 == "" {
				genuine = strings.EqualFold(strings.TrimSpace(sig), SignatureV1(s, []byte(body))) ||
					strings.EqualFold(strings.TrimSpace(sig), SignatureV2(s, "POST", url, []byte(body)))
			}
			if !genuine {
				t.Fatalf("accepted a forged signature")
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Reason == "" {
			t.Fatalf("error %v is not an *Error with a reason", err)
		}
		if strings.Contains(err.Error(), hsSecret) {
			t.Fatal("error contains the secret")
		}
	})
}

// FuzzParseHeaderValues fuzzes the header parsers on their own.
func FuzzParseHeaderValues(f *testing.F) {
	for _, s := range []string{hsV1Sig, pyV3Sig, pyV3Timestamp, "v1", "v3", " 1740830400000 ", "", "=", strings.Repeat("9", 19)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if b, err := ParseHexSignature(s); err == nil && len(b) != 32 {
			t.Fatalf("hex signature of %d bytes accepted", len(b))
		}
		if b, err := ParseV3Signature(s); err == nil && len(b) != 32 {
			t.Fatalf("v3 signature of %d bytes accepted", len(b))
		}
		if ts, err := ParseTimestamp(s); err == nil {
			if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
				t.Fatalf("timestamp %q accepted but not an int64", ts)
			}
		}
		if v, err := ParseVersion(s); err == nil && v != V1 && v != V2 && v != V3 {
			t.Fatalf("version %d accepted", v)
		}
	})
}

// FuzzDecodeV3URI checks that the v3 decoding never panics and is
// idempotent: none of the characters it produces can start a new escape.
func FuzzDecodeV3URI(f *testing.F) {
	for _, s := range []string{hsURI, "https://example.com/h?a=%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B", "%%3A3A", "%253A", "%3a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		once := DecodeV3URI(uri)
		if twice := DecodeV3URI(once); twice != once {
			t.Fatalf("not idempotent: %q -> %q -> %q", uri, once, twice)
		}
		if len(once) > len(uri) {
			t.Fatalf("decoding grew %q to %q", uri, once)
		}
	})
}

// FuzzParseEvents checks that any body either decodes into at most
// MaxEvents events or fails with an error that does not quote it.
func FuzzParseEvents(f *testing.F) {
	f.Add([]byte(hsV1Body))
	f.Add([]byte(`[{"eventId":"2","objectId":"124","propertyValue":1000000,"mergedObjectIds":[6,"7"]}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"eventId":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseEvents(body)
		if err != nil {
			if len(body) > 40 && strings.Contains(err.Error(), string(body)) {
				t.Fatal("error quotes the body")
			}
			return
		}
		if len(events) > MaxEvents {
			t.Fatalf("%d events accepted", len(events))
		}
	})
}
