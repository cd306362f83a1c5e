package hubspottest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func stagesOf(t *testing.T, p map[string]any) []map[string]any {
	t.Helper()
	raw, ok := p["stages"].([]any)
	if !ok {
		t.Fatalf("no stages in %v", p)
	}
	out := make([]map[string]any, len(raw))
	for i, s := range raw {
		out[i] = s.(map[string]any)
	}
	return out
}

func TestDefaultPipelines(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken("crm.objects.deals.read", "tickets")
	tests := []struct {
		path, id, label string
		stages          []string
		firstMeta       map[string]any
		lastMeta        map[string]any
	}{
		{"deals", "default", "Sales Pipeline",
			[]string{"appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"},
			map[string]any{"isClosed": "false", "probability": "0.2"}, map[string]any{"isClosed": "true", "probability": "0.0"}},
		{"0-3", "default", "Sales Pipeline", nil, nil, nil},
		{"tickets", "0", "Support Pipeline", []string{"1", "2", "3", "4"},
			map[string]any{"ticketState": "OPEN"}, map[string]any{"ticketState": "CLOSED"}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			r := call(t, srv, tok, "GET", "/crm/v3/pipelines/"+tc.path, nil)
			wantStatus(t, r, 200)
			list := results(t, r.json(t))
			if len(list) != 1 || list[0]["id"] != tc.id || list[0]["label"] != tc.label || list[0]["archived"] != false {
				t.Fatalf("pipelines %s", r.body)
			}
			if list[0]["createdAt"] != "1970-01-01T00:00:00.000Z" {
				t.Errorf("default pipeline createdAt %v, want the epoch", list[0]["createdAt"])
			}
			if tc.stages == nil {
				return
			}
			st := stagesOf(t, list[0])
			var ids []string
			for i, s := range st {
				ids = append(ids, str(s["id"]))
				if s["displayOrder"] != float64(i) || s["writePermissions"] != "CRM_PERMISSIONS_ENFORCEMENT" {
					t.Errorf("stage %v", s)
				}
			}
			if fmt.Sprint(ids) != fmt.Sprint(tc.stages) {
				t.Errorf("stages %v, want %v", ids, tc.stages)
			}
			if fmt.Sprint(st[0]["metadata"]) != fmt.Sprint(tc.firstMeta) || fmt.Sprint(st[len(st)-1]["metadata"]) != fmt.Sprint(tc.lastMeta) {
				t.Errorf("metadata %v ... %v", st[0]["metadata"], st[len(st)-1]["metadata"])
			}
			one := call(t, srv, tok, "GET", "/crm/v3/pipelines/"+tc.path+"/"+tc.id+"/stages/"+tc.stages[1], nil)
			wantStatus(t, one, 200)
			if one.json(t)["id"] != tc.stages[1] {
				t.Errorf("stage %s", one.body)
			}
		})
	}
}

