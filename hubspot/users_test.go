package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

func TestUsersLifecycle(t *testing.T) {
	srv := hubspottest.NewServer(t)
	sales, admin := srv.AddRole("Sales", false), srv.AddRole("Admin", true)
	emea, apac := srv.AddTeam("EMEA"), srv.AddTeam("APAC")
	c, _, _ := newClient(t, srv, []string{"settings.users.read", "settings.users.write", "settings.users.teams.read"})
	ctx := context.Background()

	var ids []string
	for i := range 5 {
		u, err := c.Users.Create(ctx, hubspot.UserInput{Email: fmt.Sprintf("u%d@example.com", i), FirstName: fmt.Sprint("U", i), RoleID: sales, PrimaryTeamID: emea, SendWelcomeEmail: i == 0})
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == "" || u.RoleID != sales || !slices.Equal(u.RoleIDs, []string{sales}) || u.PrimaryTeamID != emea || u.SendWelcomeEmail != (i == 0) {
			t.Fatalf("created %+v", u)
		}
		ids = append(ids, u.ID)
	}
	if _, err := c.Users.Create(ctx, hubspot.UserInput{Email: "U0@example.com"}); !errors.Is(err, hubspot.ErrConflict) {
		t.Errorf("a second user with the same email: %v, want a 409", err)
	}
	if _, err := c.Users.Create(ctx, hubspot.UserInput{Email: "x@example.com", RoleID: "404"}); !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), "Role 404 does not exist") {
		t.Errorf("an unknown role: %v", err)
	}

	srv.ResetJournal()
	var got []string
	for u, err := range c.Users.All(ctx, &hubspot.UserListOptions{Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, u.ID)
	}
	if !slices.Equal(got, ids) {
		t.Errorf("All = %v, want %v", got, ids)
	}
	if n := opCalls(t, srv, "settings.users.list"); n != 3 {
		t.Errorf("%d list calls for 5 users in pages of 2, want 3", n)
	}

	u, err := c.Users.Get(ctx, "U3@EXAMPLE.com", &hubspot.UserOptions{IDProperty: hubspot.UserByEmail})
	if err != nil || u.ID != ids[3] {
		t.Fatalf("Get by email: %+v, %v", u, err)
	}
	if _, err := c.Users.Get(ctx, "123", nil); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("Get of a missing user: %v", err)
	}
	u, err = c.Users.Update(ctx, ids[1], hubspot.UserUpdate{RoleID: admin, PrimaryTeamID: apac, SecondaryTeamIDs: []string{emea}}, nil)
	if err != nil || u.RoleID != admin || u.PrimaryTeamID != apac || !slices.Equal(u.SecondaryTeamIDs, []string{emea}) || u.FirstName != "U1" {
		t.Fatalf("Update: %+v, %v", u, err)
	}
	teams, err := c.Users.Teams(ctx)
	if err != nil || len(teams) != 2 || len(teams[0].UserIDs) != 4 || !slices.Equal(teams[0].SecondaryUserIDs, []string{ids[1]}) || !slices.Equal(teams[1].UserIDs, []string{ids[1]}) {
		t.Fatalf("Teams: %+v, %v", teams, err)
	}
	roles, err := c.Users.Roles(ctx)
	if err != nil || len(roles) != 2 || roles[0].Name != "Sales" || !roles[1].RequiresBillingWrite {
		t.Fatalf("Roles: %+v, %v", roles, err)
	}
	if err := c.Users.Remove(ctx, "u4@example.com", &hubspot.UserOptions{IDProperty: hubspot.UserByEmail}); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Users()); n != 4 {
		t.Errorf("%d users after a removal, want 4", n)
	}
	if err := c.Users.Remove(ctx, ids[4], nil); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("removing a removed user: %v", err)
	}
}

func TestUsersBadInputSendsNothing(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	errs := map[string]error{}
	want := map[string]string{
		"create without email":  "users Create: the email is empty",
		"create with bad email": `users Create: "ada at example.com" is not an email address`,
		"get by a non-numeric":  `users Get: the user ID "ada@example.com" is not a decimal number (use IDProperty UserByEmail for an email)`,
		"get by a negative":     `users Get: the user ID "-7" is not a decimal number`,
		"get by a bad email":    `users Get: "ada" is not an email address`,
		"bad id property":       `users Remove: IDProperty must be "USER_ID" or "EMAIL", got "NAME"`,
		"update with nothing":   "users Update 1: nothing to update",
		"update of an empty id": "users Update: the user id is empty",
		"list with a bad limit": "users List: Limit -1 is negative",
	}
	_, errs["create without email"] = c.Users.Create(ctx, hubspot.UserInput{FirstName: "Ada"})
	_, errs["create with bad email"] = c.Users.Create(ctx, hubspot.UserInput{Email: "ada at example.com"})
	_, errs["get by a non-numeric"] = c.Users.Get(ctx, "ada@example.com", nil)
	_, errs["get by a negative"] = c.Users.Get(ctx, "-7", nil)
	_, errs["get by a bad email"] = c.Users.Get(ctx, "ada", &hubspot.UserOptions{IDProperty: hubspot.UserByEmail})
	errs["bad id property"] = c.Users.Remove(ctx, "1", &hubspot.UserOptions{IDProperty: "NAME"})
	_, errs["update with nothing"] = c.Users.Update(ctx, "1", hubspot.UserUpdate{}, nil)
	_, errs["update of an empty id"] = c.Users.Update(ctx, "", hubspot.UserUpdate{FirstName: "A"}, nil)
	_, errs["list with a bad limit"] = c.Users.List(ctx, &hubspot.UserListOptions{Limit: -1})
	for name, err := range errs {
		if !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), want[name]) {
			t.Errorf("%s: %v, want %q", name, err, want[name])
		}
	}
	if n := len(srv.Journal()); n != 0 {
		t.Errorf("%d calls reached the server", n)
	}
}

