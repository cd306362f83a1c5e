package hubspot

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Another host answers a credentialed call with a redirect back to the
// original host, to a path of its choosing (307: the method and body are
// re-sent). Transport used to put the credential on that request, since it
// compared only the chain's first host with the last (found by
// internal/e2e). Once a chain has left the host, nothing later in it gets
// the credential, as net/http does for headers it was given
// (CVE-2024-45336).
func TestTransportNoCredentialAfterABounceThroughAnotherHost(t *testing.T) {
	var mu sync.Mutex
	var auth []string // Authorization of each request to the original host
	var homeURL string
	other := server(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, homeURL+"/crm/v3/objects/contacts/999", http.StatusTemporaryRedirect)
	})
	home := server(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		if r.URL.Path == "/crm/v3/objects/contacts/1" {
			http.Redirect(w, r, other.URL+"/bounce", http.StatusTemporaryRedirect)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	homeURL = home.URL
	cache, _ := newCache(t, tokenA)
	hc := &http.Client{Transport: &Transport{Source: cache, Hosts: []string{hostOf(home.URL), hostOf(other.URL)}}}
	req, _ := http.NewRequest("PATCH", home.URL+"/crm/v3/objects/contacts/1", strings.NewReader(`{"properties":{}}`))
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(auth) != 2 || auth[0] == "" {
		t.Fatalf("the original host got %d requests (the first with a credential: %v)", len(auth), len(auth) > 0 && auth[0] != "")
	}
	if auth[1] != "" {
		t.Error("the request another host sent back to the original host carried the credential")
	}
}
