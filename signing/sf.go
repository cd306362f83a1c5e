package signing

// Structured Field Values for HTTP (RFC 9651, which obsoletes RFC 8941):
// the parsing and serialization algorithms of its sections 4.1 and 4.2,
// for the types Signature-Input, Signature and Content-Digest are built
// from: dictionaries, inner lists, items, parameters, and every bare item
// type (integers, decimals, strings, tokens, byte sequences, booleans,
// dates and display strings). A field that fails to parse fails as a whole,
// as the RFC requires; nothing is guessed.

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// sfToken is a structured-field token (an unquoted identifier).
type sfToken string

// sfDate is an RFC 9651 Date: seconds since the Unix epoch.
type sfDate int64

// sfDisplayString is an RFC 9651 Display String: Unicode text.
type sfDisplayString string

// sfDecimal is a structured-field decimal held exactly, in thousandths.
type sfDecimal int64

// A bare item is one of: int64, sfDecimal, string, sfToken, []byte, bool,
// sfDate, sfDisplayString.

type sfParam struct {
	key string
	val any
}

// sfParams keeps parameters in order; a repeated key keeps its first
// position and its last value.
type sfParams []sfParam

func (p *sfParams) set(key string, val any) {
	for i := range *p {
		if (*p)[i].key == key {
			(*p)[i].val = val
			return
		}
	}
	*p = append(*p, sfParam{key, val})
}

type sfItem struct {
	val    any
	params sfParams
}

type sfInnerList struct {
	items  []sfItem
	params sfParams
}

// sfMember is a dictionary or list member: an item, or an inner list when
// isList is set.
type sfMember struct {
	isList bool
	item   sfItem
	list   sfInnerList
}

type sfDictEntry struct {
	key string
	val sfMember
}

// sfDict keeps members in order; a repeated key keeps its first position
// and its last value.
type sfDict []sfDictEntry

func (d sfDict) get(key string) (sfMember, bool) {
	for _, e := range d {
		if e.key == key {
			return e.val, true
		}
	}
	return sfMember{}, false
}

func (d *sfDict) set(key string, m sfMember) {
	for i := range *d {
		if (*d)[i].key == key {
			(*d)[i].val = m
			return
		}
	}
	*d = append(*d, sfDictEntry{key, m})
}

func (d *sfDict) remove(key string) {
	out := (*d)[:0]
	for _, e := range *d {
		if e.key != key {
			out = append(out, e)
		}
	}
	*d = out
}

// errSF is wrapped by every structured-field parse error.
var errSF = errors.New("invalid structured field")

// sfParser walks one field value. Errors name the byte offset and what was
// expected; they quote at most one character of the input.
type sfParser struct {
	s   string
	pos int
}

func (p *sfParser) fail(format string, args ...any) error {
	return fmt.Errorf("%w: at byte %d: %s", errSF, p.pos, fmt.Sprintf(format, args...))
}

func (p *sfParser) eof() bool  { return p.pos >= len(p.s) }
func (p *sfParser) peek() byte { return p.s[p.pos] }

func (p *sfParser) skipSP() {
	for !p.eof() && p.peek() == ' ' {
		p.pos++
	}
}

func (p *sfParser) skipOWS() {
	for !p.eof() && (p.peek() == ' ' || p.peek() == '\t') {
		p.pos++
	}
}

