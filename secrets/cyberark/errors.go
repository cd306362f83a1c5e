package cyberark

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hubkey/hubkey/secrets"
)

// ErrAmbiguous is wrapped by the error for an account search (PVWA) or a
// query (CCP, APPAP227E-APPAP229E) that matches more than one account:
// hubkey never guesses which one was meant.
var ErrAmbiguous = errors.New("more than one account matches")

// ErrClosed is returned by Fetch after Close.
var ErrClosed = errors.New("cyberark: provider is closed")

// Error is an error answer from a CyberArk endpoint: the PVWA
// ({"ErrorCode","ErrorMessage"}), the Central Credential Provider
// ({"ErrorCode","ErrorMsg"}) or the identity tenant's token endpoint
// ({"error","error_description"}).
//
// Message is the server's own text with control characters removed,
// truncated, and with every credential of the request that failed cut out.
// Kind is the secrets sentinel the failure maps to, so that
// errors.Is(err, secrets.ErrNotFound) and errors.Is(err,
// secrets.ErrPermission) work whatever the backend.
type Error struct {
	Op      string // what hubkey was doing: "logon", "platform token", "account search", ...
	Status  int    // HTTP status code
	Code    string // CyberArk's ErrorCode (PASWS013E, APPAP004E) or the OAuth error (invalid_client)
	Message string // CyberArk's ErrorMessage, ErrorMsg or error_description
	Kind    error  // secrets.ErrNotFound, secrets.ErrPermission, ErrAmbiguous, or nil
}

// Error renders the operation, status, code, message and sentinel, as in
// "cyberark: logon: HTTP 403 PASWS013E: Authentication failure for User
// [svc]. [permission denied]".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("cyberark: ")
	b.WriteString(e.Op)
	fmt.Fprintf(&b, ": HTTP %d", e.Status)
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	} else if e.Code == "" {
		if t := http.StatusText(e.Status); t != "" {
			b.WriteString(" ")
			b.WriteString(t)
		}
		b.WriteString(" (no CyberArk error body; check the base URL)")
	}
	if e.Kind != nil {
		b.WriteString(" [")
		b.WriteString(e.Kind.Error())
		b.WriteString("]")
	}
	return b.String()
}

// Unwrap returns Kind.
func (e *Error) Unwrap() error { return e.Kind }

// codeKinds maps the error codes whose meaning does not follow from the
// HTTP status alone. PVWA codes start PASWS, CCP codes APPAP/AIMWS/CASVL,
// and the identity tenant answers with OAuth 2.0 error codes (RFC 6749
// section 5.2).
var codeKinds = map[string]error{
	// PVWA
	"PASWS006E": secrets.ErrPermission, // session token missing, invalid or expired
	"PASWS013E": secrets.ErrPermission, // authentication failure for user
	"PASWS041E": secrets.ErrPermission, // not authorized to perform this action
	// CCP
	"APPAP004E": secrets.ErrNotFound,   // password object matching query was not found
	"APPAP008E": secrets.ErrPermission, // problem using the application user in the Vault
	"APPAP087E": secrets.ErrPermission,
	"APPAP132E": secrets.ErrPermission,
	"APPAP133E": secrets.ErrPermission,
	"APPAP306E": secrets.ErrPermission, // failed to authenticate the application
	"APPAP227E": ErrAmbiguous,          // too many password objects match the query
	"APPAP228E": ErrAmbiguous,
	"APPAP229E": ErrAmbiguous,
	// OAuth 2.0 token endpoint
	"invalid_client":      secrets.ErrPermission,
	"unauthorized_client": secrets.ErrPermission,
	"invalid_grant":       secrets.ErrPermission,
	"access_denied":       secrets.ErrPermission,
}

// errorBody holds the error fields of the three CyberArk dialects.
type errorBody struct {
	ErrorCode        string `json:"ErrorCode"`
	ErrorMessage     string `json:"ErrorMessage"`
	ErrorMsg         string `json:"ErrorMsg"`
	OAuthError       string `json:"error"`
	OAuthDescription string `json:"error_description"`
}

