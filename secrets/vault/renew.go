package vault

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/hubkey/hubkey/clock"
)

// A Session renews its token itself, the way api.LifetimeWatcher means to:
// at about two thirds of the lease; after a failure again with exponential
// backoff and jitter, within what is left of the lease; and it gives the
// token up, so that the next request logs in again, once the lease is
// within its grace period (10 to 20% of the lease, at random).
//
// It does not use api.LifetimeWatcher (vault/api v1.23) because of how the
// watcher retries: it builds its error backoff without the Stop field, so
// when the backoff's next wait would outlast what is left of the lease,
// NextBackOff returns 0 rather than backoff.Stop, the watcher's "give up"
// check never matches, and it sends renew-self requests back to back until
// the lease reaches its grace period. The first wait is 5 to 15s, so with
// a lease of a few seconds that happens from the first failure on (the
// watcher renews as soon as it starts); with longer ones, near the end of
// the lease. Against a Vault that fails renewals (5xx, a standby's redirect
// that the Session refuses) that is thousands of requests a second. The
// watcher's other mode, RenewBehaviorErrorOnErrors, ends at the first
// failed renewal, and at once for a token that is not renewable, which
// would make such a token log in again for every request.
const (
	// renewRetryFirst is the longest wait before the first retry of a
	// failed renewal, as api.LifetimeWatcher's; a lease under five minutes
	// retries sooner, after a thirtieth of it.
	renewRetryFirst = 10 * time.Second
	// renewRetryMax caps the wait between retries, as
	// api.LifetimeWatcher's does.
	renewRetryMax = 5 * time.Minute
	// renewRetryMin is the shortest wait between two renewal requests.
	renewRetryMin = 10 * time.Millisecond
)

// keepAlive renews t, whose lease of lease was granted at its login, until
// ctx ends (Close, or t was dropped) or it gives t up: then it drops t, so
// that the next request logs in again. A token that is not renewable is
// kept until its grace period and then given up, without any request.
func (s *Session) keepAlive(ctx context.Context, t *token, lease time.Duration, renewable bool) {
	defer s.wg.Done()
	rnd := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	grace := renewGrace(lease, rnd)
	s.mu.Lock()
	expires := t.expiresAt
	s.mu.Unlock()

	reason := "the token is not renewable"
	if renewable {
		reason = "the token reached its max TTL"
	}
	var retry time.Duration // the next retry's mean wait; 0 while renewals succeed
	for {
		now := s.clock.Now()
		giveUp := expires.Add(-grace)
		var at time.Time
		switch {
		case !renewable:
			at = giveUp
		case retry == 0:
			at = now.Add(lease*2/3 + grace/3)
		default:
			// Uniform in [retry/2, 3*retry/2), like the watcher's backoff.
			at = now.Add(max(renewRetryMin, retry/2+time.Duration(rnd.Int64N(int64(retry)))))
			retry = min(2*retry, renewRetryMax)
		}
		final := !at.Before(giveUp)
		if final {
			at = giveUp
		}
		if clock.Sleep(ctx, s.clock, at.Sub(s.clock.Now())) != nil {
			return
		}
		if final {
			s.giveUp(t, reason)
			return
		}

		sent := s.clock.Now()
		sec, err := s.withToken(t).Auth().Token().RenewSelfWithContext(ctx, 0)
		if ctx.Err() != nil {
			return
		}
		switch {
		case err == nil && sec != nil && sec.Auth != nil && sec.Auth.LeaseDuration > 0:
			got := time.Duration(sec.Auth.LeaseDuration) * time.Second
			if got > lease {
				grace = renewGrace(got, rnd) // a longer lease than before: a new grace period
			}
			lease, expires, retry = got, sent.Add(got), 0
			renewable = sec.Auth.Renewable
			if !renewable {
				reason = "the token is no longer renewable"
			} else {
				reason = "the token reached its max TTL"
			}
			s.mu.Lock()
			s.stats.Renewals++
			if s.cur == t {
				t.expiresAt = expires
			}
			s.mu.Unlock()
			s.logger.Debug("vault token renewed", slog.String("auth", s.authName), slog.Duration("ttl", got))
		case tokenRefused(err):
			s.giveUp(t, "Vault refused the token as invalid")
			return
		case permissionDenied(err):
			// The token's policies do not allow renew-self: use it for
			// the rest of its lease, as one that is not renewable.
			renewable = false
			reason = "the token may not renew itself (permission denied)"
			s.logger.Warn("vault token renewal refused; the token is used until its lease nearly ends", slog.String("auth", s.authName))
		default:
			text := "Vault's answer holds no token lease"
			if err != nil {
				text = errorText(err, t.value)
			}
			reason = "renewal failed: " + text
			if retry == 0 {
				retry = min(renewRetryFirst, lease/30)
			}
			s.logger.Warn("vault token renewal failed; retrying", slog.String("auth", s.authName), slog.String("error", text),
				slog.Duration("lease_left", expires.Sub(s.clock.Now())))
		}
	}
}

// giveUp drops t, if it is still the current token, so that the next
// request logs in again.
func (s *Session) giveUp(t *token, reason string) {
	s.mu.Lock()
	s.stats.WatcherEnded++
	s.forgetLocked(t)
	s.mu.Unlock()
	s.logger.Info("vault token given up; the next request logs in again", slog.String("auth", s.authName), slog.String("reason", reason))
}

// renewGrace returns the part of a lease that renewal leaves untouched: a
// random 10 to 20% of it, as api.LifetimeWatcher's grace period, so that
// the token is given up while it is still valid, and Sessions that logged
// in together do not log in again together.
func renewGrace(lease time.Duration, rnd *rand.Rand) time.Duration {
	tenth := lease / 10
	if tenth <= 0 {
		return 0
	}
	return tenth + time.Duration(rnd.Int64N(int64(tenth)))
}

// tokenRefused reports whether err is Vault's refusal of the request's
// token as invalid (revoked, expired).
func tokenRefused(err error) bool {
	var re *api.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusForbidden && saysInvalidToken(re)
}

// permissionDenied reports whether err is a 403 that is not about the
// token's validity: its policies do not allow the request.
func permissionDenied(err error) bool {
	var re *api.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusForbidden && !saysInvalidToken(re)
}
