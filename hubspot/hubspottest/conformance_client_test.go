package hubspottest_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// knownClientDefects are the requests of hubkey's client that HubSpot's
// spec refuses, by operation and violation, with the client change that
// mends each. The test fails when one is no longer seen, so that the
// entry goes when the client is mended.
var knownClientDefects = map[string]string{}

// TestClientConformsToSpec drives hubkey's client through the
// conformance proxy: its requests, and the server's answers to them, must
// conform to HubSpot's specs.
func TestClientConformsToSpec(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithExportTiming(0, 0), hubspottest.WithImportProcessingTime(time.Hour))
	conf, proxy := newConformance(t, srv.URL())
	c, err := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken(hubspottest.AllScopes...))),
		hubspot.WithDeveloperKey(secretstest.NewStatic(srv.NewDeveloperKey(1))),
		hubspot.WithBaseURL(proxy.URL),
		hubspot.WithRateLimit(hubspot.RateLimit{}),
		hubspot.WithSearchRateLimit(hubspot.RateLimit{}),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Objects, search and batches.
	a, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "ada@example.com", "firstname": "Ada"}})
	must("Create", err)
	b, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "grace@example.com"}})
	must("Create", err)
	co, err := c.Companies.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"name": "Acme"}})
	must("Create", err)
	_, err = c.Contacts.Get(ctx, a.ID, &hubspot.GetOptions{Properties: []string{"email"}, Associations: []string{"companies"}})
	must("Get", err)
	_, err = c.Contacts.Update(ctx, a.ID, hubspot.Properties{"lastname": "Lovelace"}, nil)
	must("Update", err)
	_, err = c.Contacts.List(ctx, &hubspot.ListOptions{Limit: 5, Properties: []string{"email"}})
	must("List", err)
	_, err = c.Contacts.Search(ctx, &hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{hubspot.Eq("email", "ada@example.com")}}},
		Sorts: []hubspot.Sort{{PropertyName: "createdate", Direction: hubspot.Descending}}, Properties: []string{"email"}})
	must("Search", err)
	_, err = c.Contacts.BatchRead(ctx, []string{a.ID, b.ID}, &hubspot.BatchReadOptions{Properties: []string{"email"}})
	must("BatchRead", err)
	_, err = c.Contacts.BatchCreate(ctx, []hubspot.ObjectInput{{Properties: hubspot.Properties{"email": "c@example.com"}}})
	must("BatchCreate", err)
	_, err = c.Contacts.BatchUpdate(ctx, []hubspot.BatchInput{{ID: a.ID, Properties: hubspot.Properties{"firstname": "A"}}})
	must("BatchUpdate", err)
	_, err = c.Contacts.BatchUpsert(ctx, []hubspot.BatchInput{{ID: "d@example.com", IDProperty: "email", Properties: hubspot.Properties{"firstname": "D"}}})
	must("BatchUpsert", err)

	// Associations.
	_, err = c.Associations.CreateDefault(ctx, "contacts", a.ID, "companies", co.ID)
	must("CreateDefault", err)
	_, err = c.Associations.List(ctx, "contacts", a.ID, "companies", nil)
	must("Associations.List", err)
	_, err = c.Associations.BatchRead(ctx, "contacts", "companies", []string{a.ID})
	must("Associations.BatchRead", err)
	_, err = c.Associations.Labels(ctx, "contacts", "companies")
	must("Labels", err)
	must("Associations.Delete", c.Associations.Delete(ctx, "contacts", a.ID, "companies", co.ID))

	// Properties.
	_, err = c.Properties.List(ctx, "contacts", nil)
	must("Properties.List", err)
	_, err = c.Properties.CreateGroup(ctx, "contacts", hubspot.PropertyGroupInput{Name: "erp", Label: "ERP"})
	must("CreateGroup", err)
	_, err = c.Properties.Create(ctx, "contacts", hubspot.PropertyInput{Name: "erp_id", Label: "ERP ID", Type: "string", FieldType: "text", GroupName: "erp"})
	must("Properties.Create", err)
	_, err = c.Properties.Update(ctx, "contacts", "erp_id", hubspot.PropertyUpdate{Label: "ERP identifier"})
	must("Properties.Update", err)
	must("Properties.Archive", c.Properties.Archive(ctx, "contacts", "erp_id"))

	// Pipelines: UpdateStage and ArchiveStage are known defects.
	p, err := c.Pipelines.Create(ctx, "deals", hubspot.PipelineInput{Label: "Renewals", DisplayOrder: 1,
		Stages: []hubspot.StageInput{hubspot.DealStage("Open", 0, 0.2), hubspot.DealStage("Won", 1, 1)}})
	must("Pipelines.Create", err)
	st, err := c.Pipelines.CreateStage(ctx, "deals", p.ID, hubspot.DealStage("Lost", 2, 0))
	must("CreateStage", err)
	_, _ = c.Pipelines.UpdateStage(ctx, "deals", p.ID, st.ID, hubspot.StageUpdate{Label: "Closed lost"})
	_ = c.Pipelines.ArchiveStage(ctx, "deals", p.ID, st.ID, &hubspot.PipelineArchiveOptions{ValidateReferences: true})
	must("Pipelines.Archive", c.Pipelines.Archive(ctx, "deals", p.ID, &hubspot.PipelineArchiveOptions{ValidateReferences: true}))

	// Owners, the account, webhooks.
	srv.AddOwner(hubspottest.Owner{Email: "owner@example.com"})
	_, err = c.Owners.List(ctx, nil)
	must("Owners.List", err)
	_, err = c.Account.Details(ctx)
	must("Account.Details", err)
	// The client still requires a throttling period, which the current
	// reference no longer has (the server ignores it): a known defect the
	// schema cannot show, as ThrottlingSettings allows other properties.
	_, err = c.Webhooks.UpdateSettings(ctx, 1, hubspot.WebhookSettings{TargetURL: "https://example.com/hook", Throttling: hubspot.WebhookThrottling{MaxConcurrentRequests: 10}})
	must("UpdateSettings", err)
	sub, err := c.Webhooks.CreateSubscription(ctx, 1, hubspot.WebhookSubscriptionInput{EventType: "contact.creation", Active: true})
	must("CreateSubscription", err)
	_, err = c.Webhooks.UpdateSubscription(ctx, 1, sub.ID, false)
	must("UpdateSubscription", err)
	must("DeleteSubscription", c.Webhooks.DeleteSubscription(ctx, 1, sub.ID))

	// Lists, memberships and folders.
	filters := hubspot.OrBranch(hubspot.AndBranch(
		hubspot.PropertyFilter("email", hubspot.ListOperation{Type: "STRING", Operator: "CONTAINS", Value: "example.com"}),
		hubspot.PropertyFilter("firstname", hubspot.ListOperation{Type: "ALL_PROPERTY", Operator: "IS_KNOWN"}),
		hubspot.PropertyFilter("hs_lead_status", hubspot.ListOperation{Type: "ENUMERATION", Operator: "IS_ANY_OF", Values: []string{"NEW"}, IncludeObjectsWithNoValueSet: true}),
	))
	ml, err := c.Lists.Create(ctx, hubspot.ListInput{Name: "Manual", ObjectType: "contacts", ProcessingType: hubspot.ListManual})
	must("Lists.Create", err)
	dl, err := c.Lists.Create(ctx, hubspot.ListInput{Name: "Dynamic", ObjectType: "0-1", ProcessingType: hubspot.ListDynamic, FilterBranch: filters})
	must("Lists.Create dynamic", err)
	_, err = c.Lists.Get(ctx, dl.ID, &hubspot.ListGetOptions{IncludeFilters: true})
	must("Lists.Get", err)
	_, err = c.Lists.GetByName(ctx, "contacts", "Manual", nil)
	must("Lists.GetByName", err)
	_, err = c.Lists.GetMany(ctx, []string{ml.ID, dl.ID}, nil)
	must("Lists.GetMany", err)
	_, err = c.Lists.Search(ctx, &hubspot.ListSearchOptions{Query: "man", Count: 5})
	must("Lists.Search", err)
	_, err = c.Lists.UpdateName(ctx, ml.ID, "Manual 2")
	must("Lists.UpdateName", err)
	_, err = c.Lists.UpdateFilters(ctx, dl.ID, filters, &hubspot.ListFiltersOptions{EnrollObjectsInWorkflows: true})
	must("Lists.UpdateFilters", err)
	_, err = c.Lists.AddMembers(ctx, ml.ID, []string{a.ID, b.ID})
	must("Lists.AddMembers", err)
	_, err = c.Lists.RemoveMembers(ctx, ml.ID, []string{b.ID})
	must("Lists.RemoveMembers", err)
	for _, err := range c.Lists.Memberships(ctx, ml.ID, nil) {
		must("Lists.Memberships", err)
	}
	cl, err := c.Lists.Create(ctx, hubspot.ListInput{Name: "Copy", ObjectType: "0-1", ProcessingType: hubspot.ListManual})
	must("Lists.Create", err)
	must("Lists.AddFromList", c.Lists.AddFromList(ctx, cl.ID, ml.ID))
	_, err = c.Lists.RecordLists(ctx, "contacts", a.ID)
	must("Lists.RecordLists", err)
	fo, err := c.Lists.CreateFolder(ctx, "Campaigns", "")
	must("Lists.CreateFolder", err)
	sub2, err := c.Lists.CreateFolder(ctx, "Old", fo.ID)
	must("Lists.CreateFolder", err)
	_, err = c.Lists.RenameFolder(ctx, sub2.ID, "Archive")
	must("Lists.RenameFolder", err)
	_, err = c.Lists.MoveFolder(ctx, sub2.ID, hubspot.RootFolder)
	must("Lists.MoveFolder", err)
	must("Lists.MoveList", c.Lists.MoveList(ctx, cl.ID, fo.ID))
	_, err = c.Lists.Folder(ctx, "")
	must("Lists.Folder", err)
	must("Lists.DeleteFolder", c.Lists.DeleteFolder(ctx, sub2.ID))
	must("Lists.Delete", c.Lists.Delete(ctx, cl.ID))
	must("Lists.Restore", c.Lists.Restore(ctx, cl.ID))

	// Users, teams and roles.
	role, team := srv.AddRole("Sales", false), srv.AddTeam("EMEA")
	nu, err := c.Users.Create(ctx, hubspot.UserInput{Email: "new@example.com", FirstName: "New", RoleID: role, PrimaryTeamID: team})
	must("Users.Create", err)
	for _, err := range c.Users.All(ctx, &hubspot.UserListOptions{Limit: 1}) {
		must("Users.All", err)
	}
	_, err = c.Users.Get(ctx, "new@example.com", &hubspot.UserOptions{IDProperty: hubspot.UserByEmail})
	must("Users.Get", err)
	_, err = c.Users.Update(ctx, nu.ID, hubspot.UserUpdate{LastName: "User", SecondaryTeamIDs: []string{}}, nil)
	must("Users.Update", err)
	_, err = c.Users.Teams(ctx)
	must("Users.Teams", err)
	_, err = c.Users.Roles(ctx)
	must("Users.Roles", err)
	must("Users.Remove", c.Users.Remove(ctx, nu.ID, nil))

	// Communication preferences.
	news := srv.AddSubscriptionType("Newsletter", "Monthly news")
	_, err = c.Preferences.Types(ctx, nil)
	must("Preferences.Types", err)
	_, err = c.Preferences.Subscribe(ctx, "reader@example.com", news, &hubspot.StatusChange{LegalBasis: "CONSENT_WITH_NOTICE", Explanation: "form"})
	must("Preferences.Subscribe", err)
	_, err = c.Preferences.Unsubscribe(ctx, "reader@example.com", news, nil)
	must("Preferences.Unsubscribe", err)
	_, err = c.Preferences.Statuses(ctx, "reader@example.com", nil)
	must("Preferences.Statuses", err)
	_, err = c.Preferences.UnsubscribeAll(ctx, "reader@example.com", nil)
	must("Preferences.UnsubscribeAll", err)
	_, err = c.Preferences.UnsubscribedFromAll(ctx, "reader@example.com", nil)
	must("Preferences.UnsubscribedFromAll", err)

	// Exports: a view (filtered) run to its file, a list started and read.
	f, err := c.Exports.Run(ctx, hubspot.ExportRequest{Name: "Contacts", ObjectType: "contacts", Properties: []string{"email"},
		FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{hubspot.Eq("email", "ada@example.com")}}}}, nil)
	must("Exports.Run", err)
	_, err = io.Copy(io.Discard, f)
	must("Exports.Run read", err)
	f.Close()
	xid, err := c.Exports.Start(ctx, hubspot.ExportRequest{Type: hubspot.ExportList, Name: "Manual", ObjectType: "0-1", Properties: []string{"email"}, ListID: ml.ID})
	must("Exports.Start", err)
	_, err = c.Exports.Get(ctx, xid)
	must("Exports.Get", err)

	// Imports: one file with a bad row, its errors, the list, a cancel.
	im, err := c.Imports.Start(ctx, hubspot.ImportRequest{Name: "Leads", Operations: map[string]hubspot.ImportOperation{"0-1": hubspot.ImportUpsert},
		Files: []hubspot.ImportFile{{Name: "leads.csv", Data: strings.NewReader("Email,First\nlead@example.com,Lead\nbad,Bad\n"), Columns: []hubspot.ImportColumn{
			{Name: "Email", ObjectTypeID: "0-1", Property: "email", IDColumnType: "HUBSPOT_ALTERNATE_ID"}, {Name: "First", ObjectTypeID: "0-1", Property: "firstname"}}}}})
	must("Imports.Start", err)
	_, err = c.Imports.Get(ctx, im.ID)
	must("Imports.Get", err)
	for _, err := range c.Imports.Errors(ctx, im.ID, nil) {
		must("Imports.Errors", err)
	}
	for _, err := range c.Imports.All(ctx, &hubspot.ImportListOptions{Limit: 1}) {
		must("Imports.All", err)
	}
	_, err = c.Imports.Cancel(ctx, im.ID)
	must("Imports.Cancel", err)

	// Transactional email and SMTP API tokens.
	receipt := srv.AddTransactionalEmail("Receipt")
	_, err = c.Transactional.Send(ctx, hubspot.TransactionalEmail{EmailID: receipt, To: "ada@example.com", SendID: "r-1",
		CC: []string{"grace@example.com"}, ContactProperties: map[string]string{"lastname": "L."}, CustomProperties: map[string]any{"total": 12}})
	must("Transactional.Send", err)
	tok, err := c.Transactional.CreateSMTPToken(ctx, "Receipts", true)
	must("Transactional.CreateSMTPToken", err)
	for _, err := range c.Transactional.SMTPTokens(ctx, &hubspot.SMTPTokenListOptions{CampaignName: "Receipts"}) {
		must("Transactional.SMTPTokens", err)
	}
	_, err = c.Transactional.GetSMTPToken(ctx, tok.ID)
	must("Transactional.GetSMTPToken", err)
	_, err = c.Transactional.ResetSMTPPassword(ctx, tok.ID)
	must("Transactional.ResetSMTPPassword", err)
	must("Transactional.DeleteSMTPToken", c.Transactional.DeleteSMTPToken(ctx, tok.ID))

	// Marketing emails: scheduled, unpublished, then sent.
	letter := srv.AddMarketingEmail("Newsletter", "News")
	for _, err := range c.MarketingEmails.All(ctx, &hubspot.MarketingEmailListOptions{Limit: 1}) {
		must("MarketingEmails.All", err)
	}
	_, err = c.MarketingEmails.Get(ctx, letter)
	must("MarketingEmails.Get", err)
	must("MarketingEmails.Schedule", c.MarketingEmails.Schedule(ctx, letter, time.Now().Add(time.Hour)))
	must("MarketingEmails.Unpublish", c.MarketingEmails.Unpublish(ctx, letter))
	must("MarketingEmails.Publish", c.MarketingEmails.Publish(ctx, letter))

	// Merge, archive and GDPR delete last: they remove the records.
	_, err = c.Contacts.Merge(ctx, a.ID, b.ID)
	must("Merge", err)
	must("GDPRDelete", c.Contacts.GDPRDelete(ctx, "c@example.com", &hubspot.GDPRDeleteOptions{IDProperty: "email"}))
	must("Archive", c.Companies.Archive(ctx, co.ID))

	seen := map[string]bool{}
	conf.mu.Lock()
	defer conf.mu.Unlock()
	for _, f := range conf.failures {
		for _, v := range f.violations {
			key := f.op + " " + v
			if _, known := findDefect(key); known {
				seen[key] = true
				continue
			}
			t.Errorf("%s\n\t(%s)", f.text, key)
		}
	}
	for k, fix := range knownClientDefects {
		found := false
		for s := range seen {
			found = found || strings.HasPrefix(s, k)
		}
		if !found {
			t.Errorf("known client defect no longer seen; remove it from knownClientDefects: %s (%s)", k, fix)
		}
	}
}

// findDefect returns the known defect a violation is, if any.
func findDefect(key string) (string, bool) {
	for k, fix := range knownClientDefects {
		if strings.HasPrefix(key, k) {
			return fix, true
		}
	}
	return "", false
}