func TestUsersScopes(t *testing.T) {
	srv := hubspottest.NewServer(t)
	team := srv.AddTeam("EMEA")
	ctx := context.Background()
	// The CRM users object's scopes are alternatives to the settings ones.
	crm, _, _ := newClient(t, srv, []string{"crm.objects.users.read", "crm.objects.users.write"})
	u, err := crm.Users.Create(ctx, hubspot.UserInput{Email: "a@example.com", PrimaryTeamID: team})
	if err != nil {
		t.Fatalf("create with crm.objects.users.write: %v", err)
	}
	if _, err := crm.Users.Teams(ctx); !errors.Is(err, hubspot.ErrForbidden) {
		t.Errorf("teams without settings.users.teams.read: %v, want 403", err)
	}
	ro, _, _ := newClient(t, srv, []string{"settings.users.read"})
	if _, err := ro.Users.Get(ctx, u.ID, nil); err != nil {
		t.Errorf("get with settings.users.read: %v", err)
	}
	if err := ro.Users.Remove(ctx, u.ID, nil); !errors.Is(err, hubspot.ErrForbidden) {
		t.Errorf("remove with settings.users.read: %v, want 403", err)
	}
}

func TestUsersSensitiveCallsSigned(t *testing.T) {
	w := newSignedWorld(t)
	signed := w.client(t, hubspot.WithSigner(w.signer(t, signingKeyID, signingKey), nil))
	unsigned := w.client(t)
	ctx := context.Background()
	_, err := unsigned.Users.Create(ctx, hubspot.UserInput{Email: "a@example.com"})
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	u, err := signed.Users.Create(ctx, hubspot.UserInput{Email: "a@example.com"})
	if err != nil {
		t.Fatalf("signed Create: %v", err)
	}
	if _, err := unsigned.Users.Get(ctx, u.ID, nil); err != nil {
		t.Errorf("Get (not sensitive, unsigned): %v", err)
	}
	_, err = unsigned.Users.Update(ctx, u.ID, hubspot.UserUpdate{FirstName: "A"}, nil)
	wantSignatureRejected(t, err, "SIGNATURE_REQUIRED", "unsigned")
	if _, err := signed.Users.Update(ctx, u.ID, hubspot.UserUpdate{FirstName: "A"}, nil); err != nil {
		t.Fatalf("signed Update: %v", err)
	}
	wantSignatureRejected(t, unsigned.Users.Remove(ctx, u.ID, nil), "SIGNATURE_REQUIRED", "unsigned")
	if err := signed.Users.Remove(ctx, u.ID, nil); err != nil {
		t.Fatalf("signed Remove: %v", err)
	}
	got := map[string]bool{}
	for _, call := range w.srv.Journal() {
		if op, _ := opOf(call); op != "" && call.Status < 300 {
			got[op] = call.Signed
		}
	}
	for _, op := range []string{"settings.users.create", "settings.users.update", "settings.users.remove"} {
		if !got[op] {
			t.Errorf("%s succeeded unsigned or not at all: %v", op, got)
		}
	}
	if got["settings.users.get"] {
		t.Error("a Get was signed although the policy does not call it sensitive")
	}
}

func ExampleUsersService() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	team := srv.AddTeam("EMEA")
	token := srv.NewToken("settings.users.read", "settings.users.write", "settings.users.teams.read")
	c, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic(token)), hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()

	u, err := c.Users.Create(ctx, hubspot.UserInput{Email: "ada@example.com", FirstName: "Ada", PrimaryTeamID: team})
	if err != nil {
		fmt.Println(err)
		return
	}
	got, _ := c.Users.Get(ctx, "ada@example.com", &hubspot.UserOptions{IDProperty: hubspot.UserByEmail})
	fmt.Println(got.ID == u.ID, got.FirstName)
	teams, _ := c.Users.Teams(ctx)
	fmt.Println(teams[0].Name, len(teams[0].UserIDs))

	_, err = c.Users.Create(ctx, hubspot.UserInput{FirstName: "Grace"})
	fmt.Println(err)
	// Output:
	// true Ada
	// EMEA 1
	// hubspot: users Create: the email is empty; HubSpot invites a new user by email
}
