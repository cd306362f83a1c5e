package signing

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
)

// Rule names calls by method and path pattern.
//
// A pattern is an absolute path whose segments are matched one by one:
// a literal segment matches itself (ASCII case-insensitively, so a path
// cannot dodge a rule by its case), "*" matches exactly one non-empty
// segment, and "**" matches any number of segments, none included. So
// "/crm/*/objects/*/merge" matches /crm/v3/objects/contacts/merge, and
// "/crm/**/batch/archive" matches every batch archive under /crm.
type Rule struct {
	// Method is an HTTP method, or "*" for any.
	Method string
	// Path is the pattern.
	Path string
}

// String returns the rule as ParseRule reads it, such as "DELETE /crm/**".
func (r Rule) String() string { return r.Method + " " + r.Path }

// ParseRule parses "METHOD /path/pattern", such as "POST /crm/*/objects/*/merge"
// or "* /crm/**/exports/**".
func ParseRule(s string) (Rule, error) {
	method, p, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return Rule{}, fmt.Errorf("signing: rule %q must be \"METHOD /path\"", s)
	}
	r := Rule{Method: method, Path: strings.TrimSpace(p)}
	if _, err := compileRule(r); err != nil {
		return Rule{}, err
	}
	return r, nil
}

type compiledRule struct {
	rule     Rule
	method   string // upper case, "*" for any
	segments []string
}

func compileRule(r Rule) (compiledRule, error) {
	m := strings.ToUpper(r.Method)
	if m == "" {
		return compiledRule{}, fmt.Errorf("signing: rule %q has no method (use \"*\" for any)", r)
	}
	if m != "*" {
		for i := 0; i < len(m); i++ {
			if !isTChar(m[i]) {
				return compiledRule{}, fmt.Errorf("signing: rule %q: %q is not an HTTP method", r, r.Method)
			}
		}
	}
	if !strings.HasPrefix(r.Path, "/") {
		return compiledRule{}, fmt.Errorf("signing: rule %q: the path pattern must start with '/'", r)
	}
	segs := splitPath(r.Path)
	for _, s := range segs {
		if s == "" {
			return compiledRule{}, fmt.Errorf("signing: rule %q: the path pattern has an empty segment", r)
		}
		if strings.Contains(s, "*") && s != "*" && s != "**" {
			return compiledRule{}, fmt.Errorf("signing: rule %q: '*' must be a whole segment (\"*\" or \"**\"), not part of %q", r, s)
		}
	}
	return compiledRule{rule: Rule{Method: m, Path: r.Path}, method: m, segments: segs}, nil
}

// splitPath splits an absolute path into its segments; "/" has none.
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func (c compiledRule) match(method string, segs []string) bool {
	if c.method != "*" && !strings.EqualFold(c.method, method) {
		return false
	}
	return matchSegments(c.segments, segs)
}

