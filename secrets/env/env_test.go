package env_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/env"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// mapEnv is an environment the test controls without touching the process's.
type mapEnv struct {
	mu sync.Mutex
	m  map[string]string
}

func (e *mapEnv) lookup(k string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.m[k]
	return v, ok
}

func (e *mapEnv) set(k, v string) {
	e.mu.Lock()
	e.m[k] = v
	e.mu.Unlock()
}

type harness struct{ e *mapEnv }

func (h harness) MakeProvider(context.Context) (secrets.Provider, error) {
	return env.New("HUBSPOT_TOKEN", env.WithLookup(h.e.lookup))
}
func (h harness) SetValue(_ context.Context, v string) error {
	h.e.set("HUBSPOT_TOKEN", v+"\n")
	return nil
}
func (h harness) Break(context.Context) error {
	h.e.mu.Lock()
	delete(h.e.m, "HUBSPOT_TOKEN")
	h.e.mu.Unlock()
	return nil
}
func (h harness) Close() {}

func TestConformance(t *testing.T) {
	secretstest.Run(t, func(context.Context, *testing.T) (secretstest.Harness, error) {
		return harness{&mapEnv{m: map[string]string{}}}, nil
	})
}

func TestReadsProcessEnvironmentAtEachFetch(t *testing.T) {
	t.Setenv("HUBKEY_TEST_TOKEN", "  first\n")
	p, err := env.New("HUBKEY_TEST_TOKEN")
	require.NoError(t, err)
	v, err := p.Fetch(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "first", v.Value.Reveal(), "surrounding white space is trimmed")
	assert.Equal(t, v.Value.Fingerprint(), v.ID)
	assert.Equal(t, "env:HUBKEY_TEST_TOKEN", v.Source)

	t.Setenv("HUBKEY_TEST_TOKEN", "second")
	v2, err := p.Fetch(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "second", v2.Value.Reveal())
	assert.NotEqual(t, v.ID, v2.ID)
}

func TestErrors(t *testing.T) {
	e := &mapEnv{m: map[string]string{"EMPTY": " \n\t", "BIG": strings.Repeat("x", 100)}}
	p, err := env.New("UNSET", env.WithLookup(e.lookup))
	require.NoError(t, err)
	_, err = p.Fetch(context.Background())
	require.ErrorIs(t, err, secrets.ErrNotFound)
	assert.Contains(t, err.Error(), "UNSET")

	p, _ = env.New("EMPTY", env.WithLookup(e.lookup))
	_, err = p.Fetch(context.Background())
	require.ErrorIs(t, err, secrets.ErrEmpty)
	assert.Contains(t, err.Error(), "EMPTY")

	p, _ = env.New("BIG", env.WithLookup(e.lookup), env.WithMaxSize(10))
	_, err = p.Fetch(context.Background())
	require.ErrorIs(t, err, secrets.ErrTooLarge)

	for _, bad := range []string{"", "A=B", "A\x00"} {
		_, err := env.New(bad)
		assert.Error(t, err, fmt.Sprintf("%q", bad))
	}
	_, err = env.New("X", env.WithMaxSize(0))
	assert.Error(t, err)
}
