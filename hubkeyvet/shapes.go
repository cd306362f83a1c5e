package hubkeyvet

import (
	"encoding/base64"
	"regexp"
	"strings"
)

// kind is a kind of HubSpot credential the analyzer recognises.
type kind int

const (
	// kindPrivateAppToken: "pat-<region>-<uuid>", a private app or
	// personal access token. Recognised anywhere.
	kindPrivateAppToken kind = iota + 1
	// kindRefreshToken: "<region>-<uuid>" (na1-, eu1-, ap1-...), an OAuth
	// refresh token. Recognised anywhere.
	kindRefreshToken
	// kindAccessToken: HubSpot's base64url OAuth access token, checked by
	// its layout (see accessTokenAt). Recognised anywhere.
	kindAccessToken
	// kindDeveloperKey: a bare UUID where a developer API key or legacy
	// hapikey goes. Recognised only in a credential context.
	kindDeveloperKey
	// kindClientSecret: a bare UUID where an app's client secret goes.
	kindClientSecret
	// kindLegacyRefreshToken: a bare UUID where a refresh token goes
	// (HubSpot's older refresh tokens had no region prefix).
	kindLegacyRefreshToken
	// kindBearerUUID: a bare UUID after "Bearer " in one literal.
	kindBearerUUID
)

func (k kind) String() string {
	switch k {
	case kindPrivateAppToken:
		return "HubSpot private app token"
	case kindRefreshToken:
		return "HubSpot OAuth refresh token"
	case kindAccessToken:
		return "HubSpot OAuth access token"
	case kindDeveloperKey:
		return "HubSpot developer API key or legacy hapikey"
	case kindClientSecret:
		return "HubSpot app client secret"
	case kindLegacyRefreshToken:
		return "HubSpot OAuth refresh token (UUID)"
	case kindBearerUUID:
		return "bearer credential (UUID)"
	}
	return "credential"
}

// fix says what to do instead of a hard-coded credential of kind k.
func (k kind) fix() string {
	switch k {
	case kindAccessToken:
		return "access tokens expire: give hubspot.WithToken a secrets.Cache over an hubspot/oauth.Provider whose RefreshToken comes from a provider (secrets/env, secrets/file, a secret store)"
	case kindRefreshToken, kindLegacyRefreshToken, kindClientSecret:
		return "revoke it in HubSpot and give hubspot/oauth.Config a provider for it (secrets/env, secrets/file, a secret store)"
	case kindDeveloperKey:
		return "rotate it in HubSpot and give hubspot.WithDeveloperKey a secrets.Cache over a provider for it (secrets/env, secrets/file, a secret store)"
	}
	return "rotate it in HubSpot and load it at run time through a provider given to hubspot.WithToken (secrets/env, secrets/file, a secret store)"
}

// finding is one credential-shaped substring of a string.
type finding struct {
	kind  kind
	value string // the credential itself: fingerprinted, never printed
}

const uuidPattern = `[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`

var (
	patRE     = regexp.MustCompile(`pat-[a-z]{2}[0-9]-` + uuidPattern)
	refreshRE = regexp.MustCompile(`(?:na|eu|ap)[0-9]-` + uuidPattern)
	uuidRE    = regexp.MustCompile(uuidPattern)
	// b64RunRE finds candidate access tokens: runs of base64url that
	// start with "C" (protobuf field 1, varint) and are long enough.
	b64RunRE = regexp.MustCompile(`C[A-Za-z0-9_-]{39,}`)
)

