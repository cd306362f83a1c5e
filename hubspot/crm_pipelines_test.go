package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

func TestPipelinesDefaults(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, []string{"crm.objects.deals.read", "tickets"})
	ctx := context.Background()
	tests := []struct {
		objectType, id, label string
		stages                int
		closed                []string
	}{
		{"deals", "default", "Sales Pipeline", 7, []string{"closedwon", "closedlost"}},
		{"tickets", "0", "Support Pipeline", 4, []string{"4"}},
	}
	for _, tc := range tests {
		t.Run(tc.objectType, func(t *testing.T) {
			list, err := c.Pipelines.List(ctx, tc.objectType)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 {
				t.Fatalf("%d pipelines", len(list))
			}
			p := list[0]
			if p.ID != tc.id || p.Label != tc.label || len(p.Stages) != tc.stages || !p.CreatedAt.Equal(time.Unix(0, 0)) || p.Archived {
				t.Fatalf("pipeline %+v", p)
			}
			var closed []string
			for _, s := range p.Stages {
				if s.Metadata.IsClosed() {
					closed = append(closed, s.ID)
				}
			}
			if !slices.Equal(closed, tc.closed) {
				t.Errorf("closed stages %v, want %v", closed, tc.closed)
			}
			got, err := c.Pipelines.Get(ctx, tc.objectType, tc.id)
			if err != nil || got.ID != tc.id || len(got.Stages) != tc.stages {
				t.Fatalf("Get: %+v, %v", got, err)
			}
		})
	}
	list, _ := c.Pipelines.List(ctx, "deals")
	won := list[0].Stages[5]
	if p, ok := won.Metadata.Probability(); !ok || p != 1 || won.WritePermissions != "CRM_PERMISSIONS_ENFORCEMENT" {
		t.Errorf("closed won %+v", won)
	}
	if _, ok := (hubspot.StageMetadata{"probability": "2"}).Probability(); ok {
		t.Error("a probability above 1 should not be valid")
	}
}

