// Command specgen reads HubSpot's published OpenAPI specs
// (github.com/HubSpot/HubSpot-public-api-spec-collection) and writes what
// they say about the operations hubkey catalogues to
// internal/endpoints/spec_gen_test.go, which the catalogue's tests check
// the rows against.
//
// Run it from the module root:
//
//	go run ./internal/endpoints/internal/specgen -specs DIR
//
// DIR is either a git directory of the spec collection (a bare clone or a
// .git directory; -rev picks the commit, HEAD by default) or a checked-out
// copy (its commit is read with git, or given with -commit). For every
// method and path template of every catalogue row, in its numbered version
// and each dated version, it records each spec file's any-of scope set
// (the scopes of every security alternative), its security scheme names,
// and its x-hubspot-rate-limit-exemptions, plus the spec commit. It also
// writes internal/specschema/schemas_gen.go (-schemas): each operation's
// query parameters, request body and response shapes, reduced to types,
// formats, required properties, enumerations, items, additional
// properties and oneOf, for the tests that hold hubspottest and hubkey's
// client to the specs. It copies no descriptions or examples. It reads
// only the API folders in apis, skips
// "-beta" folders and rollouts not served from api.hubapi.com, and reports
// on stderr the catalogue templates no spec file has.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// apis are the spec folders (under PublicApiSpecs) the catalogue draws on.
var apis = []string{
	"Account/Account Info",
	"Auth/Oauth",
	"Communication Preferences/Subscriptions",
	"CRM/Associations",
	"CRM/Associations Schema",
	"CRM/Calls",
	"CRM/Communications",
	"CRM/Companies",
	"CRM/Contacts",
	"CRM/Crm Owners",
	"CRM/Custom Objects",
	"CRM/Deals",
	"CRM/Exports",
	"CRM/Imports",
	"CRM/Emails",
	"CRM/Line Items",
	"CRM/Lists",
	"CRM/Meetings",
	"CRM/Notes",
	"CRM/Objects",
	"CRM/Pipelines",
	"CRM/Postal Mail",
	"CRM/Products",
	"CRM/Properties",
	"CRM/Quotes",
	"CRM/Schemas",
	"CRM/Tasks",
	"CRM/Tickets",
	"CRM/Timeline",
	"Marketing/Marketing Emails",
	"Marketing/Transactional Single Send",
	"Marketing/Forms",
	"Files/Files",
	"Settings/User Provisioning",
	"Webhooks/Webhooks",
}

// objectTypeParams are the path parameters that name an object type.
var objectTypeParams = map[string]bool{"objectType": true, "fromObjectType": true, "toObjectType": true}

const apiServer = "https://api.hubapi.com"

func main() {
	specs := flag.String("specs", "", "the spec collection: a git directory or a checked-out copy (required)")
	rev := flag.String("rev", "HEAD", "the commit to read, for a git directory")
	commit := flag.String("commit", "", "the commit of a checked-out copy, if git cannot tell")
	out := flag.String("o", "internal/endpoints/spec_gen_test.go", "the file to write")
	schemas := flag.String("schemas", "internal/specschema/schemas_gen.go", "the schema file to write")
	flag.Parse()
	if *specs == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: specgen -specs DIR [-rev REV] [-commit HASH] [-o FILE] [-schemas FILE]")
		os.Exit(2)
	}
	if err := run(*specs, *rev, *commit, *out, *schemas, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "specgen:", err)
		os.Exit(1)
	}
}

// run generates out and schemasOut from the specs in dir.
func run(dir, rev, commit, out, schemasOut string, stderr io.Writer) error {
	src, err := openSource(dir, rev, commit)
	if err != nil {
		return err
	}
	files, err := src.files()
	if err != nil {
		return err
	}
	g := newGen(endpoints.All())
	for _, f := range files {
		if err := g.addFile(f.path, f.data); err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
	}
	for _, m := range g.missing() {
		fmt.Fprintln(stderr, "specgen: no spec file has", m)
	}
	b, err := g.render(src.commit)
	if err != nil {
		return err
	}
	sb, err := g.schemas.render(src.commit)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	return os.WriteFile(schemasOut, sb, 0o644)
}

// specFile is one spec file's path (relative to the collection root) and
// contents.
type specFile struct {
	path string
	data []byte
}

