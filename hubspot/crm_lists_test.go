package hubspot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

// listWorld is a server whose lists process for five seconds on a fake
// clock, a client with every scope, and some contacts.
type listWorld struct {
	srv      *hubspottest.Server
	clk      *clock.Fake
	c        *hubspot.Client
	contacts []string // IDs; even ones at acme.example
}

func newListWorld(t *testing.T, n int) *listWorld {
	t.Helper()
	w := &listWorld{clk: clock.NewFake(signingEpoch)}
	w.srv = hubspottest.NewServer(t, hubspottest.WithClock(w.clk), hubspottest.WithListProcessingTime(5*time.Second), hubspottest.WithProperties("contacts", "num_employees"))
	w.c, _, _ = newClient(t, w.srv, nil)
	for i := range n {
		domain := "acme.example"
		if i%2 == 1 {
			domain = "other.example"
		}
		o, err := w.c.Contacts.Create(context.Background(), hubspot.ObjectInput{Properties: hubspot.Properties{
			"email": fmt.Sprintf("p%d@%s", i, domain), "num_employees": fmt.Sprint(i)}})
		if err != nil {
			t.Fatal(err)
		}
		w.contacts = append(w.contacts, o.ID)
	}
	return w
}

func memberIDs(t *testing.T, c *hubspot.Client, listID string, opts *hubspot.ListMembershipOptions) []string {
	t.Helper()
	var ids []string
	for m, err := range c.Lists.Memberships(context.Background(), listID, opts) {
		if err != nil {
			t.Fatalf("Memberships(%s): %v", listID, err)
		}
		if m.AddedAt.IsZero() {
			t.Errorf("member %s has no join time", m.RecordID)
		}
		ids = append(ids, m.RecordID)
	}
	return ids
}

