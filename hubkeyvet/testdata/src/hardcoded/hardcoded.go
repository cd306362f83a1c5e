// Package hardcoded holds credentials recognisable on their own, and the
// near misses that must not be reported.
package hardcoded

import "fmt"

// Reported.

const privateApp = "pat-na1-87dca17e-e51e-4c48-a7b8-b8f8ceb1d858" // want `hard-coded HubSpot private app token \(fp:[0-9a-f]{16}\): rotate it in HubSpot`

var euToken = "pat-eu1-f8b6b0d7-4955-45db-8684-c22336c2d3a8" // want `hard-coded HubSpot private app token \(fp:[0-9a-f]{16}\)`

// The fingerprint is secrets.New(value).Fingerprint(), what logs show.
const exactFingerprint = "pat-na1-45a1e775-89ef-4cb1-9002-feec472db147" // want `\(fp:49f7fe1b1945875d\)`

// A constant built from parts is reported once, where it is built.
const (
	region    = "pat-na1-"
	assembled = region + "dc3d799b-ce9f-4cc5-a104-c14d5e7d03ac" // want `hard-coded HubSpot private app token`
)

var refresh = "na1-e79345d6-f6c8-49a8-b137-0134e1d347d9" // want `hard-coded HubSpot OAuth refresh token \(fp:[0-9a-f]{16}\): revoke it`

var access = "CPvQ37SrMxICAQEYuaeNAiCBjgYyG_PvRNmCOtoBxiazFRG_SXgyrOKaJj-8_gLx0A" // want `hard-coded HubSpot OAuth access token \(fp:[0-9a-f]{16}\): access tokens expire`

// HubSpot's own documented example has the same layout.
var documented = "CKDZpunPLhICAQEYs-gDIIGOBii1hQIyGQAf3xBKEgsYjYMJVvlHEz9tFHAwSq1TQAM40s0D" // want `HubSpot OAuth access token`

// Inside a larger string.
var header = "Authorization: Bearer pat-na1-6f40c633-069d-454e-9762-120b4408e409" // want `HubSpot private app token`

var legacyURL = "https://api.hubapi.com/contacts/v1/lists/all?hapikey=5df1fa23-2ee3-4ecb-9335-0d935df6ff70&count=10" // want `hard-coded HubSpot developer API key or legacy hapikey \(fp:[0-9a-f]{16}\)`

var bearerUUID = "Bearer 19c72d05-2a9b-4f5c-bd75-94f1f085e39f" // want `bearer credential \(UUID\)`

func use() {
	fmt.Println(privateApp, euToken, exactFingerprint, assembled, refresh, access, documented, header, legacyURL, bearerUUID)
	fmt.Println("pat-na1-81c11006-f671-4ce5-bacf-09210148a0c3") // want `private app token`
	_ = []byte("pat-na1-fec728e1-7c68-4f42-a6f6-d63dacec6c48")  // want `private app token`
}

// Not reported.

const (
	prefixOnly   = "pat-na1-"
	example      = "pat-na1-example"
	zeros        = "pat-na1-00000000-0000-4000-8000-000000000000"    // a placeholder UUID
	repeated     = "pat-na1-11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa"    // a placeholder UUID
	sequential   = "pat-na1-0e2e0e2e-aaaa-4bbb-8ccc-0123456789ab"    // a placeholder UUID
	deadbeef     = "na1-00000000-dead-4bad-8bad-000000000000"        // a placeholder UUID
	upperRegion  = "pat-NA1-1776a47a-0d45-4b43-875d-0e5447e8292b"    // not HubSpot's form
	longerRun    = "xpat-na1-1776a47a-0d45-4b43-875d-0e5447e8292b"   // part of another identifier
	suffixed     = "pat-na1-1776a47a-0d45-4b43-875d-0e5447e8292b-v2" // part of another identifier
	otherRegion  = "us1-1776a47a-0d45-4b43-875d-0e5447e8292b"        // not a HubSpot region
	requestID    = "238ddfde-cd07-4099-b2be-e68ad248861b"            // a UUID alone is not a key
	correlation  = "X-Correlation-Id: 238ddfde-cd07-4099-b2be-e68ad248861b"
	oldTimestamp = "CID43JyvEhICAQEYuaeNAjIb8-9E2YI62gHGJrMVEb9JeDKs4pomP7z-AvHQ" // issued in 1990: not a token
	base64Blob   = "CQkJCXJldHVybiBuaWwsIGZtdC5FcnJvcmYoImJhZCBpbnB1dCIp"         // base64 of Go source
	shortC       = "CKDZpunPLhICAQEY"
)

func nearMisses() {
	fmt.Println(prefixOnly, example, zeros, repeated, sequential, deadbeef, upperRegion, longerRun, suffixed, otherRegion, requestID, correlation, oldTimestamp, base64Blob, shortC)
}
