package hubspot

import (
	"testing"
	"time"
)

// The defaults are values, not variables: no caller can change them for
// every other Client, and each call returns HubSpot's documented numbers.
func TestDefaultsAreFixedValues(t *testing.T) {
	p := DefaultRetryPolicy()
	p.MaxAttempts = 1 // a caller's copy
	if got := DefaultRetryPolicy(); got != (RetryPolicy{MaxAttempts: 5, BaseDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second, MaxRetryAfter: time.Minute}) {
		t.Errorf("DefaultRetryPolicy() = %+v", got)
	}
	for name, c := range map[string]struct{ got, want RateLimit }{
		"LimitFreeStarter":  {LimitFreeStarter(), RateLimit{100, 10 * time.Second}},
		"LimitProfessional": {LimitProfessional(), RateLimit{190, 10 * time.Second}},
		"LimitAPIAddOn":     {LimitAPIAddOn(), RateLimit{250, 10 * time.Second}},
		"LimitSearch":       {LimitSearch(), RateLimit{5, time.Second}},
	} {
		if c.got != c.want {
			t.Errorf("%s() = %+v, want %+v", name, c.got, c.want)
		}
	}
	c, err := New(WithToken(noToken{}), WithBaseURL("http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rt, ok := c.hc.Transport.(*matchTransport).next.(*RetryTransport)
	if !ok || rt.Policy != DefaultRetryPolicy() {
		t.Fatalf("New's retry layer = %#v, want DefaultRetryPolicy()", c.hc.Transport.(*matchTransport).next)
	}
}
