package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// fixture is a tiny spec collection in the layout of HubSpot's, written
// for this test: the files to keep and the files specgen must skip.
var fixture = map[string]string{
	// A per-object spec: the object type comes from the literal segment.
	"PublicApiSpecs/CRM/Contacts/Rollouts/424/v3/contacts.json": `{"openapi": "3.0.1", "servers": [{"url": "https://api.hubapi.com"}], "paths": {
		"/crm/v3/objects/contacts/{contactId}": {"get": {"security": [{"oauth2": ["crm.objects.contacts.read"]}, {"private_apps": ["crm.objects.contacts.read"]}]},
			"parameters": [{"name": "contactId", "in": "path"}]},
		"/crm/v3/objects/contacts/search": {"post": {"security": [{"oauth2": ["crm.objects.contacts.read"]}], "x-hubspot-rate-limit-exemptions": ["ten-secondly"],
			"parameters": [{"$ref": "#/components/parameters/Hint"}],
			"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Search"}}}},
			"responses": {"200": {"description": "Prose a generator must drop.", "content": {"application/json": {"schema": {"type": "object", "required": ["total"],
				"properties": {"total": {"type": "integer", "format": "int32", "description": "Prose."}, "results": {"type": "array", "items": {"$ref": "#/components/schemas/Search"}}}}}}},
				"default": {"$ref": "#/components/responses/Error"}}}}},
		"components": {
			"schemas": {"Search": {"type": "object", "required": ["limit"], "description": "More prose.", "additionalProperties": false,
				"properties": {"limit": {"type": "integer", "minimum": 1}, "query": {"type": "string", "pattern": ".+"}, "sort": {"type": "string", "enum": ["ASC", "DESC"], "nullable": true}}}},
			"responses": {"Error": {"content": {"application/json": {"schema": {"type": "object", "required": ["message"], "additionalProperties": {"type": "string"}}}}}},
			"parameters": {"Hint": {"name": "hint", "in": "query", "required": true, "schema": {"type": "boolean"}}}}}`,
	// A dated per-object spec: the object type comes from the folder.
	"PublicApiSpecs/CRM/Line Items/Rollouts/424/2026-03/lineItems.json": `{"openapi": "3.0.1", "paths": {
		"/crm/objects/2026-03/{objectType}/{objectId}": {"delete": {"security": [{"oauth2": ["crm.objects.line_items.write"]}, {"oauth2": ["e-commerce"]}]}}}}`,
	// A spec of every type, with a trailing slash and a global security.
	"PublicApiSpecs/CRM/Objects/Rollouts/424/2026-03/objects.json": `{"openapi": "3.0.1", "security": [{"oauth2": ["a", "b"]}], "paths": {
		"/crm/objects/2026-03/{objectType}/{objectId}/": {"delete": {}}}}`,
	"PublicApiSpecs/Auth/Oauth/Rollouts/1/v3/oauth.json": `{"openapi": "3.0.1", "paths": {"/oauth/v3/token": {"post": {"security": []}}}}`,
	"PublicApiSpecs/Webhooks/Webhooks/Rollouts/2/2025-09/webhooks.json": `{"openapi": "3.0.1", "paths": {
		"/app-webhooks/2025-09/{appId}/settings": {"get": {"security": [{"developer_hapikey": []}]}}}}`,
	// Skipped: a beta, a test environment, an API the catalogue does not
	// use, a Postman collection, and a path no row has.
	"PublicApiSpecs/CRM/Objects/Rollouts/424/2026-09-beta/objects.json": `{"openapi": "3.0.1", "paths": {
		"/crm/objects/2026-09-beta/{objectType}/{objectId}": {"get": {"security": [{"oauth2": ["beta"]}]}}}}`,
	"PublicApiSpecs/CRM/Contacts/Rollouts/107729/v3/contacts.json": `{"openapi": "3.0.1", "servers": [{"url": "https://api.example.test"}], "paths": {
		"/crm/v3/objects/contacts/{contactId}": {"get": {"security": [{"oauth2": ["qa"]}]}}}}`,
	"PublicApiSpecs/CMS/Pages/Rollouts/1/v3/pages.json":            `{"openapi": "3.0.1", "paths": {"/crm/v3/objects/contacts": {"get": {"security": [{"oauth2": ["cms"]}]}}}}`,
	"PublicApiSpecs/CRM/Objects/Rollouts/424/v3/Collection/c.json": `{"info": {}, "item": []}`,
	"PublicApiSpecs/CRM/Objects/Rollouts/424/v3/objects.json":      `{"openapi": "3.0.1", "paths": {"/crm/v3/objects/{objectType}/nope": {"get": {"security": [{"oauth2": ["x"]}]}}}}`,
}

func writeFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for p, body := range fixture {
		f := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const commit = "0123456789abcdef0123456789abcdef01234567"

func generate(t *testing.T, dir, rev, commit string) *gen {
	t.Helper()
	src, err := openSource(dir, rev, commit)
	if err != nil {
		t.Fatal(err)
	}
	files, err := src.files()
	if err != nil {
		t.Fatal(err)
	}
	g := newGen(endpoints.All())
	for _, f := range files {
		if err := g.addFile(f.path, f.data); err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
	}
	return g
}

type want struct {
	key     entryKey
	scopes  []string
	schemes []string
	exempt  []string
}

var wantEntries = []want{
	{entryKey{"GET", "/crm/v3/objects/{objectType}/{objectId}", endpoints.Numbered, "contacts", "PublicApiSpecs/CRM/Contacts/Rollouts/424/v3"},
		[]string{"crm.objects.contacts.read"}, []string{"oauth2", "private_apps"}, []string{}},
	{entryKey{"POST", "/crm/v3/objects/{objectType}/search", endpoints.Numbered, "contacts", "PublicApiSpecs/CRM/Contacts/Rollouts/424/v3"},
		[]string{"crm.objects.contacts.read"}, []string{"oauth2"}, []string{"ten-secondly"}},
	{entryKey{"DELETE", "/crm/objects/{version}/{objectType}/{objectId}", endpoints.Version202603, "line_items", "PublicApiSpecs/CRM/Line Items/Rollouts/424/2026-03"},
		[]string{"crm.objects.line_items.write", "e-commerce"}, []string{"oauth2"}, []string{}},
	{entryKey{"DELETE", "/crm/objects/{version}/{objectType}/{objectId}", endpoints.Version202603, "", "PublicApiSpecs/CRM/Objects/Rollouts/424/2026-03"},
		[]string{"a", "b"}, []string{"oauth2"}, []string{}},
	{entryKey{"POST", "/oauth/v3/token", endpoints.Numbered, "", "PublicApiSpecs/Auth/Oauth/Rollouts/1/v3"},
		[]string{}, []string{}, []string{}},
	{entryKey{"GET", "/app-webhooks/{version}/{appId}/settings", endpoints.Version202509, "", "PublicApiSpecs/Webhooks/Webhooks/Rollouts/2/2025-09"},
		[]string{}, []string{"developer_hapikey"}, []string{}},
}

func checkEntries(t *testing.T, g *gen) {
	t.Helper()
	if len(g.entries) != len(wantEntries) {
		for k := range g.entries {
			t.Logf("have %+v", k)
		}
		t.Fatalf("%d entries, want %d", len(g.entries), len(wantEntries))
	}
	for _, w := range wantEntries {
		e, ok := g.entries[w.key]
		if !ok {
			t.Errorf("no entry %+v", w.key)
			continue
		}
		if !slices.Equal(keys(e.scopes), w.scopes) || !slices.Equal(keys(e.schemes), w.schemes) || !slices.Equal(keys(e.exempt), w.exempt) {
			t.Errorf("%+v: scopes %v schemes %v exempt %v; want %v %v %v", w.key, keys(e.scopes), keys(e.schemes), keys(e.exempt), w.scopes, w.schemes, w.exempt)
		}
	}
}

func TestDirectory(t *testing.T) {
	checkEntries(t, generate(t, writeFixture(t), "", commit))
	if _, err := openSource(writeFixture(t), "", "not-a-commit"); err == nil {
		t.Error("a bad -commit was accepted")
	}
	if _, err := openSource(t.TempDir(), "", commit); err == nil || !strings.Contains(err.Error(), "PublicApiSpecs") {
		t.Errorf("an empty directory: %v", err)
	}
}

// TestGitDir reads the fixture from a git repository made for the test, as
// specgen reads the spec collection's bare clone.
func TestGitDir(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := writeFixture(t)
	for _, args := range [][]string{
		{"init", "-q"}, {"add", "."},
		{"-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", "fixture"},
	} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	head, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	gitDir := filepath.Join(dir, ".git")
	src, err := openSource(gitDir, "HEAD", "")
	if err != nil {
		t.Fatal(err)
	}
	if src.commit != string(bytes.TrimSpace(head)) {
		t.Errorf("commit %s, want %s", src.commit, head)
	}
	checkEntries(t, generate(t, gitDir, "HEAD", ""))
	// A checked-out copy gets its commit from git too.
	if src, err := openSource(dir, "", ""); err != nil || src.commit != string(bytes.TrimSpace(head)) {
		t.Errorf("checked-out copy: %+v, %v", src, err)
	}
}

func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "spec_gen_test.go")
	schemasOut := filepath.Join(t.TempDir(), "schemas_gen.go")
	var stderr bytes.Buffer
	if err := run(writeFixture(t), "", commit, out, schemasOut, &stderr); err != nil {
		t.Fatal(err)
	}
	sb, err := os.ReadFile(schemasOut)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"// Code generated", "package specschema", `const specCommit = "` + commit + `"`,
		`Type: "object", Required: []string{"limit"}, Props: []Prop{{"limit", `, `Extra: -2`,
		`Type: "integer", HasMin: true, Min: 1,`, `Type: "string", NonEmpty: true,`,
		`Type: "string", Nullable: true, Enum: []string{"ASC", "DESC"},`,
		`Type: "integer", Format: "int32",`,
		`Params: []Param{{"hint", true, `, `Responses: []Response{{"200", `, `{"default", `,
		`Method: "POST", Path: "/crm/v3/objects/{objectType}/search", Version: "", Type: "contacts", Source: "PublicApiSpecs/CRM/Contacts/Rollouts/424/v3"`,
	} {
		if !strings.Contains(string(sb), s) {
			t.Errorf("schema output lacks %s", s)
		}
	}
	if strings.Contains(string(sb), "rose") {
		t.Error("the schema output copies a description")
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"// Code generated", "DO NOT EDIT.", `const specGenCommit = "` + commit + `"`,
		`{Method: "POST", Path: "/crm/v3/objects/{objectType}/search", Version: "", Type: "contacts", Source: "PublicApiSpecs/CRM/Contacts/Rollouts/424/v3", Scopes: `,
		`Schemes: []string{"oauth2"}, Exempt: []string{"ten-secondly"}}`,
		`[]string{"crm.objects.line_items.write", "e-commerce"}`,
	} {
		if !strings.Contains(string(b), s) {
			t.Errorf("output lacks %s", s)
		}
	}
	// The catalogue's other templates are reported missing.
	if !strings.Contains(stderr.String(), "no spec file has GET /crm/v3/owners\n") {
		t.Errorf("stderr does not report the missing owners template:\n%s", stderr.String())
	}
}

