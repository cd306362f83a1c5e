package hubspot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// newTimelineClient returns a client for srv with a token and a developer
// key for appID, in the Client's default API version.
func newTimelineClient(t testing.TB, srv *hubspottest.Server, opts ...hubspot.Option) (*hubspot.Client, string, string) {
	t.Helper()
	key := srv.NewDeveloperKey(appID)
	tok := srv.NewToken(hubspottest.AllScopes...)
	c, err := hubspot.New(append([]hubspot.Option{
		hubspot.WithToken(secretstest.NewStatic(tok)),
		hubspot.WithDeveloperKey(secretstest.NewStatic(key)),
		hubspot.WithBaseURL(srv.URL()),
		hubspot.WithRateLimit(hubspot.RateLimit{}),
		hubspot.WithSearchRateLimit(hubspot.RateLimit{}),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, tok, key
}

func webinarTemplate() hubspot.TimelineTemplate {
	return hubspot.TimelineTemplate{
		Name: "Webinar registration", ObjectType: "contacts",
		HeaderTemplate: "Registered for {{webinar}}",
		DetailTemplate: "Seats: {{seats}}, level {{level}}, from {{extraData.source}}",
		Tokens: []hubspot.TimelineToken{
			{Name: "webinar", Label: "Webinar", Type: hubspot.TimelineTokenString},
			{Name: "seats", Label: "Seats", Type: hubspot.TimelineTokenNumber, ObjectPropertyName: "jobtitle"},
			{Name: "starts", Label: "Starts", Type: hubspot.TimelineTokenDate},
			{Name: "level", Label: "Level", Type: hubspot.TimelineTokenEnumeration, Options: []hubspot.TimelineTokenOption{
				{Label: "Beginner", Value: "beginner"}, {Label: "Expert", Value: "expert"}}},
		},
	}
}

func TestTimelineTemplatesEndToEnd(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	c, token, key := newTimelineClient(t, srv)
	ctx := context.Background()

	tpl, err := c.Timeline.CreateTemplate(ctx, appID, webinarTemplate())
	if err != nil {
		t.Fatal(err)
	}
	if tpl.ID == "" || tpl.ObjectType != "contacts" || len(tpl.Tokens) != 4 || !tpl.CreatedAt.Equal(clk.Now()) ||
		tpl.Tokens[3].Type != hubspot.TimelineTokenEnumeration || len(tpl.Tokens[3].Options) != 2 {
		t.Fatalf("CreateTemplate returned %+v", tpl)
	}
	list, err := c.Timeline.ListTemplates(ctx, appID)
	if err != nil || len(list) != 1 || list[0].ID != tpl.ID {
		t.Fatalf("ListTemplates: %+v, %v", list, err)
	}

	// Tokens: add, change, remove.
	tk, err := c.Timeline.CreateToken(ctx, appID, tpl.ID, hubspot.TimelineToken{Name: "room", Label: "Room", Type: hubspot.TimelineTokenString})
	if err != nil || tk.Name != "room" || tk.Options == nil {
		t.Fatalf("CreateToken: %+v, %v", tk, err)
	}
	if _, err := c.Timeline.CreateToken(ctx, appID, tpl.ID, hubspot.TimelineToken{Name: "room", Label: "Room", Type: hubspot.TimelineTokenString}); !errors.Is(err, hubspot.ErrConflict) {
		t.Fatalf("a second token room: %v", err)
	}
	clk.Advance(time.Minute)
	tk, err = c.Timeline.UpdateToken(ctx, appID, tpl.ID, "level", hubspot.TimelineTokenUpdate{Label: "Skill", Options: []hubspot.TimelineTokenOption{{Label: "Beginner", Value: "beginner"}}})
	if err != nil || tk.Label != "Skill" || len(tk.Options) != 1 || tk.Type != hubspot.TimelineTokenEnumeration || !tk.UpdatedAt.Equal(clk.Now()) {
		t.Fatalf("UpdateToken: %+v, %v", tk, err)
	}
	if err := c.Timeline.DeleteToken(ctx, appID, tpl.ID, "room"); err != nil {
		t.Fatal(err)
	}
	if err := c.Timeline.DeleteToken(ctx, appID, tpl.ID, "room"); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("deleting a deleted token: %v", err)
	}

	// Update replaces the token list.
	up := webinarTemplate()
	up.Name = "Webinar sign-up"
	up.Tokens = up.Tokens[:2]
	got, err := c.Timeline.UpdateTemplate(ctx, appID, tpl.ID, up)
	if err != nil || got.Name != "Webinar sign-up" || len(got.Tokens) != 2 || got.ObjectType != "contacts" {
		t.Fatalf("UpdateTemplate: %+v, %v", got, err)
	}
	read, err := c.Timeline.GetTemplate(ctx, appID, tpl.ID)
	if err != nil || read.Name != up.Name || len(read.Tokens) != 2 || !read.CreatedAt.Equal(tpl.CreatedAt) {
		t.Fatalf("GetTemplate: %+v, %v", read, err)
	}

	// Another app's template, or none, is not found; another app's key is
	// refused.
	if _, err := c.Timeline.GetTemplate(ctx, appID, "999"); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("unknown template: %v", err)
	}
	if _, err := c.Timeline.ListTemplates(ctx, appID+1); !errors.Is(err, hubspot.ErrForbidden) {
		t.Fatalf("another app: %v", err)
	}
	if err := c.Timeline.DeleteTemplate(ctx, appID, tpl.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Timeline.GetTemplate(ctx, appID, tpl.ID); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("deleted template: %v", err)
	}

	// Every template call went with the developer key in hapikey, never
	// the token; the key is redacted in the journal.
	keyFP, tokenFP := secrets.New(key).Fingerprint(), secrets.New(token).Fingerprint()
	n := 0
	for _, call := range srv.Journal() {
		if !strings.HasPrefix(call.Path, "/integrators/timeline/v3/") {
			continue
		}
		n++
		if call.TokenFingerprint != keyFP || call.TokenFingerprint == tokenFP || call.Query != "hapikey=REDACTED" {
			t.Errorf("%s %s sent with %s, query %q", call.Method, call.Path, call.TokenFingerprint, call.Query)
		}
	}
	if n != 13 {
		t.Errorf("%d template calls in the journal", n)
	}
}

func TestTimelineEventsEndToEnd(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	c, _, _ := newTimelineClient(t, srv) // default version: 2026-03
	ctx := context.Background()
	tpl, err := c.Timeline.CreateTemplate(ctx, appID, webinarTemplate())
	if err != nil {
		t.Fatal(err)
	}
	contact := srv.Seed("contacts", map[string]string{"email": "ada@example.com"})[0].ID

	at := time.Date(2026, 1, 30, 9, 0, 0, 0, time.UTC)
	ev, err := c.Timeline.CreateEvent(ctx, hubspot.TimelineEvent{
		ID: "reg-1", TemplateID: tpl.ID, ObjectID: contact, Timestamp: at,
		Tokens:    map[string]string{"webinar": "Go at scale", "seats": "3", "starts": "1769763600000", "level": "expert"},
		ExtraData: json.RawMessage(`{"source":"landing page"}`),
		IFrame:    &hubspot.TimelineIFrame{LinkLabel: "Open", HeaderLabel: "Registration", URL: "https://example.com/r/1", Width: 600, Height: 400},
	})
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID != "reg-1" || ev.ObjectType != "contacts" || ev.ObjectID != contact || !ev.Timestamp.Equal(at) || !ev.CreatedAt.Equal(clk.Now()) ||
		ev.Tokens["level"] != "expert" || ev.IFrame == nil || ev.IFrame.Width != 600 {
		t.Fatalf("CreateEvent returned %+v", ev)
	}
	// The event went to v3, not to the 2026-03 app events path.
	j := srv.Journal()
	if last := j[len(j)-1]; last.Path != "/integrators/timeline/v3/events" {
		t.Fatalf("CreateEvent called %s %s", last.Method, last.Path)
	}

	got, err := c.Timeline.GetEvent(ctx, tpl.ID, "reg-1")
	if err != nil || got.ID != "reg-1" || got.Tokens["webinar"] != "Go at scale" || string(got.ExtraData) != `{"source":"landing page"}` {
		t.Fatalf("GetEvent: %+v, %v", got, err)
	}
	detail, err := c.Timeline.EventDetail(ctx, tpl.ID, "reg-1")
	if err != nil || detail != "Seats: 3, level expert, from landing page" {
		t.Fatalf("EventDetail: %q, %v", detail, err)
	}
	// The seats token sets the contact's jobtitle; the event is on the
	// contact's timeline.
	if p := srv.Objects("contacts")[0].Properties["jobtitle"]; p != "3" {
		t.Errorf("jobtitle = %q", p)
	}
	if evs := srv.TimelineEvents("contacts", contact); len(evs) != 1 || evs[0].ID != "reg-1" || evs[0].TemplateID != tpl.ID {
		t.Fatalf("TimelineEvents: %+v", evs)
	}

	// By email: the contact is found; a new email makes a contact. An
	// event without an ID gets one.
	ev, err = c.Timeline.CreateEvent(ctx, hubspot.TimelineEvent{TemplateID: tpl.ID, Email: "ADA@example.com", Tokens: map[string]string{"webinar": "Again"}})
	if err != nil || ev.ID == "" || ev.ObjectID != contact {
		t.Fatalf("event by email: %+v, %v", ev, err)
	}
	if _, err := c.Timeline.CreateEvent(ctx, hubspot.TimelineEvent{TemplateID: tpl.ID, Email: "new@example.com"}); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Objects("contacts")); n != 2 {
		t.Errorf("%d contacts after an event for a new email", n)
	}

	for _, tc := range []struct {
		name   string
		ev     hubspot.TimelineEvent
		is     error
		status int
		says   string
	}{
		{"undeclared token", hubspot.TimelineEvent{TemplateID: tpl.ID, ObjectID: contact, Tokens: map[string]string{"venue": "Berlin"}}, hubspot.ErrValidation, 400, `"venue"`},
		{"not a number", hubspot.TimelineEvent{TemplateID: tpl.ID, ObjectID: contact, Tokens: map[string]string{"seats": "many"}}, hubspot.ErrValidation, 400, "seats"},
		{"not a date", hubspot.TimelineEvent{TemplateID: tpl.ID, ObjectID: contact, Tokens: map[string]string{"starts": "soon"}}, hubspot.ErrValidation, 400, "starts"},
		{"not an option", hubspot.TimelineEvent{TemplateID: tpl.ID, ObjectID: contact, Tokens: map[string]string{"level": "guru"}}, hubspot.ErrValidation, 400, "level"},
		{"unknown template", hubspot.TimelineEvent{TemplateID: "424242", ObjectID: contact}, hubspot.ErrNotFound, 404, "424242"},
		{"unknown record", hubspot.TimelineEvent{TemplateID: tpl.ID, ObjectID: "77"}, hubspot.ErrNotFound, 404, "contacts"},
		{"event ID taken", hubspot.TimelineEvent{ID: "reg-1", TemplateID: tpl.ID, ObjectID: contact}, hubspot.ErrConflict, 409, "reg-1"},
	} {
		_, err := c.Timeline.CreateEvent(ctx, tc.ev)
		var he *hubspot.Error
		if !errors.Is(err, tc.is) || !errors.As(err, &he) || he.StatusCode != tc.status || !strings.Contains(he.Message, tc.says) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := c.Timeline.GetEvent(ctx, tpl.ID, "nope"); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("unknown event: %v", err)
	}
	if n := len(srv.TimelineEvents("contacts", contact)); n != 2 {
		t.Errorf("%d events on the contact after the refusals", n)
	}

	// Checked before sending.
	for _, ev := range []hubspot.TimelineEvent{{ObjectID: contact}, {TemplateID: tpl.ID}} {
		if _, err := c.Timeline.CreateEvent(ctx, ev); err == nil || errors.As(err, new(*hubspot.Error)) {
			t.Errorf("CreateEvent(%+v): %v", ev, err)
		}
	}
}

