package hubspottest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

// searchIDs runs a search and returns the "name" of each result, the
// total and the whole body.
func searchNames(t *testing.T, srv *hubspottest.Server, tok, objectType string, body any) ([]string, int, map[string]any) {
	t.Helper()
	r := call(t, srv, tok, "POST", "/crm/v3/objects/"+objectType+"/search", body)
	wantStatus(t, r, 200)
	b := r.json(t)
	var names []string
	for _, o := range b["results"].([]any) {
		names = append(names, str(props(t, o.(map[string]any))["name"]))
	}
	return names, int(b["total"].(float64)), b
}

func f(prop, op string, value any) map[string]any {
	return map[string]any{"propertyName": prop, "operator": op, "value": value}
}

func TestSearchOperators(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithProperties("products", "color", "sku", "launched"))
	tok := srv.NewToken(hubspottest.AllScopes...)
	srv.Seed("products",
		map[string]string{"name": "alpha", "price": "10", "color": "Red", "sku": "A-1", "description": "small red widget", "launched": "2024-01-15T00:00:00Z"},
		map[string]string{"name": "beta", "price": "9.5", "color": "blue", "sku": "B-2", "description": "big blue gadget", "launched": "2024-03-01T12:00:00Z"},
		map[string]string{"name": "gamma", "price": "100", "color": "green", "description": "mail me at sales@gamma.test"},
		map[string]string{"name": "delta", "price": "-3", "launched": "1700000000000"},
	)
	tests := []struct {
		name    string
		filters []map[string]any
		want    []string
	}{
		{"EQ string ignores case", []map[string]any{f("color", "EQ", "red")}, []string{"alpha"}},
		{"EQ number", []map[string]any{f("price", "EQ", 9.5)}, []string{"beta"}},
		{"EQ number as text", []map[string]any{f("price", "EQ", "10.0")}, []string{"alpha"}},
		{"NEQ includes missing", []map[string]any{f("color", "NEQ", "red")}, []string{"beta", "gamma", "delta"}},
		{"LT numeric not lexical", []map[string]any{f("price", "LT", 10)}, []string{"beta", "delta"}},
		{"LTE", []map[string]any{f("price", "LTE", "10")}, []string{"alpha", "beta", "delta"}},
		{"GT", []map[string]any{f("price", "GT", 10)}, []string{"gamma"}},
		{"GTE", []map[string]any{f("price", "GTE", 10)}, []string{"alpha", "gamma"}},
		{"BETWEEN inclusive", []map[string]any{{"propertyName": "price", "operator": "BETWEEN", "value": "9.5", "highValue": "10"}}, []string{"alpha", "beta"}},
		{"BETWEEN dates epoch ms vs ISO", []map[string]any{{"propertyName": "launched", "operator": "BETWEEN", "value": "1704067200000", "highValue": "2024-02-01T00:00:00Z"}}, []string{"alpha"}},
		{"GT date mixed forms", []map[string]any{f("launched", "GT", "2023-12-01")}, []string{"alpha", "beta"}},
		{"IN", []map[string]any{{"propertyName": "color", "operator": "IN", "values": []any{"blue", "green", "purple"}}}, []string{"beta", "gamma"}},
		{"NOT_IN includes missing", []map[string]any{{"propertyName": "color", "operator": "NOT_IN", "values": []any{"blue", "green"}}}, []string{"alpha", "delta"}},
		{"HAS_PROPERTY", []map[string]any{{"propertyName": "sku", "operator": "HAS_PROPERTY"}}, []string{"alpha", "beta"}},
		{"NOT_HAS_PROPERTY", []map[string]any{{"propertyName": "sku", "operator": "NOT_HAS_PROPERTY"}}, []string{"gamma", "delta"}},
		{"CONTAINS_TOKEN word", []map[string]any{f("description", "CONTAINS_TOKEN", "RED")}, []string{"alpha"}},
		{"CONTAINS_TOKEN no partial word", []map[string]any{f("description", "CONTAINS_TOKEN", "widg")}, nil},
		{"CONTAINS_TOKEN wildcard", []map[string]any{f("description", "CONTAINS_TOKEN", "*@gamma.test")}, []string{"gamma"}},
		{"CONTAINS_TOKEN prefix wildcard", []map[string]any{f("description", "CONTAINS_TOKEN", "gad*")}, []string{"beta"}},
		{"NOT_CONTAINS_TOKEN", []map[string]any{f("description", "NOT_CONTAINS_TOKEN", "blue")}, []string{"alpha", "gamma", "delta"}},
		{"AND within group", []map[string]any{f("price", "GT", 0), f("color", "NEQ", "blue")}, []string{"alpha", "gamma"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			names, total, _ := searchNames(t, srv, tok, "products", map[string]any{
				"filterGroups": []any{map[string]any{"filters": tc.filters}},
				"properties":   []string{"name"},
			})
			if !slices.Equal(names, tc.want) || total != len(tc.want) {
				t.Fatalf("got %v (total %d), want %v", names, total, tc.want)
			}
		})
	}

	t.Run("OR across groups", func(t *testing.T) {
		names, _, _ := searchNames(t, srv, tok, "products", map[string]any{
			"filterGroups": []any{
				map[string]any{"filters": []any{f("name", "EQ", "delta")}},
				map[string]any{"filters": []any{f("color", "EQ", "blue")}},
			},
			"properties": []string{"name"},
		})
		if !slices.Equal(names, []string{"beta", "delta"}) {
			t.Fatal(names)
		}
	})
	t.Run("query", func(t *testing.T) {
		names, _, _ := searchNames(t, srv, tok, "products", map[string]any{"query": "BLUE gad", "properties": []string{"name"}})
		if !slices.Equal(names, []string{"beta"}) {
			t.Fatal(names)
		}
	})
	t.Run("sorts", func(t *testing.T) {
		names, _, _ := searchNames(t, srv, tok, "products", map[string]any{"sorts": []any{map[string]any{"propertyName": "price", "direction": "DESCENDING"}}, "properties": []string{"name"}})
		if !slices.Equal(names, []string{"gamma", "alpha", "beta", "delta"}) {
			t.Fatal(names)
		}
		names, _, _ = searchNames(t, srv, tok, "products", map[string]any{"sorts": []any{"sku"}, "properties": []string{"name"}})
		if !slices.Equal(names, []string{"alpha", "beta", "gamma", "delta"}) {
			t.Fatalf("missing values last, then by id: %v", names)
		}
		names, _, _ = searchNames(t, srv, tok, "products", map[string]any{"sorts": []any{"-name"}, "properties": []string{"name"}})
		if !slices.Equal(names, []string{"gamma", "delta", "beta", "alpha"}) {
			t.Fatal(names)
		}
	})
	t.Run("default properties and empty body", func(t *testing.T) {
		r := call(t, srv, tok, "POST", "/crm/v3/objects/products/search", "")
		wantStatus(t, r, 200)
		b := r.json(t)
		p := props(t, b["results"].([]any)[0].(map[string]any))
		if _, ok := p["price"]; !ok || p["color"] != nil || b["total"].(float64) != 4 {
			t.Fatalf("props %v", p)
		}
	})
}

