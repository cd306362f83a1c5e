package gateway

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/hubkey/hubkey/secrets"
)

// minStoreKey is the shortest StoreKey the gateway accepts.
const minStoreKey = 32

// sealVersion is the first byte of a sealed signing secret.
const sealVersion = 1

// sealer seals and opens the signing secrets kept in the Store with
// AES-256-GCM, under a key derived from the StoreKey with HKDF-SHA256.
// The key's ID is the additional data, so a sealed secret moved to another
// record does not open.
type sealer struct{ aead cipher.AEAD }

func newSealer(storeKey secrets.Secret) (*sealer, error) {
	if storeKey.Len() < minStoreKey {
		return nil, fmt.Errorf("gateway: Config.StoreKey must hold at least %d bytes, it holds %d", minStoreKey, storeKey.Len())
	}
	k, err := hkdf.Key(sha256.New, []byte(storeKey.Reveal()), nil, "hubkey gateway: signing secrets", 32)
	if err != nil {
		return nil, fmt.Errorf("gateway: deriving the sealing key: %w", err)
	}
	defer clear(k)
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("gateway: sealing cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("gateway: sealing cipher: %w", err)
	}
	return &sealer{aead: aead}, nil
}

func sealAD(keyID string) []byte { return []byte("hubkey gateway signing secret of " + keyID) }

func (s *sealer) seal(keyID string, secret secrets.Secret) ([]byte, error) {
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+secret.Len()+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("gateway: reading crypto/rand: %w", err)
	}
	plain := []byte(secret.Reveal())
	defer clear(plain)
	return s.aead.Seal(out, out[1:], plain, sealAD(keyID)), nil
}

var errSealed = errors.New("the signing secret does not open with this store key (another StoreKey, or a damaged record)")

func (s *sealer) open(keyID string, sealed []byte) (secrets.Secret, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n+s.aead.Overhead() || sealed[0] != sealVersion {
		return secrets.Secret{}, errSealed
	}
	plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], sealAD(keyID))
	if err != nil {
		return secrets.Secret{}, errSealed
	}
	sec := secrets.New(string(plain))
	clear(plain)
	return sec, nil
}