func TestListsManualLifecycle(t *testing.T) {
	w := newListWorld(t, 5)
	ctx := context.Background()
	c := w.c

	l, err := c.Lists.Create(ctx, hubspot.ListInput{Name: "Customers", ObjectType: "contacts", ProcessingType: hubspot.ListManual})
	if err != nil {
		t.Fatal(err)
	}
	if l.ID == "" || l.ObjectTypeID != "0-1" || l.ProcessingType != hubspot.ListManual || l.ProcessingStatus != hubspot.ListComplete || l.Version != 1 {
		t.Fatalf("created %+v", l)
	}
	if _, err := c.Lists.Create(ctx, hubspot.ListInput{Name: "customers", ObjectType: "0-1", ProcessingType: hubspot.ListManual}); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("a second list of the same name: %v, want a 400", err)
	}

	ch, err := c.Lists.AddMembers(ctx, l.ID, []string{w.contacts[0], w.contacts[1], w.contacts[0], "999"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ch.Added, w.contacts[:2]) || !slices.Equal(ch.Missing, []string{"999"}) || len(ch.Removed) != 0 {
		t.Errorf("AddMembers: %+v", ch)
	}
	if _, err := c.Lists.AddMembers(ctx, l.ID, w.contacts[2:4]); err != nil {
		t.Fatal(err)
	}
	srvJournal := len(w.srv.Journal())
	if got := memberIDs(t, c, l.ID, &hubspot.ListMembershipOptions{Limit: 3}); !slices.Equal(got, w.contacts[:4]) {
		t.Errorf("members %v, want %v", got, w.contacts[:4])
	}
	if n := len(w.srv.Journal()) - srvJournal; n != 2 {
		t.Errorf("%d calls for 4 members in pages of 3, want 2", n)
	}
	ch, err = c.Lists.RemoveMembers(ctx, l.ID, []string{w.contacts[1]})
	if err != nil || !slices.Equal(ch.Removed, []string{w.contacts[1]}) {
		t.Fatalf("RemoveMembers: %+v, %v", ch, err)
	}

	got, err := c.Lists.Get(ctx, l.ID, nil)
	if err != nil || got.Size != 3 || got.Name != "Customers" {
		t.Fatalf("Get: %+v, %v", got, err)
	}
	byName, err := c.Lists.GetByName(ctx, "contacts", "Customers", nil)
	if err != nil || byName.ID != l.ID {
		t.Fatalf("GetByName: %+v, %v", byName, err)
	}
	if _, err := c.Lists.GetByName(ctx, "0-1", "Nobody", nil); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("GetByName of a missing list: %v", err)
	}
	renamed, err := c.Lists.UpdateName(ctx, l.ID, "Paying customers")
	if err != nil || renamed.Name != "Paying customers" || renamed.Version != 2 {
		t.Fatalf("UpdateName: %+v, %v", renamed, err)
	}

	copyList, err := c.Lists.Create(ctx, hubspot.ListInput{Name: "Copy", ObjectType: "0-1", ProcessingType: hubspot.ListManual})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Lists.AddFromList(ctx, copyList.ID, l.ID); err != nil {
		t.Fatal(err)
	}
	if got := memberIDs(t, c, copyList.ID, nil); !slices.Equal(got, []string{w.contacts[0], w.contacts[2], w.contacts[3]}) {
		t.Errorf("members after AddFromList %v", got)
	}
	rl, err := c.Lists.RecordLists(ctx, "contacts", w.contacts[0])
	if err != nil || len(rl) != 2 || rl[0].ListID != l.ID || rl[1].ListID != copyList.ID {
		t.Fatalf("RecordLists: %+v, %v", rl, err)
	}

	many, err := c.Lists.GetMany(ctx, []string{l.ID, copyList.ID, "7777"}, nil)
	if err != nil || len(many) != 2 {
		t.Fatalf("GetMany: %+v, %v", many, err)
	}
	page, err := c.Lists.Search(ctx, &hubspot.ListSearchOptions{Query: "paying", Count: 1})
	if err != nil || page.Total != 1 || len(page.Lists) != 1 || page.Lists[0].ID != l.ID || page.Lists[0].Properties["hs_list_size"] != "3" || page.HasMore {
		t.Fatalf("Search: %+v, %v", page, err)
	}
	page, err = c.Lists.Search(ctx, &hubspot.ListSearchOptions{ProcessingTypes: []hubspot.ListProcessingType{hubspot.ListManual}, Count: 1})
	if err != nil || page.Total != 2 || !page.HasMore || page.Offset != 1 {
		t.Fatalf("Search page 1: %+v, %v", page, err)
	}

	if err := c.Lists.Delete(ctx, copyList.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lists.Get(ctx, copyList.ID, nil); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("Get of a deleted list: %v", err)
	}
	if err := c.Lists.Restore(ctx, copyList.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Lists.Restore(ctx, copyList.ID); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("Restore of a live list: %v, want a 400", err)
	}
	if err := c.Lists.Delete(ctx, copyList.ID); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(91 * 24 * time.Hour)
	if err := c.Lists.Restore(ctx, copyList.ID); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("Restore after 91 days: %v, want a 404", err)
	}
}

