package gateway

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"strings"

	"github.com/hubkey/hubkey/secrets"
)

// TokenPrefix starts every key the gateway issues, so that secret scanners
// (and people) can tell a leaked gateway key from other text, and the
// gateway can refuse text that is not one of its keys before looking it up.
const TokenPrefix = "hkgw_"

// tokenRandomBytes is the randomness of a key: 256 bits from crypto/rand.
const tokenRandomBytes = 32

// tokenLen is the length of a key: the prefix, 64 hex digits of randomness
// and 8 of a CRC-32 checksum over them.
const tokenLen = len(TokenPrefix) + 2*tokenRandomBytes + 8

// newToken returns a fresh key and its SHA-256.
func newToken() (secrets.Secret, [sha256.Size]byte, error) {
	var b [tokenRandomBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return secrets.Secret{}, [sha256.Size]byte{}, fmt.Errorf("gateway: reading crypto/rand: %w", err)
	}
	buf := make([]byte, 0, tokenLen)
	buf = append(buf, TokenPrefix...)
	buf = hex.AppendEncode(buf, b[:])
	buf = fmt.Appendf(buf, "%08x", crc32.ChecksumIEEE(buf[len(TokenPrefix):]))
	clear(b[:])
	tok := secrets.New(string(buf))
	h := sha256.Sum256(buf)
	clear(buf)
	return tok, h, nil
}

// wellFormed reports whether s has the shape of a key the gateway issues:
// the prefix, lower-case hex, and a checksum that matches. A typo or a
// token meant for HubSpot fails here, before any lookup.
func wellFormed(s string) bool {
	if len(s) != tokenLen || !strings.HasPrefix(s, TokenPrefix) {
		return false
	}
	body := s[len(TokenPrefix) : tokenLen-8]
	for i := 0; i < len(s)-len(TokenPrefix); i++ {
		c := s[len(TokenPrefix)+i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	var sum [4]byte
	if _, err := hex.Decode(sum[:], []byte(s[tokenLen-8:])); err != nil {
		return false
	}
	want := crc32.ChecksumIEEE([]byte(body))
	return uint32(sum[0])<<24|uint32(sum[1])<<16|uint32(sum[2])<<8|uint32(sum[3]) == want
}
