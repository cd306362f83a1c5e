package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/format"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The schema set: for each catalogue operation a spec file describes, the
// JSON shapes of its query parameters, request body and responses, reduced
// to what a validator checks (types, formats, required properties,
// enumerations, items, additional properties, oneOf) and written to
// internal/specschema for the tests that hold hubspottest and hubkey's
// client to HubSpot's specs. Descriptions, examples and names of component
// schemas are dropped: the file holds derived facts only.

// node is one schema, its children by index into the set's nodes.
type node struct {
	Type     string
	Format   string
	Nullable bool
	NonEmpty bool
	HasMin   bool
	Min      float64
	Enum     []string
	Required []string
	Props    []propRef
	Extra    int // additionalProperties: anyExtra, noExtra or a node
	Items    int // noNode or a node
	OneOf    []int
}

type propRef struct {
	Name string
	Node int
}

const (
	noNode   = -1
	anyExtra = -1
	noExtra  = -2
)

type paramOut struct {
	Name     string
	Required bool
	Node     int
}

type responseOut struct {
	Status string
	Node   int // noNode: no JSON body
}

type opOut struct {
	key       entryKey
	Params    []paramOut
	AuthQuery []string
	Body      int
	Form      bool
	// Parts are the fields of a multipart/form-data body, sorted; nil
	// when the body is not multipart.
	Parts     []string
	Responses []responseOut
}

type schemaSet struct {
	nodes []node
	index map[string]int
	ops   map[entryKey]*opOut
	refs  map[refKey]*refState
}

// refKey names a component schema of one document.
type refKey struct {
	doc *specDoc
	ref string
}

// refState tracks a reference being reduced, so that a recursive schema
// (a lists filter branch holds filter branches) becomes a node that names
// itself rather than an endless tree.
type refState struct {
	active bool // being reduced: a reference to it now is a cycle
	slot   int  // the node reserved for it when a cycle reached it, or noNode
}

func newSchemaSet() *schemaSet {
	return &schemaSet{index: map[string]int{}, ops: map[entryKey]*opOut{}, refs: map[refKey]*refState{}}
}

// ref reduces the component schema ref of doc. A reference reached again
// while it is being reduced gets a reserved node, which the reduction
// fills when it ends; such a cyclic schema is kept per document and reused.
func (s *schemaSet) ref(doc *specDoc, ref string, depth int) (int, error) {
	k := refKey{doc, ref}
	st := s.refs[k]
	if st == nil {
		st = &refState{slot: noNode}
		s.refs[k] = st
	}
	switch {
	case st.active:
		if st.slot == noNode {
			s.nodes = append(s.nodes, node{})
			st.slot = len(s.nodes) - 1
		}
		return st.slot, nil
	case st.slot != noNode:
		return st.slot, nil
	}
	target, err := doc.resolve(ref)
	if err != nil {
		return 0, err
	}
	st.active = true
	n, err := s.schema(doc, target, depth+1)
	st.active = false
	if err != nil || st.slot == noNode {
		return n, err
	}
	s.nodes[st.slot] = s.nodes[n]
	return st.slot, nil
}

// specDoc is what resolving references needs of a document.
type specDoc struct {
	Components struct {
		Schemas         map[string]json.RawMessage `json:"schemas"`
		Responses       map[string]json.RawMessage `json:"responses"`
		Parameters      map[string]json.RawMessage `json:"parameters"`
		RequestBodies   map[string]json.RawMessage `json:"requestBodies"`
		SecuritySchemes map[string]struct {
			Type string `json:"type"`
			In   string `json:"in"`
			Name string `json:"name"`
		} `json:"securitySchemes"`
	} `json:"components"`
}

// rawSchema is the part of a JSON schema the set keeps.
type rawSchema struct {
	Ref                  string                     `json:"$ref"`
	Type                 string                     `json:"type"`
	Format               string                     `json:"format"`
	Nullable             bool                       `json:"nullable"`
	Pattern              string                     `json:"pattern"`
	Minimum              *float64                   `json:"minimum"`
	Enum                 []json.RawMessage          `json:"enum"`
	Required             []string                   `json:"required"`
	Properties           map[string]json.RawMessage `json:"properties"`
	AdditionalProperties json.RawMessage            `json:"additionalProperties"`
	Items                json.RawMessage            `json:"items"`
	OneOf                []json.RawMessage          `json:"oneOf"`
	AnyOf                []json.RawMessage          `json:"anyOf"`
	AllOf                []json.RawMessage          `json:"allOf"`
}

