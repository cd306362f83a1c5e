package signing

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
)

// ContentDigest returns the Content-Digest field value (RFC 9530) of body
// with the sha-256 algorithm, such as "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:".
func ContentDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return formatSHA256Digest(sum[:])
}

func formatSHA256Digest(sum []byte) string {
	s, _ := serializeSFDictionary(sfDict{{key: "sha-256", val: sfMember{item: sfItem{val: sum}}}})
	return s
}

// digestAlgorithms are the RFC 9530 algorithms this package computes. The
// registry's insecure ones (md5, sha, unixsum, unixcksum, adler, crc32c)
// are ignored when verifying, as RFC 9530 allows.
var digestAlgorithms = map[string]func() hash.Hash{
	"sha-256": sha256.New,
	"sha-512": sha512.New,
}

// ParseContentDigest parses a Content-Digest (or Repr-Digest) field value
// into the digest of each algorithm it names. Algorithm names are
// lowercased keys, as RFC 9651 requires; digests must be byte sequences.
func ParseContentDigest(field string) (map[string][]byte, error) {
	d, err := parseSFDictionary(field)
	if err != nil {
		return nil, fmt.Errorf("signing: Content-Digest: %w: %w", ErrMalformed, err)
	}
	if len(d) == 0 {
		return nil, fmt.Errorf("signing: Content-Digest: %w: the field is empty", ErrMalformed)
	}
	out := make(map[string][]byte, len(d))
	for _, e := range d {
		b, ok := e.val.item.val.([]byte)
		if e.val.isList || !ok {
			return nil, fmt.Errorf("signing: Content-Digest: %w: digest %q is not a byte sequence", ErrMalformed, e.key)
		}
		out[e.key] = b
	}
	return out, nil
}

// errDigestMismatch reports a body whose digest is not what the
// Content-Digest field says.
var errDigestMismatch = errors.New("the body does not match Content-Digest")

// checkContentDigest verifies body against the Content-Digest field value.
// Every algorithm it knows must match, and at least one must be present.
func checkContentDigest(field string, body []byte) error {
	digests, err := ParseContentDigest(field)
	if err != nil {
		return err
	}
	known := 0
	for alg, want := range digests {
		newHash, ok := digestAlgorithms[alg]
		if !ok {
			continue
		}
		known++
		h := newHash()
		h.Write(body)
		if subtle.ConstantTimeCompare(h.Sum(nil), want) != 1 {
			return fmt.Errorf("%w (%s)", errDigestMismatch, alg)
		}
	}
	if known == 0 {
		names := make([]string, 0, len(digests))
		for alg := range digests {
			names = append(names, alg)
		}
		return fmt.Errorf("signing: Content-Digest: %w: no supported algorithm (have %s; want sha-256 or sha-512)", ErrMalformed, strings.Join(slices.Sorted(slices.Values(names)), ", "))
	}
	return nil
}
