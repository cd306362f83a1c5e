package sqlstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/hubkey/hubkey/gateway/sqlstore"
	"github.com/hubkey/hubkey/internal/pgdev"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// opener opens another Store on one database each time it is called; the
// stores are closed when t ends.
type opener func(t testing.TB, opts ...sqlstore.Option) *sqlstore.Store

// backend makes a fresh, empty database and returns its opener.
type backend struct {
	name  string
	newDB func(t testing.TB) opener
}

var backends = []backend{
	{"sqlite", newSQLite},
	{"postgres", newPostgres},
}

// both runs f once per backend, each on a fresh database.
func both(t *testing.T, f func(t *testing.T, open opener)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, b.newDB(t)) })
	}
}

func newSQLite(t testing.TB) opener {
	path := filepath.Join(t.TempDir(), "gateway.db")
	return func(t testing.TB, opts ...sqlstore.Option) *sqlstore.Store {
		t.Helper()
		s, err := sqlstore.OpenSQLite(context.Background(), path, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

// newPostgres makes a schema of its own in the test server's database, so
// tests run side by side, and opens stores whose pools use it.
func newPostgres(t testing.TB) opener {
	base := pgdev.TestURL(t) // skips without a server (fails under CI=true)
	ctx := context.Background()
	schema := "t_" + randomHex(t, 8)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("pool_max_conns", "4") // small, so that a leaked connection shows as a hang
	u.RawQuery = q.Encode()
	return func(t testing.TB, opts ...sqlstore.Option) *sqlstore.Store {
		t.Helper()
		pool, err := pgxpool.New(ctx, u.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		s, err := sqlstore.OpenPostgres(ctx, pool, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
