package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/gateway/sqlstore"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 891234567, time.UTC)

func hashOf(s string) [32]byte { return sha256.Sum256([]byte(s)) }

// fullKey sets every field of a key to something other than its zero value.
func fullKey(id string) gateway.Key {
	return gateway.Key{
		Key: keypolicy.Key{
			ID:               id,
			Name:             "billing sync ✓",
			TokenHash:        hashOf("token-" + id),
			Fingerprint:      "fp_" + id,
			Scopes:           []string{"crm.objects.contacts.read", "crm.objects.deals.write"},
			Status:           keypolicy.Suspended,
			CreatedAt:        t0.In(time.FixedZone("CET", 3600)),
			ExpiresAt:        t0.Add(90 * 24 * time.Hour),
			AllowedIPs:       []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")},
			RequireSignature: true,
			Limits:           keypolicy.Limits{Max: 190, Interval: 10*time.Second + 1, SearchPerSecond: 5, Daily: 250000},
			Lineage:          "lin_" + id,
			RotatedTo:        "next_" + id,
			TokenPrefix:      "hk-test-",
		},
		Service:          "billing-sync",
		SealedSigningKey: []byte{0, 1, 2, 0xff},
		UpdatedAt:        t0.Add(time.Minute),
	}
}

// stored is what a key reads back as: times in UTC, to the microsecond;
// an empty sealed signing key as none.
func stored(k gateway.Key) gateway.Key {
	if len(k.SealedSigningKey) == 0 {
		k.SealedSigningKey = nil
	}
	k.CreatedAt = k.CreatedAt.Truncate(time.Microsecond).UTC()
	k.ExpiresAt = k.ExpiresAt.Truncate(time.Microsecond).UTC()
	k.UpdatedAt = k.UpdatedAt.Truncate(time.Microsecond).UTC()
	return k
}

func insert(t testing.TB, s *sqlstore.Store, keys ...gateway.Key) {
	t.Helper()
	err := s.ChangeKeys(context.Background(), nil, func(existing []gateway.Key) ([]gateway.Key, error) {
		if len(existing) != 0 {
			return nil, fmt.Errorf("existing = %v, want none", existing)
		}
		return keys, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestKeyRoundTrip(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		s := open(t)
		ctx := context.Background()
		zero := gateway.Key{Key: keypolicy.Key{ID: "zero", TokenHash: hashOf("zero")}}
		empty := gateway.Key{Key: keypolicy.Key{ID: "empty", TokenHash: hashOf("empty"), Scopes: []string{},
			AllowedIPs: []netip.Prefix{}, Status: keypolicy.Revoked, CreatedAt: t0.Add(-time.Hour)}, SealedSigningKey: []byte{}}
		old := fullKey("old")
		old.CreatedAt = time.Date(1960, 1, 1, 0, 0, 0, 1500, time.UTC) // before the epoch
		old.TokenHash = hashOf("old")
		cases := []gateway.Key{fullKey("full"), zero, empty, old, fullKey("ünïcode-id")}
		insert(t, s, cases...)
		for _, want := range cases {
			got, err := s.Key(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, stored(want)) {
				t.Errorf("Key(%q)\n got %#v\nwant %#v", want.ID, got, stored(want))
			}
		}
		all, err := s.Keys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, k := range all {
			ids = append(ids, k.ID)
		}
		// Oldest first; zero is oldest, then old (1960), then by ID at t0.
		if want := []string{"zero", "old", "empty", "full", "ünïcode-id"}; !slices.Equal(ids, want) {
			t.Errorf("Keys order %q, want %q", ids, want)
		}

		// A change keeps what f returns, field by field.
		err = s.ChangeKeys(ctx, []string{"full", "zero"}, func(ks []gateway.Key) ([]gateway.Key, error) {
			if ks[0].ID != "full" || ks[1].ID != "zero" {
				t.Errorf("existing in order %s, %s; want the order of ids", ks[0].ID, ks[1].ID)
			}
			ks[0].Status, ks[0].Scopes, ks[0].SealedSigningKey, ks[0].AllowedIPs = keypolicy.Revoked, nil, nil, nil
			ks[1].Name, ks[1].UpdatedAt = "renamed", t0
			return ks, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := s.Key(ctx, "full")
		want := stored(fullKey("full"))
		want.Status, want.Scopes, want.SealedSigningKey, want.AllowedIPs = keypolicy.Revoked, nil, nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after change\n got %#v\nwant %#v", got, want)
		}
		if got, _ := s.Key(ctx, "zero"); got.Name != "renamed" || !got.UpdatedAt.Equal(t0.Truncate(time.Microsecond)) {
			t.Errorf("zero after change: %+v", got)
		}
	})
}

func TestKeyNotFound(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		s := open(t)
		ctx := context.Background()
		insert(t, s, fullKey("a"))
		_, err := s.Key(ctx, "nope")
		if !errors.Is(err, gateway.ErrKeyNotFound) || !strings.Contains(err.Error(), "nope") {
			t.Errorf("Key(nope) = %v; want ErrKeyNotFound naming the ID", err)
		}
		called := false
		err = s.ChangeKeys(ctx, []string{"a", "missing-id"}, func(ks []gateway.Key) ([]gateway.Key, error) {
			called = true
			return ks, nil
		})
		if !errors.Is(err, gateway.ErrKeyNotFound) || !strings.Contains(err.Error(), "missing-id") {
			t.Errorf("ChangeKeys = %v; want ErrKeyNotFound naming missing-id", err)
		}
		if called {
			t.Error("f was called although a key was missing")
		}
	})
}

