package sqlstore

import "context"

// CountNonces counts the rows of the replay cache, for the tests.
func CountNonces(ctx context.Context, s *Store) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM hubkey_nonces").Scan(&n)
	return n, err
}

// SetDeleteBatch sets DeleteCallsBefore's batch size until the test ends.
func SetDeleteBatch(t interface{ Cleanup(func()) }, n int) {
	old := deleteBatch
	deleteBatch = n
	t.Cleanup(func() { deleteBatch = old })
}
