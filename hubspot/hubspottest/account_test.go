package hubspottest_test

import (
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func TestAccountDetails(t *testing.T) {
	tests := []struct {
		name   string
		acct   *hubspottest.Account
		now    time.Time
		offset string
		ms     float64
		zone   string
	}{
		{"default, winter", nil, time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC), "-05:00", -18_000_000, "US/Eastern"},
		{"default, summer", nil, time.Date(2025, 7, 15, 12, 0, 0, 0, time.UTC), "-04:00", -14_400_000, "US/Eastern"},
		{"Berlin", &hubspottest.Account{TimeZone: "Europe/Berlin", PortalID: 4242, AccountType: "SANDBOX", CompanyCurrency: "EUR",
			AdditionalCurrencies: []string{"USD"}, UIDomain: "app-eu1.hubspot.com", DataHostingLocation: "eu1"},
			time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC), "+01:00", 3_600_000, "Europe/Berlin"},
		{"Kolkata half hour", &hubspottest.Account{TimeZone: "Asia/Kolkata"}, time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC), "+05:30", 19_800_000, "Asia/Kolkata"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := hubspottest.NewServer(t, hubspottest.WithClock(clock.NewFake(tc.now)))
			if tc.acct != nil {
				srv.SetAccount(*tc.acct)
			}
			tok := srv.NewToken() // account-info needs no scope
			r := call(t, srv, tok, "GET", "/account-info/v3/details", nil)
			wantStatus(t, r, 200)
			d := r.json(t)
			a := srv.Account()
			if d["utcOffset"] != tc.offset || d["utcOffsetMilliseconds"] != tc.ms || d["timeZone"] != tc.zone {
				t.Errorf("offset %v %v zone %v", d["utcOffset"], d["utcOffsetMilliseconds"], d["timeZone"])
			}
			if d["portalId"] != float64(a.PortalID) || d["accountType"] != a.AccountType || d["companyCurrency"] != a.CompanyCurrency ||
				d["uiDomain"] != a.UIDomain || d["dataHostingLocation"] != a.DataHostingLocation {
				t.Errorf("details %s, account %+v", r.body, a)
			}
			if cur, ok := d["additionalCurrencies"].([]any); !ok || len(cur) != len(a.AdditionalCurrencies) {
				t.Errorf("additionalCurrencies %v (an array, never null)", d["additionalCurrencies"])
			}
		})
	}
}

func TestAccountAPIUsage(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 3, 10, 22, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	tok := srv.NewToken("crm.objects.contacts.read")
	other := srv.NewToken()
	usage := func(token string) map[string]any {
		t.Helper()
		r := call(t, srv, token, "GET", "/account-info/v3/api-usage/daily/private-apps", nil)
		wantStatus(t, r, 200)
		res := results(t, r.json(t))
		if len(res) != 1 {
			t.Fatalf("usage %s", r.body)
		}
		return res[0]
	}
	for range 3 {
		call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil)
	}
	call(t, srv, tok, "GET", "/crm/v3/objects/deals", nil) // refused for scope: not counted
	call(t, srv, "pat-na1-unknown", "GET", "/crm/v3/objects/contacts", nil)

	u := usage(tok)
	if u["currentUsage"] != float64(4) || u["usageLimit"] != float64(250_000) || u["name"] != "private-apps-api-calls-daily" || u["fetchStatus"] != "SUCCESS" {
		t.Errorf("usage %v: want 4 (3 lists and this call)", u)
	}
	if u["collectedAt"] != "2025-03-10T22:00:00.000Z" || u["resetsAt"] != "2025-03-11T00:00:00.000Z" {
		t.Errorf("times %v %v", u["collectedAt"], u["resetsAt"])
	}
	if n := srv.APIUsage(tok); n != 4 {
		t.Errorf("APIUsage = %d", n)
	}
	if o := usage(other); o["currentUsage"] != float64(1) {
		t.Errorf("another key's usage %v", o["currentUsage"])
	}

	// A rotated token goes on counting for the same app.
	rot := srv.RotateToken(tok, hubspottest.ExpireLater)
	if u := usage(rot); u["currentUsage"] != float64(5) {
		t.Errorf("after rotation %v, want 5", u["currentUsage"])
	}

	// A new UTC day starts from zero.
	clk.Advance(2 * time.Hour)
	if u := usage(tok); u["currentUsage"] != float64(1) {
		t.Errorf("next day %v, want 1", u["currentUsage"])
	}

	// A token's own daily limit is the one reported.
	lim := srv.NewKey(keypolicy.Spec{Limits: keypolicy.Limits{Daily: 1000}})
	if u := usage(lim); u["usageLimit"] != float64(1000) {
		t.Errorf("usageLimit %v, want the key's 1000", u["usageLimit"])
	}
	srv.SetAccount(hubspottest.Account{DailyLimit: 1_000_000})
	if u := usage(other); u["usageLimit"] != float64(1_000_000) {
		t.Errorf("usageLimit %v, want the account's", u["usageLimit"])
	}

	wantStatus(t, call(t, srv, tok, "POST", "/account-info/v3/details", map[string]any{}), 405)
	wantStatus(t, call(t, srv, "", "GET", "/account-info/v3/details", nil), 401)
	wantStatus(t, call(t, srv, tok, "GET", "/account-info/v3/nothing", nil), 404)
}
