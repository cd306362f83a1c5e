package signing

// DefaultRules were HubSpot's destructive, bulk-exfiltrating and
// mail-sending calls.
//
// Deprecated: which HubSpot calls are sensitive is package hubspot's
// knowledge: use hubspot.IsSensitive, which hubspot.WithSigner signs by
// default. DefaultRules will be removed.
var DefaultRules = []string{
	"DELETE /**",
	"POST /crm/**/batch/archive",
	"POST /crm/**/gdpr-delete",
	"POST /crm/**/merge",
	"* /crm/**/exports/**",
	"* /crm/**/imports/**",
	"POST /settings/**/users/**",
	"PUT /settings/**/users/**",
	"PATCH /settings/**/users/**",
	"POST /marketing/**/single-email/send",
	"POST /marketing/**/email/single-send",
	"POST /marketing/**/emails/**/publish",
	"POST /email/public/*/singleEmail/send",
}

// DefaultPolicy returns a new Policy of DefaultRules.
//
// Deprecated: use hubspot.IsSensitive where a func(*http.Request) bool is
// wanted, or a Policy of your own rules. DefaultPolicy will be removed.
func DefaultPolicy() *Policy { return MustPolicy(DefaultRules...) }