func TestPipelinesLifecycle(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, []string{"crm.objects.deals.read", "crm.schemas.deals.write", "tickets"})
	ctx := context.Background()

	won := hubspot.DealStage("Won", 2, 1)
	won.Metadata[hubspot.MetaIsClosed] = "true"
	p, err := c.Pipelines.Create(ctx, "deals", hubspot.PipelineInput{Label: "Renewals", DisplayOrder: 1, Stages: []hubspot.StageInput{
		hubspot.DealStage("Open", 0, 0.3), hubspot.DealStage("Proposal", 1, 0.6), won,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID == "" || len(p.Stages) != 3 || p.Stages[2].Label != "Won" || !p.Stages[2].Metadata.IsClosed() || p.CreatedAt.IsZero() {
		t.Fatalf("created %+v", p)
	}
	open, proposal := p.Stages[0].ID, p.Stages[1].ID
	if prob, _ := p.Stages[0].Metadata.Probability(); prob != 0.3 {
		t.Errorf("probability %v", prob)
	}

	order := -1
	p, err = c.Pipelines.Update(ctx, "deals", p.ID, hubspot.PipelineUpdate{Label: "Renewals 2026", DisplayOrder: &order})
	if err != nil || p.Label != "Renewals 2026" || p.DisplayOrder != -1 {
		t.Fatalf("Update: %+v, %v", p, err)
	}

	st, err := c.Pipelines.CreateStage(ctx, "deals", p.ID, hubspot.DealStage("Lost", 3, 0))
	if err != nil {
		t.Fatal(err)
	}
	st, err = c.Pipelines.UpdateStage(ctx, "deals", p.ID, st.ID, hubspot.StageUpdate{Metadata: hubspot.StageMetadata{hubspot.MetaIsClosed: "true", hubspot.MetaProbability: "0.0"}})
	if err != nil || !st.Metadata.IsClosed() {
		t.Fatalf("UpdateStage: %+v, %v", st, err)
	}
	if prob, ok := st.Metadata.Probability(); !ok || prob != 0 {
		t.Errorf("UpdateStage should keep the probability: %v", st.Metadata)
	}
	// HubSpot refuses a deal stage update without its probability: the
	// client says so before sending.
	before := len(srv.Journal())
	if _, err := c.Pipelines.UpdateStage(ctx, "deals", p.ID, st.ID, hubspot.StageUpdate{Label: "Lost for good"}); !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), "probability") {
		t.Errorf("a deal stage update without the probability: %v; want ErrValidation naming it", err)
	}
	if n := len(srv.Journal()); n != before {
		t.Errorf("a refused update was sent (%d calls)", n-before)
	}
	st, err = c.Pipelines.ReplaceStage(ctx, "deals", p.ID, proposal, hubspot.DealStage("Negotiation", 1, 0.7))
	if err != nil || st.Label != "Negotiation" {
		t.Fatalf("ReplaceStage: %+v, %v", st, err)
	}
	if st, err := c.Pipelines.Stage(ctx, "deals", p.ID, proposal); err != nil || st.Label != "Negotiation" {
		t.Fatalf("Stage: %+v, %v", st, err)
	}
	stages, err := c.Pipelines.Stages(ctx, "deals", p.ID)
	if err != nil || len(stages) != 4 {
		t.Fatalf("Stages: %d, %v", len(stages), err)
	}

	// A deal in a stage: archiving with validation is refused, without is not.
	srv.Seed("deals", map[string]string{"dealname": "D", "pipeline": p.ID, "dealstage": open})
	err = c.Pipelines.ArchiveStage(ctx, "deals", p.ID, open, &hubspot.PipelineArchiveOptions{ValidateReferences: true})
	if !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("validated ArchiveStage: %v", err)
	}
	if err := c.Pipelines.ArchiveStage(ctx, "deals", p.ID, open, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Pipelines.Stage(ctx, "deals", p.ID, open); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("archived stage: %v", err)
	}

	p, err = c.Pipelines.Replace(ctx, "deals", p.ID, hubspot.PipelineInput{Label: "Renewals", Stages: []hubspot.StageInput{hubspot.DealStage("Only", 0, 0.5)}})
	if err != nil || len(p.Stages) != 1 || p.DisplayOrder != 0 {
		t.Fatalf("Replace: %+v, %v", p, err)
	}

	if err := c.Pipelines.Archive(ctx, "deals", p.ID, &hubspot.PipelineArchiveOptions{ValidateReferences: true}); !errors.Is(err, hubspot.ErrValidation) {
		t.Fatalf("validated Archive with a deal in the pipeline: %v", err)
	}
	if err := c.Pipelines.Archive(ctx, "deals", p.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Pipelines.Get(ctx, "deals", p.ID); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("archived pipeline: %v", err)
	}
	restore := false
	if p, err = c.Pipelines.Update(ctx, "deals", p.ID, hubspot.PipelineUpdate{Archived: &restore}); err != nil || p.Archived {
		t.Fatalf("restore: %+v, %v", p, err)
	}

	// Tickets.
	tp, err := c.Pipelines.Create(ctx, "tickets", hubspot.PipelineInput{Label: "Escalations", Stages: []hubspot.StageInput{
		hubspot.TicketStage("Triage", 0, hubspot.TicketOpen), hubspot.TicketStage("Done", 1, hubspot.TicketClosed),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if tp.Stages[0].Metadata.TicketState() != hubspot.TicketOpen || !tp.Stages[1].Metadata.IsClosed() {
		t.Errorf("ticket stages %+v", tp.Stages)
	}

	// Custom objects start with no pipeline; a stage without metadata is
	// sent with the empty object HubSpot requires.
	cc, _, _ := newClient(t, srv, []string{"crm.objects.custom.read", "crm.schemas.custom.write"})
	if l, err := cc.Pipelines.List(ctx, "2-555"); err != nil || len(l) != 0 {
		t.Fatalf("custom pipelines %v, %v", l, err)
	}
	cp, err := cc.Pipelines.Create(ctx, "2-555", hubspot.PipelineInput{Label: "Fleet", Stages: []hubspot.StageInput{{Label: "Ordered"}}})
	if err != nil || len(cp.Stages) != 1 || len(cp.Stages[0].Metadata) != 0 {
		t.Fatalf("custom pipeline %+v, %v", cp, err)
	}
	if _, err := cc.Pipelines.CreateStage(ctx, "2-555", cp.ID, hubspot.StageInput{Label: "Delivered", DisplayOrder: 1}); err != nil {
		t.Fatal(err)
	}
}

func TestPipelinesErrors(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, []string{"crm.objects.deals.read", "crm.objects.deals.write"})
	ctx := context.Background()
	one := []hubspot.StageInput{hubspot.DealStage("A", 0, 0.5)}
	many := make([]hubspot.StageInput, 101) // HubSpot allows 100
	for i := range many {
		many[i] = hubspot.DealStage(fmt.Sprint("S", i), i, 0.5)
	}
	zero := 0

	// Checked before anything is sent.
	local := []struct {
		name string
		call func() error
		msg  string
	}{
		{"bad object type", func() error { _, err := c.Pipelines.List(ctx, "deals/../contacts"); return err }, "invalid object type"},
		{"empty pipeline id", func() error { _, err := c.Pipelines.Get(ctx, "deals", ""); return err }, "pipeline id is empty"},
		{"empty stage id", func() error { _, err := c.Pipelines.Stage(ctx, "deals", "default", ""); return err }, "stage id is empty"},
		{"no label", func() error {
			_, err := c.Pipelines.Create(ctx, "deals", hubspot.PipelineInput{Stages: one})
			return err
		}, "label is empty"},
		{"no stages", func() error {
			_, err := c.Pipelines.Create(ctx, "deals", hubspot.PipelineInput{Label: "P"})
			return err
		}, "at least one stage"},
		{"too many stages", func() error {
			_, err := c.Pipelines.Replace(ctx, "deals", "default", hubspot.PipelineInput{Label: "P", Stages: many})
			return err
		}, "at most 100"},
		{"duplicate stage labels", func() error {
			_, err := c.Pipelines.Create(ctx, "deals", hubspot.PipelineInput{Label: "P", Stages: []hubspot.StageInput{one[0], hubspot.DealStage("a", 1, 0.1)}})
			return err
		}, "same label"},
		{"empty stage label", func() error {
			_, err := c.Pipelines.CreateStage(ctx, "deals", "default", hubspot.StageInput{Metadata: hubspot.StageMetadata{}})
			return err
		}, "empty label"},
		{"nothing to update", func() error {
			_, err := c.Pipelines.Update(ctx, "deals", "default", hubspot.PipelineUpdate{})
			return err
		}, "nothing to update"},
		{"nothing to update in a stage", func() error {
			_, err := c.Pipelines.UpdateStage(ctx, "deals", "default", "closedwon", hubspot.StageUpdate{})
			return err
		}, "nothing to update"},
		{"archive without an id", func() error { return c.Pipelines.ArchiveStage(ctx, "deals", "default", "", nil) }, "stage id is empty"},
	}
	before := len(srv.Journal())
	for _, tc := range local {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v, want ErrValidation mentioning %q", err, tc.msg)
			}
		})
	}
	if n := len(srv.Journal()) - before; n != 0 {
		t.Errorf("%d calls were sent for inputs the client should refuse", n)
	}

	// Answered by HubSpot.
	remote := []struct {
		name string
		call func() error
		is   error
	}{
		{"object write is not enough", func() error {
			_, err := c.Pipelines.Create(ctx, "deals", hubspot.PipelineInput{Label: "P", Stages: one})
			return err
		}, hubspot.ErrForbidden},
		{"missing pipeline", func() error { _, err := c.Pipelines.Get(ctx, "deals", "nope"); return err }, hubspot.ErrNotFound},
		{"missing stage", func() error { _, err := c.Pipelines.Stage(ctx, "deals", "default", "nope"); return err }, hubspot.ErrNotFound},
		{"companies need their own read scope", func() error { _, err := c.Pipelines.List(ctx, "companies"); return err }, hubspot.ErrForbidden},
		{"updates need the schema scope too", func() error {
			_, err := c.Pipelines.Update(ctx, "deals", "default", hubspot.PipelineUpdate{DisplayOrder: &zero})
			return err
		}, hubspot.ErrForbidden},
	}
	for _, tc := range remote {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.is) {
				t.Errorf("error %v, want %v", err, tc.is)
			}
		})
	}
	_, err := c.Pipelines.Create(ctx, "deals", hubspot.PipelineInput{Label: "P", Stages: one})
	var he *hubspot.Error
	if !errors.As(err, &he) || !slices.Contains(he.RequiredScopes(), "crm.schemas.deals.write") {
		t.Errorf("the 403 should name crm.schemas.deals.write: %v", err)
	}

	// With the schema scope: conflicts and HubSpot's own checks.
	w, _, _ := newClient(t, srv, []string{"crm.objects.deals.read", "crm.schemas.deals.write"})
	if _, err := w.Pipelines.Create(ctx, "deals", hubspot.PipelineInput{Label: "Sales Pipeline", Stages: one}); !errors.Is(err, hubspot.ErrConflict) {
		t.Errorf("duplicate label: %v", err)
	}
	if _, err := w.Pipelines.Create(ctx, "deals", hubspot.PipelineInput{Label: "Odd", Stages: []hubspot.StageInput{{Label: "A", Metadata: hubspot.StageMetadata{"probability": "0.25"}}}}); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("probability off the grid: %v", err)
	}
	if err := w.Pipelines.Archive(ctx, "deals", "default", nil); !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("archiving the last pipeline: %v", err)
	}
}