func TestSearchPagingAndCeiling(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	n := hubspottest.MaxSearchResults + 50
	seed := make([]map[string]string, n)
	for i := range seed {
		seed[i] = map[string]string{"name": fmt.Sprintf("c%05d", i)}
	}
	srv.Seed("companies", seed...)

	after := ""
	seen := 0
	var lastErr resp
	for {
		body := map[string]any{"limit": 200, "properties": []string{"name"}}
		if after != "" {
			body["after"] = after
		}
		r := call(t, srv, tok, "POST", "/crm/v3/objects/companies/search", body)
		if r.status != 200 {
			lastErr = r
			break
		}
		b := r.json(t)
		if int(b["total"].(float64)) != n {
			t.Fatalf("total %v", b["total"])
		}
		for _, o := range b["results"].([]any) {
			if got, want := str(props(t, o.(map[string]any))["name"]), fmt.Sprintf("c%05d", seen); got != want {
				t.Fatalf("result %d is %s", seen, got)
			}
			seen++
		}
		p, ok := b["paging"].(map[string]any)
		if !ok {
			break
		}
		after = str(p["next"].(map[string]any)["after"])
	}
	if seen != hubspottest.MaxSearchResults {
		t.Fatalf("saw %d results", seen)
	}
	// Like HubSpot, the last page still offers a cursor, which then fails.
	if lastErr.status != 400 || !strings.Contains(str(lastErr.json(t)["message"]), "10000") {
		t.Fatalf("past the ceiling: %d %s", lastErr.status, lastErr.body)
	}
}

