package endpoints

// Limits HubSpot's guides document that bound what an account or app
// holds rather than the size of one call.
const (
	// MaxPipelineStages is the most stages one pipeline may have.
	MaxPipelineStages = 100
	// MaxWebhookSubscriptions is the most webhook subscriptions one app
	// may have.
	MaxWebhookSubscriptions = 1000
	// MinWebhookConcurrency is the least maxConcurrentRequests an app's
	// webhook settings may name: HubSpot's guide says more than five.
	MinWebhookConcurrency = 6
	// MaxListAddFromMembers bounds the source of a lists add-from call:
	// HubSpot's spec says the source list must have fewer members than this.
	MaxListAddFromMembers = 100_000
)