func TestChangeKeysAllOrNothing(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		s := open(t)
		ctx := context.Background()
		insert(t, s, fullKey("a"), fullKey("b"))
		before, _ := s.Keys(ctx)

		boom := errors.New("boom")
		err := s.ChangeKeys(ctx, []string{"a"}, func(ks []gateway.Key) ([]gateway.Key, error) {
			ks[0].Status = keypolicy.Revoked
			return nil, boom
		})
		if err != boom {
			t.Errorf("error from f came back as %v; want it as it is", err)
		}

		dup := fullKey("c") // takes b's token hash, after a valid change of a
		dup.TokenHash = hashOf("token-b")
		changedA := func(ks []gateway.Key) gateway.Key { ks[0].Name = "changed"; return ks[0] }

		for _, tc := range []struct {
			name   string
			f      func(ks []gateway.Key) ([]gateway.Key, error)
			target error
			says   []string
		}{
			{"hash of another key", func(ks []gateway.Key) ([]gateway.Key, error) {
				return []gateway.Key{changedA(ks), dup}, nil
			}, sqlstore.ErrDuplicateTokenHash, []string{"c", "b"}},
			{"one hash twice in the batch", func(ks []gateway.Key) ([]gateway.Key, error) {
				d, e := fullKey("d"), fullKey("e")
				e.TokenHash = d.TokenHash
				return []gateway.Key{changedA(ks), d, e}, nil
			}, sqlstore.ErrDuplicateTokenHash, []string{"d", "e"}},
			{"empty ID", func(ks []gateway.Key) ([]gateway.Key, error) {
				return []gateway.Key{changedA(ks), {Key: keypolicy.Key{TokenHash: hashOf("x")}}}, nil
			}, sqlstore.ErrInvalidKey, []string{"empty ID"}},
			{"zero hash", func(ks []gateway.Key) ([]gateway.Key, error) {
				return []gateway.Key{changedA(ks), {Key: keypolicy.Key{ID: "nohash"}}}, nil
			}, sqlstore.ErrInvalidKey, []string{"nohash"}},
			{"unknown status", func(ks []gateway.Key) ([]gateway.Key, error) {
				k := fullKey("st")
				k.Status = 7
				return []gateway.Key{changedA(ks), k}, nil
			}, sqlstore.ErrInvalidKey, []string{"st"}},
			{"NUL in text", func(ks []gateway.Key) ([]gateway.Key, error) {
				k := fullKey("nul")
				k.Name = "a\x00b"
				return []gateway.Key{changedA(ks), k}, nil
			}, sqlstore.ErrInvalidKey, []string{"nul"}},
			{"ID twice", func(ks []gateway.Key) ([]gateway.Key, error) {
				return []gateway.Key{changedA(ks), changedA(ks)}, nil
			}, sqlstore.ErrInvalidKey, []string{"a"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := s.ChangeKeys(ctx, []string{"a"}, tc.f)
				if !errors.Is(err, tc.target) {
					t.Fatalf("err = %v; want %v", err, tc.target)
				}
				for _, w := range tc.says {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not name %q", err, w)
					}
				}
				for _, h := range []string{"token-a", "token-b", "token-c", "token-d"} {
					sum := hashOf(h)
					if strings.Contains(err.Error(), hex.EncodeToString(sum[:4])) || strings.Contains(err.Error(), string(sum[:4])) {
						t.Errorf("error %q shows a token hash", err)
					}
				}
				after, _ := s.Keys(ctx)
				if !reflect.DeepEqual(after, before) {
					t.Errorf("something was written:\n%v\nwant\n%v", after, before)
				}
			})
		}
	})
}

