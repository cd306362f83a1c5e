package hubspottest_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func TestOwners(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	ada := srv.AddOwner(hubspottest.Owner{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace",
		Teams: []hubspottest.Team{{ID: "17", Name: "Engines", Primary: true}}})
	grace := srv.AddOwner(hubspottest.Owner{Email: "grace@example.com", FirstName: "Grace"})
	queue := srv.AddOwner(hubspottest.Owner{Email: "queue@example.com", Type: "QUEUE"})
	gone := srv.AddOwner(hubspottest.Owner{ID: "99000001", Email: "gone@example.com", UserID: 77})
	srv.ArchiveOwner(gone.ID)
	if ada.ID == "" || ada.UserID == 0 || ada.ID == grace.ID || ada.UserID == grace.UserID || ada.Type != "PERSON" || queue.Type != "QUEUE" {
		t.Fatalf("assigned %+v %+v", ada, grace)
	}
	if got := srv.Owners(); len(got) != 4 || !got[3].Archived {
		t.Fatalf("Owners() = %+v", got)
	}

	tok := srv.NewToken("crm.objects.owners.read")
	ids := func(r resp) string {
		var out []string
		for _, o := range results(t, r.json(t)) {
			out = append(out, str(o["id"]))
		}
		return strings.Join(out, ",")
	}
	active := strings.Join([]string{ada.ID, grace.ID, queue.ID}, ",")
	tests := []struct {
		name, query string
		status      int
		want        string
	}{
		{"all active", "", 200, active},
		{"by email, any case", "email=ADA@example.com", 200, ada.ID},
		{"unknown email", "email=nobody@example.com", 200, ""},
		{"archived", "archived=true", 200, gone.ID},
		{"bad limit", "limit=0", 400, ""},
		{"bad limit type", "limit=ten", 400, ""},
		{"bad cursor", "after=xyz", 400, ""},
		{"bad archived", "archived=maybe", 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, srv, tok, "GET", "/crm/v3/owners?"+tc.query, nil)
			wantStatus(t, r, tc.status)
			if tc.status == 200 && ids(r) != tc.want {
				t.Errorf("ids %s, want %s", ids(r), tc.want)
			}
		})
	}

	// Paging: limit 2, then the cursor.
	r := call(t, srv, tok, "GET", "/crm/v3/owners?limit=2", nil)
	wantStatus(t, r, 200)
	page := r.json(t)
	next := page["paging"].(map[string]any)["next"].(map[string]any)
	if ids(r) != ada.ID+","+grace.ID || next["after"] != queue.ID || !strings.Contains(str(next["link"]), "limit=2") {
		t.Fatalf("page 1 %s", r.body)
	}
	r = call(t, srv, tok, "GET", "/crm/v3/owners?limit=2&after="+url.QueryEscape(str(next["after"])), nil)
	if ids(r) != queue.ID || r.json(t)["paging"] != nil {
		t.Fatalf("page 2 %s", r.body)
	}

	// The JSON of one owner, as HubSpot writes it.
	r = call(t, srv, tok, "GET", "/crm/v3/owners/"+ada.ID, nil)
	wantStatus(t, r, 200)
	o := r.json(t)
	want := map[string]any{"id": ada.ID, "email": "ada@example.com", "type": "PERSON", "firstName": "Ada", "lastName": "Lovelace",
		"userId": float64(ada.UserID), "userIdIncludingInactive": float64(ada.UserID), "archived": false,
		"createdAt": "2025-06-01T12:00:00.000Z", "updatedAt": "2025-06-01T12:00:00.000Z"}
	for k, v := range want {
		if o[k] != v {
			t.Errorf("%s = %v, want %v", k, o[k], v)
		}
	}
	if fmt.Sprint(o["teams"]) != "[map[id:17 name:Engines primary:true]]" {
		t.Errorf("teams %v", o["teams"])
	}

	gets := []struct {
		name, path string
		status     int
		want       string
	}{
		{"by user id", "/crm/v3/owners/" + fmt.Sprint(grace.UserID) + "?idProperty=userId", 200, grace.ID},
		{"by id, explicitly", "/crm/v3/owners/" + grace.ID + "?idProperty=id", 200, grace.ID},
		{"a user id is not an owner id", "/crm/v3/owners/" + fmt.Sprint(grace.UserID), 404, ""},
		{"archived needs archived=true", "/crm/v3/owners/" + gone.ID, 404, ""},
		{"archived", "/crm/v3/owners/" + gone.ID + "?archived=true", 200, gone.ID},
		{"archived by user id", "/crm/v3/owners/77?idProperty=userId&archived=true", 200, gone.ID},
		{"bad idProperty", "/crm/v3/owners/1?idProperty=email", 400, ""},
		{"not a number", "/crm/v3/owners/abc", 404, ""},
	}
	for _, tc := range gets {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, srv, tok, "GET", tc.path, nil)
			wantStatus(t, r, tc.status)
			if tc.want != "" && r.json(t)["id"] != tc.want {
				t.Errorf("got %s", r.body)
			}
		})
	}
	// A deactivated user has no userId, only userIdIncludingInactive.
	g := call(t, srv, tok, "GET", "/crm/v3/owners/"+gone.ID+"?archived=true", nil).json(t)
	if _, has := g["userId"]; has || g["userIdIncludingInactive"] != float64(77) {
		t.Errorf("archived owner %v", g)
	}

	wantStatus(t, call(t, srv, srv.NewToken("crm.objects.contacts.read"), "GET", "/crm/v3/owners", nil), 403)
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/owners", map[string]any{}), 405)
}

func TestOwnersPageLimit(t *testing.T) {
	srv := hubspottest.NewServer(t)
	for i := range 502 {
		srv.AddOwner(hubspottest.Owner{Email: fmt.Sprintf("u%d@example.com", i)})
	}
	tok := srv.NewToken("crm.objects.owners.read")
	if n := len(results(t, call(t, srv, tok, "GET", "/crm/v3/owners?limit=1000", nil).json(t))); n != 500 {
		t.Errorf("limit=1000 gave %d owners, want HubSpot's maximum 500", n)
	}
	if n := len(results(t, call(t, srv, tok, "GET", "/crm/v3/owners", nil).json(t))); n != 100 {
		t.Errorf("default page %d, want 100", n)
	}
}
