// Package cyberark reads credentials from a CyberArk vault (self-hosted
// PAM or Privilege Cloud) through the PasswordVault REST API or the Central
// Credential Provider, speaking HTTP with the standard library.
//
// [PVWA] finds an account by safe and search and retrieves its password.
// It authenticates to Privilege Cloud with a platform token from the
// identity tenant ([PlatformToken]) or to a self-hosted PVWA with a logon
// session ([Logon]); the service credential itself (client secret, PVWA
// password) comes from another secrets.Provider, so it can rotate too.
//
// [CCP] asks the Central Credential Provider for a password object as an
// application, authenticated by its client certificate (mutual TLS, the
// certificate and key read from providers at each new connection) and/or by
// allowed-machines rules.
//
// Both are secrets.Provider implementations: wrap them in a secrets.Cache.
// Their errors name the safe, search or query and CyberArk's error code,
// never the password, the service credentials or a session token, in any
// form (raw, encoded, or quoted as Go's %q or JSON would quote it). Every
// response body is read through a size limit, credentials go only over
// https (plain http is accepted to loopback addresses, for tests), and
// redirects are never followed: a 3xx answer is an error naming the status
// only, refused in the client's transport before net/http reads the
// Location. Statuses are named by Go's text, never the server's reason
// phrase, and an answer net/http refuses as malformed (status line,
// header, Content-Length, a trailer after the body) is reported without
// its bytes: a server, or something in front of it, may echo a credential
// in any of them, whole or in part.
package cyberark
