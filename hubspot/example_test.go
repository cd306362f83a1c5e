package hubspot_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// The credential layer works with any http.Client: it reads the token from
// a Cache on every request, so a rotated token is used without restarts.
func ExampleTransport() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		fmt.Println("server saw token", secrets.New(tok).Fingerprint() == secrets.New("pat-na1-example").Fingerprint())
	}))
	defer srv.Close()

	cache, _ := secrets.NewCache(secretstest.NewStatic("pat-na1-example"))
	defer cache.Close()
	hc := &http.Client{
		Transport:     &hubspot.Transport{Source: cache},
		CheckRedirect: hubspot.CheckRedirect,
	}
	resp, err := hc.Get(srv.URL + "/crm/v3/objects/contacts")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	// Output: server saw token true
}

// New checks its options at once: credentials go only over HTTPS, except
// to loopback.
func ExampleNew_insecureBaseURL() {
	_, err := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic("pat-na1-example")),
		hubspot.WithBaseURL("http://api.hubapi.com"),
	)
	fmt.Println(err)
	// Output: hubspot: base URL "http://api.hubapi.com" uses plain http to a host that is not loopback; credentials go only over https (http is allowed for 127.0.0.1, ::1 and localhost)
}

// Property values are strings on the wire; the typed accessors parse them.
func ExampleProperties() {
	p := hubspot.Properties{"amount": "1250.50", "hs_is_closed": "true", "closedate": "2024-05-01T12:30:00.000Z"}
	amount, _ := p.Float("amount")
	closed, _ := p.Bool("hs_is_closed")
	when, _ := p.Time("closedate")
	_, err := p.Int("num_employees")
	fmt.Println(amount, closed, when.Format("2006-01-02"))
	fmt.Println(err)
	// Output:
	// 1250.5 true 2024-05-01
	// hubspot: property "num_employees" has no value
}
