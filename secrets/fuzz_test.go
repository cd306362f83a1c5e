package secrets_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/secrets"
)

// fuzzCanary stands for a secret inside a provider payload. The seeds embed
// it; the fuzzer mutates around it, and no error may ever carry it.
const fuzzCanary = "CANARY-s3cr3t-7f1c"

// FuzzJSONField checks JSONField against encoding/json: on success it
// returns exactly the string json.Unmarshal finds in the member, and it only
// succeeds where json.Unmarshal accepts the whole payload as an object.
// Errors match ErrMalformed or ErrNotFound and never carry the canary, not
// even when it is a member name.
func FuzzJSONField(f *testing.F) {
	for _, s := range []struct{ data, field string }{
		{`{"token":"` + fuzzCanary + `"}`, "token"},
		{`{"password":"` + fuzzCanary + `","username":"svc-hubspot"}`, "password"},
		{`{"username":"svc","password":"` + fuzzCanary + `"}`, "apiKey"},
		{`{"token":"a\"b\u00e9"}`, "token"},
		{`{"token":12345}`, "token"},
		{`{"token":["` + fuzzCanary + `"]}`, "token"},
		{`["` + fuzzCanary + `"]`, "token"},
		{`"` + fuzzCanary + `"`, "token"},
		{fuzzCanary, "token"},
		{`{"token":"` + fuzzCanary + `"} trailing`, "token"},
		{`{"token":"` + fuzzCanary + `"}}`, "token"},
		{`{"token":"` + fuzzCanary, "token"},
		{`{"token":"\ud83d\ude00` + fuzzCanary + `"}`, "token"},
		{`{"token":null}`, "token"},
		{`{"` + fuzzCanary + `":"x"}`, "token"},
		{``, "token"},
	} {
		f.Add([]byte(s.data), s.field)
	}
	f.Fuzz(func(t *testing.T, data []byte, field string) {
		got, err := secrets.JSONField(data, field)

		var ref map[string]json.RawMessage
		refErr := json.Unmarshal(data, &ref)
		if err == nil {
			if refErr != nil {
				t.Fatalf("JSONField accepted a payload encoding/json rejects (%v)", refErr)
			}
			var want string
			if uerr := json.Unmarshal(ref[field], &want); uerr != nil {
				t.Fatalf("JSONField returned a value for a member that is not a string (%v)", uerr)
			}
			if got != want {
				t.Fatalf("JSONField returned %d bytes, encoding/json %d bytes (values differ)", len(got), len(want))
			}
			return
		}
		if !errors.Is(err, secrets.ErrMalformed) && !errors.Is(err, secrets.ErrNotFound) {
			t.Fatalf("error matches neither ErrMalformed nor ErrNotFound: %T", err)
		}
		if strings.Contains(field, fuzzCanary) {
			return // the caller's own field name may be quoted
		}
		if strings.Contains(err.Error(), fuzzCanary) {
			t.Fatal("JSONField error carries the canary from the payload")
		}
	})
}
