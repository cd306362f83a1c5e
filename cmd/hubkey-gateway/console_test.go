package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

// serve mounts the console on the admin listener, and only there.
func TestServeConsole(t *testing.T) {
	hs := hubspottest.NewServer(t)
	env := map[string]string{"HUBSPOT_TOKEN": hs.NewToken("crm.objects.contacts.read"), "HUBKEY_ADMIN_TOKEN": testAdminToken}
	s := startServe(t, env, "-db", filepath.Join(t.TempDir(), "gw.db"), "-upstream", hs.URL(), "-idle-after", "72h")
	if !strings.Contains(s.logs.String(), "console="+s.admin+"/console/") {
		t.Errorf("serve does not say where the console is:\n%s", s.logs.String())
	}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(s.gw + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK || resp.Header.Get("Content-Security-Policy") != "" {
		t.Errorf("the gateway's listener answers /console/login: %d", resp.StatusCode)
	}

	req, _ := http.NewRequest("POST", s.admin+"/console/login", strings.NewReader(url.Values{"token": {testAdminToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.admin)
	resp, err = browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/console/keys" || !strings.HasPrefix(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("logging in to the console: %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	if strings.Contains(s.logs.String(), testAdminToken) {
		t.Error("serve's log holds the admin token")
	}
}
