package gateway

import (
	"context"
	"io"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/secrets"
)

// scrubber knows the upstream tokens, current and previous, that must not
// reach a caller.
type scrubber struct {
	sources []hubspot.TokenSource
}

func newScrubber(tok hubspot.TokenSource, creds []hubspot.Credential) *scrubber {
	s := &scrubber{}
	if tok != nil {
		s.sources = append(s.sources, tok)
	}
	for _, c := range creds {
		s.sources = append(s.sources, c.Source)
	}
	return s
}

// tokens returns the upstream tokens as their sources hold them now, and
// those they replaced.
func (s *scrubber) tokens(ctx context.Context) []secrets.Secret {
	out := make([]secrets.Secret, 0, 2*len(s.sources))
	for _, src := range s.sources {
		if v, err := src.Get(ctx); err == nil && !v.Value.IsZero() {
			out = append(out, v.Value)
		}
		if p, ok := src.(interface {
			Previous() (secrets.Version, bool)
		}); ok {
			if v, ok := p.Previous(); ok && !v.Value.IsZero() {
				out = append(out, v.Value)
			}
		}
	}
	return out
}

// redactingReader removes tokens from a body as it streams. It holds back
// the last bytes of what it has read, as many as the longest form of a
// token Redact looks for, less one, so that a token cut between two reads
// is found whole.
type redactingReader struct {
	src    io.ReadCloser
	toks   []secrets.Secret
	hold   int
	buf    []byte // read but not yet handed out (redacted except the held tail)
	out    []byte // redacted, ready to hand out
	srcErr error
}

func newRedactingReader(src io.ReadCloser, toks []secrets.Secret) *redactingReader {
	hold := 0
	for _, t := range toks {
		// The longest form Redact finds is the JSON-escaped form quoted
		// twice over, at most 36 bytes per byte of the value (\\u00XX
		// escaped again); that bound is generous for the hex and
		// base64 forms too.
		if n := 36 * t.Len(); n > hold {
			hold = n
		}
	}
	return &redactingReader{src: src, toks: toks, hold: hold}
}

func (r *redactingReader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.srcErr != nil {
			if len(r.buf) > 0 {
				r.out = secrets.Redact(r.buf, r.toks...)
				r.buf = nil
				continue
			}
			return 0, r.srcErr
		}
		chunk := make([]byte, 32<<10)
		n, err := r.src.Read(chunk)
		r.buf = append(r.buf, chunk[:n]...)
		r.srcErr = err
		if err != nil {
			continue
		}
		red := secrets.Redact(r.buf, r.toks...)
		if len(red) > r.hold {
			cut := len(red) - r.hold
			r.out = append([]byte(nil), red[:cut]...)
			r.buf = append([]byte(nil), red[cut:]...)
		} else {
			r.buf = append(r.buf[:0:0], red...)
		}
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

func (r *redactingReader) Close() error { return r.src.Close() }