// resolve follows a local reference "#/components/<kind>/<name>".
func (d *specDoc) resolve(ref string) (json.RawMessage, error) {
	kind, name, ok := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
	if !ok || !strings.HasPrefix(ref, "#/components/") {
		return nil, fmt.Errorf("unsupported reference %q", ref)
	}
	var m map[string]json.RawMessage
	switch kind {
	case "schemas":
		m = d.Components.Schemas
	case "responses":
		m = d.Components.Responses
	case "parameters":
		m = d.Components.Parameters
	case "requestBodies":
		m = d.Components.RequestBodies
	}
	raw, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("reference %q names nothing", ref)
	}
	return raw, nil
}

// schema adds the schema raw (of doc) and returns its node.
func (s *schemaSet) schema(doc *specDoc, raw json.RawMessage, depth int) (int, error) {
	if depth > 64 {
		return 0, errors.New("schema nested too deep (a reference cycle?)")
	}
	var r rawSchema
	if err := json.Unmarshal(raw, &r); err != nil {
		return 0, err
	}
	if r.Ref != "" {
		return s.ref(doc, r.Ref, depth)
	}
	if len(r.AnyOf) > 0 {
		return 0, errors.New("anyOf is not supported")
	}
	if len(r.AllOf) > 0 {
		var err error
		if r, err = mergeAllOf(doc, r); err != nil {
			return 0, err
		}
	}
	n := node{Type: r.Type, Format: r.Format, Nullable: r.Nullable, NonEmpty: r.Pattern == ".+", Extra: anyExtra, Items: noNode}
	if r.Pattern != "" && r.Pattern != ".+" {
		return 0, fmt.Errorf("unsupported pattern %q", r.Pattern)
	}
	if r.Minimum != nil {
		n.HasMin, n.Min = true, *r.Minimum
	}
	for _, e := range r.Enum {
		var v string
		if err := json.Unmarshal(e, &v); err != nil {
			return 0, fmt.Errorf("enum value %s is not a string", e)
		}
		n.Enum = append(n.Enum, v)
	}
	n.Required = append([]string(nil), r.Required...)
	sort.Strings(n.Required)
	names := make([]string, 0, len(r.Properties))
	for k := range r.Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		c, err := s.schema(doc, r.Properties[k], depth+1)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", k, err)
		}
		n.Props = append(n.Props, propRef{k, c})
	}
	switch a := bytes.TrimSpace(r.AdditionalProperties); {
	case len(a) == 0 || string(a) == "true":
	case string(a) == "false":
		n.Extra = noExtra
	default:
		c, err := s.schema(doc, a, depth+1)
		if err != nil {
			return 0, fmt.Errorf("additionalProperties: %w", err)
		}
		n.Extra = c
	}
	if len(r.Items) > 0 {
		c, err := s.schema(doc, r.Items, depth+1)
		if err != nil {
			return 0, fmt.Errorf("items: %w", err)
		}
		n.Items = c
	}
	for _, o := range r.OneOf {
		c, err := s.schema(doc, o, depth+1)
		if err != nil {
			return 0, fmt.Errorf("oneOf: %w", err)
		}
		n.OneOf = append(n.OneOf, c)
	}
	key, _ := json.Marshal(n)
	if i, ok := s.index[string(key)]; ok {
		return i, nil
	}
	s.nodes = append(s.nodes, n)
	s.index[string(key)] = len(s.nodes) - 1
	return len(s.nodes) - 1, nil
}

type rawParam struct {
	Ref      string          `json:"$ref"`
	Name     string          `json:"name"`
	In       string          `json:"in"`
	Required bool            `json:"required"`
	Schema   json.RawMessage `json:"schema"`
}

type rawContent map[string]struct {
	Schema json.RawMessage `json:"schema"`
}

type rawBody struct {
	Ref     string     `json:"$ref"`
	Content rawContent `json:"content"`
}

