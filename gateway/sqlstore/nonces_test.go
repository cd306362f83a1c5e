package sqlstore_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/gateway/sqlstore"
	"github.com/hubkey/hubkey/signing"
)

// The Store is the replay cache every gateway on it shares.
var _ signing.NonceStore = (*sqlstore.Store)(nil)

// A nonce is new once, across every Store on the database, until it
// expires; then it can be claimed again.
func TestClaimNonce(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		a, b := open(t), open(t)
		ctx := context.Background()
		key := [16]byte{1, 2, 3}
		exp := t0.Add(5 * time.Minute)
		claim := func(s *sqlstore.Store, k [16]byte, now time.Time) bool {
			t.Helper()
			fresh, err := s.ClaimNonce(ctx, k, now, exp)
			if err != nil {
				t.Fatal(err)
			}
			return fresh
		}
		if !claim(a, key, t0) {
			t.Fatal("the first claim was not new")
		}
		if claim(a, key, t0.Add(time.Second)) || claim(b, key, t0.Add(time.Second)) {
			t.Fatal("a claimed nonce was new again before it expired")
		}
		if !claim(b, [16]byte{9}, t0) {
			t.Fatal("another nonce was not new")
		}
		if !claim(b, key, exp) {
			t.Fatal("an expired nonce could not be claimed again")
		}
	})
}

// Gateways racing to claim one nonce: exactly one wins.
func TestClaimNonceRace(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		stores := []*sqlstore.Store{open(t), open(t), open(t)}
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fresh, err := stores[i%len(stores)].ClaimNonce(context.Background(), [16]byte{7}, t0, t0.Add(time.Minute))
				if err != nil {
					t.Error(err)
				}
				if fresh {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d claims of one nonce were new, want 1", wins.Load())
		}
	})
}

// Expired nonces are deleted as claims go by, so the table holds about
// one window of them.
func TestClaimNoncePrunes(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		s := open(t)
		ctx := context.Background()
		for i := range 50 {
			if _, err := s.ClaimNonce(ctx, [16]byte{byte(i), 1}, t0, t0.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		later := t0.Add(time.Hour)
		if _, err := s.ClaimNonce(ctx, [16]byte{0, 2}, later, later.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		n, err := sqlstore.CountNonces(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d nonces left after pruning, want the one live", n)
		}
	})
}
