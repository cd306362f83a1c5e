package signing

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Component is one covered component of a signature (RFC 9421 section 2):
// a derived component such as "@method", or an HTTP field named in lower
// case such as "content-type", with the optional parameters this package
// supports.
type Component struct {
	// Name is "@method", "@target-uri", "@authority", "@scheme",
	// "@request-target", "@path" or "@query", or a lowercase field name.
	Name string
	// Key selects one member of a Dictionary field (";key=").
	Key string
	// SF re-serializes a structured field strictly (";sf").
	SF bool
	// BS wraps each field line as a byte sequence (";bs").
	BS bool

	// id is the identifier as received, parameters in their received
	// order; the signature base must repeat it exactly.
	id string
}

// C returns the Component for name with no parameters.
func C(name string) Component { return Component{Name: name} }

// derived lists the derived components this package computes. The
// response-only @status and the per-parameter @query-param are not
// supported: a signature covering them is rejected as malformed.
var derived = map[string]bool{
	"@method": true, "@target-uri": true, "@authority": true, "@scheme": true,
	"@request-target": true, "@path": true, "@query": true,
}

// dictionaryFields are the fields this package knows to be Dictionaries, so
// that ";sf" and ";key=" can be applied to them (RFC 9421 2.1.1, 2.1.2).
var dictionaryFields = map[string]bool{
	"content-digest": true, "repr-digest": true, "want-content-digest": true,
	"want-repr-digest": true, "signature": true, "signature-input": true,
	"accept-signature": true, "priority": true,
}

func (c Component) validate() error {
	if c.Name == "" {
		return errors.New("a covered component has an empty name")
	}
	if strings.HasPrefix(c.Name, "@") {
		if c.Name == "@signature-params" {
			return errors.New(`"@signature-params" cannot be a covered component`)
		}
		if !derived[c.Name] {
			return fmt.Errorf("derived component %q is not supported", c.Name)
		}
		if c.Key != "" || c.SF || c.BS {
			return fmt.Errorf("derived component %q takes no sf, key or bs parameter", c.Name)
		}
		return nil
	}
	for i := 0; i < len(c.Name); i++ {
		ch := c.Name[i]
		if !isTChar(ch) || (ch >= 'A' && ch <= 'Z') {
			return fmt.Errorf("covered field name %q must be a lowercase HTTP field name", c.Name)
		}
	}
	if c.BS && (c.SF || c.Key != "") {
		return fmt.Errorf("covered field %q cannot combine bs with sf or key", c.Name)
	}
	if (c.SF || c.Key != "") && !dictionaryFields[c.Name] {
		return fmt.Errorf("covered field %q is not a structured field this verifier knows, so sf and key cannot apply", c.Name)
	}
	return nil
}

func (c Component) item() sfItem {
	it := sfItem{val: c.Name}
	if c.SF {
		it.params.set("sf", true)
	}
	if c.Key != "" {
		it.params.set("key", c.Key)
	}
	if c.BS {
		it.params.set("bs", true)
	}
	return it
}

// String returns the component identifier as it appears in Signature-Input
// and in the signature base, such as "content-digest";key="sha-256".
func (c Component) String() string {
	if c.id != "" {
		return c.id
	}
	s, err := serializeSFItem(c.item())
	if err != nil {
		return fmt.Sprintf("%q", c.Name)
	}
	return s
}

func componentFromItem(it sfItem) (Component, error) {
	name, ok := it.val.(string)
	if !ok {
		return Component{}, fmt.Errorf("a covered component is a %s, not a string", sfTypeName(it.val))
	}
	c := Component{Name: name}
	for _, kv := range it.params {
		switch kv.key {
		case "sf":
			c.SF = kv.val == true
		case "bs":
			c.BS = kv.val == true
		case "key":
			k, ok := kv.val.(string)
			if !ok {
				return c, fmt.Errorf("the key parameter of %q is a %s, not a string", name, sfTypeName(kv.val))
			}
			c.Key = k
		default:
			return c, fmt.Errorf("component parameter %q of %q is not supported", kv.key, name)
		}
	}
	if err := c.validate(); err != nil {
		return c, err
	}
	id, err := serializeSFItem(it)
	if err != nil {
		return c, err
	}
	c.id = id
	return c, nil
}

