package sqlstore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/sqlstore"
)

// The database file and its WAL hold key records: only the owner reads
// them.
func TestSQLiteFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gw.db")
	s, err := sqlstore.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AppendCalls(context.Background(), []gateway.Call{{KeyID: "k"}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), st.Mode().Perm())
		}
	}
}

func TestOpenSQLiteRefusesMemory(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file::memory:?cache=shared"} {
		if s, err := sqlstore.OpenSQLite(context.Background(), p); err == nil {
			s.Close()
			t.Errorf("OpenSQLite(%q): no error", p)
		}
	}
}

// A path with characters that mean something in a URI opens that file.
func TestOpenSQLiteOddPath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a ?b#c%20.db")
	s, err := sqlstore.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	entries, _ := os.ReadDir(dir)
	if len(entries) == 0 || entries[0].Name() != "a ?b#c%20.db" {
		t.Errorf("files in dir: %v", entries)
	}
}
