package keypolicy_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/gateway/keypolicy"
)

// A gateway hands a service its own narrow key and checks each call.
func ExampleStore_Authorize() {
	st, err := keypolicy.NewStore()
	if err != nil {
		fmt.Println(err)
		return
	}
	_, tok, _ := st.Create(keypolicy.Spec{
		Name:       "billing-sync",
		Scopes:     []string{"crm.objects.contacts.read"},
		AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
	})

	r := httptest.NewRequest("POST", "/crm/v3/objects/contacts", nil)
	r.RemoteAddr = "10.1.2.3:40000"
	_, err = st.Authorize(r, tok.Reveal(), []string{"crm.objects.contacts.write"})
	var deny *keypolicy.DenyError
	if errors.As(err, &deny) {
		fmt.Println(deny.Reason, deny.Missing)
	}

	r.RemoteAddr = "203.0.113.9:40000"
	_, err = st.Authorize(r, tok.Reveal(), []string{"crm.objects.contacts.read"})
	fmt.Println(errors.Is(err, keypolicy.ErrIPNotAllowed))
	// Output:
	// missing scopes [crm.objects.contacts.write]
	// true
}

// Rotating with a grace period keeps the old token working for a while.
func ExampleStore_Rotate() {
	clk := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	st, err := keypolicy.NewStore(keypolicy.WithClock(clk))
	if err != nil {
		fmt.Println(err)
		return
	}
	k, oldTok, _ := st.Create(keypolicy.Spec{})
	_, newTok, _ := st.Rotate(k.ID, 7*24*time.Hour)

	r := httptest.NewRequest("GET", "/", nil)
	clk.Advance(24 * time.Hour)
	_, err = st.Authorize(r, oldTok.Reveal(), nil)
	fmt.Println("old after a day:", err)
	clk.Advance(6 * 24 * time.Hour)
	_, err = st.Authorize(r, oldTok.Reveal(), nil)
	fmt.Println("old after a week:", errors.Is(err, keypolicy.ErrExpired))
	_, err = st.Authorize(r, newTok.Reveal(), nil)
	fmt.Println("new:", err)
	// Output:
	// old after a day: <nil>
	// old after a week: true
	// new: <nil>
}

func ExampleRedactQuery() {
	fmt.Println(keypolicy.RedactQuery("limit=10&hapikey=abc&access_token=xyz"))
	// Output: limit=10&hapikey=REDACTED&access_token=REDACTED
}
