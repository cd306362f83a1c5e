package hubspottest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func TestUsersServed(t *testing.T) {
	srv := hubspottest.NewServer(t)
	team := srv.AddTeam("EMEA")
	tok := srv.NewToken("settings.users.read", "settings.users.write", "settings.users.teams.read")
	r := call(t, srv, tok, "POST", "/settings/v3/users", map[string]any{"email": "ada@example.com", "sendWelcomeEmail": true, "primaryTeamId": team})
	u := r.json(t)
	if r.status != http.StatusCreated || u["sendWelcomeEmail"] != true || u["primaryTeamId"] != team {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	id := str(u["id"])
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		category, message  string
	}{
		{"no email", "POST", "/settings/users/2026-03", map[string]any{"sendWelcomeEmail": false}, 400, "VALIDATION_ERROR", "email is required"},
		{"bad email", "POST", "/settings/v3/users", map[string]any{"email": "ada", "sendWelcomeEmail": false}, 400, "VALIDATION_ERROR", "not a valid email address"},
		{"no welcome flag", "POST", "/settings/v3/users", map[string]any{"email": "b@example.com"}, 400, "VALIDATION_ERROR", "sendWelcomeEmail is required"},
		{"taken email", "POST", "/settings/v3/users", map[string]any{"email": "ADA@example.com", "sendWelcomeEmail": false}, 409, "CONFLICT", "already exists"},
		{"unknown team", "PUT", "/settings/v3/users/" + id, map[string]any{"primaryTeamId": "7"}, 400, "VALIDATION_ERROR", "Team 7 does not exist"},
		{"email change", "PUT", "/settings/v3/users/" + id, map[string]any{"email": "x@example.com"}, 400, "VALIDATION_ERROR", "cannot be changed"},
		{"bad idProperty", "GET", "/settings/v3/users/" + id + "?idProperty=NAME", nil, 400, "VALIDATION_ERROR", "expected USER_ID or EMAIL"},
		{"missing user", "DELETE", "/settings/users/2026-03/1", nil, 404, "OBJECT_NOT_FOUND", "User not found"},
	} {
		r := call(t, srv, tok, tc.method, tc.path, tc.body)
		b := r.json(t)
		if r.status != tc.status || b["category"] != tc.category || !strings.Contains(str(b["message"]), tc.message) {
			t.Errorf("%s: %d %s; want %d %s %q", tc.name, r.status, r.body, tc.status, tc.category, tc.message)
		}
	}
	if r := call(t, srv, tok, "GET", "/settings/users/2026-03/ada@example.com?idProperty=EMAIL", nil); r.status != http.StatusOK || str(r.json(t)["id"]) != id {
		t.Errorf("get by email in 2026-03: %d %s", r.status, r.body)
	}
	if r := call(t, srv, tok, "GET", "/settings/v3/users/teams", nil); !strings.Contains(string(r.body), `"userIds":["`+id+`"]`) {
		t.Errorf("teams: %s", r.body)
	}
	ro := srv.NewToken("settings.users.read")
	r = call(t, srv, ro, "DELETE", "/settings/v3/users/"+id, nil)
	if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "settings.users.write") || !strings.Contains(string(r.body), "crm.objects.users.write") {
		t.Errorf("remove with settings.users.read: %d %s", r.status, r.body)
	}
	if r := call(t, srv, tok, "DELETE", "/settings/v3/users/"+id, nil); r.status != http.StatusNoContent || len(srv.Users()) != 0 {
		t.Errorf("remove: %d %s", r.status, r.body)
	}
}