func TestTimelineBatchCreateAccountsForEveryInput(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newTimelineClient(t, srv)
	ctx := context.Background()
	tpl, err := c.Timeline.CreateTemplate(ctx, appID, webinarTemplate())
	if err != nil {
		t.Fatal(err)
	}
	contact := srv.Seed("contacts", map[string]string{"email": "ada@example.com"})[0].ID

	const n = 250
	evs := make([]hubspot.TimelineEvent, n)
	for i := range evs {
		evs[i] = hubspot.TimelineEvent{TemplateID: tpl.ID, ObjectID: contact, Tokens: map[string]string{"seats": fmt.Sprint(i)}}
		if i%2 == 0 {
			evs[i].ID = fmt.Sprintf("e%03d", i)
		}
	}
	evs[7].Tokens = map[string]string{"venue": "Berlin"} // undeclared
	evs[150].TemplateID = "424242"                       // unknown
	evs[249].Tokens = map[string]string{"level": "guru"} // not an option

	before := len(srv.Journal())
	res, err := c.Timeline.BatchCreateEvents(ctx, evs)
	var be *hubspot.BatchError
	if !errors.As(err, &be) || be.Failed != 3 || be.Total != n || be.FirstIndex != 7 {
		t.Fatalf("BatchCreateEvents error: %v", err)
	}
	if len(res.Items) != n || len(res.Unmatched) != 0 || res.Failed() != 3 {
		t.Fatalf("%d items, %d unmatched, %d failed", len(res.Items), len(res.Unmatched), res.Failed())
	}
	for i, it := range res.Items {
		switch i {
		case 7, 249:
			if !errors.Is(it.Err, hubspot.ErrValidation) {
				t.Errorf("input %d: %v", i, it.Err)
			}
		case 150:
			if !errors.Is(it.Err, hubspot.ErrNotFound) {
				t.Errorf("input %d: %v", i, it.Err)
			}
		default:
			if it.Err != nil || it.Value.ID == "" || it.Value.Tokens["seats"] != fmt.Sprint(i) || (i%2 == 0 && it.Value.ID != evs[i].ID) {
				t.Errorf("input %d: %+v, %v", i, it.Value, it.Err)
			}
		}
	}
	if !errors.Is(err, hubspot.ErrNotFound) || !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("the BatchError does not unwrap to its items' errors: %v", err)
	}
	// Three requests of at most 100 events, on the v3 path.
	var sizes []int
	for _, call := range srv.Journal()[before:] {
		if call.Path != "/integrators/timeline/v3/events/batch/create" || call.Status != 207 && call.Status != 201 {
			t.Errorf("%s %s: %d", call.Method, call.Path, call.Status)
		}
		sizes = append(sizes, call.Status)
	}
	if len(sizes) != 3 {
		t.Errorf("%d batch requests for %d events", len(sizes), n)
	}
	if got := len(srv.TimelineEvents("contacts", contact)); got != n-3 {
		t.Errorf("%d events stored, want %d", got, n-3)
	}

	// Checked before sending: a repeated ID, an event naming no record.
	dup := []hubspot.TimelineEvent{{ID: "x", TemplateID: tpl.ID, ObjectID: contact}, {ID: "x", TemplateID: tpl.ID, ObjectID: contact}}
	if _, err := c.Timeline.BatchCreateEvents(ctx, dup); err == nil || !strings.Contains(err.Error(), "repeats") {
		t.Errorf("repeated ID: %v", err)
	}
	if res, err := c.Timeline.BatchCreateEvents(ctx, nil); err != nil || len(res.Items) != 0 {
		t.Errorf("no events: %+v, %v", res, err)
	}
}