type source struct {
	commit string
	files  func() ([]specFile, error)
}

var hexCommit = regexp.MustCompile(`^[0-9a-f]{40}$`)

// openSource opens a git directory or a checked-out directory.
func openSource(dir, rev, commit string) (*source, error) {
	if isGitDir(dir) {
		c, err := git(dir, nil, "rev-parse", "--verify", rev+"^{commit}")
		if err != nil {
			return nil, err
		}
		c = bytes.TrimSpace(c)
		if !hexCommit.Match(c) {
			return nil, fmt.Errorf("git rev-parse %s: unexpected output", rev)
		}
		return &source{commit: string(c), files: func() ([]specFile, error) { return gitFiles(dir, string(c)) }}, nil
	}
	if _, err := os.Stat(filepath.Join(dir, "PublicApiSpecs")); err != nil {
		return nil, fmt.Errorf("%s is neither a git directory nor a copy of the spec collection (no PublicApiSpecs): %w", dir, err)
	}
	if commit == "" {
		c, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
		if err != nil {
			return nil, fmt.Errorf("cannot tell the commit of %s (pass -commit): %w", dir, err)
		}
		commit = string(bytes.TrimSpace(c))
	}
	if !hexCommit.MatchString(commit) {
		return nil, fmt.Errorf("-commit %q is not a 40-digit hex commit", commit)
	}
	return &source{commit: commit, files: func() ([]specFile, error) { return dirFiles(dir) }}, nil
}

func isGitDir(dir string) bool {
	for _, f := range []string{"HEAD", "objects"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

func git(dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"--git-dir", dir}, args...)...)
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}

// gitFiles reads the wanted spec files of commit in one cat-file batch.
func gitFiles(dir, commit string) ([]specFile, error) {
	list, err := git(dir, nil, "ls-tree", "-r", "-z", "--full-tree", commit, "--", "PublicApiSpecs")
	if err != nil {
		return nil, err
	}
	var paths, oids []string
	for _, rec := range strings.Split(string(list), "\x00") {
		meta, p, ok := strings.Cut(rec, "\t")
		if !ok {
			continue
		}
		f := strings.Fields(meta)
		if len(f) != 3 || f[1] != "blob" || !wanted(p) {
			continue
		}
		paths, oids = append(paths, p), append(oids, f[2])
	}
	out, err := git(dir, strings.NewReader(strings.Join(oids, "\n")+"\n"), "cat-file", "--batch")
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(bytes.NewReader(out))
	files := make([]specFile, 0, len(paths))
	for i, p := range paths {
		header, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("git cat-file: %w", err)
		}
		f := strings.Fields(header)
		if len(f) != 3 || f[0] != oids[i] {
			return nil, fmt.Errorf("git cat-file: unexpected header %q", strings.TrimSpace(header))
		}
		n, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, fmt.Errorf("git cat-file: bad size in %q", strings.TrimSpace(header))
		}
		data := make([]byte, n+1) // the contents and a newline
		if _, err := io.ReadFull(r, data); err != nil {
			return nil, fmt.Errorf("git cat-file: %w", err)
		}
		files = append(files, specFile{path: p, data: data[:n]})
	}
	return files, nil
}

// dirFiles reads the wanted spec files of a checked-out copy.
func dirFiles(dir string) ([]specFile, error) {
	var files []specFile
	root := filepath.Join(dir, "PublicApiSpecs")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !wanted(rel) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, specFile{path: rel, data: b})
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	return files, err
}