func TestSearchLimits(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	group := func(n int) map[string]any {
		fs := make([]any, n)
		for i := range fs {
			fs[i] = f("name", "EQ", "x")
		}
		return map[string]any{"filters": fs}
	}
	groups := func(sizes ...int) []any {
		var out []any
		for _, n := range sizes {
			out = append(out, group(n))
		}
		return out
	}
	tests := []struct {
		name string
		body any
		ok   bool
	}{
		{"limit 200", map[string]any{"limit": 200}, true},
		{"limit 201", map[string]any{"limit": 201}, false},
		{"limit -1", map[string]any{"limit": -1}, false},
		{"5 groups", map[string]any{"filterGroups": groups(1, 1, 1, 1, 1)}, true},
		{"6 groups", map[string]any{"filterGroups": groups(1, 1, 1, 1, 1, 1)}, false},
		{"10 per group", map[string]any{"filterGroups": groups(10)}, true},
		{"11 per group", map[string]any{"filterGroups": groups(11)}, false},
		{"25 total", map[string]any{"filterGroups": groups(5, 5, 5, 5, 5)}, true},
		{"26 total", map[string]any{"filterGroups": groups(10, 10, 6)}, false},
		{"3000 chars", map[string]any{"query": strings.Repeat("é", 3000-len(`{"query":""}`))}, true},
		{"3001 chars", map[string]any{"query": strings.Repeat("é", 3001-len(`{"query":""}`))}, false},
		{"after 9999", map[string]any{"after": "9999"}, true},
		{"after 10000", map[string]any{"after": "10000"}, false},
		{"after numeric", map[string]any{"after": 5}, true},
		{"after junk", map[string]any{"after": "x"}, false},
		{"bad operator", map[string]any{"filterGroups": []any{map[string]any{"filters": []any{f("a", "LIKE", "x")}}}}, false},
		{"EQ without value", map[string]any{"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "a", "operator": "EQ"}}}}}, false},
		{"IN without values", map[string]any{"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "a", "operator": "IN"}}}}}, false},
		{"BETWEEN without high", map[string]any{"filterGroups": []any{map[string]any{"filters": []any{f("a", "BETWEEN", 1)}}}}, false},
		{"no propertyName", map[string]any{"filterGroups": []any{map[string]any{"filters": []any{f("", "EQ", 1)}}}}, false},
		{"bad direction", map[string]any{"sorts": []any{map[string]any{"propertyName": "a", "direction": "UP"}}}, false},
		{"bad json", `{"limit":`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts/search", tc.body)
			if tc.ok {
				wantStatus(t, r, 200)
				return
			}
			wantStatus(t, r, 400)
			if b := r.json(t); b["category"] != "VALIDATION_ERROR" || str(b["message"]) == "" {
				t.Fatalf("body %s", r.body)
			}
		})
	}
}

func TestSearchSkipsArchived(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithProperties("deals", "name"))
	tok := srv.NewToken(hubspottest.AllScopes...)
	objs := srv.Seed("deals", map[string]string{"name": "a"}, map[string]string{"name": "b"})
	wantStatus(t, call(t, srv, tok, "DELETE", "/crm/v3/objects/deals/"+objs[0].ID, nil), 204)
	names, total, _ := searchNames(t, srv, tok, "deals", map[string]any{"properties": []string{"name"}})
	if total != 1 || !slices.Equal(names, []string{"b"}) {
		t.Fatal(names)
	}
}