// HubSpot documents createdAt = 0 for its default pipelines; the client
// reads the shapes that takes on the wire.
func TestPipelinesDecodeTimeShapes(t *testing.T) {
	body := `{"results":[{"id":"default","label":"Sales Pipeline","displayOrder":0,"archived":false,
		"createdAt":0,"updatedAt":"1700000000000","stages":[
		{"id":"a","label":"A","displayOrder":0,"metadata":{"probability":0.2,"isClosed":false},"createdAt":"0","updatedAt":null,"archived":false},
		{"id":"b","label":"B","displayOrder":1,"metadata":{"probability":"1.0","isClosed":"true"},"createdAt":"2019-10-30T03:30:17.883Z","updatedAt":"2019-12-07T16:50:06.678Z","archived":false}]}]}`
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	c, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic("pat-na1-test")), hubspot.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.Pipelines.List(context.Background(), "deals")
	if err != nil {
		t.Fatal(err)
	}
	p := list[0]
	if !p.CreatedAt.Equal(time.Unix(0, 0)) || !p.UpdatedAt.Equal(time.UnixMilli(1700000000000)) {
		t.Errorf("pipeline times %v %v", p.CreatedAt, p.UpdatedAt)
	}
	a, b := p.Stages[0], p.Stages[1]
	if !a.CreatedAt.Equal(time.Unix(0, 0)) || !a.UpdatedAt.IsZero() || a.Metadata["probability"] != "0.2" || a.Metadata.IsClosed() {
		t.Errorf("stage a %+v", a)
	}
	if b.CreatedAt.Format(time.RFC3339Nano) != "2019-10-30T03:30:17.883Z" || !b.Metadata.IsClosed() {
		t.Errorf("stage b %+v", b)
	}

	mu.Lock()
	body = `{"results":[{"id":"x","createdAt":"yesterday"}]}`
	mu.Unlock()
	if _, err := c.Pipelines.List(context.Background(), "deals"); err == nil || !strings.Contains(err.Error(), "decoding") {
		t.Errorf("a malformed time should fail decoding: %v", err)
	}
}

