package fakecyberark_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"

	"github.com/hubkey/hubkey/internal/fakecyberark"
)

// A self-hosted PVWA session by hand: logon, retrieve (the password comes
// back as an escaped JSON string), logoff.
func Example() {
	fake, err := fakecyberark.New()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	_ = fake.AddUser("CyberArk", "svc", "svc-password")
	_ = fake.Grant("svc", "HubSpot", true)
	id, _ := fake.AddAccount(fakecyberark.Account{Safe: "HubSpot", Name: "token", Password: `pat/"1"`})

	post := func(path, auth, body string) string {
		req, _ := http.NewRequest("POST", fake.PVWAURL()+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.TrimSpace(fmt.Sprintf("%d %s", resp.StatusCode, b))
	}
	fmt.Println(post("/PasswordVault/API/auth/CyberArk/Logon", "", `{"username":"svc","password":"wrong"}`))
	session := strings.Trim(strings.TrimPrefix(post("/PasswordVault/API/auth/CyberArk/Logon", "", `{"username":"svc","password":"svc-password"}`), "200 "), `"`)
	fmt.Println(post("/PasswordVault/API/Accounts/"+id+"/Password/Retrieve", session, `{}`))
	fmt.Println(post("/PasswordVault/API/Accounts/"+id+"/Password/Retrieve", session, `{"reason":"example"}`))
	fmt.Println(post("/PasswordVault/API/Auth/Logoff", session, ``))
	fmt.Printf("%+v\n", fake.Stats())
	// Output:
	// 403 {"ErrorCode":"PASWS013E","ErrorMessage":"Authentication failure for User [svc]."}
	// 400 {"ErrorCode":"PASWS088E","ErrorMessage":"Missing mandatory parameter - Reason."}
	// 200 "pat\/\"1\""
	// 200
	// {PlatformTokens:0 TokenFailures:0 Logons:1 FailedLogons:1 Logoffs:1 Unauthorized:0 Searches:0 AccountReads:0 Retrieves:1 CCPRequests:0 CCPSuccesses:0}
}