func TestListsDynamicProcessing(t *testing.T) {
	w := newListWorld(t, 6)
	ctx := context.Background()
	c := w.c
	acme := hubspot.OrBranch(hubspot.AndBranch(
		hubspot.PropertyFilter("email", hubspot.ListOperation{Type: "STRING", Operator: "ENDS_WITH", Value: "@acme.example"}),
	))
	l, err := c.Lists.Create(ctx, hubspot.ListInput{Name: "Acme", ObjectType: "contacts", ProcessingType: hubspot.ListDynamic, FilterBranch: acme})
	if err != nil {
		t.Fatal(err)
	}
	if l.ProcessingStatus != hubspot.ListProcessing || l.FilterBranch == nil {
		t.Fatalf("a new dynamic list: %+v", l)
	}
	if got := memberIDs(t, c, l.ID, nil); len(got) != 0 {
		t.Errorf("members while processing: %v", got)
	}
	if _, err := c.Lists.AddMembers(ctx, l.ID, w.contacts[:1]); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("AddMembers to a dynamic list: %v, want a 400", err)
	}
	w.clk.Advance(5 * time.Second)
	got, err := c.Lists.Get(ctx, l.ID, &hubspot.ListGetOptions{IncludeFilters: true})
	if err != nil || got.ProcessingStatus != hubspot.ListComplete || got.Size != 3 {
		t.Fatalf("after processing: %+v, %v", got, err)
	}
	f := got.FilterBranch
	if f == nil || f.Type != "OR" || len(f.Branches) != 1 || f.Branches[0].Filters[0].Operation.Value != "@acme.example" {
		t.Fatalf("filters read back: %+v", f)
	}
	want := []string{w.contacts[0], w.contacts[2], w.contacts[4]}
	if got := memberIDs(t, c, l.ID, nil); !slices.Equal(got, want) {
		t.Errorf("members %v, want %v", got, want)
	}
	// A dynamic list follows its records.
	if _, err := c.Contacts.Update(ctx, w.contacts[1], hubspot.Properties{"email": "p1@acme.example"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := memberIDs(t, c, l.ID, nil); len(got) != 4 {
		t.Errorf("members after a contact moved to acme: %v", got)
	}

	// New filters: processing again, then the contacts with more than 3
	// employees or none recorded.
	many := hubspot.OrBranch(hubspot.AndBranch(
		hubspot.PropertyFilter("num_employees", hubspot.ListOperation{Type: "NUMBER", Operator: "IS_GREATER_THAN", Value: "3"}),
	))
	up, err := c.Lists.UpdateFilters(ctx, l.ID, many, nil)
	if err != nil || up.ProcessingStatus != hubspot.ListProcessing || up.Version != 2 {
		t.Fatalf("UpdateFilters: %+v, %v", up, err)
	}
	w.clk.Advance(5 * time.Second)
	if got := memberIDs(t, c, l.ID, nil); !slices.Equal(got, w.contacts[4:]) {
		t.Errorf("members after new filters %v, want %v", got, w.contacts[4:])
	}

	// A snapshot list takes its members once, then records by hand.
	snap, err := c.Lists.Create(ctx, hubspot.ListInput{Name: "Snap", ObjectType: "0-1", ProcessingType: hubspot.ListSnapshot, FilterBranch: many})
	if err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(5 * time.Second)
	if _, err := c.Lists.AddMembers(ctx, snap.ID, w.contacts[:1]); err != nil {
		t.Fatal(err)
	}
	if got := memberIDs(t, c, snap.ID, nil); !slices.Equal(got, []string{w.contacts[0], w.contacts[4], w.contacts[5]}) {
		t.Errorf("snapshot members %v", got)
	}
	info := w.srv.Lists()
	if len(info) != 2 || info[1].ProcessingType != "SNAPSHOT" || len(info[1].Members) != 3 {
		t.Errorf("server lists %+v", info)
	}
}

func TestListsBadInputSendsNothing(t *testing.T) {
	w := newListWorld(t, 0)
	ctx := context.Background()
	c := w.c
	op := func(typ, operator, value string, values ...string) *hubspot.ListFilterBranch {
		return hubspot.OrBranch(hubspot.AndBranch(hubspot.PropertyFilter("email", hubspot.ListOperation{Type: typ, Operator: operator, Value: value, Values: values})))
	}
	dyn := func(f *hubspot.ListFilterBranch) hubspot.ListInput {
		return hubspot.ListInput{Name: "L", ObjectType: "contacts", ProcessingType: hubspot.ListDynamic, FilterBranch: f}
	}
	and := hubspot.AndBranch(hubspot.PropertyFilter("email", hubspot.ListOperation{Type: "ALL_PROPERTY", Operator: "IS_KNOWN"}))
	tests := []struct {
		name string
		in   hubspot.ListInput
		want string
	}{
		{"unknown operator", dyn(op("STRING", "EQUALS", "x")), `unknown operator "EQUALS" for operation type STRING; HubSpot documents IS_EQUAL_TO, IS_NOT_EQUAL_TO`},
		{"operator of another type", dyn(op("STRING", "IS_ANY_OF", "x")), `unknown operator "IS_ANY_OF" for operation type STRING`},
		{"unknown operation type", dyn(op("TEXT", "IS_EQUAL_TO", "x")), `unknown operation type "TEXT"`},
		{"untyped operation type", dyn(op("DATETIME", "IS_BEFORE", "x")), `operation type DATETIME is not one hubkey builds`},
		{"bad number", dyn(op("NUMBER", "IS_EQUAL_TO", "ten")), `NUMBER value "ten" is not a decimal number`},
		{"bad bool", dyn(op("BOOL", "IS_EQUAL_TO", "yes")), `BOOL value "yes" is neither true nor false`},
		{"no values", dyn(op("ENUMERATION", "IS_ANY_OF", "")), `operator IS_ANY_OF needs Values`},
		{"no property", dyn(hubspot.OrBranch(hubspot.AndBranch(hubspot.PropertyFilter(" ", hubspot.ListOperation{Type: "ALL_PROPERTY", Operator: "IS_KNOWN"})))), `filter 0 names no property`},
		{"root AND", dyn(&hubspot.ListFilterBranch{Type: "AND", Filters: and.Filters}), `the root filter branch is "AND"`},
		{"child OR", dyn(hubspot.OrBranch(hubspot.ListFilterBranch{Type: "OR"})), `filter branch 0 is "OR"`},
		{"empty root", dyn(hubspot.OrBranch()), `has no AND branches`},
		{"missing name", hubspot.ListInput{Name: "  ", ObjectType: "contacts", ProcessingType: hubspot.ListManual}, `lists Create: the list name is empty`},
		{"missing object type", hubspot.ListInput{Name: "L", ProcessingType: hubspot.ListManual}, `the object type is empty`},
		{"manual with filters", hubspot.ListInput{Name: "L", ObjectType: "0-1", ProcessingType: hubspot.ListManual, FilterBranch: hubspot.OrBranch(and)}, `a MANUAL list has no filters`},
		{"dynamic without filters", hubspot.ListInput{Name: "L", ObjectType: "0-1", ProcessingType: hubspot.ListDynamic}, `a DYNAMIC list needs a FilterBranch`},
		{"bad processing type", hubspot.ListInput{Name: "L", ObjectType: "0-1", ProcessingType: "STATIC"}, `processing type "STATIC" is not MANUAL, DYNAMIC or SNAPSHOT`},
	}
	w.srv.ResetJournal()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Lists.Create(ctx, tc.in)
			if !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	others := map[string]error{}
	_, others["Get of a non-numeric ID"] = c.Lists.Get(ctx, "abc", nil)
	_, others["AddMembers of nothing"] = c.Lists.AddMembers(ctx, "101", nil)
	_, others["RemoveMembers of a bad ID"] = c.Lists.RemoveMembers(ctx, "101", []string{"12", "x"})
	_, others["UpdateName to nothing"] = c.Lists.UpdateName(ctx, "101", "")
	_, others["UpdateFilters with a bad operator"] = c.Lists.UpdateFilters(ctx, "101", op("NUMBER", "CONTAINS", "1"), nil)
	_, others["Search with a huge count"] = c.Lists.Search(ctx, &hubspot.ListSearchOptions{Count: 501})
	others["AddFromList from itself"] = c.Lists.AddFromList(ctx, "101", "101")
	others["DeleteFolder of the root"] = c.Lists.DeleteFolder(ctx, hubspot.RootFolder)
	for _, err := range c.Lists.Memberships(ctx, "101", &hubspot.ListMembershipOptions{Limit: 251}) {
		others["Memberships with a huge limit"] = err
	}
	for name, err := range others {
		if !errors.Is(err, hubspot.ErrValidation) {
			t.Errorf("%s: %v, want a validation error", name, err)
		}
	}
	if n := len(w.srv.Journal()); n != 0 {
		t.Errorf("%d calls reached the server; bad input must be refused before sending", n)
	}

	// The server refuses what the client would: a raw call with an
	// unknown operator gets HubSpot's 400.
	body := `{"name":"L","objectTypeId":"0-1","processingType":"DYNAMIC","filterBranch":{"filterBranchType":"OR","filterBranchOperator":"OR","filters":[],"filterBranches":[{"filterBranchType":"AND","filterBranchOperator":"AND","filterBranches":[],"filters":[{"filterType":"PROPERTY","property":"email","operation":{"operationType":"STRING","operator":"EQUALS","value":"x","includeObjectsWithNoValueSet":false}}]}]}}`
	err := c.Do(ctx, "POST", "/crm/v3/lists", nil, json.RawMessage(body), nil)
	var he *hubspot.Error
	if !errors.As(err, &he) || he.StatusCode != 400 || !strings.Contains(he.Message, `operator "EQUALS" is not valid for operationType STRING`) {
		t.Errorf("raw create with an unknown operator: %v", err)
	}
}

func TestListsFolders(t *testing.T) {
	w := newListWorld(t, 0)
	ctx := context.Background()
	c := w.c
	top, err := c.Lists.CreateFolder(ctx, "Campaigns", "")
	if err != nil {
		t.Fatal(err)
	}
	sub, err := c.Lists.CreateFolder(ctx, "2026", top.ID)
	if err != nil || sub.ParentFolderID != top.ID {
		t.Fatalf("CreateFolder: %+v, %v", sub, err)
	}
	l, err := c.Lists.Create(ctx, hubspot.ListInput{Name: "Leads", ObjectType: "0-1", ProcessingType: hubspot.ListManual})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Lists.MoveList(ctx, l.ID, sub.ID); err != nil {
		t.Fatal(err)
	}
	root, err := c.Lists.Folder(ctx, "")
	if err != nil || root.ID != "0" || len(root.ChildFolders) != 1 || len(root.ChildFolders[0].ChildFolders) != 1 ||
		fmt.Sprint(root.ChildFolders[0].ChildFolders[0].ChildLists) != "["+l.ID+"]" {
		t.Fatalf("root folder: %+v, %v", root, err)
	}
	if f, err := c.Lists.RenameFolder(ctx, sub.ID, "Archive"); err != nil || f.Name != "Archive" {
		t.Fatalf("RenameFolder: %+v, %v", f, err)
	}
	if _, err := c.Lists.MoveFolder(ctx, top.ID, sub.ID); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("moving a folder into its own child: %v, want a 400", err)
	}
	if f, err := c.Lists.MoveFolder(ctx, sub.ID, hubspot.RootFolder); err != nil || f.ParentFolderID != "0" {
		t.Fatalf("MoveFolder: %+v, %v", f, err)
	}
	if err := c.Lists.DeleteFolder(ctx, sub.ID); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("deleting a folder that holds a list: %v, want a 400", err)
	}
	if err := c.Lists.DeleteFolder(ctx, top.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lists.Folder(ctx, top.ID); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("a deleted folder: %v", err)
	}
}