func sfTypeName(v any) string {
	switch v.(type) {
	case int64:
		return "integer"
	case sfDecimal:
		return "decimal"
	case string:
		return "string"
	case sfToken:
		return "token"
	case []byte:
		return "byte sequence"
	case bool:
		return "boolean"
	case sfDate:
		return "date"
	case sfDisplayString:
		return "display string"
	}
	return fmt.Sprintf("%T", v)
}

// Params are the signature parameters of one signature (RFC 9421 2.3):
// what it covers and the metadata it carries.
type Params struct {
	// Components are the covered components, in order.
	Components []Component
	// Created is when the signature was made; zero leaves it out.
	Created time.Time
	// Expires is when the signature stops being valid; zero leaves it out.
	Expires time.Time
	// KeyID names the key, never holds it.
	KeyID string
	// Nonce is a random value that makes the signature unique.
	Nonce string
	// Alg is the algorithm name; "" leaves it out.
	Alg string
	// Tag is an application-specific tag; "" leaves it out.
	Tag string
}

// innerList serializes p in the order created, expires, keyid, nonce, alg,
// tag: the order RFC 9421's examples use.
func (p Params) innerList() (sfInnerList, error) {
	var l sfInnerList
	seen := make(map[string]bool, len(p.Components))
	for _, c := range p.Components {
		if err := c.validate(); err != nil {
			return l, err
		}
		id := c.String()
		if seen[id] {
			return l, fmt.Errorf("component %s is covered twice", id)
		}
		seen[id] = true
		l.items = append(l.items, c.item())
	}
	if !p.Created.IsZero() {
		l.params.set("created", p.Created.Unix())
	}
	if !p.Expires.IsZero() {
		l.params.set("expires", p.Expires.Unix())
	}
	for _, kv := range []struct{ k, v string }{{"keyid", p.KeyID}, {"nonce", p.Nonce}, {"alg", p.Alg}, {"tag", p.Tag}} {
		if kv.v != "" {
			l.params.set(kv.k, kv.v)
		}
	}
	return l, nil
}

// String returns the serialized signature parameters, the value of
// "@signature-params" and of a Signature-Input member.
func (p Params) String() string {
	l, err := p.innerList()
	if err != nil {
		return "<invalid: " + err.Error() + ">"
	}
	s, err := serializeSFInnerList(l)
	if err != nil {
		return "<invalid: " + err.Error() + ">"
	}
	return s
}

// Covers reports whether p covers the component named name (with any
// parameters).
func (p Params) Covers(name string) bool {
	return slices.ContainsFunc(p.Components, func(c Component) bool { return c.Name == name })
}

// SignatureInput is one labelled member of a Signature-Input field.
type SignatureInput struct {
	// Label names the signature; the same label keys the Signature field.
	Label string
	Params
	// raw is the member as received: its serialization, unknown
	// parameters included, is the "@signature-params" line.
	raw sfInnerList
}

// ErrMalformed is wrapped by every error about a field that does not
// follow RFC 9421, RFC 9530 or RFC 9651.
var ErrMalformed = errors.New("malformed")

// maxLabels bounds how many signatures one field may carry.
const maxLabels = 16

// maxComponents bounds how many components one signature may cover.
const maxComponents = 64

