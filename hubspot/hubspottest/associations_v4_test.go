package hubspottest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

// v4Setup seeds a contact and two companies and returns their IDs with an
// all-scopes token.
func v4Setup(t *testing.T) (*hubspottest.Server, string, string, []string) {
	t.Helper()
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	contact := srv.Seed("contacts", map[string]string{"email": "a@example.com"})[0].ID
	var companies []string
	for _, o := range srv.Seed("companies", map[string]string{"name": "one"}, map[string]string{"name": "two"}) {
		companies = append(companies, o.ID)
	}
	return srv, tok, contact, companies
}

func TestV4CreateAndListShapes(t *testing.T) {
	srv, tok, contact, companies := v4Setup(t)

	r := call(t, srv, tok, "PUT", "/crm/v4/objects/contacts/"+contact+"/associations/companies/"+companies[0],
		`[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]`)
	wantStatus(t, r, http.StatusCreated)
	var pair struct {
		FromObjectTypeID string   `json:"fromObjectTypeId"`
		FromObjectID     any      `json:"fromObjectId"`
		ToObjectTypeID   string   `json:"toObjectTypeId"`
		ToObjectID       any      `json:"toObjectId"`
		Labels           []string `json:"labels"`
	}
	dec := json.NewDecoder(strings.NewReader(string(r.body)))
	dec.UseNumber()
	if err := dec.Decode(&pair); err != nil {
		t.Fatal(err)
	}
	if pair.FromObjectTypeID != "0-1" || pair.ToObjectTypeID != "0-2" || fmt.Sprint(pair.FromObjectID) != contact ||
		!slices.Equal(pair.Labels, []string{"Primary"}) {
		t.Fatalf("labeled create answered %s", r.body)
	}
	if _, isNumber := pair.ToObjectID.(json.Number); !isNumber {
		t.Fatalf("toObjectId is not a JSON number, as HubSpot sends it: %s", r.body)
	}

	r = call(t, srv, tok, "PUT", "/crm/v4/objects/contact/"+contact+"/associations/default/company/"+companies[1], nil)
	wantStatus(t, r, http.StatusOK)
	b := r.json(t)
	if b["status"] != "COMPLETE" || len(results(t, b)) != 2 {
		t.Fatalf("default create answered %s", r.body)
	}
	spec := results(t, b)[0]["associationSpec"].(map[string]any)
	if spec["associationCategory"] != "HUBSPOT_DEFINED" || spec["associationTypeId"] != float64(279) {
		t.Fatalf("default association spec %v", spec)
	}

	r = call(t, srv, tok, "GET", "/crm/v4/objects/contacts/"+contact+"/associations/companies", nil)
	wantStatus(t, r, http.StatusOK)
	list := results(t, r.json(t))
	if len(list) != 2 {
		t.Fatalf("list %s", r.body)
	}
	types := list[0]["associationTypes"].([]any)
	first, second := types[0].(map[string]any), types[1].(map[string]any)
	if first["typeId"] != float64(279) || first["label"] != nil || second["typeId"] != float64(1) || second["label"] != "Primary" {
		t.Fatalf("types %v: the unlabeled type has a null label, the primary one is labeled", types)
	}
	if !strings.Contains(string(r.body), `"label":null`) {
		t.Fatalf("an unlabeled type's label is not null: %s", r.body)
	}

	// The v3 object read sees the links.
	r = call(t, srv, tok, "GET", "/crm/v3/objects/contacts/"+contact+"?associations=companies", nil)
	wantStatus(t, r, http.StatusOK)
	assoc := r.json(t)["associations"].(map[string]any)["companies"].(map[string]any)["results"].([]any)
	var ids []string
	for _, a := range assoc {
		if id := str(a.(map[string]any)["id"]); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if !slices.Equal(ids, companies) {
		t.Fatalf("v3 read shows %v, want %v", ids, companies)
	}

	wantStatus(t, call(t, srv, tok, "DELETE", "/crm/v4/objects/contacts/"+contact+"/associations/companies/"+companies[0], nil), http.StatusNoContent)
	r = call(t, srv, tok, "GET", "/crm/v4/objects/companies/"+companies[0]+"/associations/contacts", nil)
	if len(results(t, r.json(t))) != 0 {
		t.Fatalf("the reverse link survived a delete: %s", r.body)
	}
}

func TestV4ListPaging(t *testing.T) {
	srv, tok, contact, _ := v4Setup(t)
	props := make([]map[string]string, 12)
	for i := range props {
		props[i] = map[string]string{"name": fmt.Sprint(i)}
	}
	for _, o := range srv.Seed("companies", props...) {
		srv.Associate("contacts", contact, "companies", o.ID)
	}
	var got int
	path := "/crm/v4/objects/contacts/" + contact + "/associations/companies?limit=5"
	pages := 0
	for {
		r := call(t, srv, tok, "GET", path, nil)
		wantStatus(t, r, http.StatusOK)
		b := r.json(t)
		got += len(results(t, b))
		pages++
		paging, ok := b["paging"].(map[string]any)
		if !ok {
			break
		}
		next := paging["next"].(map[string]any)
		path = "/crm/v4/objects/contacts/" + contact + "/associations/companies?limit=5&after=" + str(next["after"])
		if !strings.HasPrefix(str(next["link"]), srv.URL()) {
			t.Fatalf("next link %v", next["link"])
		}
	}
	if got != 12 || pages != 3 {
		t.Fatalf("%d records in %d pages", got, pages)
	}
	for _, q := range []string{"limit=0", "limit=x", "after=-1", "after=abc"} {
		r := call(t, srv, tok, "GET", "/crm/v4/objects/contacts/"+contact+"/associations/companies?"+q, nil)
		wantStatus(t, r, http.StatusBadRequest)
	}
}

func TestV4BatchLimits(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	tests := []struct {
		op    string
		limit int
		input func(i int) map[string]any
	}{
		{"read", hubspottest.MaxAssociationBatchRead, func(i int) map[string]any { return map[string]any{"id": fmt.Sprint(i + 1)} }},
		{"create", hubspottest.MaxAssociationBatchCreate, func(i int) map[string]any {
			return map[string]any{"from": map[string]any{"id": "1"}, "to": map[string]any{"id": fmt.Sprint(i + 2)},
				"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}}}
		}},
		{"archive", hubspottest.MaxAssociationBatchArchive, func(i int) map[string]any {
			return map[string]any{"from": map[string]any{"id": "1"}, "to": []any{map[string]any{"id": fmt.Sprint(i + 2)}}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			path := "/crm/v4/associations/contacts/companies/batch/" + tt.op
			r := call(t, srv, tok, "POST", path, map[string]any{"inputs": inputs(tt.limit+1, tt.input)})
			wantStatus(t, r, http.StatusBadRequest)
			b := r.json(t)
			if b["category"] != "VALIDATION_ERROR" || !strings.Contains(str(b["message"]), fmt.Sprint(tt.limit)) {
				t.Fatalf("over the limit: %s", r.body)
			}
			r = call(t, srv, tok, "POST", path, map[string]any{"inputs": inputs(tt.limit, tt.input)})
			if r.status == http.StatusBadRequest {
				t.Fatalf("at the limit: %s", r.body)
			}
		})
	}
}

func TestV4BatchPartialFailures(t *testing.T) {
	srv, tok, contact, companies := v4Setup(t)
	in := func(from, to string, typeID int) map[string]any {
		return map[string]any{"from": map[string]any{"id": from}, "to": map[string]any{"id": to},
			"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": typeID}}}
	}
	r := call(t, srv, tok, "POST", "/crm/v4/associations/contacts/companies/batch/create", map[string]any{"inputs": []any{
		in(contact, companies[0], 279),
		in(contact, "777", 279),
		in("888", companies[1], 279),
		in(contact, companies[1], 3),
	}})
	wantStatus(t, r, http.StatusMultiStatus)
	b := r.json(t)
	if len(results(t, b)) != 1 || b["numErrors"] != float64(3) {
		t.Fatalf("batch create: %s", r.body)
	}
	errs := batchErrors(b)
	wantCats := []string{"OBJECT_NOT_FOUND", "OBJECT_NOT_FOUND", "VALIDATION_ERROR"}
	for i, e := range errs {
		if e["category"] != wantCats[i] || str(e["message"]) == "" || len(ctxList(e, "fromObjectId")) != 1 || len(ctxList(e, "toObjectId")) != 1 {
			t.Errorf("error %d: %v", i, e)
		}
	}
	if ctxList(errs[1], "fromObjectId")[0] != "888" || errs[2]["subCategory"] != "crm.associations.INVALID_ASSOCIATION_TYPE" {
		t.Fatalf("errors %v", errs)
	}

	r = call(t, srv, tok, "POST", "/crm/v4/associations/contacts/companies/batch/read", map[string]any{"inputs": []any{
		map[string]any{"id": contact}, map[string]any{"id": "12345"}, map[string]any{"id": "x1"},
	}})
	wantStatus(t, r, http.StatusMultiStatus)
	b = r.json(t)
	res := results(t, b)
	if len(res) != 1 || res[0]["from"].(map[string]any)["id"] != contact || len(res[0]["to"].([]any)) != 1 {
		t.Fatalf("batch read: %s", r.body)
	}
	errs = batchErrors(b)
	if len(errs) != 2 || errs[0]["subCategory"] != "crm.associations.NO_ASSOCIATIONS_FOUND" || errs[0]["category"] != "OBJECT_NOT_FOUND" ||
		str(errs[0]["message"]) != "No company is associated with contact 12345." ||
		errs[1]["subCategory"] != "crm.associations.INVALID_IDENTIFIER" || ctxList(errs[1], "fromObjectId")[0] != "x1" {
		t.Fatalf("batch read errors %v", errs)
	}

	r = call(t, srv, tok, "POST", "/crm/v4/associations/contacts/companies/batch/read", map[string]any{"inputs": []any{map[string]any{"id": contact}}})
	wantStatus(t, r, http.StatusOK)

	r = call(t, srv, tok, "POST", "/crm/v4/associations/contacts/companies/batch/archive", map[string]any{"inputs": []any{
		map[string]any{"from": map[string]any{"id": contact}, "to": []any{map[string]any{"id": companies[0]}, map[string]any{"id": "999"}}},
	}})
	wantStatus(t, r, http.StatusNoContent)
	r = call(t, srv, tok, "GET", "/crm/v4/objects/contacts/"+contact+"/associations/companies", nil)
	if len(results(t, r.json(t))) != 0 {
		t.Fatalf("after archive: %s", r.body)
	}
}

func TestV4Labels(t *testing.T) {
	srv, tok, contact, companies := v4Setup(t)
	const path = "/crm/v4/associations/contacts/companies/labels"

	r := call(t, srv, tok, "GET", path, nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), `{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}`) ||
		!strings.Contains(string(r.body), `{"category":"HUBSPOT_DEFINED","typeId":1,"label":"Primary"}`) {
		t.Fatalf("labels %s", r.body)
	}

	r = call(t, srv, tok, "POST", path, map[string]any{"name": "decision_maker", "label": "Decision maker"})
	wantStatus(t, r, http.StatusOK)
	created := results(t, r.json(t))
	if len(created) != 1 || created[0]["category"] != "USER_DEFINED" || created[0]["label"] != "Decision maker" {
		t.Fatalf("created %s", r.body)
	}
	typeID := int(created[0]["typeId"].(float64))
	if typeID < 1000 {
		t.Fatalf("a user label has type ID %d, which HubSpot's own types may use", typeID)
	}

	for _, bad := range []struct {
		body   any
		status int
	}{
		{map[string]any{"name": "decision_maker", "label": "Again"}, http.StatusConflict},
		{map[string]any{"name": "9lives", "label": "x"}, http.StatusBadRequest},
		{map[string]any{"name": "ok_name", "label": " "}, http.StatusBadRequest},
		{`{"name":`, http.StatusBadRequest},
	} {
		wantStatus(t, call(t, srv, tok, "POST", path, bad.body), bad.status)
	}

	r = call(t, srv, tok, "PUT", "/crm/v4/objects/contacts/"+contact+"/associations/companies/"+companies[0],
		fmt.Sprintf(`[{"associationCategory":"USER_DEFINED","associationTypeId":%d}]`, typeID))
	wantStatus(t, r, http.StatusCreated)
	if !strings.Contains(string(r.body), `"labels":["Decision maker"]`) {
		t.Fatalf("labeled create %s", r.body)
	}
	// The reverse label got the same text (no inverse label was given).
	r = call(t, srv, tok, "GET", "/crm/v4/objects/companies/"+companies[0]+"/associations/contacts", nil)
	if !strings.Contains(string(r.body), `"label":"Decision maker"`) {
		t.Fatalf("reverse %s", r.body)
	}

	wantStatus(t, call(t, srv, tok, "PUT", path, map[string]any{"associationTypeId": typeID, "label": "Signer"}), http.StatusNoContent)
	wantStatus(t, call(t, srv, tok, "PUT", path, map[string]any{"associationTypeId": 279, "label": "x"}), http.StatusBadRequest)
	wantStatus(t, call(t, srv, tok, "PUT", path, map[string]any{"associationTypeId": 5555, "label": "x"}), http.StatusNotFound)
	wantStatus(t, call(t, srv, tok, "DELETE", fmt.Sprintf("%s/%d", path, typeID), nil), http.StatusBadRequest) // in use
	wantStatus(t, call(t, srv, tok, "DELETE", "/crm/v4/objects/contacts/"+contact+"/associations/companies/"+companies[0], nil), http.StatusNoContent)
	wantStatus(t, call(t, srv, tok, "DELETE", fmt.Sprintf("%s/%d", path, typeID), nil), http.StatusNoContent)
	wantStatus(t, call(t, srv, tok, "DELETE", fmt.Sprintf("%s/%d", path, typeID), nil), http.StatusNotFound)
	wantStatus(t, call(t, srv, tok, "DELETE", path+"/abc", nil), http.StatusBadRequest)
}