func TestPipelineScopesAndRoutes(t *testing.T) {
	srv := hubspottest.NewServer(t)
	read := srv.NewToken("crm.objects.deals.read")
	objWrite := srv.NewToken("crm.objects.deals.read", "crm.objects.deals.write")
	body := map[string]any{"label": "X", "displayOrder": 1, "stages": []any{map[string]any{"label": "A", "displayOrder": 0, "metadata": map[string]any{"probability": "0.5"}}}}
	tests := []struct {
		name, tok, method, path string
		body                    any
		status                  int
		needs                   string
	}{
		{"read with the read scope", read, "GET", "/crm/v3/pipelines/deals", nil, 200, ""},
		{"tickets need tickets", read, "GET", "/crm/v3/pipelines/tickets", nil, 403, "tickets"},
		{"object write is not enough to create", objWrite, "POST", "/crm/v3/pipelines/deals", body, 403, "crm.schemas.deals.write"},
		{"nor to archive a stage", objWrite, "DELETE", "/crm/v3/pipelines/deals/default/stages/closedlost", nil, 403, "crm.schemas.deals.write"},
		{"contacts have no pipelines", srv.NewToken("crm.objects.contacts.read"), "GET", "/crm/v3/pipelines/contacts", nil, 400, ""},
		{"unknown type", read, "GET", "/crm/v3/pipelines/widgets", nil, 400, ""},
		{"method", read, "POST", "/crm/v3/pipelines/deals/default/stages/closedwon", body, 405, ""},
		{"unknown sub-path", read, "GET", "/crm/v3/pipelines/deals/default/history", nil, 404, ""},
		{"missing pipeline", read, "GET", "/crm/v3/pipelines/deals/nope", nil, 404, ""},
		{"missing stage", read, "GET", "/crm/v3/pipelines/deals/default/stages/nope", nil, 404, ""},
		{"no token", "", "GET", "/crm/v3/pipelines/deals", nil, 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, srv, tc.tok, tc.method, tc.path, tc.body)
			wantStatus(t, r, tc.status)
			if tc.needs != "" && !strings.Contains(string(r.body), tc.needs) {
				t.Errorf("403 body should name %s: %s", tc.needs, r.body)
			}
		})
	}
}

func TestPipelineValidation(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	stage := func(label string, meta map[string]any) map[string]any {
		return map[string]any{"label": label, "displayOrder": 0, "metadata": meta}
	}
	pl := func(label string, stages ...any) map[string]any {
		return map[string]any{"label": label, "displayOrder": 0, "stages": stages}
	}
	tests := []struct {
		name, path string
		body       any
		status     int
		msg        string
	}{
		{"no label", "deals", map[string]any{"displayOrder": 0, "stages": []any{stage("A", map[string]any{"probability": 0.1})}}, 400, "[label]"},
		{"no stages field", "deals", map[string]any{"label": "P", "displayOrder": 0}, 400, "[stages]"},
		{"empty stages", "deals", pl("P"), 400, "stages"},
		{"no displayOrder", "deals", map[string]any{"label": "P", "stages": []any{}}, 400, "displayOrder"},
		{"deal stage without probability", "deals", pl("P", stage("A", map[string]any{})), 400, "probability"},
		{"probability above 1", "deals", pl("P", stage("A", map[string]any{"probability": 1.5})), 400, "probability"},
		{"probability off the 0.1 grid", "deals", pl("P", stage("A", map[string]any{"probability": "0.25"})), 400, "increments"},
		{"isClosed not a bool", "deals", pl("P", stage("A", map[string]any{"probability": "0.1", "isClosed": "maybe"})), 400, "isClosed"},
		{"stage without metadata", "deals", pl("P", map[string]any{"label": "A", "displayOrder": 0}), 400, "metadata"},
		{"bad ticket state", "tickets", pl("P", stage("A", map[string]any{"ticketState": "PENDING"})), 400, "ticketState"},
		{"duplicate stage labels", "tickets", pl("P", stage("A", map[string]any{}), stage("a", map[string]any{})), 400, "same label"},
		{"duplicate pipeline label", "deals", pl("sales pipeline", stage("A", map[string]any{"probability": 0})), 409, "already exists"},
		{"not JSON", "deals", "{", 400, "Invalid input JSON"},
		{"ok deal", "deals", pl("New", stage("A", map[string]any{"probability": 0.5})), 201, ""},
		{"ok ticket, state defaults to OPEN", "tickets", pl("Escalations", stage("A", map[string]any{})), 201, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, srv, tok, "POST", "/crm/v3/pipelines/"+tc.path, tc.body)
			wantStatus(t, r, tc.status)
			if tc.msg != "" && !strings.Contains(string(r.body), tc.msg) {
				t.Errorf("body should mention %q: %s", tc.msg, r.body)
			}
		})
	}
	many := make([]any, 101)
	for i := range many {
		many[i] = stage(fmt.Sprint("S", i), map[string]any{})
	}
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/pipelines/tickets", pl("Big", many...)), 400)

	list := results(t, call(t, srv, tok, "GET", "/crm/v3/pipelines/tickets", nil).json(t))
	if len(list) != 2 {
		t.Fatalf("%d ticket pipelines", len(list))
	}
	if list[0]["label"] != "Escalations" {
		t.Fatalf("pipelines of equal display order should sort by label: %v", list)
	}
	st := stagesOf(t, list[0])
	if md := st[0]["metadata"].(map[string]any); md["ticketState"] != "OPEN" {
		t.Errorf("ticket stage metadata %v", md)
	}
	deals := results(t, call(t, srv, tok, "GET", "/crm/v3/pipelines/deals", nil).json(t))
	if deals[0]["label"] != "New" {
		t.Fatalf("pipelines of equal display order should sort by label: %v", deals)
	}
	if md := stagesOf(t, deals[0])[0]["metadata"].(map[string]any); md["probability"] != "0.5" || md["isClosed"] != "false" {
		t.Errorf("deal stage metadata %v: numbers become strings, isClosed defaults to false", md)
	}
}