// ParseSignatureInput parses a Signature-Input field value (all its lines
// joined with ", ") into its labelled members, in order.
func ParseSignatureInput(field string) ([]SignatureInput, error) {
	d, err := parseSFDictionary(field)
	if err != nil {
		return nil, fmt.Errorf("signing: Signature-Input: %w: %w", ErrMalformed, err)
	}
	if len(d) == 0 {
		return nil, fmt.Errorf("signing: Signature-Input: %w: the field is empty", ErrMalformed)
	}
	if len(d) > maxLabels {
		return nil, fmt.Errorf("signing: Signature-Input: %w: %d signatures, more than the %d accepted", ErrMalformed, len(d), maxLabels)
	}
	out := make([]SignatureInput, 0, len(d))
	for _, e := range d {
		si, err := signatureInputFrom(e.key, e.val)
		if err != nil {
			return nil, fmt.Errorf("signing: Signature-Input: %w: signature %q: %w", ErrMalformed, e.key, err)
		}
		out = append(out, si)
	}
	return out, nil
}

func signatureInputFrom(label string, m sfMember) (SignatureInput, error) {
	si := SignatureInput{Label: label}
	if !m.isList {
		return si, errors.New("the member is not an inner list of components")
	}
	if len(m.list.items) > maxComponents {
		return si, fmt.Errorf("%d covered components, more than the %d accepted", len(m.list.items), maxComponents)
	}
	si.raw = m.list
	seen := map[string]bool{}
	for _, it := range m.list.items {
		c, err := componentFromItem(it)
		if err != nil {
			return si, err
		}
		id := c.String()
		if seen[id] {
			return si, fmt.Errorf("component %s is covered twice", id)
		}
		seen[id] = true
		si.Components = append(si.Components, c)
	}
	for _, kv := range m.list.params {
		switch kv.key {
		case "created", "expires":
			n, ok := kv.val.(int64)
			if !ok {
				return si, fmt.Errorf("parameter %s is a %s, not an integer", kv.key, sfTypeName(kv.val))
			}
			if n < 0 {
				return si, fmt.Errorf("parameter %s is negative", kv.key)
			}
			if kv.key == "created" {
				si.Created = time.Unix(n, 0)
			} else {
				si.Expires = time.Unix(n, 0)
			}
		case "keyid", "nonce", "alg", "tag":
			s, ok := kv.val.(string)
			if !ok {
				return si, fmt.Errorf("parameter %s is a %s, not a string", kv.key, sfTypeName(kv.val))
			}
			switch kv.key {
			case "keyid":
				si.KeyID = s
			case "nonce":
				si.Nonce = s
			case "alg":
				si.Alg = s
			case "tag":
				si.Tag = s
			}
		}
		// Other parameters are kept in raw: they are covered by the
		// signature through "@signature-params" (RFC 9421 2.3).
	}
	return si, nil
}

// ParseSignature parses a Signature field value into the signature bytes
// of each label.
func ParseSignature(field string) (map[string][]byte, error) {
	d, err := parseSFDictionary(field)
	if err != nil {
		return nil, fmt.Errorf("signing: Signature: %w: %w", ErrMalformed, err)
	}
	if len(d) == 0 {
		return nil, fmt.Errorf("signing: Signature: %w: the field is empty", ErrMalformed)
	}
	if len(d) > maxLabels {
		return nil, fmt.Errorf("signing: Signature: %w: %d signatures, more than the %d accepted", ErrMalformed, len(d), maxLabels)
	}
	out := make(map[string][]byte, len(d))
	for _, e := range d {
		b, ok := e.val.item.val.([]byte)
		if e.val.isList || !ok {
			return nil, fmt.Errorf("signing: Signature: %w: signature %q is not a byte sequence", ErrMalformed, e.key)
		}
		out[e.key] = b
	}
	return out, nil
}

// message is the view of an HTTP request that derived components are
// computed from; the signer builds it from a client request, the verifier
// from a server request.
type message struct {
	method    string
	scheme    string
	authority string // lowercase, default port removed
	path      string // escaped, "/" when empty
	rawQuery  string
	header    http.Header
	host      string // the Host field value
}

// normalizeAuthority lowercases host and drops a port that is the
// scheme's default (RFC 9421 2.2.3).
func normalizeAuthority(scheme, host string) string {
	host = strings.ToLower(host)
	if h, port, err := net.SplitHostPort(host); err == nil {
		if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
			if strings.Contains(h, ":") {
				return "[" + h + "]"
			}
			return h
		}
	}
	return host
}

