package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/webhook"
	"github.com/hubkey/hubkey/secrets"
)

// HubSpot's v1 example from its "Validating requests" documentation.
func ExampleSignatureV1() {
	secret := secrets.New("yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy")
	body := `[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]`
	fmt.Println(webhook.SignatureV1(secret, []byte(body)))
	// Output: 232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de
}

// A webhook endpoint behind a TLS-terminating load balancer, accepting the
// current and the previous app secret while it is rotated.
func ExampleHandler() {
	clk := clock.NewFake(time.UnixMilli(1740830400000))
	v, err := webhook.NewVerifier(
		webhook.WithSecrets(secrets.New("new-client-secret"), secrets.New("old-client-secret")),
		webhook.WithPublicURL("https://hooks.example.com"),
		webhook.WithClock(clk),
	)
	if err != nil {
		panic(err)
	}
	h := webhook.Handler(v, func(ctx context.Context, events []webhook.Event) error {
		for _, e := range events {
			fmt.Printf("%s object %d %s=%s at %s\n", e.SubscriptionType, e.ObjectID, e.PropertyName, e.PropertyValue, e.OccurredAt.Format(time.RFC3339))
		}
		return nil
	})

	// What HubSpot sends, signed with the old secret.
	body := `[{"eventId":7,"subscriptionId":1,"portalId":62515,"appId":54321,"occurredAt":1740830399000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":123,"propertyName":"email","propertyValue":"a@example.com","changeSource":"CRM_UI"}]`
	ts := strconv.FormatInt(clk.Now().UnixMilli(), 10)
	r := httptest.NewRequest("POST", "http://10.0.0.5:8080/hubspot/events", strings.NewReader(body))
	r.Header.Set(webhook.HeaderTimestamp, ts)
	r.Header.Set(webhook.HeaderSignatureV3, webhook.SignatureV3(secrets.New("old-client-secret"), "POST", "https://hooks.example.com/hubspot/events", []byte(body), ts))

	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code == http.StatusNoContent)
	// Output:
	// contact.propertyChange object 123 email=a@example.com at 2025-03-01T11:59:59Z
	// true
}
