package hubspot

import (
	"bytes"
	"encoding/json"

	"github.com/hubkey/hubkey/secrets"
)

// redactJSONBody removes token from an error body the way the parser will
// read it. secrets.Redact matches bytes, but JSON may spell a string with
// escapes ("\u0070at-na1-..."), which the parser decodes back into the
// token. So a body that is JSON is re-encoded with every string in its
// plain form before the byte-level redaction; one that is not JSON is left
// to that redaction alone (the parser discards it anyway).
func redactJSONBody(b []byte, token secrets.Secret) []byte {
	if bytes.IndexByte(b, '\\') >= 0 && json.Valid(b) {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if enc.Encode(v) == nil {
				b = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
			}
		}
	}
	return secrets.Redact(b, token)
}
