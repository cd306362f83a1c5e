package cyberark

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hubkey/hubkey/secrets"
)

// The fuzz targets feed PVWA and CCP answers to the parsers that read them.
// fuzzCanary stands for the password or session token inside a body: the
// seeds embed it, the fuzzer mutates around it, and no error may carry it.
const fuzzCanary = "Cyb3rArk-CANARY-pw-51f0"

func checkNoCanary(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if !errors.Is(err, secrets.ErrMalformed) {
		t.Fatalf("error does not match secrets.ErrMalformed: %T", err)
	}
	if strings.Contains(err.Error(), fuzzCanary) {
		t.Fatal("error carries the canary from the body")
	}
}

// FuzzDecodeJSONString checks the Password/Retrieve and Logon decoding: on
// success the result is exactly what encoding/json decodes from the whole
// body; errors match ErrMalformed and never carry the canary.
func FuzzDecodeJSONString(f *testing.F) {
	for _, s := range []string{
		`"` + fuzzCanary + `"`,
		` "` + fuzzCanary + `"` + "\r\n",
		`"p\u0061ss\"w\\ord` + fuzzCanary + `"`,
		`"` + fuzzCanary + `" "x"`,
		`"` + fuzzCanary + `"}`,
		`"` + fuzzCanary,
		`{"CyberArkLogonResult":"` + fuzzCanary + `"}`,
		`{"CyberArkLogonResult":""}`,
		`{"CyberArkLogonResult":7,"x":"` + fuzzCanary + `"}`,
		`["` + fuzzCanary + `"]`,
		`""`,
		``,
		fuzzCanary,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := decodeJSONString(body)
		checkNoCanary(t, err)
		if err == nil {
			var want string
			// Surrounding white space is trimmed as Unicode does (a \v
			// too), a leniency of no consequence.
			if uerr := json.Unmarshal(bytes.TrimSpace(body), &want); uerr != nil {
				t.Fatalf("decodeJSONString accepted a body encoding/json rejects: %v", uerr)
			}
			if s != want {
				t.Fatal("decodeJSONString returned another string than encoding/json")
			}
		}
		tok, err := decodeLogonToken(body)
		checkNoCanary(t, err)
		if err == nil && tok == "" {
			t.Fatal("decodeLogonToken returned an empty token without an error")
		}
	})
}

// FuzzAPIError checks the mapping of an error body of any of the three
// CyberArk dialects: no panic; the request's credential, echoed in the
// body in any JSON spelling, never reaches the Error; Code is a plain
// token of at most 40 bytes; Message has no control characters and is at
// most maxMessage bytes plus the ellipsis.
func FuzzAPIError(f *testing.F) {
	for _, s := range []string{
		`{"ErrorCode":"PASWS013E","ErrorMessage":"Authentication failure for User [svc-hubspot]."}`,
		`{"ErrorCode":"APPAP004E","ErrorMsg":"Password object matching query [Safe=HubSpot;Object=prod-token] was not found (Diagnostic Info: 5)"}`,
		`{"error":"invalid_client","error_description":"Client secret ` + fuzzCanary + ` is invalid"}`,
		`{"ErrorCode":"PASWS013E","ErrorMessage":"bad password \u0043yb3rArk-CANARY-pw-51f0"}`,
		`{"ErrorCode":"ITATS127E ` + fuzzCanary + `","ErrorMessage":"` + strings.Repeat("é", 200) + `"}`,
		`{"ErrorCode":"x","ErrorMessage":"line\nbreak\u0000nul\u001b[31mred"}`,
		`<html>401</html>`,
		``,
	} {
		for _, st := range []uint16{400, 401, 403, 404, 500} {
			f.Add(st, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		e := apiError("logon", int(status), body, secrets.New(fuzzCanary))
		if e == nil {
			t.Fatal("nil error")
		}
		if strings.Contains(e.Error(), fuzzCanary) {
			t.Fatal("the credential reached the error")
		}
		if len(e.Code) > 40 || strings.ContainsFunc(e.Code, func(r rune) bool { return r >= utf8.RuneSelf || unicode.IsSpace(r) || unicode.IsControl(r) }) {
			t.Fatalf("code %q", e.Code)
		}
		if len(e.Message) > maxMessage+len("…") || strings.ContainsFunc(e.Message, unicode.IsControl) || !utf8.ValidString(e.Message) {
			t.Fatalf("message of %d bytes is not clean", len(e.Message))
		}
	})
}

// FuzzAccountSearch checks the decoding of an Accounts search answer and
// of its lastModifiedTime: no panic, errors never carry the canary, and a
// modification time is either unknown (zero) or a real Unix time.
func FuzzAccountSearch(f *testing.F) {
	for _, s := range []string{
		`{"value":[{"categoryModificationTime":1717000000,"platformId":"WinDomain","safeName":"HubSpot","id":"12_3","name":"Operating System-WinDomain-hubspot-prod","address":"hubspot.example","userName":"svc-hubspot","secretType":"password","secretManagement":{"automaticManagementEnabled":true,"lastModifiedTime":1717000000},"createdTime":1716000000}],"count":1}`,
		`{"value":[],"count":0}`,
		`{"value":[{"id":"1_1","safeName":"HubSpot"},{"id":"1_2","safeName":"hubspot"}],"count":7}`,
		`{"value":[{"id":"1_1","name":"` + fuzzCanary + `","secretManagement":{"lastModifiedTime":1.7e9}}]}`,
		`{"value":[{"secretManagement":{"lastModifiedTime":"` + fuzzCanary + `"}}]}`,
		`{"value":{"id":"` + fuzzCanary + `"}}`,
		`{"value":[{"id":7}],"count":"` + fuzzCanary + `"}`,
		`{"value":[{"secretManagement":{"lastModifiedTime":1e308}}]}`,
		`[{"id":"` + fuzzCanary + `"}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var r struct {
			Value []accountJSON `json:"value"`
			Count *int          `json:"count"`
		}
		err := decodeJSONObject(body, &r, "account search")
		checkNoCanary(t, err)
		if err != nil {
			return
		}
		for _, a := range r.Value {
			m := a.modified()
			if !m.IsZero() && (m.Before(time.Unix(1, 0)) || m.After(time.Unix(1e11, 0))) {
				t.Fatalf("lastModifiedTime %q became %v", a.SecretManagement.LastModifiedTime, m)
			}
		}
	})
}
