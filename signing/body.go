package signing

import (
	"bytes"
	"io"
)

// readBody reads all of rd into one buffer. When hint (a Content-Length)
// is positive the buffer is allocated once at that size plus one byte, so
// that EOF is seen without growing it; a body longer than its hint still
// reads correctly. A hint is a claim, not a fact: it is capped, so a wrong
// one cannot make readBody allocate more than the body needs by much.
func readBody(rd io.Reader, hint int64) ([]byte, error) {
	const maxHint = 32 << 20
	if hint > maxHint {
		hint = maxHint
	}
	if hint <= 0 {
		var buf bytes.Buffer
		_, err := buf.ReadFrom(rd)
		return buf.Bytes(), err
	}
	b := make([]byte, 0, hint+1)
	for {
		n, err := rd.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}