func TestV4RoutingAndScopes(t *testing.T) {
	srv, tok, contact, companies := v4Setup(t)
	reader := srv.NewToken("crm.objects.contacts.read", "crm.objects.companies.read")
	tests := []struct {
		name, token, method, path string
		body                      any
		status                    int
		category                  string
	}{
		{"unknown object type", tok, "GET", "/crm/v4/objects/widgets/1/associations/companies", nil, 400, "VALIDATION_ERROR"},
		{"unknown to type", tok, "GET", "/crm/v4/associations/contacts/widgets/labels", nil, 400, "VALIDATION_ERROR"},
		{"method not allowed", tok, "POST", "/crm/v4/objects/contacts/" + contact + "/associations/companies", nil, 405, "VALIDATION_ERROR"},
		{"unknown path", tok, "GET", "/crm/v4/associations/contacts/companies/batch/nope", nil, 404, "OBJECT_NOT_FOUND"},
		{"missing record", tok, "GET", "/crm/v4/objects/contacts/404404/associations/companies", nil, 404, "OBJECT_NOT_FOUND"},
		{"self association", tok, "PUT", "/crm/v4/objects/contacts/" + contact + "/associations/default/contacts/" + contact, nil, 400, "VALIDATION_ERROR"},
		{"empty types", tok, "PUT", "/crm/v4/objects/contacts/" + contact + "/associations/companies/" + companies[0], `[]`, 400, "VALIDATION_ERROR"},
		{"reader lists", reader, "GET", "/crm/v4/objects/contacts/" + contact + "/associations/companies", nil, 200, ""},
		{"reader cannot write", reader, "PUT", "/crm/v4/objects/contacts/" + contact + "/associations/default/companies/" + companies[0], nil, 403, "MISSING_SCOPES"},
		{"reader cannot label", reader, "POST", "/crm/v4/associations/contacts/companies/labels", `{"name":"a","label":"b"}`, 403, "MISSING_SCOPES"},
		{"reader cannot archive", reader, "POST", "/crm/v4/associations/contacts/companies/batch/archive", `{"inputs":[]}`, 403, "MISSING_SCOPES"},
		{"no token", "", "GET", "/crm/v4/associations/contacts/companies/labels", nil, 401, "INVALID_AUTHENTICATION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, srv, tt.token, tt.method, tt.path, tt.body)
			wantStatus(t, r, tt.status)
			if tt.category != "" && r.json(t)["category"] != tt.category {
				t.Fatalf("category in %s, want %s", r.body, tt.category)
			}
		})
	}
}

