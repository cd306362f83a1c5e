package fakecyberark

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// writeJSON writes v as a JSON answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// pvwaError writes a PVWA error answer: {"ErrorCode","ErrorMessage"}.
func pvwaError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"ErrorCode": code, "ErrorMessage": msg})
}

// ccpError writes a Central Credential Provider error answer:
// {"ErrorCode","ErrorMsg"}.
func ccpError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"ErrorCode": code, "ErrorMsg": msg})
}

// oauthError writes an OAuth 2.0 error answer (RFC 6749 section 5.2).
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// escapedJSONString encodes s as a JSON string the way an escaping
// serializer does: '"', '\' and '/' backslash-escaped, control characters
// and everything outside printable ASCII as \uXXXX (UTF-16, so characters
// beyond the Basic Multilingual Plane become surrogate pairs), with the
// short forms \n, \r and \t. A client that trims the quotes instead of
// decoding JSON gets a different password.
func escapedJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '/':
			b.WriteString(`\/`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, hi, lo)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