func TestPipelineLifecycle(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	base := "/crm/v3/pipelines/deals"
	r := call(t, srv, tok, "POST", base, map[string]any{"label": "Renewals", "displayOrder": 2, "stages": []any{
		map[string]any{"label": "Open", "displayOrder": 1, "metadata": map[string]any{"probability": "0.3"}},
		map[string]any{"label": "Won", "displayOrder": 0, "metadata": map[string]any{"probability": "1.0", "isClosed": true}},
	}})
	wantStatus(t, r, 201)
	p := r.json(t)
	pid := str(p["id"])
	st := stagesOf(t, p)
	if st[0]["label"] != "Won" || st[1]["label"] != "Open" {
		t.Fatalf("stages should be in display order: %v", st)
	}
	won, open := str(st[0]["id"]), str(st[1]["id"])

	// Listed after the default pipeline (display order 0).
	list := results(t, call(t, srv, tok, "GET", base, nil).json(t))
	if len(list) != 2 || list[0]["id"] != "default" || list[1]["id"] != pid {
		t.Fatalf("list %v", list)
	}

	// PATCH: label and order; archived only to restore.
	r = call(t, srv, tok, "PATCH", base+"/"+pid, map[string]any{"label": "Renewals 2026", "displayOrder": -1})
	wantStatus(t, r, 200)
	if r.json(t)["label"] != "Renewals 2026" {
		t.Errorf("patched %s", r.body)
	}
	if l := results(t, call(t, srv, tok, "GET", base, nil).json(t)); l[0]["id"] != pid {
		t.Errorf("display order -1 should come first: %v", l[0]["id"])
	}
	wantStatus(t, call(t, srv, tok, "PATCH", base+"/"+pid, map[string]any{"archived": true}), 400)
	wantStatus(t, call(t, srv, tok, "PATCH", base+"/"+pid, map[string]any{"label": "sales PIPELINE"}), 409)

	// Stages.
	r = call(t, srv, tok, "POST", base+"/"+pid+"/stages", map[string]any{"label": "Lost", "displayOrder": 5, "metadata": map[string]any{"probability": 0, "isClosed": "true"}})
	wantStatus(t, r, 201)
	lost := str(r.json(t)["id"])
	wantStatus(t, call(t, srv, tok, "POST", base+"/"+pid+"/stages", map[string]any{"label": "lost", "displayOrder": 6, "metadata": map[string]any{"probability": 0}}), 409)
	r = call(t, srv, tok, "PATCH", base+"/"+pid+"/stages/"+open, map[string]any{"metadata": map[string]any{"probability": 0.4}})
	wantStatus(t, r, 200)
	if md := r.json(t)["metadata"].(map[string]any); md["probability"] != "0.4" || md["isClosed"] != "false" {
		t.Errorf("PATCH metadata should keep other keys: %v", md)
	}
	r = call(t, srv, tok, "PUT", base+"/"+pid+"/stages/"+open, map[string]any{"label": "Negotiation", "displayOrder": 1, "metadata": map[string]any{"probability": 0.6}})
	wantStatus(t, r, 200)
	if r.json(t)["label"] != "Negotiation" {
		t.Errorf("replaced stage %s", r.body)
	}
	wantStatus(t, call(t, srv, tok, "PUT", base+"/"+pid+"/stages/"+open, map[string]any{"label": "Won", "displayOrder": 1, "metadata": map[string]any{"probability": 0.6}}), 409)
	wantStatus(t, call(t, srv, tok, "GET", base+"/"+pid+"/stages", nil), 200)

	// A stage PATCH needs metadata, and a deal stage's needs its
	// probability, as HubSpot's spec says.
	wantStatus(t, call(t, srv, tok, "PATCH", base+"/"+pid+"/stages/"+open, map[string]any{"label": "Renamed"}), 400)
	wantStatus(t, call(t, srv, tok, "PATCH", base+"/"+pid+"/stages/"+open, map[string]any{"label": "Renamed", "metadata": map[string]any{"isClosed": false}}), 400)

	// A stage records are in is refused only when asked to validate with
	// validateReferencesBeforeDelete: the stage DELETE does not take
	// validateDealStageUsagesBeforeDelete, which only the pipeline DELETE
	// declares, and deletes the stage.
	srv.Seed("deals", map[string]string{"dealname": "D", "pipeline": pid, "dealstage": lost})
	r = call(t, srv, tok, "DELETE", base+"/"+pid+"/stages/"+lost+"?validateReferencesBeforeDelete=true", nil)
	wantStatus(t, r, 400)
	if !strings.Contains(string(r.body), "in use by 1 deals") {
		t.Errorf("refusal %s", r.body)
	}
	wantStatus(t, call(t, srv, tok, "DELETE", base+"/"+pid+"/stages/"+lost+"?validateReferencesBeforeDelete=yes", nil), 400)
	wantStatus(t, call(t, srv, tok, "DELETE", base+"/"+pid+"/stages/"+lost+"?validateDealStageUsagesBeforeDelete=true", nil), 204)
	wantStatus(t, call(t, srv, tok, "GET", base+"/"+pid+"/stages/"+lost, nil), 404)
	wantStatus(t, call(t, srv, tok, "PATCH", base+"/"+pid+"/stages/"+lost, map[string]any{"archived": false}), 400)
	r = call(t, srv, tok, "PATCH", base+"/"+pid+"/stages/"+lost, map[string]any{"archived": false, "metadata": map[string]any{"probability": "0.0"}})
	wantStatus(t, r, 200)
	if r.json(t)["archived"] != false {
		t.Errorf("restored stage %s", r.body)
	}

	// PUT replaces the stages: old IDs are gone.
	r = call(t, srv, tok, "PUT", base+"/"+pid, map[string]any{"label": "Renewals", "displayOrder": 3, "stages": []any{
		map[string]any{"label": "Only", "displayOrder": 0, "metadata": map[string]any{"probability": 0.5}},
	}})
	wantStatus(t, r, 200)
	st = stagesOf(t, r.json(t))
	if len(st) != 1 || st[0]["id"] == won {
		t.Fatalf("replaced stages %v", st)
	}
	wantStatus(t, call(t, srv, tok, "GET", base+"/"+pid+"/stages/"+won, nil), 404)
	wantStatus(t, call(t, srv, tok, "DELETE", base+"/"+pid+"/stages/"+str(st[0]["id"]), nil), 400) // the last stage

	// Archive the pipeline; the deal in it blocks a validated archive.
	wantStatus(t, call(t, srv, tok, "DELETE", base+"/"+pid+"?validateReferencesBeforeDelete=true", nil), 400)
	wantStatus(t, call(t, srv, tok, "DELETE", base+"/"+pid, nil), 204)
	wantStatus(t, call(t, srv, tok, "GET", base+"/"+pid, nil), 404)
	wantStatus(t, call(t, srv, tok, "PATCH", base+"/"+pid, map[string]any{"label": "x"}), 404)
	if l := results(t, call(t, srv, tok, "GET", base, nil).json(t)); len(l) != 1 {
		t.Errorf("archived pipeline listed: %v", l)
	}
	wantStatus(t, call(t, srv, tok, "DELETE", base+"/default", nil), 400) // the last pipeline
	r = call(t, srv, tok, "PATCH", base+"/"+pid, map[string]any{"archived": false})
	wantStatus(t, r, 200)
	if p := r.json(t); p["archived"] != false || p["archivedAt"] != nil {
		t.Errorf("restored %s", r.body)
	}
	// Deals without a pipeline are in the default one.
	srv.Seed("deals", map[string]string{"dealname": "no pipeline"})
	wantStatus(t, call(t, srv, tok, "DELETE", base+"/default?validateDealStageUsagesBeforeDelete=true", nil), 400)
}

