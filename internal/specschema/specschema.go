// Package specschema holds the JSON shapes HubSpot's published OpenAPI
// specs give the operations hubkey catalogues, reduced to what a validator
// checks, and validates requests and responses against them. Tests use it
// to hold hubspottest's answers and hubkey's client's requests to
// HubSpot's specs; no package of the module's API imports it, so users
// never compile it (a test checks).
//
// The data (schemas_gen.go) is generated with the catalogue's spec data
// (see package endpoints on rerunning the generator): types, formats,
// required properties, enumerations, items, additional properties and
// oneOf, with no descriptions or examples. The validator is written here
// rather than taken from a JSON Schema or OpenAPI library: the specs use a
// small subset of JSON Schema, and a library would need the full spec
// documents, which the module does not copy, and bring its dependencies
// into go.mod.
package specschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// Schema is one JSON schema; children are indices into the set.
type Schema struct {
	Type     string // "", object, array, string, integer, number, boolean
	Format   string // date-time, int32, int64, uuid, ...
	Nullable bool
	NonEmpty bool // pattern ".+"
	HasMin   bool
	Min      float64
	Enum     []string
	Required []string
	Props    []Prop
	Extra    int // additionalProperties: AnyExtra, NoExtra or a schema
	Items    int // NoSchema or a schema
	OneOf    []int
}

// Prop is a property of an object schema.
type Prop struct {
	Name   string
	Schema int
}

// Markers of Schema.Extra and Schema.Items.
const (
	NoSchema = -1
	AnyExtra = -1
	NoExtra  = -2
)

// Param is a query parameter.
type Param struct {
	Name     string
	Required bool
	Schema   int
}

// Response is the body of one status ("200", "default").
type Response struct {
	Status string
	Schema int // NoSchema: no JSON body
}

// Operation is what one spec file says of one catalogued operation in one
// version: its query parameters, its JSON request body (or a form), its
// responses, and the query parameters that carry its credential.
type Operation struct {
	Method, Path string // the catalogue row's method and template
	Version      endpoints.Version
	Type         string // the object type of a per-object spec, or ""
	Source       string // the spec folder
	Params       []Param
	AuthQuery    []string
	Body         int
	Form         bool
	// Parts are the fields of a multipart/form-data body; nil when the
	// body is not multipart.
	Parts     []string
	Responses []Response
}

// SpecCommit returns the commit of HubSpot's spec collection the data was
// generated from.
func SpecCommit() string { return specCommit }

// Lookup returns the spec files' word on op in version v for a call whose
// object type (its first object-type path parameter, canonical) is
// objectType: the per-object spec of that type if there is one, else
// those of every type.
func Lookup(op *endpoints.Op, v endpoints.Version, objectType string) []*Operation {
	tmpl := op.Path
	if v != endpoints.Numbered {
		tmpl = op.Dated
	}
	var typed, generic []*Operation
	for i := range operations {
		o := &operations[i]
		if o.Method != op.Method || o.Path != tmpl || o.Version != v {
			continue
		}
		switch o.Type {
		case objectType:
			typed = append(typed, o)
		case "":
			generic = append(generic, o)
		}
	}
	if len(typed) > 0 {
		return typed
	}
	return generic
}

// Violation is one way a message departs from its schema: where (a JSON
// pointer into the body, or "query:name", or "status"), what kind
// (type, required, enum, format, additional, oneOf, minimum, nonempty,
// undeclared, status), and a message.
type Violation struct {
	Where, Kind, Message string
}

func (v Violation) String() string { return v.Where + ": " + v.Kind + ": " + v.Message }

// CheckRequest validates a request's query and body against o.
func (o *Operation) CheckRequest(query url.Values, contentType string, body []byte) []Violation {
	var out []Violation
	for name, vals := range query {
		i := slices.IndexFunc(o.Params, func(p Param) bool { return p.Name == name })
		if i < 0 {
			if !slices.Contains(o.AuthQuery, name) {
				out = append(out, Violation{"query:" + name, "undeclared", "the spec declares no such query parameter"})
			}
			continue
		}
		p := o.Params[i]
		if p.Schema == NoSchema {
			continue
		}
		s := &schemas[p.Schema]
		if s.Type == "array" && s.Items != NoSchema {
			s = &schemas[s.Items]
		}
		for _, v := range vals {
			// An array parameter may be sent comma-separated.
			parts := []string{v}
			if schemas[p.Schema].Type == "array" {
				parts = strings.Split(v, ",")
			}
			for _, part := range parts {
				if msg := checkScalarText(s, part); msg != "" {
					out = append(out, Violation{"query:" + name, "type", msg})
				}
			}
		}
	}
	for _, p := range o.Params {
		if p.Required && !query.Has(p.Name) {
			out = append(out, Violation{"query:" + p.Name, "required", "required query parameter missing"})
		}
	}
	switch {
	case o.Parts != nil:
		out = append(out, checkMultipart(o.Parts, contentType, body)...)
	case o.Body == NoSchema && !o.Form:
		if len(bytes.TrimSpace(body)) > 0 {
			out = append(out, Violation{"body", "undeclared", "the spec declares no request body"})
		}
	case o.Form:
		if !strings.HasPrefix(contentType, "application/x-www-form-urlencoded") {
			out = append(out, Violation{"body", "type", "the spec takes a form, not " + contentType})
		}
	default:
		out = append(out, validateBody(o.Body, body)...)
	}
	return out
}

