package vault

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/secrets"
)

// fuzzCanary stands for the secret in a KV response: the seeds embed it,
// the fuzzer mutates around it, and no error may carry it.
const fuzzCanary = "Vault-CANARY-hvs-6d2e"

// fuzzMaxSize is the field size limit of the providers under test.
const fuzzMaxSize = 64

// extractKV2 is what KV2.read does with a 200 response body once it has
// been read (through the size limit): decode, check the version's
// metadata, pick the field.
func extractKV2(k *kv, body []byte) (secrets.Secret, error) {
	var env kv2Response
	if err := decode(body, &env, "secret/data/hubspot"); err != nil {
		return secrets.Secret{}, err
	}
	md := env.Data.Metadata
	if md.Version < 1 {
		return secrets.Secret{}, errors.New("no metadata.version")
	}
	if err := md.check(md.Version); err != nil {
		return secrets.Secret{}, err
	}
	if env.Data.Data == nil {
		return secrets.Secret{}, errors.New("no data")
	}
	return k.pick(env.Data.Data)
}

// extractKV1 is what KV1.Fetch does with a 200 response body.
func extractKV1(k *kv, body []byte) (secrets.Secret, error) {
	var env struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	if err := decode(body, &env, "kv/hubspot"); err != nil {
		return secrets.Secret{}, err
	}
	if env.Data == nil {
		return secrets.Secret{}, errors.New("no data")
	}
	return k.pick(env.Data)
}

// FuzzKVResponse feeds KV v1 and v2 read responses to the extraction the
// providers run on them, with a named field and with none. Properties: no
// panic; a value is exactly the trimmed JSON string of the field, and never
// over the size limit; errors never carry the canary, not even when it is
// a member name of the data.
func FuzzKVResponse(f *testing.F) {
	for _, s := range []string{
		`{"request_id":"1b6c9e8a-0c6a-4f4e-9e3f-3f0c1e3c7a61","lease_id":"","renewable":false,"lease_duration":0,"data":{"data":{"token":"` + fuzzCanary + `"},"metadata":{"created_time":"2025-01-02T03:04:05.123456Z","custom_metadata":null,"deletion_time":"","destroyed":false,"version":3}},"wrap_info":null,"warnings":null,"auth":null}`,
		`{"data":{"data":{"token":"` + fuzzCanary + `","user":"svc"},"metadata":{"version":1}}}`,
		`{"data":{"data":{"token":"  ` + fuzzCanary + `\n"},"metadata":{"version":1}}}`,
		`{"data":{"data":{"token":"` + strings.Repeat("x", fuzzMaxSize+1) + `"},"metadata":{"version":1}}}`,
		`{"data":{"data":{"token":["` + fuzzCanary + `"]},"metadata":{"version":2}}}`,
		`{"data":{"data":null,"metadata":{"created_time":"2025-01-02T03:04:05Z","deletion_time":"2025-01-03T03:04:05Z","destroyed":false,"version":4}}}`,
		`{"data":{"data":null,"metadata":{"deletion_time":"` + fuzzCanary + `","version":4}}}`,
		`{"data":{"data":null,"metadata":{"destroyed":true,"version":5}}}`,
		`{"request_id":"2a1f","lease_duration":2764800,"data":{"token":"` + fuzzCanary + `"},"warnings":null}`,
		`{"data":{"token":"` + fuzzCanary + `","password":"` + fuzzCanary + `"}}`,
		`{"data":{"token":"\u0056ault-CANARY-hvs-6d2e"}}`,
		`{"data":{"token":"` + fuzzCanary,
		`{"data":"` + fuzzCanary + `"}`,
		`{"errors":["permission denied"]}`,
		`{"data":{"data":{"` + fuzzCanary + `":"x","other":"y"},"metadata":{"version":1}}}`,
		`{"data":{"` + fuzzCanary + `":1}}`,
		`{"data":{"` + fuzzCanary + `":"  "}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, field := range []string{"token", ""} {
			k := &kv{field: field, maxSize: fuzzMaxSize}
			for name, extract := range map[string]func(*kv, []byte) (secrets.Secret, error){"v1": extractKV1, "v2": extractKV2} {
				s, err := extract(k, body)
				if err == nil {
					if s.Len() > fuzzMaxSize || s.Len() == 0 {
						t.Fatalf("%s: value of %d bytes (limit %d)", name, s.Len(), fuzzMaxSize)
					}
					if s.Reveal() != strings.TrimSpace(s.Reveal()) {
						t.Fatalf("%s: value not trimmed", name)
					}
					continue
				}
				if strings.Contains(err.Error(), fuzzCanary) {
					t.Fatalf("%s (field %q): error carries the canary", name, field)
				}
			}
		}
	})
}
