package signing

import (
	"crypto/sha256"
	"sync"
)

// nonceCache remembers the nonces of accepted signatures until they are
// too old to be accepted anyway, so that a signature is accepted once.
//
// Memory is bounded: the cache holds at most capacity entries of fixed
// size (a 16-byte hash of key ID and nonce, whatever the nonce's length),
// kept in a ring in arrival order. An entry is dropped once the signature
// it records would be rejected as stale. When the cache is full of entries
// that are all still live, the oldest is evicted and the cache raises a
// floor: from then on, a signature created at or before the evicted one's
// created time is refused, because the cache can no longer tell whether it
// was seen. Under a flood the verifier therefore fails closed for older
// signatures (they are refused as stale) rather than open (accepting a
// replay), and memory never grows past capacity. Size the capacity above
// the peak number of signed requests per max-age window; only signatures
// that already passed the MAC check reach the cache, so an attacker without
// a key cannot fill it.
type nonceCache struct {
	mu       sync.Mutex
	capacity int
	ring     []nonceEntry
	head, n  int
	idx      map[[16]byte]nonceRef
	seq      uint64
	floor    int64 // unix seconds; created <= floor is refused
}

type nonceEntry struct {
	key     [16]byte
	created int64
	expiry  int64
	seq     uint64
}

type nonceRef struct {
	expiry int64
	seq    uint64
}

type nonceResult int

const (
	nonceFresh      nonceResult = iota
	nonceReplayed               // seen before, still live
	nonceBelowFloor             // too old for the cache to vouch for
)

func newNonceCache(capacity int) *nonceCache {
	return &nonceCache{capacity: capacity, idx: map[[16]byte]nonceRef{}}
}

func nonceKey(keyID, nonce string) [16]byte {
	h := sha256.New()
	h.Write([]byte(keyID))
	h.Write([]byte{0})
	h.Write([]byte(nonce))
	var sum [32]byte
	var k [16]byte
	copy(k[:], h.Sum(sum[:0]))
	return k
}

// add records key for a signature created at created (unix seconds) that
// stops being acceptable at expiry, as seen at now, unless it was seen.
func (c *nonceCache) add(key [16]byte, created, expiry, now int64) nonceResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.n > 0 && c.ring[c.head].expiry <= now {
		c.pop()
	}
	if created <= c.floor {
		return nonceBelowFloor
	}
	if ref, ok := c.idx[key]; ok && ref.expiry > now {
		return nonceReplayed
	}
	if c.n == c.capacity {
		if e := c.ring[c.head]; e.created > c.floor {
			c.floor = e.created
		}
		c.pop()
		if created <= c.floor {
			return nonceBelowFloor
		}
	}
	if c.n == len(c.ring) {
		c.grow()
	}
	c.seq++
	c.ring[(c.head+c.n)%len(c.ring)] = nonceEntry{key: key, created: created, expiry: expiry, seq: c.seq}
	c.n++
	c.idx[key] = nonceRef{expiry: expiry, seq: c.seq}
	return nonceFresh
}

func (c *nonceCache) pop() {
	e := c.ring[c.head]
	if ref, ok := c.idx[e.key]; ok && ref.seq == e.seq {
		delete(c.idx, e.key)
	}
	c.ring[c.head] = nonceEntry{}
	c.head = (c.head + 1) % len(c.ring)
	c.n--
}

// grow doubles the ring, up to capacity, keeping arrival order.
func (c *nonceCache) grow() {
	size := 2 * len(c.ring)
	if size < 64 {
		size = 64
	}
	if size > c.capacity {
		size = c.capacity
	}
	ring := make([]nonceEntry, size)
	for i := 0; i < c.n; i++ {
		ring[i] = c.ring[(c.head+i)%len(c.ring)]
	}
	c.ring, c.head = ring, 0
}

// len returns the number of live entries held.
func (c *nonceCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