// apiError builds the Error for a non-2xx answer. scrub lists the
// credentials of the failed request; they are cut out of the server's
// message should it echo one.
func apiError(op string, status int, body []byte, scrub ...secrets.Secret) *Error {
	e := &Error{Op: op, Status: status}
	var eb errorBody
	if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &eb) == nil {
		code, msg := eb.ErrorCode, eb.ErrorMessage
		if msg == "" {
			msg = eb.ErrorMsg
		}
		if code == "" {
			code, msg = eb.OAuthError, eb.OAuthDescription
		}
		// The code is scrubbed too: JSON keys match case-insensitively, so
		// an echoed {"Error": "<password>"} lands in the OAuth code, and a
		// password can look like a code. A scrubbed code is no code.
		e.Code = cleanCode(cleanMessage(code, scrub))
		e.Message = cleanMessage(msg, scrub)
	}
	if k, ok := codeKinds[e.Code]; ok {
		e.Kind = k
		return e
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Kind = secrets.ErrPermission
	case status == http.StatusNotFound && e.Code != "":
		// A 404 without a CyberArk error body is a wrong URL, not a
		// missing secret.
		e.Kind = secrets.ErrNotFound
	}
	return e
}

// cleanCode keeps a code only if it looks like one: it is printed in
// errors and comes from the network.
func cleanCode(c string) string {
	if c == "" || len(c) > 40 {
		return ""
	}
	for _, r := range c {
		if !(r < utf8.RuneSelf && (r == '_' || r == '-' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r))) {
			return ""
		}
	}
	return c
}

const maxMessage = 300

// cleanMessage makes a server's message safe to print: no control
// characters, no credential of the request (raw, encoded, or quoted as Go
// and Ruby's inspect quote), at most maxMessage bytes.
func cleanMessage(m string, scrub []secrets.Secret) string {
	m = secrets.RedactString(m, scrub...)
	m = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return ' '
		}
		return r
	}, m)
	m = strings.TrimSpace(m)
	if len(m) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(m[cut]) {
			cut--
		}
		m = m[:cut] + "…"
	}
	return m
}

// decodeJSONString decodes a body that is one JSON string, such as the
// PVWA's Password/Retrieve and Logon answers. Its errors describe the
// problem by position and kind only: they never quote a byte of the body,
// which may be a password.
func decodeJSONString(body []byte) (string, error) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 {
		return "", fmt.Errorf("%w: the response body is empty, want a JSON string", secrets.ErrMalformed)
	}
	if t[0] != '"' {
		return "", fmt.Errorf("%w: the response body is a JSON %s (or not JSON), want a JSON string", secrets.ErrMalformed, jsonKind(t))
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	var s string
	if err := dec.Decode(&s); err != nil {
		return "", fmt.Errorf("%w: the response body is not a valid JSON string (error at byte %d)", secrets.ErrMalformed, dec.InputOffset())
	}
	if dec.More() || dec.InputOffset() != int64(len(t)) {
		return "", fmt.Errorf("%w: the response body has data after the JSON string", secrets.ErrMalformed)
	}
	return s, nil
}

// decodeJSONObject decodes a JSON object body into v, with errors that
// never quote the body.
func decodeJSONObject(body []byte, v any, what string) error {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] != '{' {
		return fmt.Errorf("%w: the %s response is a JSON %s (or not JSON), want an object", secrets.ErrMalformed, what, jsonKind(t))
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("%w: the %s response has field %q of the wrong type (a JSON %s)", secrets.ErrMalformed, what, te.Field, te.Value)
		}
		return fmt.Errorf("%w: the %s response is not valid JSON (error at byte %d)", secrets.ErrMalformed, what, dec.InputOffset())
	}
	return nil
}

func jsonKind(t []byte) string {
	switch {
	case len(t) == 0:
		return "nothing"
	case t[0] == '{':
		return "object"
	case t[0] == '[':
		return "array"
	case t[0] == '"':
		return "string"
	case t[0] == 't' || t[0] == 'f':
		return "bool"
	case t[0] == 'n':
		return "null"
	case t[0] == '-' || (t[0] >= '0' && t[0] <= '9'):
		return "number"
	default:
		return "non-JSON text"
	}
}