func TestListsScopes(t *testing.T) {
	srv := hubspottest.NewServer(t)
	ro, _, _ := newClient(t, srv, []string{"crm.lists.read"})
	rw, _, _ := newClient(t, srv, []string{"crm.lists.read", "crm.lists.write"})
	ctx := context.Background()
	in := hubspot.ListInput{Name: "L", ObjectType: "0-1", ProcessingType: hubspot.ListManual}
	if _, err := ro.Lists.Create(ctx, in); !errors.Is(err, hubspot.ErrForbidden) {
		t.Fatalf("create with crm.lists.read only: %v, want 403", err)
	}
	l, err := rw.Lists.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ro.Lists.Get(ctx, l.ID, nil); err != nil {
		t.Errorf("read with crm.lists.read: %v", err)
	}
	if err := ro.Lists.Delete(ctx, l.ID); !errors.Is(err, hubspot.ErrForbidden) {
		t.Errorf("delete with crm.lists.read only: %v, want 403", err)
	}
}

func TestListsSensitiveCallsSigned(t *testing.T) {
	w := newSignedWorld(t)
	signed := w.client(t, hubspot.WithSigner(w.signer(t, signingKeyID, signingKey), nil))
	unsigned := w.client(t)
	ctx := context.Background()
	mk := func(name string) string {
		l, err := unsigned.Lists.Create(ctx, hubspot.ListInput{Name: name, ObjectType: "0-1", ProcessingType: hubspot.ListManual})
		if err != nil {
			t.Fatalf("create (not sensitive, unsigned): %v", err)
		}
		return l.ID
	}
	a, b := mk("A"), mk("B")
	f, err := unsigned.Lists.CreateFolder(ctx, "F", "")
	if err != nil {
		t.Fatal(err)
	}
	wantSignatureRejected(t, unsigned.Lists.Delete(ctx, a), "SIGNATURE_REQUIRED", "unsigned")
	wantSignatureRejected(t, unsigned.Lists.DeleteFolder(ctx, f.ID), "SIGNATURE_REQUIRED", "unsigned")
	if err := signed.Lists.Delete(ctx, b); err != nil {
		t.Fatalf("signed Delete: %v", err)
	}
	if err := signed.Lists.DeleteFolder(ctx, f.ID); err != nil {
		t.Fatalf("signed DeleteFolder: %v", err)
	}
	got := map[string]bool{}
	for _, call := range w.srv.Journal() {
		if op, _ := opOf(call); op != "" && call.Status < 300 {
			got[op] = call.Signed
		}
	}
	if !got["crm.lists.delete"] || !got["crm.lists.folders.delete"] || got["crm.lists.create"] {
		t.Errorf("signed by operation: %v", got)
	}
}

