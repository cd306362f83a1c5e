package credhttp

import (
	"fmt"
	"io"

	"github.com/hubkey/hubkey/secrets"
)

// LimitBody returns rc read through a limit of max bytes: a read past it
// fails with an error matching secrets.ErrTooLarge that says "what is
// larger than max bytes" (what names the answer: "Vault's answer"), while
// a body of exactly max bytes reads whole. Closing it closes rc.
func LimitBody(rc io.ReadCloser, max int64, what string) io.ReadCloser {
	return &limitedBody{rc: rc, left: max, max: max, what: what}
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
	max  int64
	what string
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// At the limit: the body may end here, or go on.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%w: %s is larger than %d bytes", secrets.ErrTooLarge, b.what, b.max)
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
