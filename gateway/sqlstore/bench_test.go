package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/gateway/sqlstore"
)

// BenchmarkAppendCalls appends batches of 100 audited calls, later in
// time batch after batch as a gateway appends them; ns/op is per batch.
func BenchmarkAppendCalls(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := be.newDB(b)(b)
			batch := make([]gateway.Call, 100)
			for i := range batch {
				batch[i] = fullCall(i)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for n := range b.N {
				for i := range batch {
					batch[i].Time = t0.Add(time.Duration(n*len(batch)+i) * time.Millisecond)
				}
				if err := s.AppendCalls(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/call")
		})
	}
}

// BenchmarkRevokeSeenByReplica measures the time from the start of a
// revocation through one store to its arrival at a watcher of another
// store on the same database. The SQLite watcher polls every 10ms.
func BenchmarkRevokeSeenByReplica(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			open := be.newDB(b)
			writer, replica := open(b), open(b, sqlstore.WithPollInterval(10*time.Millisecond))
			ctx := context.Background()
			k := fullKey("k")
			if err := writer.ChangeKeys(ctx, nil, func([]gateway.Key) ([]gateway.Key, error) { return []gateway.Key{k}, nil }); err != nil {
				b.Fatal(err)
			}
			seen := make(chan string, 1)
			wctx, cancel := context.WithCancel(ctx)
			defer cancel()
			if err := replica.WatchKeys(wctx, func(id string) { seen <- id }); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			var worst time.Duration
			for i := range b.N {
				start := time.Now()
				err := writer.ChangeKeys(ctx, []string{"k"}, func(ks []gateway.Key) ([]gateway.Key, error) {
					ks[0].Status = []keypolicy.Status{keypolicy.Revoked, keypolicy.Active}[i%2]
					return ks, nil
				})
				if err != nil {
					b.Fatal(err)
				}
				select {
				case <-seen:
				case <-time.After(10 * time.Second):
					b.Fatal("the replica did not hear of the change")
				}
				worst = max(worst, time.Since(start))
			}
			b.ReportMetric(float64(worst.Microseconds()), "worst-µs")
		})
	}
}