// Many writers increment one key's counter through ChangeKeys, half of
// them through a second Store on the same database: no update is lost.
func TestChangeKeysConcurrent(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		s1, s2 := open(t), open(t)
		ctx := context.Background()
		k := fullKey("counter")
		k.Limits.Daily = 0
		insert(t, s1, k)
		const writers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			s := s1
			if w%2 == 1 {
				s = s2
			}
			wg.Go(func() {
				for range each {
					errs <- s.ChangeKeys(ctx, []string{"counter"}, func(ks []gateway.Key) ([]gateway.Key, error) {
						ks[0].Limits.Daily++
						return ks, nil
					})
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := s2.Key(ctx, "counter")
		if err != nil {
			t.Fatal(err)
		}
		if got.Limits.Daily != writers*each {
			t.Errorf("counter = %d, want %d: updates were lost", got.Limits.Daily, writers*each)
		}
	})
}

// Two changes that lock the same keys in opposite orders finish.
func TestChangeKeysNoDeadlock(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		s := open(t)
		insert(t, s, fullKey("x"), fullKey("y"))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		for i := range 20 {
			ids := []string{"x", "y"}
			if i%2 == 1 {
				ids = []string{"y", "x"}
			}
			wg.Go(func() {
				err := s.ChangeKeys(ctx, ids, func(ks []gateway.Key) ([]gateway.Key, error) {
					ks[0].Limits.Max++
					ks[1].Limits.Max++
					return ks, nil
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got, _ := s.Key(context.Background(), "x")
		if got.Limits.Max != 190+20 {
			t.Errorf("x.Limits.Max = %d, want %d", got.Limits.Max, 210)
		}
	})
}

func TestSchemaTwiceConcurrently(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		var wg sync.WaitGroup
		stores := make([]*sqlstore.Store, 4)
		for i := range stores {
			wg.Go(func() { stores[i] = open(t) })
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		insert(t, stores[0], fullKey("a"))
		again := open(t) // a store opened on an existing schema
		if _, err := again.Key(context.Background(), "a"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestClose(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		s := open(t)
		ctx := context.Background()
		if err := s.WatchKeys(ctx, func(string) {}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil { // with a watcher running
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		checks := map[string]error{}
		_, checks["Key"] = s.Key(ctx, "a")
		_, checks["Keys"] = s.Keys(ctx)
		checks["ChangeKeys"] = s.ChangeKeys(ctx, nil, func([]gateway.Key) ([]gateway.Key, error) { return nil, nil })
		checks["WatchKeys"] = s.WatchKeys(ctx, func(string) {})
		checks["AppendCalls"] = s.AppendCalls(ctx, []gateway.Call{{Time: t0}})
		for _, err := range s.Calls(ctx, gateway.CallFilter{}) {
			checks["Calls"] = err
		}
		_, checks["Usage"] = s.Usage(ctx, t0, t0.Add(time.Hour), time.Minute)
		_, checks["LastUsed"] = s.LastUsed(ctx)
		for name, err := range checks {
			if !errors.Is(err, gateway.ErrStoreClosed) {
				t.Errorf("%s after Close = %v; want ErrStoreClosed", name, err)
			}
		}
	})
}