// tokenByte reports whether c can be part of a credential: a run that a
// match sits inside of (say, "xpat-na1-..." or "...-extra") is not one.
func tokenByte(c byte) bool {
	return c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// bounded reports whether s[i:j] is not part of a longer run of token bytes.
func bounded(s string, i, j int) bool {
	return (i == 0 || !tokenByte(s[i-1])) && (j == len(s) || !tokenByte(s[j]))
}

// scan returns the credentials recognisable in s on their own (private
// app tokens, refresh tokens with a region, OAuth access tokens), and the
// bare UUIDs that s itself puts in a credential position ("hapikey=<uuid>",
// "Bearer <uuid>"). Placeholder UUIDs (see placeholderUUID) are skipped.
func scan(s string) []finding {
	var out []finding
	taken := make([]bool, len(s)) // bytes inside an earlier finding
	add := func(k kind, i, j int) {
		for x := i; x < j; x++ {
			taken[x] = true
		}
		out = append(out, finding{kind: k, value: s[i:j]})
	}
	free := func(i, j int) bool {
		for x := i; x < j; x++ {
			if taken[x] {
				return false
			}
		}
		return true
	}
	for _, m := range patRE.FindAllStringIndex(s, -1) {
		if bounded(s, m[0], m[1]) && !placeholderUUID(s[m[1]-36:m[1]]) {
			add(kindPrivateAppToken, m[0], m[1])
		}
	}
	for _, m := range refreshRE.FindAllStringIndex(s, -1) {
		if free(m[0], m[1]) && bounded(s, m[0], m[1]) && !placeholderUUID(s[m[1]-36:m[1]]) {
			add(kindRefreshToken, m[0], m[1])
		}
	}
	for _, m := range b64RunRE.FindAllStringIndex(s, -1) {
		if free(m[0], m[1]) && bounded(s, m[0], m[1]) && accessTokenAt(s[m[0]:m[1]]) {
			add(kindAccessToken, m[0], m[1])
		}
	}
	for _, m := range uuidRE.FindAllStringIndex(s, -1) {
		if !free(m[0], m[1]) || !bounded(s, m[0], m[1]) || placeholderUUID(s[m[0]:m[1]]) {
			continue
		}
		before := strings.ToLower(s[:m[0]])
		switch {
		case strings.HasSuffix(before, "hapikey="):
			add(kindDeveloperKey, m[0], m[1])
		case strings.HasSuffix(before, "bearer "):
			add(kindBearerUUID, m[0], m[1])
		}
	}
	return out
}

// bareUUID returns s when s is, with surrounding white space trimmed, one
// UUID that is not a placeholder: the shape of a developer API key, a
// legacy hapikey, an app's client secret or an older refresh token. Such
// values are reported only where they are used as a credential.
func bareUUID(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if len(t) != 36 || !uuidRE.MatchString(t) || placeholderUUID(t) {
		return "", false
	}
	return t, true
}

// placeholderUUID reports whether the UUID u (36 bytes) is an obvious
// fixture rather than a generated value: fewer than 8 distinct hex digits
// ("00000000-0000-4000-8000-000000000000", "11111111-aaaa-4aaa-8aaa-
// aaaaaaaaaaaa", "00000000-dead-4bad-8bad-000000000000") or a run of six
// or more ascending digits ("...-0123456789ab"). A random UUID trips either
// test with a probability below 1 in 50,000.
func placeholderUUID(u string) bool {
	var seen [16]bool
	distinct, run, longest := 0, 0, 0
	prev := -2
	for i := 0; i < len(u); i++ {
		d := hexVal(u[i])
		if d < 0 {
			continue
		}
		if !seen[d] {
			seen[d] = true
			distinct++
		}
		if d == prev+1 {
			run++
		} else {
			run = 1
		}
		longest = max(longest, run)
		prev = d
	}
	return distinct < 8 || longest >= 6
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// Access tokens are protobuf messages in unpadded base64url. Every token
// HubSpot documents starts with field 1, the issue time in milliseconds
// since the epoch, then field 2 (bytes) and field 3 (varint, the account).
// The time must fall between 2010 and 2100.
const (
	minIssueMillis = 1262304000000 // 2010-01-01
	maxIssueMillis = 4102444800000 // 2100-01-01
)

// accessTokenAt reports whether s decodes to the layout of a HubSpot OAuth
// access token.
func accessTokenAt(s string) bool {
	if len(s) > 1024 {
		return false
	}
	if len(s)%4 == 1 { // never a whole base64 encoding
		s = s[:len(s)-1]
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return false
	}
	if len(b) < 2 || b[0] != 0x08 { // field 1, varint
		return false
	}
	ts, n := uvarint(b[1:])
	if n == 0 || ts < minIssueMillis || ts >= maxIssueMillis {
		return false
	}
	b = b[1+n:]
	if len(b) < 2 || b[0] != 0x12 { // field 2, length-delimited
		return false
	}
	l, n := uvarint(b[1:])
	if n == 0 || l > uint64(len(b)-1-n) {
		return false
	}
	b = b[1+n+int(l):]
	if len(b) < 2 || b[0] != 0x18 { // field 3, varint
		return false
	}
	_, n = uvarint(b[1:])
	return n > 0
}

// uvarint decodes a protobuf varint of at most 10 bytes; n is 0 when b
// does not start with one.
func uvarint(b []byte) (v uint64, n int) {
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}
