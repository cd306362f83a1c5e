package gateway_test

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/hubkey/hubkey/gateway"
)

// memStore is a Store in memory for the gateway's tests; the sqlstore
// package's stores are the ones users run.
type memStore struct {
	mu       sync.Mutex
	keys     map[string]gateway.Key
	byHash   map[[32]byte]string
	calls    []gateway.Call
	watchers []func(string)
	// appendGate, when set, is received from before each AppendCalls, so a
	// test can hold the audit writer up.
	appendGate chan struct{}
	nonces     map[[16]byte]time.Time
}

func newMemStore() *memStore {
	return &memStore{keys: map[string]gateway.Key{}, byHash: map[[32]byte]string{}}
}

func (m *memStore) ChangeKeys(ctx context.Context, ids []string, f func([]gateway.Key) ([]gateway.Key, error)) error {
	m.mu.Lock()
	var in []gateway.Key
	for _, id := range ids {
		k, ok := m.keys[id]
		if !ok {
			m.mu.Unlock()
			return fmt.Errorf("%w: %s", gateway.ErrKeyNotFound, id)
		}
		in = append(in, k)
	}
	out, err := f(in)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	for _, k := range out {
		if id, ok := m.byHash[k.TokenHash]; ok && id != k.ID {
			m.mu.Unlock()
			return fmt.Errorf("key %s has another key's token hash", k.ID)
		}
	}
	var written []string
	for _, k := range out {
		m.keys[k.ID] = k
		m.byHash[k.TokenHash] = k.ID
		written = append(written, k.ID)
	}
	ws := slices.Clone(m.watchers)
	m.mu.Unlock()
	for _, w := range ws {
		for _, id := range written {
			w(id)
		}
	}
	return nil
}

func (m *memStore) Key(ctx context.Context, id string) (gateway.Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.keys[id]
	if !ok {
		return gateway.Key{}, fmt.Errorf("%w: %s", gateway.ErrKeyNotFound, id)
	}
	return k, nil
}

func (m *memStore) Keys(ctx context.Context) ([]gateway.Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]gateway.Key, 0, len(m.keys))
	for _, k := range m.keys {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, nil
}

func (m *memStore) WatchKeys(ctx context.Context, changed func(string)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.watchers = append(m.watchers, changed)
	return nil
}

func (m *memStore) AppendCalls(ctx context.Context, calls []gateway.Call) error {
	if m.appendGate != nil {
		select {
		case <-m.appendGate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, calls...)
	return nil
}

func (m *memStore) Calls(ctx context.Context, f gateway.CallFilter) iter.Seq2[gateway.Call, error] {
	return func(yield func(gateway.Call, error) bool) {
		m.mu.Lock()
		cs := slices.Clone(m.calls)
		m.mu.Unlock()
		for i := len(cs) - 1; i >= 0; i-- {
			c := cs[i]
			if (f.KeyID != "" && c.KeyID != f.KeyID) || (f.Service != "" && c.Service != f.Service) || (f.DeniedOnly && c.Denial == "") {
				continue
			}
			if !yield(c, nil) {
				return
			}
		}
	}
}

func (m *memStore) Usage(ctx context.Context, from, to time.Time, bucket time.Duration) ([]gateway.Usage, error) {
	return nil, nil
}

func (m *memStore) LastUsed(ctx context.Context) (map[string]time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]time.Time{}
	for _, c := range m.calls {
		if c.KeyID != "" && c.Time.After(out[c.KeyID]) {
			out[c.KeyID] = c.Time
		}
	}
	return out, nil
}

func (m *memStore) Close() error { return nil }

func (m *memStore) allCalls() []gateway.Call {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.calls)
}

// ClaimNonce makes the memStore a signing.NonceStore, shared by the
// gateways on it.
func (s *memStore) ClaimNonce(_ context.Context, key [16]byte, now, expires time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nonces == nil {
		s.nonces = map[[16]byte]time.Time{}
	}
	if exp, ok := s.nonces[key]; ok && now.Before(exp) {
		return false, nil
	}
	s.nonces[key] = expires
	return true, nil
}
