package credhttp

import (
	"net/http"
	"testing"
)

// cutQuotedAnswer drops what follows each text net/http quotes an
// answer's bytes after, HTTP/2's included, which a raw HTTP/1 server
// cannot provoke; it keeps what precedes, and leaves other texts alone.
func TestCutQuotedAnswer(t *testing.T) {
	const echo = "canary-piece-3e1f"
	for text, want := range map[string]string{
		`stream error: stream ID 1; PROTOCOL_ERROR; invalid header field name "` + echo + `"`:                                      "stream error: stream ID 1; PROTOCOL_ERROR; invalid header field name ",
		`stream error: stream ID 3; PROTOCOL_ERROR; invalid header field value for "` + echo + `"`:                                 "stream error: stream ID 3; PROTOCOL_ERROR; invalid header field value for ",
		`invalid pseudo-header ":` + echo + `"`:                                                                                    "invalid pseudo-header ",
		`duplicate pseudo-header ":` + echo + `"`:                                                                                  "duplicate pseudo-header ",
		`http2: server sent GOAWAY and closed the connection; LastStreamID=1, ErrCode=NO_ERROR, debug="` + echo + `"`:              "http2: server sent GOAWAY and closed the connection; LastStreamID=1, ErrCode=NO_ERROR, debug=",
		`http: message cannot contain multiple Content-Length headers; got ["1" "` + echo + `"]`:                                   "http: message cannot contain multiple Content-Length headers; got ",
		`invalid empty Content-Length "` + echo + `"`:                                                                              "invalid empty Content-Length ",
		`bad trailer key "` + echo + `"`:                                                                                           "bad trailer key ",
		`Post "http://x/": failed to parse Location header "/%zz` + echo + `": parse "/%zz` + echo + `": invalid URL escape "%zz"`: `Post "http://x/": failed to parse Location header `,
		`malformed MIME header line: "a" then malformed HTTP status code "` + echo + `"`:                                           "malformed MIME header line: ",
	} {
		if got := cutQuotedAnswer(text); got != want+notShown {
			t.Errorf("%q: cut to %q, want %q", text, got, want+notShown)
		}
	}
	for _, text := range []string{"", "context canceled", `Post "http://127.0.0.1/": EOF`} {
		if got := cutQuotedAnswer(text); got != text {
			t.Errorf("%q: cut to %q", text, got)
		}
	}
}

// Client wraps a transport once, however often it is applied.
func TestClientWrapsOnce(t *testing.T) {
	hc := Client(Client(&http.Client{}))
	r, ok := hc.Transport.(refuseRedirects)
	if !ok || r.base != nil {
		t.Fatalf("Transport %#v, want one refuseRedirects over the default transport", hc.Transport)
	}
}
