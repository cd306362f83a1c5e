package sqlstore_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/gateway/sqlstore"
	"github.com/hubkey/hubkey/internal/pgdev"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// waitFor is how long a test waits for a change to arrive before failing;
// nothing sleeps, the test blocks on a channel.
const waitFor = 10 * time.Second

func watch(t *testing.T, s *sqlstore.Store) (<-chan string, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch := make(chan string, 100)
	if err := s.WatchKeys(ctx, func(id string) { ch <- id }); err != nil {
		t.Fatal(err)
	}
	return ch, cancel
}

func expect(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != want {
			t.Fatalf("changed(%q), want changed(%q)", got, want)
		}
	case <-time.After(waitFor):
		t.Fatalf("changed(%q) did not come within %v", want, waitFor)
	}
}

func expectNothing(t *testing.T, ch <-chan string) {
	t.Helper()
	select {
	case got := <-ch:
		t.Fatalf("unexpected changed(%q)", got)
	default:
	}
}

func revoke(t *testing.T, s *sqlstore.Store, id string) {
	t.Helper()
	err := s.ChangeKeys(context.Background(), []string{id}, func(ks []gateway.Key) ([]gateway.Key, error) {
		ks[0].Status = keypolicy.Revoked
		return ks, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A change made through one Store reaches watchers of another Store on the
// same database (another replica, or another process on the SQLite file),
// and watchers of the Store that made it.
func TestWatchAcrossStores(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		// The writer's own poll interval is an hour: its watcher can only
		// learn of its own change directly. The other store polls often.
		a := open(t, sqlstore.WithPollInterval(time.Hour))
		b := open(t, sqlstore.WithPollInterval(5*time.Millisecond))
		chA, _ := watch(t, a)
		chB, stopB := watch(t, b)

		insert(t, a, fullKey("k1"), fullKey("k2"))
		// The writer's own watcher is told before ChangeKeys returns, and
		// may hear of it again from the database.
		expectNow(t, chA, nil, "k1", "k2")
		expect(t, chB, "k1")
		expect(t, chB, "k2")

		revoke(t, a, "k2")
		expectNow(t, chA, []string{"k1", "k2"}, "k2")
		expect(t, chB, "k2")
		if k, _ := b.Key(context.Background(), "k2"); k.Status != keypolicy.Revoked {
			t.Errorf("b reads k2 as %v after a revoked it", k.Status)
		}

		// A failed change notifies no one; a watch ends with its context.
		stopB()
		_ = a.ChangeKeys(context.Background(), []string{"k1"}, func(ks []gateway.Key) ([]gateway.Key, error) {
			return nil, context.Canceled
		})
		revoke(t, a, "k1")
		expectNow(t, chA, []string{"k1", "k2"}, "k1")
		expectNothing(t, chB)
	})
}

// expectNow checks that every ID in want is waiting in ch already, without
// waiting, and drains ch. The database may repeat earlier changes to the
// writer's own watcher (WatchKeys allows repeats): other IDs waiting must
// be among earlier.
func expectNow(t *testing.T, ch <-chan string, earlier []string, want ...string) {
	t.Helper()
	var got []string
	for {
		select {
		case id := <-ch:
			if !slices.Contains(want, id) && !slices.Contains(earlier, id) {
				t.Fatalf("told %q, want %v (or a repeat of %v)", id, want, earlier)
			}
			got = append(got, id)
			continue
		default:
		}
		break
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Fatalf("told %v before ChangeKeys returned, want %v among them", got, want)
		}
	}
}

// Killing the PostgreSQL connection a watcher listens on makes it
// reconnect and say changed(""); later changes arrive again.
func TestWatchReconnectPostgres(t *testing.T) {
	open := newPostgres(t)
	s := open(t)
	other := open(t)
	ch, _ := watch(t, s)
	insert(t, other, fullKey("k1"))
	expect(t, ch, "k1")

	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgdev.TestURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var n int
	err = admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("found no listening backend to terminate")
	}
	expect(t, ch, "")
	revoke(t, other, "k1")
	expect(t, ch, "k1")
}

// When the database itself goes away, the watcher keeps trying (with
// backoff) and, once it is back, says changed("") and hears changes again.
func TestWatchServerRestartPostgres(t *testing.T) {
	srv := pgdev.StartForTest(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s, err := sqlstore.OpenPostgres(ctx, pool, sqlstore.WithMaxReconnectDelay(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	insert(t, s, fullKey("k1"))
	ch, _ := watch(t, s)

	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	expect(t, ch, "")
	// The pool may hand out connections the crash broke; each fails one
	// call and is dropped. Retry until the pool is healthy again.
	deadline := time.Now().Add(waitFor)
	for {
		err := s.ChangeKeys(ctx, []string{"k1"}, func(ks []gateway.Key) ([]gateway.Key, error) {
			ks[0].Status = keypolicy.Revoked
			return ks, nil
		})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
	}
	expect(t, ch, "k1")
}

// TestOwnWatchersToldBeforeChangeKeysReturns: a gateway on the Store that
// made a change applies it to its very next request, without waiting for
// the database to report it.
func TestOwnWatchersToldBeforeChangeKeysReturns(t *testing.T) {
	both(t, func(t *testing.T, open opener) {
		s := open(t, sqlstore.WithPollInterval(time.Hour))
		insert(t, s, fullKey("key_a"))
		var mu sync.Mutex
		var seen []string
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if err := s.WatchKeys(ctx, func(id string) { mu.Lock(); seen = append(seen, id); mu.Unlock() }); err != nil {
			t.Fatal(err)
		}
		revoke(t, s, "key_a")
		mu.Lock()
		got := slices.Contains(seen, "key_a")
		mu.Unlock()
		if !got {
			t.Fatal("the Store's own watcher was not told of the change before ChangeKeys returned")
		}
	})
}