// The audit calls list a pipeline's and a stage's changes, newest first,
// archived ones included.
func TestPipelineAudit(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	tok := srv.NewToken(hubspottest.AllScopes...)
	base := "/crm/v3/pipelines/tickets"
	r := call(t, srv, tok, "POST", base, map[string]any{"label": "Escalations", "displayOrder": 2, "stages": []any{
		map[string]any{"label": "Open", "displayOrder": 0, "metadata": map[string]any{"ticketState": "OPEN"}},
		map[string]any{"label": "Done", "displayOrder": 1, "metadata": map[string]any{"ticketState": "CLOSED"}},
	}})
	wantStatus(t, r, 201)
	p := r.json(t)
	pid := str(p["id"])
	sid := str(stagesOf(t, p)[1]["id"])
	clk.Advance(time.Minute)
	wantStatus(t, call(t, srv, tok, "PATCH", base+"/"+pid, map[string]any{"label": "Escalated"}), 200)
	wantStatus(t, call(t, srv, tok, "PATCH", base+"/"+pid+"/stages/"+sid, map[string]any{"label": "Closed", "metadata": map[string]any{}}), 200)
	clk.Advance(time.Minute)
	wantStatus(t, call(t, srv, tok, "DELETE", base+"/"+pid+"/stages/"+sid, nil), 204)

	actions := func(path string) ([]string, []any) {
		t.Helper()
		r := call(t, srv, tok, "GET", path, nil)
		wantStatus(t, r, 200)
		var out []string
		res := r.json(t)["results"].([]any)
		for _, e := range res {
			m := e.(map[string]any)
			if m["portalId"] != float64(srv.Account().PortalID) || str(m["timestamp"]) == "" || m["rawObject"] == nil {
				t.Errorf("audit entry %v", m)
			}
			out = append(out, str(m["action"]))
		}
		return out, res
	}
	if got, res := actions(base + "/" + pid + "/audit"); strings.Join(got, " ") != "UPDATE CREATE" ||
		res[0].(map[string]any)["rawObject"].(map[string]any)["label"] != "Escalated" {
		t.Errorf("pipeline audit %v", got)
	}
	if got, res := actions(base + "/" + pid + "/stages/" + sid + "/audit"); strings.Join(got, " ") != "DELETE UPDATE CREATE" ||
		res[0].(map[string]any)["timestamp"] != "2025-03-04T05:08:07.000Z" {
		t.Errorf("stage audit %v", got)
	}
	wantStatus(t, call(t, srv, tok, "GET", base+"/"+pid+"/stages/nope/audit", nil), 404)
	wantStatus(t, call(t, srv, tok, "GET", base+"/nope/audit", nil), 404)
	if got, _ := actions(base + "/0/audit"); len(got) != 0 { // HubSpot's default pipeline: no changes through the API
		t.Errorf("default pipeline audit %v", got)
	}
}