func matchSegments(pat, segs []string) bool {
	for len(pat) > 0 {
		switch pat[0] {
		case "**":
			for i := 0; i <= len(segs); i++ {
				if matchSegments(pat[1:], segs[i:]) {
					return true
				}
			}
			return false
		case "*":
			if len(segs) == 0 || segs[0] == "" {
				return false
			}
		default:
			if len(segs) == 0 || !strings.EqualFold(pat[0], segs[0]) {
				return false
			}
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}

// Policy says which calls must be signed: those its rules match. It knows
// nothing of any API; the rules are the caller's (package hubspot decides
// which HubSpot calls are sensitive). It is immutable: With and Without
// return new Policies, so one can be shared freely.
type Policy struct {
	rules []compiledRule
}

// NewPolicy returns a Policy of exactly rules.
func NewPolicy(rules ...Rule) (*Policy, error) {
	p := &Policy{}
	return p.With(rules...)
}

// MustPolicy is NewPolicy for rules known to be valid; it panics on an
// invalid one. For package-level defaults built from literals.
func MustPolicy(rules ...string) *Policy {
	p := &Policy{}
	for _, s := range rules {
		r, err := ParseRule(s)
		if err != nil {
			panic(err)
		}
		c, _ := compileRule(r)
		p.rules = append(p.rules, c)
	}
	return p
}

// EveryRequest returns a Policy that signs every call.
func EveryRequest() *Policy { return MustPolicy("* /**") }

// With returns a Policy with p's rules and rules.
func (p *Policy) With(rules ...Rule) (*Policy, error) {
	out := &Policy{rules: append([]compiledRule(nil), p.rules...)}
	for _, r := range rules {
		c, err := compileRule(r)
		if err != nil {
			return nil, err
		}
		out.rules = append(out.rules, c)
	}
	return out, nil
}

// Without returns a Policy with p's rules except those equal to one of
// rules (same method, ignoring case, and same pattern).
func (p *Policy) Without(rules ...Rule) *Policy {
	out := &Policy{}
	for _, c := range p.rules {
		drop := false
		for _, r := range rules {
			if strings.EqualFold(r.Method, c.method) && r.Path == c.rule.Path {
				drop = true
			}
		}
		if !drop {
			out.rules = append(out.rules, c)
		}
	}
	return out
}

// Under returns a Policy whose rules match the same calls made to an API
// mounted under prefix, such as "/hubspot" for a gateway at
// https://gw.example.com/hubspot: "POST /crm/**/merge" becomes
// "POST /hubspot/crm/**/merge". An empty or "/" prefix returns p.
func (p *Policy) Under(prefix string) (*Policy, error) {
	prefix = strings.TrimRight(prefix, "/")
	if prefix == "" {
		return p, nil
	}
	if !strings.HasPrefix(prefix, "/") {
		return nil, fmt.Errorf("signing: path prefix %q must start with '/'", prefix)
	}
	out := &Policy{}
	for _, c := range p.rules {
		r := c.rule
		r.Path = prefix + r.Path
		nc, err := compileRule(r)
		if err != nil {
			return nil, err
		}
		out.rules = append(out.rules, nc)
	}
	return out, nil
}

// Rules returns p's rules, in order.
func (p *Policy) Rules() []Rule {
	out := make([]Rule, len(p.rules))
	for i, c := range p.rules {
		out[i] = c.rule
	}
	return out
}

// Match returns the first rule that matches a call with method to the
// escaped URL path p, if any. The path is matched both as sent and with
// percent-escapes decoded, each after removing dot segments, so neither
// "/crm/v3/objects/../objects/contacts/1" nor an escaped slash dodges a
// rule.
func (p *Policy) Match(method, escapedPath string) (Rule, bool) {
	if p == nil {
		return Rule{}, false
	}
	candidates := []string{cleanPath(escapedPath)}
	if dec, err := unescapePath(escapedPath); err == nil && dec != escapedPath {
		candidates = append(candidates, cleanPath(dec))
	}
	for _, c := range p.rules {
		for _, cand := range candidates {
			if c.match(method, splitPath(cand)) {
				return c.rule, true
			}
		}
	}
	return Rule{}, false
}

// Sensitive reports whether r must be signed.
func (p *Policy) Sensitive(r *http.Request) bool {
	if r == nil || r.URL == nil {
		return false
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	_, ok := p.Match(method, r.URL.EscapedPath())
	return ok
}

func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return path.Clean(p)
}

var errBadEscape = errors.New("invalid percent-escape")

// unescapePath decodes every %XX in p, "%2F" included.
func unescapePath(p string) (string, error) {
	if !strings.Contains(p, "%") {
		return p, nil
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '%' {
			b.WriteByte(p[i])
			continue
		}
		if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
			return "", errBadEscape
		}
		b.WriteByte(unhex(p[i+1])<<4 | unhex(p[i+2]))
		i += 2
	}
	return b.String(), nil
}

func isHex(c byte) bool { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') }

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