// CheckResponse validates a response's status and body against o.
func (o *Operation) CheckResponse(status int, body []byte) []Violation {
	code := strconv.Itoa(status)
	i := slices.IndexFunc(o.Responses, func(r Response) bool { return r.Status == code })
	if i < 0 && status >= 400 {
		i = slices.IndexFunc(o.Responses, func(r Response) bool { return r.Status == "default" })
	}
	if i < 0 {
		var declared []string
		for _, r := range o.Responses {
			declared = append(declared, r.Status)
		}
		return []Violation{{"status", "status", fmt.Sprintf("%d is not among the statuses the spec declares (%s)", status, strings.Join(declared, ", "))}}
	}
	r := o.Responses[i]
	if r.Schema == NoSchema {
		if len(bytes.TrimSpace(body)) > 0 && status != 204 && r.Status != "default" {
			return []Violation{{"body", "undeclared", "the spec declares no body for this status"}}
		}
		return nil
	}
	return validateBody(r.Schema, body)
}

func validateBody(schema int, body []byte) []Violation {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []Violation{{"body", "type", "not JSON: " + err.Error()}}
	}
	var out []Violation
	validate(schema, v, "", &out)
	return out
}

// Validate checks the JSON value v (decoded with UseNumber) against
// schema, appending what departs from it to out.
func validate(schema int, v any, at string, out *[]Violation) {
	s := &schemas[schema]
	add := func(kind, format string, args ...any) {
		*out = append(*out, Violation{at, kind, fmt.Sprintf(format, args...)})
	}
	if v == nil {
		if !s.Nullable && s.Type != "" {
			add("type", "null, want %s", s.Type)
		}
		return
	}
	if len(s.OneOf) > 0 {
		n := 0
		for _, c := range s.OneOf {
			var sub []Violation
			validate(c, v, at, &sub)
			if len(sub) == 0 {
				n++
			}
		}
		if n != 1 {
			add("oneOf", "matches %d of the %d alternatives, want exactly one", n, len(s.OneOf))
		}
	}
	switch s.Type {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			add("type", "%s, want object", jsonType(v))
			return
		}
		for _, r := range s.Required {
			if _, ok := m[r]; !ok {
				*out = append(*out, Violation{at + "/" + r, "required", "required property missing"})
			}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			i := slices.IndexFunc(s.Props, func(p Prop) bool { return p.Name == k })
			switch {
			case i >= 0:
				validate(s.Props[i].Schema, m[k], at+"/"+k, out)
			case s.Extra == NoExtra:
				*out = append(*out, Violation{at + "/" + k, "additional", "property not allowed"})
			case s.Extra >= 0:
				validate(s.Extra, m[k], at+"/"+k, out)
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			add("type", "%s, want array", jsonType(v))
			return
		}
		if s.Items != NoSchema {
			for i, x := range a {
				validate(s.Items, x, at+"/"+strconv.Itoa(i), out)
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			add("type", "%s, want string", jsonType(v))
			return
		}
		if msg := checkString(s, str); msg != "" {
			add(kindOf(msg), "%s", msg[strings.Index(msg, ":")+2:])
		}
	case "integer", "number":
		n, ok := v.(json.Number)
		if !ok {
			add("type", "%s, want %s", jsonType(v), s.Type)
			return
		}
		if msg := checkNumber(s, n.String()); msg != "" {
			add(kindOf(msg), "%s", msg[strings.Index(msg, ":")+2:])
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			add("type", "%s, want boolean", jsonType(v))
		}
	}
}

// kindOf reads the kind of a "kind: message" check result.
func kindOf(msg string) string { return msg[:strings.Index(msg, ":")] }

func checkString(s *Schema, str string) string {
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
		return fmt.Sprintf("enum: %q is not one of %s", str, strings.Join(s.Enum, ", "))
	}
	if s.NonEmpty && str == "" {
		return "nonempty: empty string"
	}
	switch s.Format {
	case "date-time":
		if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
			return fmt.Sprintf("format: %q is not an RFC 3339 date-time", str)
		}
	case "uuid":
		if len(str) != 36 || strings.Count(str, "-") != 4 {
			return fmt.Sprintf("format: %q is not a UUID", str)
		}
	}
	return ""
}

func checkNumber(s *Schema, text string) string {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return fmt.Sprintf("type: %q is not a number", text)
	}
	if s.Type == "integer" || s.Format == "int32" || s.Format == "int64" {
		if f != math.Trunc(f) {
			return fmt.Sprintf("type: %s is not an integer", text)
		}
		if s.Format == "int32" && (f > math.MaxInt32 || f < math.MinInt32) {
			return fmt.Sprintf("format: %s does not fit int32", text)
		}
	}
	if s.HasMin && f < s.Min {
		return fmt.Sprintf("minimum: %s is below %v", text, s.Min)
	}
	return ""
}

// checkScalarText checks a query parameter's text against a scalar schema.
func checkScalarText(s *Schema, text string) string {
	switch s.Type {
	case "integer", "number":
		if msg := checkNumber(s, text); msg != "" {
			return msg
		}
	case "boolean":
		if text != "true" && text != "false" {
			return fmt.Sprintf("%q is not true or false", text)
		}
	case "string":
		if msg := checkString(s, text); msg != "" {
			return msg
		}
	}
	return ""
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// checkMultipart checks a multipart/form-data body: its content type, and
// that each part is a field the spec declares. The parts' content is not
// checked (a file, or JSON in a text field).
func checkMultipart(parts []string, contentType string, body []byte) []Violation {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return []Violation{{"body", "type", "the spec takes multipart/form-data, not " + contentType}}
	}
	var out []Violation
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			return append(out, Violation{"body", "type", "the multipart body does not parse"})
		}
		if !slices.Contains(parts, p.FormName()) {
			out = append(out, Violation{"body:" + p.FormName(), "undeclared", "the spec declares no such form field"})
		}
	}
}
