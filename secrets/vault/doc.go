// Package vault reads credentials from HashiCorp Vault's KV secrets engine
// (versions 1 and 2) as secrets.Providers, over an authenticated [Session]
// that keeps its Vault token alive.
//
// A [Session] wraps a github.com/hashicorp/vault/api client the caller
// configures (address, TLS, namespace) and logs in with a token
// ([NewTokenAuth], or the client's own), AppRole ([NewAppRoleAuth]),
// Kubernetes ([NewKubernetesAuth]) or any api.AuthMethod. The AppRole secret
// ID, the Kubernetes service-account JWT and a token file are read again at
// every login, so the rotation of those credentials is picked up. The token
// is renewed at about two thirds of its lease; a failed renewal is retried
// with exponential backoff and jitter (at first after a thirtieth of the
// lease, at most 10s; then doubling, up to 5 minutes) while the lease
// lasts, and the token is used meanwhile. When the lease is nearly over
// (within its last 10 to 20%) because renewals kept failing, the token
// reached its max TTL, or it cannot be renewed, the Session gives it up
// and the next request logs in again. A request refused because the token
// is no longer valid (revoked, expired) logs in again and is retried once.
// Several providers can share one Session, and with it one token.
// [WithClock] sets the clock that lifetimes are read on.
//
// [KV2] reads a KV version 2 secret: the current version or a pinned one,
// with the KV version number as the secrets.Version ID, and version n-1 as
// [KV2.FetchPrevious] for fallback while a rotation settles. KV v2 secrets
// carry no lease to watch, so a secrets.Cache with WithRefreshInterval
// polls and sees metadata.version move; [WithMetadataCheck] makes each
// poll read only the secret's metadata and fetch the value again only when
// metadata.current_version moved (measured, it is not cheaper for small
// secrets, so it is off by default). [KV1] reads a KV version 1 secret,
// which has no versions: its version ID is the value's fingerprint.
//
// Both select one field of the secret (or its only field), reject a value
// over a size limit, and fail with errors that name where the secret lives
// and wrap the secrets package's sentinels: secrets.ErrNotFound for a
// missing mount, path or field and for a deleted or destroyed version (also
// [ErrVersionDeleted], [ErrVersionDestroyed]), secrets.ErrPermission when
// the token's policies refuse the read.
//
// api.Client follows one redirect (301, 302, 307: a standby node pointing
// at the active one) and sends the request again, with its X-Vault-Token
// and body, to whatever host the Location names. A Session follows a
// redirect only to the host of the client's address; one to any other host
// fails with an error that names the status and that host (not the
// Location's path or query), and nothing is sent there. [WithRedirectHosts]
// names the other hosts, such as the cluster's nodes, that redirects may
// lead to.
//
// What errors and log records carry: the secret's source and Vault API
// paths, the auth method and its mount, the field name the caller chose,
// HTTP status codes, KV version numbers and deletion times, counts, sizes
// and TTLs, the hosts of a refused redirect, the token's policy names, and
// up to 300 bytes of Vault's own error messages and warnings ("permission
// denied", "no handler for route"). Messages and policy names are server
// text that may echo the request: every credential the request carried
// (the Vault token, the AppRole role and secret IDs, the Kubernetes JWT)
// is replaced in them by secrets.Redacted, in its plain, base64, hex and
// URL-escaped forms, and an error body that is not Vault's JSON is not
// quoted at all. So no error or log record
// carries the secret's value, a member name of its data (a name can be
// sensitive too: the error names only the field that was asked for and
// counts the others), or those credentials. The errors of an
// api.AuthMethod from another package are passed on as it returns them.
package vault