var (
	numberedDir = regexp.MustCompile(`^v[0-9]+$`)
	datedDir    = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$`)
)

// layout splits PublicApiSpecs/<Area>/<API>/Rollouts/<id>/<version>/<file>.json.
func layout(p string) (api, version string, ok bool) {
	s := strings.Split(p, "/")
	if len(s) != 7 || s[0] != "PublicApiSpecs" || s[3] != "Rollouts" || !strings.HasSuffix(s[6], ".json") {
		return "", "", false
	}
	return s[1] + "/" + s[2], s[5], true
}

// wanted reports whether p is a spec file of a wanted API: not a beta, not
// in a Postman collection folder.
func wanted(p string) bool {
	api, v, ok := layout(p)
	return ok && slices.Contains(apis, api) && (numberedDir.MatchString(v) || datedDir.MatchString(v))
}

// entryKey identifies what one spec file says about one template.
type entryKey struct {
	method, template string
	version          endpoints.Version
	objectType       string
	source           string
}

type entry struct {
	scopes  map[string]bool
	schemes map[string]bool
	exempt  map[string]bool
}

type catTemplate struct {
	method, template string // template as in the row ({version} unreplaced)
	version          endpoints.Version
	segs             []string // with the version substituted
}

type gen struct {
	templates []catTemplate
	entries   map[entryKey]*entry
	schemas   *schemaSet
}

func newGen(ops []*endpoints.Op) *gen {
	g := &gen{entries: map[entryKey]*entry{}, schemas: newSchemaSet()}
	for _, o := range ops {
		g.templates = append(g.templates, catTemplate{o.Method, o.Path, endpoints.Numbered, split(o.Path)})
		if o.Dated == "" {
			continue
		}
		for _, v := range endpoints.DatedVersions() {
			g.templates = append(g.templates, catTemplate{o.Method, o.Dated, v, split(strings.Replace(o.Dated, "{version}", string(v), 1))})
		}
	}
	return g
}

func split(p string) []string { return strings.Split(strings.Trim(p, "/"), "/") }

func isWildcard(s string) bool { return strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") }

// The parts of an OpenAPI document specgen reads.
type document struct {
	OpenAPI  string                 `json:"openapi"`
	Servers  []struct{ URL string } `json:"servers"`
	Security []map[string][]string  `json:"security"`
	Paths    map[string]map[string]json.RawMessage
}

type operation struct {
	Security *[]map[string][]string `json:"security"`
	Exempt   []string               `json:"x-hubspot-rate-limit-exemptions"`
}

var methods = map[string]string{"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE"}

func (g *gen) addFile(p string, data []byte) error {
	api, dir, _ := layout(p)
	var doc document
	if err := json.Unmarshal(data, &doc); err != nil {
		return err
	}
	if doc.OpenAPI == "" || doc.Paths == nil {
		return nil // not an OpenAPI document
	}
	if len(doc.Servers) > 0 && !slices.ContainsFunc(doc.Servers, func(s struct{ URL string }) bool { return strings.TrimSuffix(s.URL, "/") == apiServer }) {
		return nil // a rollout served elsewhere (a test environment)
	}
	version := endpoints.Numbered
	if datedDir.MatchString(dir) {
		version = endpoints.Version(dir)
	}
	fileType := ""
	if t, ok := endpoints.LookupObjectType(strings.ReplaceAll(strings.ToLower(path.Base(api)), " ", "_")); ok && !t.Custom {
		fileType = t.Name
	}
	var sdoc specDoc
	if err := json.Unmarshal(data, &sdoc); err != nil {
		return err
	}
	source := path.Dir(p)
	// In a fixed order, paths and then methods: the schemas' nodes are
	// numbered as they are first met, so that the output is the same
	// from run to run and two branches' regenerations merge.
	for _, specPath := range slices.Sorted(maps.Keys(doc.Paths)) {
		item := doc.Paths[specPath]
		var pathParams []json.RawMessage
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &pathParams); err != nil {
				return fmt.Errorf("%s: parameters: %w", specPath, err)
			}
		}
		for _, m := range slices.Sorted(maps.Keys(item)) {
			raw := item[m]
			method, ok := methods[m]
			if !ok {
				continue
			}
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				return fmt.Errorf("%s %s: %w", method, specPath, err)
			}
			security := doc.Security
			if op.Security != nil {
				security = *op.Security
			}
			for _, t := range g.templates {
				if t.method != method || t.version != version {
					continue
				}
				objectType, ok := matchPath(t.segs, split(specPath))
				if !ok {
					continue
				}
				if objectType == "" {
					objectType = fileType
				}
				k := entryKey{method, t.template, version, objectType, source}
				e := g.entries[k]
				if e == nil {
					e = &entry{scopes: map[string]bool{}, schemes: map[string]bool{}, exempt: map[string]bool{}}
					g.entries[k] = e
				}
				for _, alt := range security {
					for scheme, scopes := range alt {
						e.schemes[scheme] = true
						for _, s := range scopes {
							e.scopes[s] = true
						}
					}
				}
				for _, x := range op.Exempt {
					e.exempt[x] = true
				}
				if err := g.schemas.addOp(k, &sdoc, pathParams, raw, security); err != nil {
					return fmt.Errorf("%s %s: %w", method, specPath, err)
				}
			}
		}
	}
	return nil
}

// matchPath matches a catalogue template's segments against a spec path's:
// literals must be equal and wildcards may have other names; an object type
// wildcard also matches a standard object type named literally, which it
// returns.
func matchPath(cat, spec []string) (string, bool) {
	if len(cat) != len(spec) {
		return "", false
	}
	objectType := ""
	for i, c := range cat {
		s := spec[i]
		switch {
		case !isWildcard(c):
			if c != s {
				return "", false
			}
		case isWildcard(s):
		case objectTypeParams[c[1:len(c)-1]]:
			t, ok := endpoints.LookupObjectType(s)
			if !ok || t.Custom {
				return "", false
			}
			objectType = t.Name
		default:
			return "", false
		}
	}
	return objectType, true
}

// missing lists the catalogue templates (numbered ones, and dated ones in
// no version at all) that no spec file has.
func (g *gen) missing() []string {
	found := map[[2]string]map[endpoints.Version]bool{}
	for k := range g.entries {
		id := [2]string{k.method, k.template}
		if found[id] == nil {
			found[id] = map[endpoints.Version]bool{}
		}
		found[id][k.version] = true
	}
	var out []string
	seen := map[[2]string]bool{}
	for _, t := range g.templates {
		id := [2]string{t.method, t.template}
		if seen[id] {
			continue
		}
		seen[id] = true
		if len(found[id]) == 0 {
			out = append(out, t.method+" "+t.template)
		}
	}
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (g *gen) render(commit string) ([]byte, error) {
	ks := make([]entryKey, 0, len(g.entries))
	for k := range g.entries {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		a, b := ks[i], ks[j]
		return cmpKeys(a, b) < 0
	})
	sets := [][]string{{}}
	setIndex := map[string]int{"": 0}
	var body bytes.Buffer
	for _, k := range ks {
		e := g.entries[k]
		scopes := keys(e.scopes)
		id := strings.Join(scopes, " ")
		n, ok := setIndex[id]
		if !ok {
			n = len(sets)
			sets = append(sets, scopes)
			setIndex[id] = n
		}
		fmt.Fprintf(&body, "\t{Method: %q, Path: %q, Version: %q, Type: %q, Source: %q, Scopes: %d, Schemes: %s, Exempt: %s},\n",
			k.method, k.template, string(k.version), k.objectType, k.source, n, goStrings(keys(e.schemes)), goStrings(keys(e.exempt)))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `// Code generated by "go run ./internal/endpoints/internal/specgen"; DO NOT EDIT.

package endpoints

// specGenCommit is the commit of HubSpot's public API spec collection this
// file was generated from.
const specGenCommit = %q

// specEntry is what one spec file (Source, a folder of the collection) says
// about one catalogued method and path template (a row's Path, or its Dated
// template) in one version: the scopes of all its security alternatives
// (an index into specScopeSets), the security scheme names, and the
// x-hubspot-rate-limit-exemptions. Type is the object type of a per-object
// spec (CRM/Contacts, ...), or "" for a spec of every type.
type specEntry struct {
	Method, Path string
	Version      Version
	Type         string
	Source       string
	Scopes       int
	Schemes      []string
	Exempt       []string
}

// specScopeSets are the distinct scope sets of specEntries.
var specScopeSets = [][]string{
`, commit)
	for i, s := range sets {
		fmt.Fprintf(&b, "\t%d: %s,\n", i, goStrings(s))
	}
	b.WriteString("}\n\n// specEntries lists every spec file's word on every catalogued template.\nvar specEntries = []specEntry{\n")
	b.Write(body.Bytes())
	b.WriteString("}\n")
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, errors.Join(errors.New("formatting the generated file"), err)
	}
	return out, nil
}

func cmpKeys(a, b entryKey) int {
	for _, c := range [][2]string{{a.template, b.template}, {a.method, b.method}, {string(a.version), string(b.version)}, {a.objectType, b.objectType}, {a.source, b.source}} {
		if c := strings.Compare(c[0], c[1]); c != 0 {
			return c
		}
	}
	return 0
}

func goStrings(s []string) string {
	if len(s) == 0 {
		return "nil"
	}
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = strconv.Quote(x)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}