type rawOperation struct {
	Parameters  []json.RawMessage          `json:"parameters"`
	RequestBody *rawBody                   `json:"requestBody"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

// jsonSchemaOf returns the schema of content's JSON media type, if any.
func jsonSchemaOf(c rawContent) (json.RawMessage, bool) {
	for _, mt := range slices.Sorted(maps.Keys(c)) { // the first, whatever the map's order
		if v := c[mt]; strings.HasPrefix(mt, "application/json") && len(v.Schema) > 0 {
			return v.Schema, true
		}
	}
	return nil, false
}

// mergeAllOf folds r's allOf members into r: their properties, required
// members and type. A member that refers to a polymorphic parent (a
// schema with oneOf, which lists r itself among its alternatives, as the
// dated CRM/Exports specs do) is left out: it adds no property and would
// recurse.
func mergeAllOf(doc *specDoc, r rawSchema) (rawSchema, error) {
	members := r.AllOf
	r.AllOf = nil
	if r.Properties == nil {
		r.Properties = map[string]json.RawMessage{}
	}
	for _, m := range members {
		var ms rawSchema
		if err := json.Unmarshal(m, &ms); err != nil {
			return r, err
		}
		if ms.Ref != "" {
			target, err := doc.resolve(ms.Ref)
			if err != nil {
				return r, err
			}
			ms = rawSchema{}
			if err := json.Unmarshal(target, &ms); err != nil {
				return r, err
			}
			if len(ms.OneOf) > 0 {
				continue
			}
		}
		if len(ms.AllOf) > 0 || len(ms.AnyOf) > 0 || len(ms.OneOf) > 0 {
			return r, errors.New("allOf: a member with allOf, anyOf or oneOf is not supported")
		}
		if ms.Type != "" {
			if r.Type != "" && r.Type != ms.Type {
				return r, fmt.Errorf("allOf: types %s and %s conflict", r.Type, ms.Type)
			}
			r.Type = ms.Type
		}
		for k, v := range ms.Properties {
			r.Properties[k] = v
		}
		r.Required = append(r.Required, ms.Required...)
		if len(ms.AdditionalProperties) > 0 {
			r.AdditionalProperties = ms.AdditionalProperties
		}
	}
	return r, nil
}

// addOp records what one spec file says about the shapes of one
// catalogued operation.
func (s *schemaSet) addOp(k entryKey, doc *specDoc, pathParams []json.RawMessage, raw json.RawMessage, security []map[string][]string) error {
	if _, dup := s.ops[k]; dup {
		return nil
	}
	var ro rawOperation
	if err := json.Unmarshal(raw, &ro); err != nil {
		return err
	}
	op := &opOut{key: k, Body: noNode}
	for _, p := range append(append([]json.RawMessage(nil), pathParams...), ro.Parameters...) {
		var rp rawParam
		if err := json.Unmarshal(p, &rp); err != nil {
			return err
		}
		if rp.Ref != "" {
			target, err := doc.resolve(rp.Ref)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(target, &rp); err != nil {
				return err
			}
		}
		if rp.In != "query" {
			continue
		}
		n := noNode
		if len(rp.Schema) > 0 {
			var err error
			if n, err = s.schema(doc, rp.Schema, 0); err != nil {
				return fmt.Errorf("parameter %s: %w", rp.Name, err)
			}
		}
		op.Params = append(op.Params, paramOut{rp.Name, rp.Required, n})
	}
	sort.Slice(op.Params, func(i, j int) bool { return op.Params[i].Name < op.Params[j].Name })
	for _, alt := range security {
		for scheme := range alt {
			if sc, ok := doc.Components.SecuritySchemes[scheme]; ok && sc.Type == "apiKey" && sc.In == "query" && !contains(op.AuthQuery, sc.Name) {
				op.AuthQuery = append(op.AuthQuery, sc.Name)
			}
		}
	}
	sort.Strings(op.AuthQuery)
	if b := ro.RequestBody; b != nil {
		if b.Ref != "" {
			target, err := doc.resolve(b.Ref)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(target, b); err != nil {
				return err
			}
		}
		if sch, ok := jsonSchemaOf(b.Content); ok {
			n, err := s.schema(doc, sch, 0)
			if err != nil {
				return fmt.Errorf("request body: %w", err)
			}
			op.Body = n
		} else if _, ok := b.Content["application/x-www-form-urlencoded"]; ok {
			op.Form = true
		} else if mp, ok := b.Content["multipart/form-data"]; ok {
			var r rawSchema
			if err := json.Unmarshal(mp.Schema, &r); err != nil {
				return fmt.Errorf("multipart body: %w", err)
			}
			op.Parts = []string{}
			for k := range r.Properties {
				op.Parts = append(op.Parts, k)
			}
			sort.Strings(op.Parts)
		}
	}
	codes := make([]string, 0, len(ro.Responses))
	for c := range ro.Responses {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		var rb rawBody
		if err := json.Unmarshal(ro.Responses[c], &rb); err != nil {
			return err
		}
		if rb.Ref != "" {
			target, err := doc.resolve(rb.Ref)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(target, &rb); err != nil {
				return err
			}
		}
		n := noNode
		if sch, ok := jsonSchemaOf(rb.Content); ok {
			var err error
			if n, err = s.schema(doc, sch, 0); err != nil {
				return fmt.Errorf("response %s: %w", c, err)
			}
		}
		op.Responses = append(op.Responses, responseOut{c, n})
	}
	s.ops[k] = op
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func goInts(s []int) string {
	if len(s) == 0 {
		return "nil"
	}
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = strconv.Itoa(x)
	}
	return "[]int{" + strings.Join(q, ", ") + "}"
}

// render writes the set as Go source of package specschema.
func (s *schemaSet) render(commit string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `// Code generated by "go run ./internal/endpoints/internal/specgen"; DO NOT EDIT.

package specschema

// specCommit is the commit of HubSpot's public API spec collection this
// file was generated from.
const specCommit = %q

// schemas are the distinct schemas of operations; children are indices.
var schemas = []Schema{
`, commit)
	for i, n := range s.nodes {
		var f []string
		if n.Type != "" {
			f = append(f, fmt.Sprintf("Type: %q", n.Type))
		}
		if n.Format != "" {
			f = append(f, fmt.Sprintf("Format: %q", n.Format))
		}
		if n.Nullable {
			f = append(f, "Nullable: true")
		}
		if n.NonEmpty {
			f = append(f, "NonEmpty: true")
		}
		if n.HasMin {
			f = append(f, fmt.Sprintf("HasMin: true, Min: %v", n.Min))
		}
		if len(n.Enum) > 0 {
			f = append(f, "Enum: "+goStrings(n.Enum))
		}
		if len(n.Required) > 0 {
			f = append(f, "Required: "+goStrings(n.Required))
		}
		if len(n.Props) > 0 {
			ps := make([]string, len(n.Props))
			for j, p := range n.Props {
				ps[j] = fmt.Sprintf("{%q, %d}", p.Name, p.Node)
			}
			f = append(f, "Props: []Prop{"+strings.Join(ps, ", ")+"}")
		}
		f = append(f, fmt.Sprintf("Extra: %d, Items: %d", n.Extra, n.Items))
		if len(n.OneOf) > 0 {
			f = append(f, "OneOf: "+goInts(n.OneOf))
		}
		fmt.Fprintf(&b, "\t%d: {%s},\n", i, strings.Join(f, ", "))
	}
	b.WriteString("}\n\n// operations lists what each spec file says of each catalogued operation.\nvar operations = []Operation{\n")
	keys := make([]entryKey, 0, len(s.ops))
	for k := range s.ops {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return cmpKeys(keys[i], keys[j]) < 0 })
	for _, k := range keys {
		op := s.ops[k]
		var f []string
		f = append(f, fmt.Sprintf("Method: %q, Path: %q, Version: %q, Type: %q, Source: %q", k.method, k.template, string(k.version), k.objectType, k.source))
		if len(op.Params) > 0 {
			ps := make([]string, len(op.Params))
			for j, p := range op.Params {
				ps[j] = fmt.Sprintf("{%q, %v, %d}", p.Name, p.Required, p.Node)
			}
			f = append(f, "Params: []Param{"+strings.Join(ps, ", ")+"}")
		}
		if len(op.AuthQuery) > 0 {
			f = append(f, "AuthQuery: "+goStrings(op.AuthQuery))
		}
		f = append(f, fmt.Sprintf("Body: %d", op.Body))
		if op.Form {
			f = append(f, "Form: true")
		}
		if op.Parts != nil {
			f = append(f, "Parts: "+goStrings(op.Parts))
		}
		rs := make([]string, len(op.Responses))
		for j, r := range op.Responses {
			rs[j] = fmt.Sprintf("{%q, %d}", r.Status, r.Node)
		}
		f = append(f, "Responses: []Response{"+strings.Join(rs, ", ")+"}")
		fmt.Fprintf(&b, "\t{%s},\n", strings.Join(f, ", "))
	}
	b.WriteString("}\n")
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, errors.Join(errors.New("formatting the schema file"), err)
	}
	return out, nil
}