func clientMessage(r *http.Request) (message, error) {
	if r.URL == nil {
		return message{}, errors.New("request has no URL")
	}
	m := message{method: r.Method, header: r.Header, rawQuery: r.URL.RawQuery}
	if m.method == "" {
		m.method = http.MethodGet
	}
	m.scheme = strings.ToLower(r.URL.Scheme)
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	if host == "" {
		return message{}, errors.New("request has no host")
	}
	m.host = host
	m.authority = normalizeAuthority(m.scheme, host)
	m.path = r.URL.EscapedPath()
	if m.path == "" {
		m.path = "/"
	}
	return m, nil
}

func (m message) value(c Component) (string, error) {
	var v string
	switch c.Name {
	case "@method":
		v = m.method
	case "@scheme":
		if m.scheme == "" {
			return "", errors.New("the request's scheme is unknown")
		}
		v = m.scheme
	case "@authority":
		v = m.authority
	case "@path":
		v = m.path
	case "@query":
		v = "?" + m.rawQuery
	case "@request-target":
		v = m.path
		if m.rawQuery != "" {
			v += "?" + m.rawQuery
		}
	case "@target-uri":
		if m.scheme == "" {
			return "", errors.New("the request's scheme is unknown")
		}
		v = m.scheme + "://" + m.authority + m.path
		if m.rawQuery != "" {
			v += "?" + m.rawQuery
		}
	default:
		var err error
		if v, err = m.fieldValue(c); err != nil {
			return "", err
		}
	}
	if strings.ContainsAny(v, "\r\n") {
		return "", fmt.Errorf("component %s has a line break in its value", c)
	}
	return v, nil
}

func (m message) fieldValue(c Component) (string, error) {
	var lines []string
	if c.Name == "host" {
		if m.host != "" {
			lines = []string{m.host}
		}
	} else {
		lines = m.header.Values(c.Name)
	}
	if len(lines) == 0 {
		return "", fmt.Errorf("covered field %q is not in the request", c.Name)
	}
	if c.BS {
		parts := make([]string, len(lines))
		for i, l := range lines {
			parts[i] = ":" + base64.StdEncoding.EncodeToString([]byte(strings.Trim(l, " \t"))) + ":"
		}
		return strings.Join(parts, ", "), nil
	}
	trimmed := make([]string, len(lines))
	for i, l := range lines {
		trimmed[i] = strings.Trim(l, " \t")
	}
	v := strings.Join(trimmed, ", ")
	if !c.SF && c.Key == "" {
		return v, nil
	}
	d, err := parseSFDictionary(v)
	if err != nil {
		return "", fmt.Errorf("covered field %q is not a valid dictionary: %w", c.Name, err)
	}
	if c.Key == "" {
		return serializeSFDictionary(d)
	}
	mem, ok := d.get(c.Key)
	if !ok {
		return "", fmt.Errorf("covered field %q has no member %q", c.Name, c.Key)
	}
	var b strings.Builder
	if err := writeMember(&b, mem); err != nil {
		return "", err
	}
	return b.String(), nil
}

// signatureBase builds the signature base (RFC 9421 2.5) of m for the
// covered components and the serialized signature parameters.
func signatureBase(m message, comps []Component, params sfInnerList) ([]byte, error) {
	var b strings.Builder
	for _, c := range comps {
		v, err := m.value(c)
		if err != nil {
			return nil, err
		}
		b.WriteString(c.String())
		b.WriteString(": ")
		b.WriteString(v)
		b.WriteByte('\n')
	}
	b.WriteString(`"@signature-params": `)
	if err := writeInnerList(&b, params); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// SignatureBase returns the signature base (RFC 9421 section 2.5) of the
// client request r for the parameters p: the exact bytes an hmac-sha256
// signature with those parameters is computed over.
func SignatureBase(r *http.Request, p Params) ([]byte, error) {
	m, err := clientMessage(r)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	l, err := p.innerList()
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	b, err := signatureBase(m, p.Components, l)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return b, nil
}