// TestRecursiveSchema checks that a schema that holds itself (a lists
// filter branch holds filter branches) becomes a node that names itself,
// once per document, and that the reduction of a second reference reuses it.
func TestRecursiveSchema(t *testing.T) {
	var doc specDoc
	doc.Components.Schemas = map[string]json.RawMessage{
		"Branch": json.RawMessage(`{"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["AND", "OR"]},
			"branches": {"type": "array", "items": {"oneOf": [{"$ref": "#/components/schemas/Branch"}, {"$ref": "#/components/schemas/Leaf"}]}}}}`),
		"Leaf": json.RawMessage(`{"type": "object", "properties": {"value": {"type": "string"}}}`),
	}
	s := newSchemaSet()
	n, err := s.schema(&doc, json.RawMessage(`{"$ref": "#/components/schemas/Branch"}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	root := s.nodes[n]
	if root.Type != "object" || len(root.Props) != 2 || root.Props[0].Name != "branches" {
		t.Fatalf("root node %+v", root)
	}
	items := s.nodes[s.nodes[root.Props[0].Node].Items]
	if len(items.OneOf) != 2 || items.OneOf[0] != n {
		t.Fatalf("the branches' items %+v do not name the root node %d", items, n)
	}
	if leaf := s.nodes[items.OneOf[1]]; leaf.Type != "object" || len(leaf.Props) != 1 {
		t.Fatalf("leaf node %+v", leaf)
	}
	again, err := s.schema(&doc, json.RawMessage(`{"type": "array", "items": {"$ref": "#/components/schemas/Branch"}}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.nodes[again].Items != n {
		t.Errorf("a second reference reduced Branch again: items %d, want %d", s.nodes[again].Items, n)
	}
}

// The output depends on the specs alone, not on the order maps are
// ranged over: regenerating on two branches gives files that merge.
func TestRunIsDeterministic(t *testing.T) {
	dir := writeFixture(t)
	// Two paths of one file, each with a schema of its own: which one
	// the generator meets first numbers the nodes.
	two := `{"openapi": "3.0.1", "paths": {
		"/crm/v3/objects/contacts/{contactId}": {"get": {"security": [{"oauth2": ["crm.objects.contacts.read"]}],
			"responses": {"200": {"content": {"application/json": {"schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}}}}},
		"/crm/v3/objects/contacts/search": {"post": {"security": [{"oauth2": ["crm.objects.contacts.read"]}],
			"responses": {"200": {"content": {"application/json": {"schema": {"type": "object", "properties": {"total": {"type": "integer"}}}}}}}}}}}`
	if err := os.WriteFile(filepath.Join(dir, "PublicApiSpecs", "CRM", "Contacts", "Rollouts", "424", "v3", "contacts.json"), []byte(two), 0o644); err != nil {
		t.Fatal(err)
	}
	var first []byte
	for i := range 8 {
		out := filepath.Join(t.TempDir(), "spec_gen_test.go")
		schemasOut := filepath.Join(t.TempDir(), "schemas_gen.go")
		if err := run(dir, "", commit, out, schemasOut, io.Discard); err != nil {
			t.Fatal(err)
		}
		a, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(schemasOut)
		if err != nil {
			t.Fatal(err)
		}
		got := append(a, b...)
		if i == 0 {
			first = got
		} else if !bytes.Equal(got, first) {
			t.Fatalf("run %d wrote other files than run 0", i)
		}
	}
}
