package gateway

import (
	"context"
	"errors"
)

// SyncKey applies the Store's current record of the key with the given ID
// now, instead of when the Store's watcher reports the change (which a
// store may do in the background, a moment after the commit). An admin in
// the gateway's process calls it after a change so that the very next
// request sees it; NewAdminHandler does so when given WithGateway.
func (g *Gateway) SyncKey(ctx context.Context, id string) error {
	if g.closed.Load() {
		return errors.New("gateway: SyncKey on a closed Gateway")
	}
	k, err := g.cfg.Store.Key(ctx, id)
	if err != nil {
		return err
	}
	return g.apply(k)
}