// A filter tree read from HubSpot keeps the parts hubkey does not type,
// so that UpdateFilters sends them back unchanged.
func TestListFilterBranchKeepsUntypedParts(t *testing.T) {
	in := `{"filterBranchType":"OR","filterBranchOperator":"OR","filters":[],"filterBranches":[{"filterBranchType":"AND","filterBranchOperator":"AND","filters":[` +
		`{"filterType":"PROPERTY","property":"createdate","operation":{"operationType":"TIME_POINT","operator":"IS_AFTER","timePoint":{"timeType":"DATE","year":2024,"month":1,"day":1}}},` +
		`{"filterType":"PROPERTY","property":"age","operation":{"operationType":"NUMBER","operator":"IS_LESS_THAN","value":30,"includeObjectsWithNoValueSet":false}},` +
		`{"filterType":"FORM_SUBMISSION","formId":"f-1","operator":"FILLED_OUT"}],` +
		`"filterBranches":[{"filterBranchType":"ASSOCIATION","filterBranchOperator":"AND","objectTypeId":"0-2","operator":"IN_LIST","associationTypeId":1,"associationCategory":"HUBSPOT_DEFINED","filters":[],"filterBranches":[]}]}]}`
	var b hubspot.ListFilterBranch
	if err := json.Unmarshal([]byte(in), &b); err != nil {
		t.Fatal(err)
	}
	and := b.Branches[0]
	if and.Filters[1].Operation.Value != "30" || and.Filters[0].Operation.Type != "TIME_POINT" || and.Branches[0].Type != "ASSOCIATION" {
		t.Fatalf("read %+v", and)
	}
	out, err := json.Marshal(&b)
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	_ = json.Unmarshal([]byte(in), &want)
	_ = json.Unmarshal(out, &got)
	if fmt.Sprint(want) != fmt.Sprint(got) {
		t.Errorf("round trip changed the tree:\n got %s\nwant %s", out, in)
	}
}

