// Package hubspot is a HubSpot API client whose credential is a rotating
// source, never a string: every request reads the current token from a
// [TokenSource] such as a [secrets.Cache].
//
// A [Client] sends each request through a stack of small
// [http.RoundTripper]s, each one usable on its own with any [http.Client]:
//
//	RetryTransport      retries 429 (not DAILY), 423, 477, and 5xx or
//	                    connection errors of requests safe to repeat
//	Transport           picks the credential and adds its bearer token (or
//	                    the developer key); on 401 invalidates it and
//	                    re-sends once with the new one
//	RateLimitTransport  holds requests under HubSpot's limits, per credential
//	signing             signs sensitive calls ([WithSigner])
//	base                the http.Client's own transport
//
// What each layer needs to know of a call comes from one catalogue of
// HubSpot's operations inside hubkey: the scopes that allow it, whether it
// takes a developer key, whether it is safe to repeat, which rate limit it
// counts against, whether it is sensitive. Every typed method names its
// operation, and the request carries it to every layer; a request through
// [Client.HTTPClient] is looked up by its method and path once. No layer
// works these facts out again from the URL; only the signing layer also
// checks HubSpot's sensitive paths, so that a call the catalogue does not
// know, or a path that hides one, is signed too ([IsSensitive]).
//
// The limiter mirrors HubSpot's rolling windows (see [RateLimitTransport]):
// a burst up to the limit goes at once, and past it each request waits
// exactly until the oldest leaves the window. Every process of an
// integration can draw from one window kept in PostgreSQL
// ([WithSharedBudget], package hubspot/pgbudget), falling back to its
// share of the limit when the database is unreachable.
//
// Several credentials can be configured ([WithCredential]), each with the
// scopes its token holds (HubSpot grants scopes per private app): every
// call goes with the least-privileged credential whose scopes cover it,
// and a call no credential may make fails before it is sent with a
// [*ScopeError] naming the missing scope. See [Credentials].
//
// Calls to an app's webhook settings ([Client.Webhooks]) and timeline
// event templates ([Client.Timeline]) take HubSpot's
// developer API key instead ([WithDeveloperKey]): [Transport] adds it as
// the hapikey query parameter to those operations only, in place of the
// bearer token, never beside it.
//
// Both credentials are bound to hosts: a Client sends them only to its
// base URL's host (host and port) and to hosts named with
// [WithCredentialHosts], over HTTPS or, for a loopback base URL, plain
// HTTP. A request through [Client.HTTPClient] to any other host gets no
// credential and fails with [ErrUnboundHost] before it is sent. The
// transports used alone are bound to the hosts in their Hosts field,
// HubSpot's own by default.
//
// CRM records are reached through typed views of one service
// ([Client.Contacts], [Client.Companies], [Client.Deals], ... and
// [Client.Objects] for custom objects): Get, Create, Update, Archive, List,
// All (a streaming iterator), Search and SearchAll, and batch calls of any
// size that account for every input.
//
// [Client.Associations] links records with HubSpot's association types and
// the account's labels (associations v4): one pair at a time, a record's
// links as pages or a stream, and batches of any size chunked to HubSpot's
// limits, default links and label removal among them. [Client.Properties]
// reads and manages property definitions, singly and in batches, and
// property groups. [Client.Pipelines] manages pipelines and their stages,
// [Client.Owners] reads the users records can be assigned to, and
// [Client.Account] the account's details and API usage. [Client.Lists]
// manages lists of records (lists v3): manual, dynamic and snapshot lists
// with filters checked against the operators HubSpot documents, their
// members as a stream, and their folders. [Client.Users] provisions,
// changes and removes the account's users and lists its teams and roles.
// [Client.Preferences] reads and changes contacts' email subscription
// statuses. [Client.Exports] exports the records of a view or a list and
// streams the file through a size limit, its download URL kept as the
// credential it is; [Client.Imports] imports files streamed from readers
// as multipart uploads, and reads imports' states and row errors.
// [Client.Transactional] sends transactional email and manages SMTP API
// tokens, whose passwords are secrets.Secret values, and
// [Client.MarketingEmails] reads marketing emails and publishes or
// schedules them. [Client.Files] uploads files streamed from readers,
// imports them from URLs, finds, updates and archives them and their
// folders, and hands out a private file's signed URL as a secrets.Secret.
// [Client.Timeline] creates timeline events on records, one by one or in
// batches. [Client.Forms] reads and manages forms and their submissions,
// and submits a visitor's form with no token; [Client.Schemas] defines
// custom object types. Activities (notes, calls, emails, meetings, tasks,
// communications, postal mail) are typed views that Log one linked to
// records with HubSpot's default association types.
// Records merge
// ([ObjectService.Merge]), and contacts can be deleted for good under
// privacy law ([ObjectService.GDPRDelete]).
//
// The typed methods call HubSpot's date-based version 2026-03
// (/crm/objects/2026-03/...) unless [WithAPIVersion] chooses another, or
// the numbered paths (/crm/v3/..., /crm/v4/...); an operation the chosen
// version does not offer keeps its numbered path.
//
// [Client.Do] calls an endpoint no typed method covers, with the same
// credential choice, signing, rate limits, retries, errors and scrubbing.
//
// [NewTokenValidator] makes [AccountService.Details], the cheapest call a
// token can make, the gate of a rotation: given to secrets.WithValidate, it
// lets a [secrets.Cache] adopt a new token only once HubSpot accepts it.
//
// Errors from HubSpot are [*Error] values (a 429 is a [*RateLimitError])
// that match [ErrNotFound], [ErrUnauthorized], [ErrForbidden],
// [ErrConflict], [ErrRateLimited] and [ErrValidation] with errors.Is. No
// error string, log record or panic carries a token, a header value, a
// query string or a request body; errors from answers that do not decode
// say what did not fit and where, never what the answer held. IDs and
// names that go into a request path are checked: one that would change
// which resource the path names (empty, "." or "..") is refused.
//
// WithObserver reports each call, each attempt (with the name and
// fingerprint of the credential it carried) and each wait to an
// Observer, in facts that carry no secret, path or value; package
// hubspot/otelhubspot turns them into OpenTelemetry spans and metrics.
//
// Tests can run the client against the in-memory HubSpot in
// hubspot/hubspottest.
package hubspot

import "github.com/hubkey/hubkey/secrets"

var _ TokenSource = (*secrets.Cache)(nil)
