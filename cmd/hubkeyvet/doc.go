// Command hubkeyvet reports hard-coded HubSpot credentials and revealed
// secrets in Go code: private app tokens, OAuth tokens and developer keys
// in string constants, string constants given to secrets.New outside
// tests, values of Secret.Reveal() that reach a log, a print, an error, a
// panic or a URL, and HubSpot tokens read from the environment or a file
// by hand instead of through a provider. What each report means, what the
// checks do not catch, and how to silence a report with a
// "//hubkeyvet:ignore <reason>" comment is documented in the package
// [github.com/hubkey/hubkey/hubkeyvet].
//
// Install it, then run it under go vet, which builds the packages, caches
// the results and runs it on test files too:
//
//	go install github.com/hubkey/hubkey/cmd/hubkeyvet@latest
//	go vet -vettool=$(which hubkeyvet) ./...
//
// Or run it on its own, with the flags of a go/analysis checker (-json
// for machine-readable reports, -test=false to leave test files out, -c=N
// to show N lines of context):
//
//	hubkeyvet ./...
//
// Reports name a credential's kind and fingerprint ("fp:" and 16 hex
// digits, what secrets.Secret.Fingerprint shows in logs), never its
// value. go vet exits with status 1 when there are reports; hubkeyvet on
// its own exits with status 3, or 1 when a package fails to load.
package main
