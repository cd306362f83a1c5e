package otelhubspot

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/hubkey/hubkey/gateway"
)

// GatewayCalls returns a hook for gateway.Config.OnCall that counts the
// key gateway's calls and denials and times them:
//
//	hubkey.gateway.calls     calls [hubkey.gateway.key, hubkey.gateway.service, hubspot.operation, http.response.status_code, hubkey.gateway.denial]
//	hubkey.gateway.duration  s, per call [hubkey.gateway.service, hubspot.operation, hubkey.gateway.denial]
//
// hubkey.gateway.denial is the reason a call was refused ("key revoked",
// "missing scopes", ...), or "none". A key is named by its ID, never its
// token; a call with a token that matched no key has the key "unknown".
func (t *Telemetry) GatewayCalls() func(gateway.Call) {
	return func(c gateway.Call) {
		key, denial, op := c.KeyID, c.Denial, c.Operation
		if key == "" {
			key = "unknown"
		}
		if denial == "" {
			denial = "none"
		}
		if op == "" {
			op = "unknown"
		}
		ctx := context.Background()
		t.gwCalls.Add(ctx, 1, metric.WithAttributes(
			attribute.String("hubkey.gateway.key", key),
			attribute.String("hubkey.gateway.service", c.Service),
			attribute.String("hubspot.operation", op),
			attribute.Int("http.response.status_code", c.Status),
			attribute.String("hubkey.gateway.denial", denial),
		))
		t.gwDur.Record(ctx, c.Latency.Seconds(), metric.WithAttributes(
			attribute.String("hubkey.gateway.service", c.Service),
			attribute.String("hubspot.operation", op),
			attribute.String("hubkey.gateway.denial", denial),
		))
	}
}
