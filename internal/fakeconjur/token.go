package fakeconjur

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/hubkey/hubkey/clock"
)

// tokenAlg is the algorithm Conjur names in its access tokens' protected
// header. The fake signs with Ed25519 instead (see the package doc).
const tokenAlg = "conjur.org/slosilo/v2"

type tokenHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

type tokenClaims struct {
	Sub string `json:"sub"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
}

type tokenJSON struct {
	Protected string `json:"protected"`
	Payload   string `json:"payload"`
	Signature string `json:"signature"`
}

// b64 is how Slosilo encodes the parts of an access token: URL-safe base64
// with padding (Ruby's Base64.urlsafe_encode64).
var b64 = base64.URLEncoding

// IssueToken returns a new access token for login in Conjur's JSON form,
// as the authenticate call would, whether or not login exists.
func (s *Server) IssueToken(login string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.issueLocked(login))
}

func (s *Server) issueLocked(login string) []byte {
	now := s.clk.Now()
	c := tokenClaims{Sub: login, Iat: now.Unix(), Exp: now.Unix() + int64(s.ttl/time.Second)}
	h, _ := json.Marshal(tokenHeader{Alg: tokenAlg, Kid: s.kid})
	p, _ := json.Marshal(c)
	prot, pay := b64.EncodeToString(h), b64.EncodeToString(p)
	sig := ed25519.Sign(s.key, []byte(prot+"."+pay))
	out, _ := json.Marshal(tokenJSON{Protected: prot, Payload: pay, Signature: b64.EncodeToString(sig)})
	s.stats.Authentications++
	s.authns[login]++
	return out
}

func decodeB64(s string) ([]byte, error) {
	if b, err := b64.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// parseTokenLocked checks the signature of an access token in JSON form and
// returns its claims.
func (s *Server) parseTokenLocked(raw []byte) (tokenClaims, error) {
	var t tokenJSON
	if err := json.Unmarshal(raw, &t); err != nil || t.Protected == "" || t.Payload == "" || t.Signature == "" {
		return tokenClaims{}, errBadToken
	}
	hb, err := decodeB64(t.Protected)
	if err != nil {
		return tokenClaims{}, errBadToken
	}
	var h tokenHeader
	if err := json.Unmarshal(hb, &h); err != nil || h.Alg != tokenAlg || h.Kid != s.kid {
		return tokenClaims{}, errBadToken
	}
	sig, err := decodeB64(t.Signature)
	if err != nil || !ed25519.Verify(s.key.Public().(ed25519.PublicKey), []byte(t.Protected+"."+t.Payload), sig) {
		return tokenClaims{}, errBadToken
	}
	pb, err := decodeB64(t.Payload)
	if err != nil {
		return tokenClaims{}, errBadToken
	}
	var c tokenClaims
	if err := json.Unmarshal(pb, &c); err != nil || c.Sub == "" {
		return tokenClaims{}, errBadToken
	}
	return c, nil
}

// JWTIssuer signs JWTs (ES256) that one authn-jwt service of the Server
// accepts, standing in for the identity provider (a Kubernetes API server,
// a CI system) whose keys the service trusts.
type JWTIssuer struct {
	// Issuer is the "iss" claim the service requires.
	Issuer string
	key    *ecdsa.PrivateKey
	clk    clock.Clock
}

// AddJWTService configures the authn-jwt service serviceID: it accepts
// JWTs signed by the returned issuer whose "sub" claim names a host
// ("sub": "myapp" is host/myapp) among allowed (logins such as
// "host/myapp") that exists on the server.
func (s *Server) AddJWTService(serviceID string, allowed ...string) *JWTIssuer {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("fakeconjur: generating the JWT issuer key: " + err.Error())
	}
	iss := &JWTIssuer{Issuer: "https://issuer.test/" + serviceID, key: key, clk: s.clk}
	svc := &jwtService{issuer: iss.Issuer, pub: &key.PublicKey, allowed: map[string]bool{}}
	for _, a := range allowed {
		svc.allowed[a] = true
	}
	s.mu.Lock()
	s.services[serviceID] = svc
	s.mu.Unlock()
	return iss
}

type jwtClaims struct {
	Issuer    string `json:"iss"`
	Subject   string `json:"sub"`
	IssuedAt  int64  `json:"iat"`
	NotBefore int64  `json:"nbf,omitempty"`
	Expires   int64  `json:"exp"`
	ID        string `json:"jti"`
}

// Sign returns a compact JWT with subject as "sub" that expires ttl from
// now on the server's clock. Each call returns a different token.
func (i *JWTIssuer) Sign(subject string, ttl time.Duration) string {
	now := i.clk.Now()
	var jti [12]byte
	_, _ = rand.Read(jti[:])
	c := jwtClaims{Issuer: i.Issuer, Subject: subject, IssuedAt: now.Unix(), NotBefore: now.Unix(), Expires: now.Add(ttl).Unix(), ID: hex.EncodeToString(jti[:])}
	h, _ := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT"})
	p, _ := json.Marshal(c)
	signing := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	sum := sha256.Sum256([]byte(signing))
	r, sg, err := ecdsa.Sign(rand.Reader, i.key, sum[:])
	if err != nil {
		panic("fakeconjur: signing a JWT: " + err.Error())
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	sg.FillBytes(sig[32:])
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

var errBadJWT = errors.New("bad JWT")

// verify checks a compact ES256 JWT the way authn-jwt does: signature by
// the trusted key, issuer, expiry and not-before.
func (svc *jwtService) verify(jwt string, now time.Time) (jwtClaims, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return jwtClaims{}, errBadJWT
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return jwtClaims{}, errBadJWT
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(hb, &h) != nil || h.Alg != "ES256" {
		return jwtClaims{}, errBadJWT
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return jwtClaims{}, errBadJWT
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(svc.pub, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return jwtClaims{}, errBadJWT
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return jwtClaims{}, errBadJWT
	}
	var c jwtClaims
	if json.Unmarshal(pb, &c) != nil || c.Issuer != svc.issuer || c.Subject == "" || c.Expires == 0 {
		return jwtClaims{}, errBadJWT
	}
	if !now.Before(time.Unix(c.Expires, 0)) || now.Before(time.Unix(c.NotBefore, 0)) {
		return jwtClaims{}, errBadJWT
	}
	return c, nil
}
