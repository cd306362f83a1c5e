// Package gateway is hubkey's key gateway: an http.Handler that holds the
// real HubSpot token and gives each of an organisation's services its own
// narrow, revocable, IP-bound key, checks every call against that key before
// anything reaches HubSpot, and audits every call.
//
// A service calls the gateway exactly as it would call HubSpot, with HubSpot's
// paths and bodies; only the base URL and the token change, so an unchanged
// hubspot.Client (or any HubSpot client) works through it:
//
//	client, err := hubspot.New(
//		hubspot.WithBaseURL("https://hubspot-gw.internal"),
//		hubspot.WithToken(gatewayKeyCache), // an hkgw_... key, from a provider
//	)
//
// # Keys
//
// An Admin issues keys (Admin.Create): 256 random bits behind the prefix
// "hkgw_" (TokenPrefix) and a checksum, so secret scanners can find a leaked
// one. The token is shown once, in the Issued result; the Store keeps its
// SHA-256. Each key has a name, an owning service, HubSpot scopes, an
// optional IP allow list, expiry and rate limits, and may be required to
// sign its sensitive calls (deletes, merges, GDPR deletes, exports, imports,
// user management, sends: hubspot.IsSensitive) with RFC 9421 signatures made
// with its own signing secret (issued with it, kept in the Store sealed
// under Config.StoreKey) and its ID as the key ID; hubspot.WithSigner makes
// them. Keys are suspended, resumed, revoked, and rotated with a grace period
// during which the old and the new token both work.
//
// # What each call goes through
//
// In order: the key must be presented (Authorization: Bearer, or hapikey),
// well formed, known, not revoked or expired (401), not suspended, used from
// an allowed address (the connection's, or behind Config.TrustedProxies the
// last untrusted X-Forwarded-For hop), signed when the call is sensitive and
// the key requires it (a signature verified once: replays are refused, by
// every replica when the Store shares its replay cache, as sqlstore's does), and
// hold a scope HubSpot accepts for the operation (from hubkey's operation
// catalogue; 403 MISSING_SCOPES naming the scopes that would do), within its
// rate limit (429). A call the catalogue does not know is refused: its scopes
// cannot be checked. Refusals answer in HubSpot's error format. An allowed
// call loses the caller's key and signature headers and goes to HubSpot with
// the real token, through the same layers a hubspot.Client uses: the
// least-privileged of several tokens (Config.Credentials), HubSpot's rate
// budget shared by every replica (Config.SharedBudget), refresh on 401. The
// real token is redacted from whatever HubSpot sends back, in any status,
// streamed bodies included.
//
// # Stores and replicas
//
// Key records and the audit trail live in a Store: package
// gateway/sqlstore keeps them in an embedded SQLite file (nothing to set up)
// or in PostgreSQL for several replicas, with one schema. A change made
// through any Admin is applied by every Gateway watching the Store on its
// next request; on PostgreSQL it reaches the other replicas through
// LISTEN/NOTIFY.
//
// # Administration
//
// NewAdminHandler serves the Admin's operations and the audit trail as a
// JSON API behind an admin token, on a listener of its own. WithConsole
// adds a web console to it: keys with their owners, last use and state
// (idle keys and keys near expiry stand out), usage charts per service
// and key with each service's share of HubSpot's rate budget, and the
// audit trail with filters; changes go through confirmation pages. It
// needs no JavaScript and fetches nothing from elsewhere.
//
// # What it protects against, and what it cannot
//
// It protects HubSpot's token from the services that use it: none of them
// holds it, so a leaked service key opens only its own scopes, from its own
// addresses, until it is revoked, and every use is audited by key and
// service. A copy of the Store alone yields no usable key (only hashes) and
// no signing secret (sealed). It cannot protect against whoever holds the
// gateway's upstream token, its store key together with its database, or
// the gateway host itself; nor does HubSpot know of the gateway: a service
// that holds a real token can still call HubSpot directly.
package gateway
