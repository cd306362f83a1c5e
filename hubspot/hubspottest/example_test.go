package hubspottest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

// exampleT stands in for the *testing.T a test would pass.
var exampleT testing.TB = &testing.T{}

func Example() {
	srv := hubspottest.NewServer(exampleT)
	defer srv.Close()
	tok := srv.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write")

	req, _ := http.NewRequest("POST", srv.URL()+"/crm/v3/objects/contacts",
		strings.NewReader(`{"properties":{"email":"ada@example.com"}}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Body.Close()
	fmt.Println(res.StatusCode)

	// A token without the deals scope gets HubSpot's 403.
	req, _ = http.NewRequest("GET", srv.URL()+"/crm/v3/objects/deals", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, _ = http.DefaultClient.Do(req)
	var body struct{ Category string }
	_ = json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	fmt.Println(res.StatusCode, body.Category)

	fmt.Println(srv.Objects("contacts")[0].Properties["email"])
	fmt.Println(len(srv.Journal()))
	// Output:
	// 201
	// 403 MISSING_SCOPES
	// ada@example.com
	// 2
}

// Faults make the next calls fail the way HubSpot sometimes does.
func ExampleServer_InjectFault() {
	srv := hubspottest.NewServer(exampleT)
	defer srv.Close()
	tok := srv.NewToken(hubspottest.AllScopes...)
	srv.InjectFault(hubspottest.Fault{Status: 502, Count: 2, PathPrefix: "/crm/v3/objects/deals"})

	for range 3 {
		req, _ := http.NewRequest("GET", srv.URL()+"/crm/v3/objects/deals", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		res.Body.Close()
		fmt.Println(res.StatusCode)
	}
	// Output:
	// 502
	// 502
	// 200
}

// Rotating a token keeps the old one for a grace period.
func ExampleServer_RotateToken() {
	srv := hubspottest.NewServer(exampleT)
	defer srv.Close()
	old := srv.NewToken("crm.objects.deals.read")
	fresh := srv.RotateToken(old, hubspottest.ExpireNow)

	for _, tok := range []string{old, fresh} {
		req, _ := http.NewRequest("GET", srv.URL()+"/crm/v3/objects/deals", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		res.Body.Close()
		fmt.Println(res.StatusCode)
	}
	// Output:
	// 401
	// 200
}