// HubSpot's default deal pipeline, as hubspottest serves it.
func ExamplePipelinesService_List() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	c, _ := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken("crm.objects.deals.read"))),
		hubspot.WithBaseURL(srv.URL()),
	)
	pipelines, err := c.Pipelines.List(context.Background(), "deals")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range pipelines {
		fmt.Println(p.ID, p.Label)
		for _, s := range p.Stages {
			prob, _ := s.Metadata.Probability()
			fmt.Printf("  %-22s %.1f closed=%t\n", s.ID, prob, s.Metadata.IsClosed())
		}
	}
	// Output:
	// default Sales Pipeline
	//   appointmentscheduled   0.2 closed=false
	//   qualifiedtobuy         0.4 closed=false
	//   presentationscheduled  0.6 closed=false
	//   decisionmakerboughtin  0.8 closed=false
	//   contractsent           0.9 closed=false
	//   closedwon              1.0 closed=true
	//   closedlost             0.0 closed=true
}

// A ticket pipeline of your own; changing pipelines needs the type's
// schema scope (tickets, for tickets).
func ExamplePipelinesService_Create() {
	var t testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	c, _ := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken("tickets"))),
		hubspot.WithBaseURL(srv.URL()),
	)
	p, err := c.Pipelines.Create(context.Background(), "tickets", hubspot.PipelineInput{
		Label: "Escalations",
		Stages: []hubspot.StageInput{
			hubspot.TicketStage("Triage", 0, hubspot.TicketOpen),
			hubspot.TicketStage("Resolved", 1, hubspot.TicketClosed),
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range p.Stages {
		fmt.Println(p.Label, s.Label, s.Metadata.TicketState())
	}
	// Output:
	// Escalations Triage OPEN
	// Escalations Resolved CLOSED
}