// The associations v4 API over plain HTTP: a labeled association and the
// list that shows it.
func Example_associationsV4() {
	srv := hubspottest.NewServer(exampleT)
	defer srv.Close()
	tok := srv.NewToken(hubspottest.AllScopes...)
	contact := srv.Seed("contacts", map[string]string{"email": "ada@example.com"})[0].ID
	company := srv.Seed("companies", map[string]string{"name": "Engines"})[0].ID

	do := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer res.Body.Close()
		var v struct {
			Labels  []string `json:"labels"`
			Results []struct {
				AssociationTypes []struct {
					TypeID int     `json:"typeId"`
					Label  *string `json:"label"`
				} `json:"associationTypes"`
			} `json:"results"`
		}
		_ = json.NewDecoder(res.Body).Decode(&v)
		if v.Labels != nil {
			return res.StatusCode, fmt.Sprint(v.Labels)
		}
		var types []string
		for _, r := range v.Results {
			for _, t := range r.AssociationTypes {
				l := "unlabeled"
				if t.Label != nil {
					l = *t.Label
				}
				types = append(types, fmt.Sprintf("%d:%s", t.TypeID, l))
			}
		}
		return res.StatusCode, strings.Join(types, " ")
	}
	fmt.Println(do("PUT", "/crm/v4/objects/contacts/"+contact+"/associations/companies/"+company,
		`[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]`))
	fmt.Println(do("GET", "/crm/v4/objects/companies/"+company+"/associations/contacts", ""))
	// Output:
	// 201 [Primary]
	// 200 280:unlabeled 2:Primary
}