// Lists, users and subscription calls go to the least-privileged
// credential that holds their scopes, as every catalogued call does.
func TestCredentialsRouteListsUsersAndPreferences(t *testing.T) {
	cs := mustCredentials(t, []hubspot.Credential{
		cred("admin", hubspot.EveryScope),
		cred("lists-reader", "crm.lists.read"),
		cred("lists-writer", "crm.lists.read", "crm.lists.write"),
		cred("access-groups", "crm.lists.read", "cms.membership.access_groups.write"),
		cred("users-reader", "settings.users.read"),
		cred("crm-users", "crm.objects.users.read", "crm.objects.users.write"),
		cred("prefs-reader", "communication_preferences.read"),
	})
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/crm/lists/2026-03/101", "lists-reader"},
		{"POST", "/crm/v3/lists/search", "lists-reader"},
		{"DELETE", "/crm/v3/lists/101", "lists-writer"},
		{"PUT", "/crm/lists/2025-09/101/memberships/add", "lists-writer"},
		{"GET", "/settings/v3/users/9", "users-reader"},
		{"DELETE", "/settings/users/2026-03/9", "crm-users"},
		{"GET", "/settings/v3/users/teams", "admin"}, // settings.users.teams.read: only admin
		{"GET", "/communication-preferences/v4/statuses/a@example.com", "prefs-reader"},
		{"POST", "/communication-preferences/2026-03/statuses/a@example.com", "admin"},
	} {
		if got := routeName(t, cs, tc.method, tc.path); got != tc.want {
			t.Errorf("%s %s went to %s, want %s", tc.method, tc.path, got, tc.want)
		}
	}
}
