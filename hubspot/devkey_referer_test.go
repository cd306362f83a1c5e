package hubspot_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
)

// On the second hop of a redirect chain whose Locations echo the query,
// net/http sets a Referer from the first hop's Location, hapikey included:
// the developer key reached the third host in a header (found by
// internal/e2e). Transport drops such a Referer, with any
// http.Client.
func TestDeveloperKeyNotInRefererOfARedirectChain(t *testing.T) {
	var mu sync.Mutex
	var got []string // what the third host received: request URI and Referer
	third := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.RequestURI, r.Header.Get("Referer"))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	echo := func(to string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, to+r.URL.RequestURI(), http.StatusFound)
		}
	}
	second := httpServer(t, echo(third.URL))
	first := httpServer(t, echo(second.URL))
	keys, _ := tokenCache(t, devKey)
	hc := &http.Client{Transport: &hubspot.Transport{DeveloperKey: keys, Hosts: []string{hostOf(first.URL), hostOf(second.URL), hostOf(third.URL)}}}
	req, _ := http.NewRequestWithContext(context.Background(), "GET", first.URL+"/webhooks/v3/1/settings", nil)
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(masked(err))
	}
	res.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("the third host got %d requests", len(got)/2)
	}
	for _, s := range got {
		if strings.Contains(s, devKey) || strings.Contains(s, url.QueryEscape(devKey)) {
			t.Errorf("the third host received the developer key: %s", masked(s))
		}
	}
}
