// Package e2e proves hubkey's key hygiene end to end, under load: its tests
// drive the whole client (hubspot.Client over a secrets.Cache) against
// hubspottest and check the outcome against the server's own records.
//
// The package has no code of its own; its tests are the proofs:
//
//   - zero-failure rotation: 64 concurrent callers while the token rotates
//     many times, in HubSpot's "expire later" and "expire now" modes, with
//     no failed call, at most one provider fetch per rotation (no herd),
//     and no call sent with a token older than the previous one, as the
//     server's journal of token fingerprints shows;
//   - rotation while the secret store is down or hangs: calls keep
//     succeeding on the cached key while it is valid, the failures reach
//     the Cache's OnError hooks, and no call outlives its context;
//   - a rotation validator that keeps a bad new token from being adopted;
//   - fault injection over batches of 10,000 writes (429 storms of both
//     policies, 5xx bursts, dropped connections, responses slower than the
//     caller's deadline): no input lost, none applied twice, every failure
//     reported against its input;
//   - transport rules: credentials only over HTTPS or to loopback, never
//     forwarded on a redirect to another host (nor on any later hop of
//     that chain, in a header, the URL or a Referer), and response bodies
//     read through limits, so a hostile endless body, a gzip bomb or a
//     trickling response costs neither unbounded memory nor more time than
//     the caller's context.
//
// Each test logs its figures (rotations, calls, failures, provider
// fetches; inputs, losses, duplicates) with t.Logf; run
//
//	go test -race -count=1 -v ./internal/e2e/
//
// to see them. The clients speak hubspot's default API version, or the one
// HUBKEY_TEST_API_VERSION names ("numbered", "2025-09", ...); the test
// command (internal/cmd/testall) runs the package once per version.
package e2e
