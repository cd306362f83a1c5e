package conjur

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets"
)

// fuzzCanary stands for the signed content of a Conjur access token or a
// variable's value: the seeds embed it, the fuzzer mutates around it, and
// no error may carry it.
const fuzzCanary = "Conjur-CANARY-tok-93ab"

func fuzzToken(payload string) string {
	p := base64.URLEncoding.EncodeToString([]byte(payload))
	return `{"protected":"eyJhbGciOiJjb25qdXIub3JnL3Nsb3NpbG8vdjIiLCJraWQiOiI2MmVkNjk4NzQ5NmEzZTQwYTE2ZTRmMGQ0Zjk0ZjUyMiJ9","payload":"` + p + `","signature":"` + fuzzCanary + `"}`
}

// FuzzParseAccessToken feeds authenticate answers to parseAccessToken.
// Properties: no panic; errors match ErrMalformed and never carry the
// canary (the signature, or a claim); on success the token is issued at a
// real Unix time and expires strictly after it.
func FuzzParseAccessToken(f *testing.F) {
	for _, s := range []string{
		fuzzToken(`{"sub":"host/hubspot/app","iat":1717000000,"exp":1717000480}`),
		fuzzToken(`{"sub":"host/hubspot/app","iat":1717000000}`),
		fuzzToken(`{"sub":"` + fuzzCanary + `","iat":1717000000,"exp":1717000000}`),
		fuzzToken(`{"iat":"1717000000","exp":"` + fuzzCanary + `"}`),
		fuzzToken(`{"iat":1e300,"exp":-1}`),
		fuzzToken(`{"iat":1717000000,"exp":1099511627777}`),
		fuzzToken(`["` + fuzzCanary + `"]`),
		`{"protected":"x","payload":"eyJpYXQiOjE3MTcwMDAwMDB9","signature":"` + fuzzCanary + `"}`,
		`{"protected":"x","payload":"not base64 ` + fuzzCanary + `","signature":"s"}`,
		`{"protected":"x","payload":7,"signature":"` + fuzzCanary + `"}`,
		`"` + fuzzCanary + `"`,
		fuzzCanary,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		iat, exp, err := parseAccessToken(raw)
		if err != nil {
			if !errors.Is(err, secrets.ErrMalformed) {
				t.Fatalf("error does not match ErrMalformed: %T", err)
			}
			if strings.Contains(err.Error(), fuzzCanary) {
				t.Fatal("error carries the canary from the token")
			}
			return
		}
		if iat.Before(time.Unix(0, 0)) || iat.After(time.Unix(1<<40, 0)) {
			t.Fatalf("iat %v", iat)
		}
		if !exp.After(iat) {
			t.Fatalf("exp %v not after iat %v", exp, iat)
		}
	})
}

// FuzzValue checks that a fetched value becomes exactly its trimmed bytes,
// that the buffer it came in is wiped, and that a blank value is ErrEmpty
// with no byte of it in the error.
func FuzzValue(f *testing.F) {
	for _, s := range []string{fuzzCanary, " " + fuzzCanary + "\n", "\r\n\t ", "", "a", "{\"password\":\"" + fuzzCanary + "\"}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want := string(bytes.TrimSpace(data))
		buf := bytes.Clone(data)
		v, err := value(buf)
		if len(bytes.Trim(buf, "\x00")) != 0 {
			t.Fatal("the fetched buffer was not wiped")
		}
		if want == "" {
			if !errors.Is(err, secrets.ErrEmpty) {
				t.Fatalf("blank value: err %v, want ErrEmpty", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("value: %v", err)
		}
		if v.Reveal() != want {
			t.Fatal("the Secret is not the trimmed value")
		}
	})
}