func describe(c byte) string {
	if c >= 0x21 && c <= 0x7e {
		return strconv.Quote(string(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// parseSFDictionary parses a whole field value as a Dictionary (RFC 9651
// section 4.2, with 4.2.2 for the members).
func parseSFDictionary(field string) (sfDict, error) {
	p := &sfParser{s: field}
	p.skipSP()
	var d sfDict
	for !p.eof() {
		key, err := p.parseKey()
		if err != nil {
			return nil, err
		}
		var m sfMember
		if !p.eof() && p.peek() == '=' {
			p.pos++
			if m, err = p.parseItemOrInnerList(); err != nil {
				return nil, err
			}
		} else {
			params, err := p.parseParameters()
			if err != nil {
				return nil, err
			}
			m = sfMember{item: sfItem{val: true, params: params}}
		}
		d.set(key, m)
		p.skipOWS()
		if p.eof() {
			return d, nil
		}
		if c := p.peek(); c != ',' {
			return nil, p.fail("expected ',' between dictionary members, found %s", describe(c))
		}
		p.pos++
		p.skipOWS()
		if p.eof() {
			return nil, p.fail("trailing ',' after the last dictionary member")
		}
	}
	return d, nil
}

// parseSFList parses a whole field value as a List (RFC 9651 4.2.1).
func parseSFList(field string) ([]sfMember, error) {
	p := &sfParser{s: field}
	p.skipSP()
	var l []sfMember
	for !p.eof() {
		m, err := p.parseItemOrInnerList()
		if err != nil {
			return nil, err
		}
		l = append(l, m)
		p.skipOWS()
		if p.eof() {
			return l, nil
		}
		if c := p.peek(); c != ',' {
			return nil, p.fail("expected ',' between list members, found %s", describe(c))
		}
		p.pos++
		p.skipOWS()
		if p.eof() {
			return nil, p.fail("trailing ',' after the last list member")
		}
	}
	return l, nil
}

// parseSFItem parses a whole field value as an Item (RFC 9651 4.2.3).
func parseSFItem(field string) (sfItem, error) {
	p := &sfParser{s: field}
	p.skipSP()
	it, err := p.parseItem()
	if err != nil {
		return sfItem{}, err
	}
	p.skipSP()
	if !p.eof() {
		return sfItem{}, p.fail("unexpected %s after the item", describe(p.peek()))
	}
	return it, nil
}

func (p *sfParser) parseItemOrInnerList() (sfMember, error) {
	if !p.eof() && p.peek() == '(' {
		l, err := p.parseInnerList()
		return sfMember{isList: true, list: l}, err
	}
	it, err := p.parseItem()
	return sfMember{item: it}, err
}

func (p *sfParser) parseInnerList() (sfInnerList, error) {
	p.pos++ // '('
	var l sfInnerList
	for !p.eof() {
		p.skipSP()
		if p.eof() {
			break
		}
		if p.peek() == ')' {
			p.pos++
			params, err := p.parseParameters()
			l.params = params
			return l, err
		}
		it, err := p.parseItem()
		if err != nil {
			return l, err
		}
		l.items = append(l.items, it)
		if p.eof() {
			break
		}
		if c := p.peek(); c != ' ' && c != ')' {
			return l, p.fail("expected ' ' or ')' in inner list, found %s", describe(c))
		}
	}
	return l, p.fail("inner list is not closed with ')'")
}

func (p *sfParser) parseItem() (sfItem, error) {
	v, err := p.parseBareItem()
	if err != nil {
		return sfItem{}, err
	}
	params, err := p.parseParameters()
	return sfItem{val: v, params: params}, err
}

func (p *sfParser) parseBareItem() (any, error) {
	if p.eof() {
		return nil, p.fail("expected an item, found the end of the field")
	}
	switch c := p.peek(); {
	case c == '-' || isDigit(c):
		return p.parseNumber()
	case c == '"':
		return p.parseString()
	case isAlpha(c) || c == '*':
		return p.parseToken()
	case c == ':':
		return p.parseByteSequence()
	case c == '?':
		return p.parseBoolean()
	case c == '@':
		return p.parseDate()
	case c == '%':
		return p.parseDisplayString()
	default:
		return nil, p.fail("unexpected %s at the start of an item", describe(c))
	}
}

func (p *sfParser) parseParameters() (sfParams, error) {
	var params sfParams
	for !p.eof() && p.peek() == ';' {
		p.pos++
		p.skipSP()
		key, err := p.parseKey()
		if err != nil {
			return nil, err
		}
		var v any = true
		if !p.eof() && p.peek() == '=' {
			p.pos++
			if v, err = p.parseBareItem(); err != nil {
				return nil, err
			}
		}
		params.set(key, v)
	}
	return params, nil
}

func (p *sfParser) parseKey() (string, error) {
	if p.eof() {
		return "", p.fail("expected a key, found the end of the field")
	}
	if c := p.peek(); !isLCAlpha(c) && c != '*' {
		return "", p.fail("a key must start with a lowercase letter or '*', found %s", describe(c))
	}
	start := p.pos
	for !p.eof() && isKeyChar(p.peek()) {
		p.pos++
	}
	return p.s[start:p.pos], nil
}

func (p *sfParser) parseNumber() (any, error) {
	start := p.pos
	neg := false
	if p.peek() == '-' {
		neg = true
		p.pos++
	}
	if p.eof() || !isDigit(p.peek()) {
		return nil, p.fail("expected a digit in a number")
	}
	digits := p.pos
	dot := -1
	for !p.eof() {
		c := p.peek()
		if isDigit(c) {
			p.pos++
		} else if c == '.' && dot < 0 {
			if p.pos-digits > 12 {
				return nil, p.fail("a decimal has more than 12 integer digits")
			}
			dot = p.pos
			p.pos++
		} else {
			break
		}
		if dot < 0 && p.pos-digits > 15 {
			return nil, p.fail("an integer has more than 15 digits")
		}
		if dot >= 0 && p.pos-digits > 16 {
			return nil, p.fail("a decimal has more than 16 characters")
		}
	}
	num := p.s[digits:p.pos]
	if dot < 0 {
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: at byte %d: integer out of range", errSF, start)
		}
		if neg {
			n = -n
		}
		return n, nil
	}
	frac := p.s[dot+1 : p.pos]
	if len(frac) == 0 {
		return nil, p.fail("a decimal ends with '.'")
	}
	if len(frac) > 3 {
		return nil, p.fail("a decimal has more than 3 fractional digits")
	}
	ip, _ := strconv.ParseInt(p.s[digits:dot], 10, 64)
	fp, _ := strconv.ParseInt(frac+strings.Repeat("0", 3-len(frac)), 10, 64)
	v := ip*1000 + fp
	if neg {
		v = -v
	}
	return sfDecimal(v), nil
}

func (p *sfParser) parseString() (string, error) {
	p.pos++ // '"'
	var b strings.Builder
	for !p.eof() {
		c := p.peek()
		p.pos++
		switch {
		case c == '\\':
			if p.eof() {
				return "", p.fail("a string ends with '\\'")
			}
			n := p.peek()
			if n != '"' && n != '\\' {
				return "", p.fail("invalid escape \\%s in a string", describe(n))
			}
			p.pos++
			b.WriteByte(n)
		case c == '"':
			return b.String(), nil
		case c < 0x20 || c > 0x7e:
			p.pos--
			return "", p.fail("%s is not allowed in a string", describe(c))
		default:
			b.WriteByte(c)
		}
	}
	return "", p.fail("a string is not closed with '\"'")
}

func (p *sfParser) parseToken() (sfToken, error) {
	start := p.pos
	p.pos++
	for !p.eof() && (isTChar(p.peek()) || p.peek() == ':' || p.peek() == '/') {
		p.pos++
	}
	return sfToken(p.s[start:p.pos]), nil
}

func (p *sfParser) parseByteSequence() ([]byte, error) {
	p.pos++ // ':'
	end := strings.IndexByte(p.s[p.pos:], ':')
	if end < 0 {
		return nil, p.fail("a byte sequence is not closed with ':'")
	}
	enc := p.s[p.pos : p.pos+end]
	for i := 0; i < len(enc); i++ {
		if !isBase64Char(enc[i]) {
			p.pos += i
			return nil, p.fail("%s is not allowed in a byte sequence", describe(enc[i]))
		}
	}
	// RFC 9651 4.2.7: parsers should accept missing "=" padding and
	// non-zero pad bits. A "=" anywhere but at the end is still an error.
	trimmed := strings.TrimRight(enc, "=")
	if len(enc)-len(trimmed) > 2 {
		return nil, p.fail("a byte sequence has too much '=' padding")
	}
	b, err := base64.RawStdEncoding.DecodeString(trimmed)
	if err != nil {
		return nil, p.fail("a byte sequence is not valid base64")
	}
	if len(trimmed) != len(enc) && len(enc)%4 != 0 {
		return nil, p.fail("a byte sequence has misplaced '=' padding")
	}
	p.pos += end + 1
	return b, nil
}

func (p *sfParser) parseBoolean() (bool, error) {
	p.pos++ // '?'
	if p.eof() {
		return false, p.fail("a boolean ends after '?'")
	}
	switch p.peek() {
	case '1':
		p.pos++
		return true, nil
	case '0':
		p.pos++
		return false, nil
	}
	return false, p.fail("a boolean must be ?1 or ?0, found %s", describe(p.peek()))
}

func (p *sfParser) parseDate() (sfDate, error) {
	p.pos++ // '@'
	if p.eof() {
		return 0, p.fail("a date ends after '@'")
	}
	if c := p.peek(); c != '-' && !isDigit(c) {
		return 0, p.fail("a date must be an integer, found %s", describe(c))
	}
	v, err := p.parseNumber()
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, p.fail("a date must be an integer, not a decimal")
	}
	return sfDate(n), nil
}

func (p *sfParser) parseDisplayString() (sfDisplayString, error) {
	p.pos++ // '%'
	if p.eof() || p.peek() != '"' {
		return "", p.fail("a display string must start with %%\"")
	}
	p.pos++
	var b []byte
	for !p.eof() {
		c := p.peek()
		p.pos++
		switch {
		case c < 0x20 || c > 0x7e:
			p.pos--
			return "", p.fail("%s is not allowed in a display string", describe(c))
		case c == '%':
			if p.pos+2 > len(p.s) || !isLCHex(p.s[p.pos]) || !isLCHex(p.s[p.pos+1]) {
				return "", p.fail("'%%' in a display string must be followed by two lowercase hex digits")
			}
			v, _ := strconv.ParseUint(p.s[p.pos:p.pos+2], 16, 8)
			b = append(b, byte(v))
			p.pos += 2
		case c == '"':
			if !utf8.Valid(b) {
				return "", p.fail("a display string is not valid UTF-8")
			}
			return sfDisplayString(b), nil
		default:
			b = append(b, c)
		}
	}
	return "", p.fail("a display string is not closed with '\"'")
}

// Serialization (RFC 9651 4.1). Each function fails on a value the format
// cannot carry instead of writing something a parser would read back
// differently.

func serializeSFDictionary(d sfDict) (string, error) {
	var b strings.Builder
	for i, e := range d {
		if i > 0 {
			b.WriteString(", ")
		}
		if err := writeKey(&b, e.key); err != nil {
			return "", err
		}
		if !e.val.isList {
			if v, ok := e.val.item.val.(bool); ok && v {
				if err := writeParams(&b, e.val.item.params); err != nil {
					return "", err
				}
				continue
			}
		}
		b.WriteByte('=')
		if err := writeMember(&b, e.val); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

func serializeSFList(l []sfMember) (string, error) {
	var b strings.Builder
	for i, m := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		if err := writeMember(&b, m); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

func serializeSFItem(it sfItem) (string, error) {
	var b strings.Builder
	err := writeItem(&b, it)
	return b.String(), err
}

func serializeSFInnerList(l sfInnerList) (string, error) {
	var b strings.Builder
	err := writeInnerList(&b, l)
	return b.String(), err
}

func writeMember(b *strings.Builder, m sfMember) error {
	if m.isList {
		return writeInnerList(b, m.list)
	}
	return writeItem(b, m.item)
}

func writeInnerList(b *strings.Builder, l sfInnerList) error {
	b.WriteByte('(')
	for i, it := range l.items {
		if i > 0 {
			b.WriteByte(' ')
		}
		if err := writeItem(b, it); err != nil {
			return err
		}
	}
	b.WriteByte(')')
	return writeParams(b, l.params)
}

func writeItem(b *strings.Builder, it sfItem) error {
	if err := writeBareItem(b, it.val); err != nil {
		return err
	}
	return writeParams(b, it.params)
}

func writeParams(b *strings.Builder, params sfParams) error {
	for _, kv := range params {
		b.WriteByte(';')
		if err := writeKey(b, kv.key); err != nil {
			return err
		}
		if v, ok := kv.val.(bool); ok && v {
			continue
		}
		b.WriteByte('=')
		if err := writeBareItem(b, kv.val); err != nil {
			return err
		}
	}
	return nil
}

func writeKey(b *strings.Builder, k string) error {
	if k == "" || (!isLCAlpha(k[0]) && k[0] != '*') {
		return fmt.Errorf("%w: key %q must start with a lowercase letter or '*'", errSF, k)
	}
	for i := 1; i < len(k); i++ {
		if !isKeyChar(k[i]) {
			return fmt.Errorf("%w: key %q has a character a key cannot hold", errSF, k)
		}
	}
	b.WriteString(k)
	return nil
}

const sfMaxInt = 999_999_999_999_999

func writeBareItem(b *strings.Builder, v any) error {
	switch v := v.(type) {
	case int64:
		if v > sfMaxInt || v < -sfMaxInt {
			return fmt.Errorf("%w: integer %d is out of range", errSF, v)
		}
		b.WriteString(strconv.FormatInt(v, 10))
	case int:
		return writeBareItem(b, int64(v))
	case sfDecimal:
		n := int64(v)
		if n < 0 {
			b.WriteByte('-')
			n = -n
		}
		ip, fp := n/1000, n%1000
		if ip > 999_999_999_999 {
			return fmt.Errorf("%w: decimal has more than 12 integer digits", errSF)
		}
		b.WriteString(strconv.FormatInt(ip, 10))
		b.WriteByte('.')
		frac := fmt.Sprintf("%03d", fp)
		frac = strings.TrimRight(frac, "0")
		if frac == "" {
			frac = "0"
		}
		b.WriteString(frac)
	case string:
		for i := 0; i < len(v); i++ {
			if v[i] < 0x20 || v[i] > 0x7e {
				return fmt.Errorf("%w: a string cannot hold %s", errSF, describe(v[i]))
			}
		}
		b.WriteByte('"')
		for i := 0; i < len(v); i++ {
			if v[i] == '"' || v[i] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(v[i])
		}
		b.WriteByte('"')
	case sfToken:
		if v == "" || (!isAlpha(v[0]) && v[0] != '*') {
			return fmt.Errorf("%w: token %q must start with a letter or '*'", errSF, string(v))
		}
		for i := 1; i < len(v); i++ {
			if !isTChar(v[i]) && v[i] != ':' && v[i] != '/' {
				return fmt.Errorf("%w: token %q has a character a token cannot hold", errSF, string(v))
			}
		}
		b.WriteString(string(v))
	case []byte:
		b.WriteByte(':')
		b.WriteString(base64.StdEncoding.EncodeToString(v))
		b.WriteByte(':')
	case bool:
		if v {
			b.WriteString("?1")
		} else {
			b.WriteString("?0")
		}
	case sfDate:
		b.WriteByte('@')
		return writeBareItem(b, int64(v))
	case sfDisplayString:
		if !utf8.ValidString(string(v)) {
			return fmt.Errorf("%w: a display string must be valid UTF-8", errSF)
		}
		b.WriteString(`%"`)
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c == '%' || c == '"' || c < 0x20 || c > 0x7e {
				fmt.Fprintf(b, "%%%02x", c)
			} else {
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
	default:
		return fmt.Errorf("%w: %T is not a structured-field type", errSF, v)
	}
	return nil
}

func isDigit(c byte) bool   { return c >= '0' && c <= '9' }
func isLCAlpha(c byte) bool { return c >= 'a' && c <= 'z' }
func isAlpha(c byte) bool   { return isLCAlpha(c) || (c >= 'A' && c <= 'Z') }
func isLCHex(c byte) bool   { return isDigit(c) || (c >= 'a' && c <= 'f') }
func isKeyChar(c byte) bool {
	return isLCAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '.' || c == '*'
}

// isTChar reports whether c is an RFC 9110 tchar.
func isTChar(c byte) bool {
	if isAlpha(c) || isDigit(c) {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isBase64Char(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '+' || c == '/' || c == '='
}