func TestTimelineTemplateValidation(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newTimelineClient(t, srv)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		tpl  hubspot.TimelineTemplate
	}{
		{"no name", hubspot.TimelineTemplate{ObjectType: "contacts"}},
		{"no object type", hubspot.TimelineTemplate{Name: "n"}},
		{"bad type", hubspot.TimelineTemplate{Name: "n", ObjectType: "contacts", Tokens: []hubspot.TimelineToken{{Name: "a", Label: "A", Type: "text"}}}},
		{"enumeration without options", hubspot.TimelineTemplate{Name: "n", ObjectType: "contacts", Tokens: []hubspot.TimelineToken{{Name: "a", Label: "A", Type: hubspot.TimelineTokenEnumeration}}}},
		{"options on a string", hubspot.TimelineTemplate{Name: "n", ObjectType: "contacts", Tokens: []hubspot.TimelineToken{{Name: "a", Label: "A", Type: hubspot.TimelineTokenString, Options: []hubspot.TimelineTokenOption{{Label: "x", Value: "x"}}}}}},
	} {
		if _, err := c.Timeline.CreateTemplate(ctx, appID, tc.tpl); err == nil || errors.As(err, new(*hubspot.Error)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// What only HubSpot checks: an object type it has no timeline for, a
	// token name it refuses.
	for _, tpl := range []hubspot.TimelineTemplate{
		{Name: "n", ObjectType: "products", Tokens: []hubspot.TimelineToken{}},
		{Name: "n", ObjectType: "contacts", Tokens: []hubspot.TimelineToken{{Name: "Bad Name", Label: "B", Type: hubspot.TimelineTokenString}}},
	} {
		if _, err := c.Timeline.CreateTemplate(ctx, appID, tpl); !errors.Is(err, hubspot.ErrValidation) {
			t.Errorf("%+v: %v", tpl, err)
		}
	}
	if len(srv.Journal()) != 2 {
		t.Errorf("%d calls reached the server", len(srv.Journal()))
	}
	if _, err := c.Timeline.ListTemplates(ctx, 0); err == nil {
		t.Error("app ID 0 accepted")
	}

	// Without a developer key, the template calls fail before sending.
	tokOnly, _, _ := newClient(t, srv, nil)
	if _, err := tokOnly.Timeline.ListTemplates(ctx, appID); !errors.Is(err, hubspot.ErrNoDeveloperKey) {
		t.Errorf("no developer key: %v", err)
	}
}

// The developer key never shows in an error, a log line or a journal
// entry of a template call, whatever HubSpot answers.
func TestTimelineDeveloperKeyLeaks(t *testing.T) {
	rec := leakcheck.New()
	srv := hubspottest.NewServer(t, hubspottest.WithLogger(rec.Logger()))
	key := srv.NewDeveloperKey(appID)
	wrong := "dk-" + strings.Repeat("5", len(key)-3)
	ctx := context.Background()
	mk := func(key string) *hubspot.Client {
		c, err := hubspot.New(hubspot.WithDeveloperKey(secretstest.NewStatic(key)), hubspot.WithBaseURL(srv.URL()),
			hubspot.WithLogger(rec.Logger()), hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}), hubspot.WithRateLimit(hubspot.RateLimit{}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		rec.Dump("client", c)
		return c
	}
	c := mk(wrong)
	_, err := c.Timeline.ListTemplates(ctx, appID)
	if !errors.Is(err, hubspot.ErrUnauthorized) {
		t.Fatalf("wrong key: %s", masked(err, key, wrong))
	}
	rec.Err("401", err)

	c = mk(key)
	_, err = c.Timeline.GetTemplate(ctx, appID, "404")
	rec.Err("404", err)
	_, err = c.Timeline.CreateTemplate(ctx, appID, hubspot.TimelineTemplate{Name: "n", ObjectType: "widgets"})
	rec.Err("400", err)
	_, err = c.Timeline.ListTemplates(ctx, appID+1)
	rec.Err("403", err)
	err = c.Timeline.DeleteToken(ctx, appID, "404", "x")
	rec.Err("404 token", err)
	tpl, err := c.Timeline.CreateTemplate(ctx, appID, webinarTemplate())
	if err != nil {
		t.Fatal(err)
	}
	rec.Dump("template", tpl)
	rec.Dump("journal", srv.Journal())
	rec.Check(t, key, wrong)
}

// An app defines an event template with its developer key, then adds
// events to records' timelines with its access token, one at a time or in
// batches of any size.
func ExampleTimelineService() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	const app = 1160452
	contact := srv.Seed("contacts", map[string]string{"email": "ada@example.com"})[0].ID

	c, err := hubspot.New(
		hubspot.WithDeveloperKey(secretstest.NewStatic(srv.NewDeveloperKey(app))), // for the templates
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken("timeline"))),        // for the events
		hubspot.WithBaseURL(srv.URL()),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()

	tpl, err := c.Timeline.CreateTemplate(ctx, app, hubspot.TimelineTemplate{
		Name: "Webinar registration", ObjectType: "contacts",
		HeaderTemplate: "Registered for {{webinar}}",
		DetailTemplate: "Level: {{level}}",
		Tokens: []hubspot.TimelineToken{
			{Name: "webinar", Label: "Webinar", Type: hubspot.TimelineTokenString},
			{Name: "level", Label: "Level", Type: hubspot.TimelineTokenEnumeration, Options: []hubspot.TimelineTokenOption{
				{Label: "Beginner", Value: "beginner"}, {Label: "Expert", Value: "expert"}}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	ev, err := c.Timeline.CreateEvent(ctx, hubspot.TimelineEvent{
		ID: "reg-1", TemplateID: tpl.ID, ObjectID: contact,
		Tokens: map[string]string{"webinar": "Go at scale", "level": "expert"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	detail, _ := c.Timeline.EventDetail(ctx, tpl.ID, ev.ID)
	fmt.Println("event on", ev.ObjectType, "-", detail)

	// A token the template does not declare is refused, by name.
	_, err = c.Timeline.CreateEvent(ctx, hubspot.TimelineEvent{TemplateID: tpl.ID, ObjectID: contact, Tokens: map[string]string{"venue": "Berlin"}})
	fmt.Println("undeclared token refused:", errors.Is(err, hubspot.ErrValidation))

	// A batch accounts for every event; the bad one fails alone.
	res, err := c.Timeline.BatchCreateEvents(ctx, []hubspot.TimelineEvent{
		{TemplateID: tpl.ID, ObjectID: contact, Tokens: map[string]string{"level": "beginner"}},
		{TemplateID: tpl.ID, ObjectID: contact, Tokens: map[string]string{"level": "guru"}},
	})
	fmt.Println("batch:", len(res.Items), "events,", res.Failed(), "failed:", err != nil)
	fmt.Println("on the timeline:", len(srv.TimelineEvents("contacts", contact)))
	// Output:
	// event on contacts - Level: expert
	// undeclared token refused: true
	// batch: 2 events, 1 failed: true
	// on the timeline: 2
}
