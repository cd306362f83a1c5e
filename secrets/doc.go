// Package secrets holds credentials so that they cannot leak by accident,
// and fetches, caches and rotates them.
//
// A [Secret] is a credential value that prints, encodes and logs as
// [Redacted] on every path (fmt with any verb, encoding/json, encoding/xml,
// gob, log/slog) and stays masked in memory, each value under its own
// keystream, so reflective dumps show nothing usable. [Secret.Reveal] is the
// one way out, for the wire or a MAC; [Secret.Fingerprint] identifies a value
// in logs. Compare Secrets with [Secret.Equal]: == reports identity.
//
// A [Provider] fetches the current [Version] of a secret from where it lives:
// the subpackages env, file, awssm (AWS Secrets Manager), vault, conjur and
// cyberark, and hubspot/oauth for OAuth access tokens. A [Cache] wraps a
// Provider and is what everything else holds: Get is lock-free after the
// first fetch, refreshes happen before expiry and on a schedule, Invalidate
// (after a 401) swaps by compare-and-swap, a failed refresh keeps the last
// good value, and OnRotate reports every change. [Chain] tries providers in
// order.
//
// Errors from providers wrap [*Error] with one of the sentinels
// ([ErrNotFound], [ErrPermission], [ErrMalformed], ...); no error carries a
// secret's value.
package secrets
