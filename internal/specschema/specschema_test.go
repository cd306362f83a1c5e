package specschema

import (
	"go/parser"
	"go/token"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// The data was generated from the spec commit the catalogue was checked
// against.
func TestSpecCommitMatchesTheCatalogue(t *testing.T) {
	if SpecCommit() != endpoints.SpecCommit {
		t.Fatalf("schemas from %s, catalogue from %s: rerun specgen", SpecCommit(), endpoints.SpecCommit)
	}
}

// No package of the module but tests imports specschema, so that users
// never compile it.
func TestOnlyTestsImportIt(t *testing.T) {
	root := "../.."
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || strings.Contains(filepath.ToSlash(p), "internal/specschema/") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); path == "github.com/hubkey/hubkey/internal/specschema" {
				t.Errorf("%s imports specschema outside a test", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the module root is not %s: %v", root, err)
	}
}

// The validator, against a small set of its own.
func TestValidate(t *testing.T) {
	saved := schemas
	t.Cleanup(func() { schemas = saved })
	schemas = []Schema{
		0: {Type: "object", Required: []string{"id", "status"}, Props: []Prop{{"id", 1}, {"status", 2}, {"count", 3}, {"tags", 4}, {"when", 5}, {"note", 6}}, Extra: NoExtra, Items: NoSchema},
		1: {Type: "string", NonEmpty: true, Extra: AnyExtra, Items: NoSchema},
		2: {Type: "string", Enum: []string{"OK", "FAILED"}, Extra: AnyExtra, Items: NoSchema},
		3: {Type: "integer", Format: "int32", HasMin: true, Min: 0, Extra: AnyExtra, Items: NoSchema},
		4: {Type: "array", Items: 1, Extra: AnyExtra},
		5: {Type: "string", Format: "date-time", Extra: AnyExtra, Items: NoSchema},
		6: {Type: "string", Nullable: true, Extra: AnyExtra, Items: NoSchema},
		7: {Type: "object", Extra: 3, Items: NoSchema},
		8: {OneOf: []int{1, 3}, Extra: AnyExtra, Items: NoSchema},
	}
	for _, tc := range []struct {
		schema int
		body   string
		want   []string // Where+" "+Kind
	}{
		{0, `{"id": "a", "status": "OK", "count": 3, "tags": ["x"], "when": "2025-01-02T03:04:05.000Z", "note": null}`, nil},
		{0, `{"status": "DONE", "extra": 1}`, []string{"/id required", "/extra additional", "/status enum"}},
		{0, `{"id": "", "status": "OK", "count": 1.5, "tags": ["", 2], "when": "yesterday", "note": 7}`,
			[]string{"/count type", "/id nonempty", "/note type", "/tags/0 nonempty", "/tags/1 type", "/when format"}},
		{0, `{"id": "a", "status": "OK", "count": -1}`, []string{"/count minimum"}},
		{0, `{"id": "a", "status": "OK", "count": 3000000000}`, []string{"/count format"}},
		{0, `[]`, []string{" type"}},
		{7, `{"a": 1, "b": "x"}`, []string{"/b type"}},
		{8, `"x"`, nil},
		{8, `true`, []string{" oneOf"}},
		{0, `{`, []string{"body type"}},
	} {
		got := validateBody(tc.schema, []byte(tc.body))
		var keys []string
		for _, v := range got {
			keys = append(keys, v.Where+" "+v.Kind)
		}
		if strings.Join(keys, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: got %v, want %v", tc.body, got, tc.want)
		}
	}

	o := &Operation{Params: []Param{{"limit", true, 3}, {"archived", false, 9}}, AuthQuery: []string{"hapikey"}, Body: 0,
		Responses: []Response{{"200", 0}, {"204", NoSchema}, {"default", 1}}}
	schemas = append(schemas, Schema{Type: "boolean", Extra: AnyExtra, Items: NoSchema})
	req := func(q string) []Violation {
		v, _ := url.ParseQuery(q)
		return o.CheckRequest(v, "application/json", []byte(`{"id": "a", "status": "OK"}`))
	}
	if v := req("limit=10&archived=true&hapikey=k"); len(v) != 0 {
		t.Errorf("valid request: %v", v)
	}
	if v := req("archived=yes&extra=1"); len(v) != 3 {
		t.Errorf("bad query: %v", v)
	}
	if v := o.CheckResponse(201, nil); len(v) != 1 || v[0].Kind != "status" {
		t.Errorf("undeclared status: %v", v)
	}
	if v := o.CheckResponse(204, nil); len(v) != 0 {
		t.Errorf("204: %v", v)
	}
	if v := o.CheckResponse(404, []byte(`"not found"`)); len(v) != 0 {
		t.Errorf("default answer: %v", v)
	}
}
