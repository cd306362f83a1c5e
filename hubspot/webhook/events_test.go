package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets"
)

func TestParseEvents(t *testing.T) {
	body := `[
	  {"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321},
	  {"eventId":"2","subscriptionId":12346,"portalId":62515,"occurredAt":1564113600001,"subscriptionType":"contact.propertyChange","attemptNumber":2,"objectId":"124","propertyName":"annualrevenue","propertyValue":1000000,"changeSource":"API","sourceId":"userId:7","isSensitive":false,"extra":{"x":1}},
	  {"eventId":3,"subscriptionType":"contact.merge","objectId":5,"primaryObjectId":5,"mergedObjectIds":[6,"7"],"newObjectId":5,"numberOfPropertiesMoved":12},
	  {"eventId":4,"subscriptionType":"contact.associationChange","associationType":"CONTACT_TO_COMPANY","fromObjectId":5,"toObjectId":9,"associationRemoved":true,"isPrimaryAssociation":false,"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1},
	  {"eventId":5,"subscriptionType":"object.propertyChange","objectTypeId":"0-1","objectId":5,"propertyName":"email","propertyValue":null}
	]`
	events, err := ParseEvents([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 5 {
		t.Fatalf("%d events", len(events))
	}
	e := events[0]
	if e.EventID != 1 || e.SubscriptionID != 12345 || e.PortalID != 62515 || e.AppID != 54321 || e.ObjectID != 123 ||
		e.SubscriptionType != "contact.creation" || e.ChangeSource != "CRM" || e.ChangeFlag != "NEW" || e.AttemptNumber != 0 ||
		!e.OccurredAt.Equal(time.Date(2019, 7, 26, 4, 0, 0, 0, time.UTC)) {
		t.Errorf("event 0 = %+v", e)
	}
	e = events[1]
	if e.EventID != 2 || e.ObjectID != 124 || e.PropertyName != "annualrevenue" || e.PropertyValue != "1000000" || e.AttemptNumber != 2 || e.SourceID != "userId:7" {
		t.Errorf("event 1 = %+v", e)
	}
	if !strings.Contains(string(e.Raw), `"extra":{"x":1}`) {
		t.Errorf("Raw = %s", e.Raw)
	}
	e = events[2]
	if e.PrimaryObjectID != 5 || len(e.MergedObjectIDs) != 2 || e.MergedObjectIDs[1] != 7 || e.NewObjectID != 5 || e.NumberOfPropertiesMoved != 12 {
		t.Errorf("merge event = %+v", e)
	}
	e = events[3]
	if e.AssociationType != "CONTACT_TO_COMPANY" || e.FromObjectID != 5 || e.ToObjectID != 9 || !e.AssociationRemoved || e.AssociationTypeID != 1 || e.AssociationCategory != "HUBSPOT_DEFINED" {
		t.Errorf("association event = %+v", e)
	}
	e = events[4]
	if e.ObjectTypeID != "0-1" || e.PropertyValue != "" || !e.OccurredAt.IsZero() {
		t.Errorf("generic event = %+v", e)
	}

	if ev, err := ParseEvents([]byte(" [] ")); err != nil || len(ev) != 0 {
		t.Errorf("empty array: %v, %v", ev, err)
	}
}

func TestParseEventsErrors(t *testing.T) {
	secret := "do-not-echo-me"
	for _, body := range []string{
		``,
		`{"eventId":1}`,
		`[{"eventId":1}`,
		`[{"eventId":"` + secret + `"}]`,
		`[{"objectId":1.5}]`,
		`[{"subscriptionType":5}]`,
		`[1]`,
		`[{"eventId":1}] [`,
		`[{"eventId":1}]x`,
		`not json ` + secret,
		`[` + strings.Repeat(`{},`, MaxEvents) + `{}]`,
	} {
		_, err := ParseEvents([]byte(body))
		if err == nil {
			t.Errorf("ParseEvents(%.40q) succeeded", body)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error quotes the body: %v", err)
		}
	}
}

func TestHandler(t *testing.T) {
	v := newVerifier(t, WithPublicURL("https://hooks.example.com"))
	var got []Event
	fail := false
	srv := httptest.NewServer(Handler(v, func(ctx context.Context, events []Event) error {
		got = events
		if fail {
			return errors.New("database down")
		}
		return nil
	}))
	defer srv.Close()

	send := func(method, body string, sign bool) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+"/hubspot?portal=1", strings.NewReader(body))
		if sign {
			ts := strconv.FormatInt(now.UnixMilli(), 10)
			req.Header.Set(HeaderTimestamp, ts)
			req.Header.Set(HeaderSignatureV3, SignatureV3(secrets.New(hsSecret), method, "https://hooks.example.com/hubspot?portal=1", []byte(body), ts))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if code, _ := send("POST", hsV1Body, true); code != http.StatusNoContent || len(got) != 1 || got[0].ObjectID != 123 {
		t.Fatalf("valid delivery: %d, %+v", code, got)
	}
	if code, msg := send("POST", hsV1Body, false); code != http.StatusUnauthorized || msg != "signature rejected: unsigned\n" {
		t.Errorf("unsigned: %d %q", code, msg)
	}
	if code, _ := send("GET", "", true); code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", code)
	}
	if code, msg := send("POST", `{"not":"an array"}`, true); code != http.StatusBadRequest || !strings.Contains(msg, "array") {
		t.Errorf("object body: %d %q", code, msg)
	}
	fail = true
	if code, msg := send("POST", hsV1Body, true); code != http.StatusInternalServerError || strings.Contains(msg, "database") {
		t.Errorf("failing handler: %d %q", code, msg)
	}
}
