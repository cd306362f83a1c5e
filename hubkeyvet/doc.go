// Package hubkeyvet is a [golang.org/x/tools/go/analysis] analyzer that
// catches hard-coded HubSpot credentials and revealed secrets at build
// time. The command github.com/hubkey/hubkey/cmd/hubkeyvet runs it on its
// own or under go vet:
//
//	go install github.com/hubkey/hubkey/cmd/hubkeyvet@latest
//	go vet -vettool=$(which hubkeyvet) ./...
//
// Importing this package also registers the analyzer with golangci-lint's
// module plugin system under the name "hubkeyvet" (it takes no settings).
//
// # What it reports
//
// Hard-coded credentials. A string constant (a literal, or a constant
// built from literals, reported once where it is built) that holds:
//
//   - a private app or personal access token, "pat-<region>-<uuid>";
//   - an OAuth refresh token, "<region>-<uuid>" with region na1, eu1, ap1...;
//   - an OAuth access token: unpadded base64url that decodes to the layout
//     every token HubSpot documents shares (field 1, the issue time in
//     milliseconds between 2010 and 2100, then fields 2 and 3);
//   - a bare UUID (a developer API key, a legacy hapikey, an app's client
//     secret or an older refresh token) only where it is used as one: in
//     a "hapikey=" query or after "Bearer " in the same string; given to
//     secrets.New, to a "hapikey" url.Values entry, or to a credential
//     parameter of a HubSpot client (a package with "hubspot" in its import
//     path, hubspottest excepted: a parameter or function named like a
//     token or key, such as SetAPIKey(key) or WithToken(src)); or stored
//     in a variable, constant or struct field named like one (APIKey,
//     devKey, ClientSecret, RefreshToken; not PageToken, TokenURL or
//     RequestID). A UUID elsewhere is not a key.
//
// UUIDs that are obvious fixtures are never reported: fewer than 8
// distinct hex digits ("00000000-0000-4000-8000-000000000000",
// "11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa") or six ascending digits in a row
// ("…-0123456789ab"). The rules are the same in _test.go files: a token
// that could be live is as live in a test as anywhere, so tests use
// placeholders like these, tokens that are not UUID-shaped
// ("pat-na1-example"), or tokens hubspottest makes at run time.
//
// String constants given to secrets.New or secrets.NewBytes outside
// _test.go files, whatever they hold: such a Secret is in the source and
// the binary.
//
// Revealed secrets. The value of Secret.Reveal() reaching a logger (log,
// log/slog, the common third-party loggers, any method of a type named
// *Logger, testing.T's Log and Error families), fmt printing or a write to
// os.Stdout or os.Stderr, an error (fmt.Errorf, errors.New, a literal of a
// type that implements error), a panic, or a URL (url.URL fields, url.Parse,
// http.Get, http.NewRequest), directly or through a map, slice, struct or
// builder that is later logged. Sending it in a header, a form body or a
// MAC is not reported.
//
// Tokens read by hand. A value read with os.Getenv, os.LookupEnv or
// os.ReadFile that reaches secrets.New, an Authorization header or a
// "hapikey" parameter (when the variable or path names HubSpot:
// HUBSPOT_TOKEN, HAPIKEY, HS_…_TOKEN, /run/secrets/hubspot-token), or a
// credential parameter or field of a HubSpot client (whatever its name).
// The report names the provider to use instead, env.New("HUBSPOT_TOKEN")
// or file.New(path), which keeps the token a secrets.Secret and reads it
// again when it rotates.
//
// # What the flows do not catch
//
// The two flows are intra-procedural: within one function (its closures
// included) a value is followed through assignments, concatenation,
// conversions, the fmt.Sprint family and the strings, bytes, strconv,
// encoding and net/url functions that copy their input, into variables,
// struct fields, map and slice elements, url.Values, http.Header,
// strings.Builder and bytes.Buffer. A value passed to or returned from
// another function, stored in a global or another object's field, sent on
// a channel, or transformed by a function not listed is not followed, so a
// helper that logs its argument is not caught at the call. A variable that
// once held a revealed value counts as holding it everywhere in the
// function.
//
// The hard-coded checks read Go string constants only: a credential in a
// comment, in a file that is not Go (a config file, a .env), or assembled
// at run time is not found. Keep a secret scanner on the repository for
// those.
//
// # Reports and silencing them
//
// A report names what was found and the fix. It never prints a
// credential: it shows its kind and its fingerprint, the value
// secrets.New(v).Fingerprint() has, which is what hubkey's logs show for
// it ("fp:" and 16 hex digits), so a report can be matched with a key in
// HubSpot or a log line without the key.
//
// A comment "//hubkeyvet:ignore <reason>" silences every report on its
// own line and the line below it. The reason is required (it runs up to
// any further "//" on the line): an ignore comment without one silences
// nothing and is itself reported.
//
//	const sample = "pat-na1-…" //hubkeyvet:ignore revoked on 2025-01-01; the parser's regression input
package hubkeyvet
