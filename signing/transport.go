package signing

import (
	"errors"
	"net/http"
)

// Transport is an http.RoundTripper that signs the requests its Policy
// calls sensitive (every request, without one) and passes every request on
// to Base. It works with any http.Client.
//
// Each RoundTrip signs a clone of the request, so every attempt (a retry
// from an outer layer, a resend after a 401) carries a fresh created and
// nonce. Put it innermost, below anything that adds headers the signature
// should cover, such as the Authorization field. A body without GetBody is
// buffered once and made replayable for net/http's own retries.
type Transport struct {
	// Signer signs the sensitive requests. Required.
	Signer *Signer
	// Policy selects the requests to sign; nil means every request.
	Policy *Policy
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
}

// RoundTrip signs req when the Policy says so and sends it. It does not
// modify req; like every RoundTripper, it closes req.Body on every path.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if t.Policy != nil && !t.Policy.Sensitive(req) {
		return base.RoundTrip(req)
	}
	if t.Signer == nil {
		closeBody(req)
		return nil, errors.New("signing: Transport has no Signer")
	}
	r2 := req.Clone(req.Context())
	if err := t.Signer.Sign(r2); err != nil {
		closeBody(req)
		return nil, err
	}
	return base.RoundTrip(r2)
}

func closeBody(r *http.Request) {
	if r.Body != nil {
		r.Body.Close()
	}
}
