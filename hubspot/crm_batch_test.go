package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func TestBatchCreatePartialFailuresMapToInputs(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	srv.Seed("contacts", map[string]string{"email": "taken@example.com"})

	inputs := make([]hubspot.ObjectInput, 250)
	bad := map[int]error{
		7:   hubspot.ErrConflict,   // an email that exists
		120: hubspot.ErrValidation, // not an email
		249: hubspot.ErrValidation, // a read-only property
	}
	for i := range inputs {
		inputs[i].Properties = hubspot.Properties{"email": fmt.Sprintf("new%03d@example.com", i), "firstname": strconv.Itoa(i)}
	}
	inputs[7].Properties["email"] = "taken@example.com"
	inputs[120].Properties["email"] = "nope"
	inputs[249].Properties["hs_object_id"] = "1"

	res, err := c.Contacts.BatchCreate(ctx, inputs)
	var be *hubspot.BatchError
	if !errors.As(err, &be) || be.Failed != 3 || be.Total != 250 || be.FirstIndex != 7 {
		t.Fatalf("err = %v", err)
	}
	if !errors.Is(err, hubspot.ErrConflict) || !errors.Is(err, hubspot.ErrValidation) {
		t.Fatal("BatchError does not match its items' errors")
	}
	if len(res.Items) != 250 || len(res.Unmatched) != 0 {
		t.Fatalf("%d items, %d unmatched", len(res.Items), len(res.Unmatched))
	}
	for i, it := range res.Items {
		if want, isBad := bad[i]; isBad {
			var he *hubspot.Error
			if !errors.Is(it.Err, want) || !errors.As(it.Err, &he) || he.Message == "" || he.Category == "" {
				t.Errorf("input %d: %v, want %v with HubSpot's message and category", i, it.Err, want)
			}
			continue
		}
		if it.Err != nil || it.Value.ID == "" || it.Value.Properties["firstname"] != strconv.Itoa(i) {
			t.Fatalf("input %d: %+v", i, it)
		}
	}
	if got := len(srv.Objects("contacts")); got != 1+247 {
		t.Fatalf("server holds %d contacts, want 248", got)
	}
	if n := opCalls(t, srv, "crm.objects.batch.create", "objectType", "contacts"); n != 3 {
		t.Fatalf("%d batch requests, want 3 chunks", n)
	}
}

func TestBatchReadUpdateUpsertArchive(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	props := make([]map[string]string, 230)
	for i := range props {
		props[i] = map[string]string{"email": fmt.Sprintf("p%03d@example.com", i), "firstname": "v0"}
	}
	seeded := srv.Seed("contacts", props...)
	ids := make([]string, 0, len(seeded)+3)
	for _, o := range seeded {
		ids = append(ids, o.ID)
	}
	ids = append(ids, "999999", seeded[0].ID, "888888") // missing, repeated, missing

	// Read.
	res, err := c.Contacts.BatchRead(ctx, ids, &hubspot.BatchReadOptions{Properties: []string{"email"}})
	var be *hubspot.BatchError
	if !errors.As(err, &be) || be.Failed != 2 {
		t.Fatalf("read: %v", err)
	}
	for i, it := range res.Items {
		switch {
		case i == 230 || i == 232:
			if !errors.Is(it.Err, hubspot.ErrNotFound) {
				t.Fatalf("read %d: %v", i, it.Err)
			}
		case i == 231:
			if it.Err != nil || it.Value.ID != seeded[0].ID {
				t.Fatalf("repeated id: %+v", it)
			}
		default:
			if it.Err != nil || it.Value.ID != ids[i] || it.Value.Properties["email"] != props[i]["email"] {
				t.Fatalf("read %d: %+v", i, it)
			}
		}
	}

	// Read by email.
	emails := []string{"p005@example.com", "P006@EXAMPLE.COM", "nobody@example.com"}
	res, _ = c.Contacts.BatchRead(ctx, emails, &hubspot.BatchReadOptions{IDProperty: "email", Properties: []string{"firstname"}})
	if res.Items[0].Value.ID != seeded[5].ID || res.Items[1].Value.ID != seeded[6].ID || !errors.Is(res.Items[2].Err, hubspot.ErrNotFound) {
		t.Fatalf("read by email: %+v", res.Items)
	}

	// Update, one missing.
	upd := []hubspot.BatchInput{
		{ID: seeded[1].ID, Properties: hubspot.Properties{"firstname": "v1"}},
		{ID: "777777", Properties: hubspot.Properties{"firstname": "v1"}},
		{ID: "p002@example.com", IDProperty: "email", Properties: hubspot.Properties{"firstname": "v1"}},
	}
	res, err = c.Contacts.BatchUpdate(ctx, upd)
	if err == nil || res.Items[0].Err != nil || !errors.Is(res.Items[1].Err, hubspot.ErrNotFound) || res.Items[2].Err != nil {
		t.Fatalf("update: %v %+v", err, res.Items)
	}
	if res.Items[0].Value.Properties["firstname"] != "v1" || res.Items[2].Value.ID != seeded[2].ID {
		t.Fatalf("update results: %+v", res.Items)
	}

	// Upsert 300 by email: 230 exist, 70 are new.
	ups := make([]hubspot.BatchInput, 300)
	for i := range ups {
		ups[i] = hubspot.BatchInput{ID: fmt.Sprintf("p%03d@example.com", i), IDProperty: "email", Properties: hubspot.Properties{"firstname": "up"}}
	}
	res, err = c.Contacts.BatchUpsert(ctx, ups)
	if err != nil {
		t.Fatal(err)
	}
	created := 0
	for i, it := range res.Items {
		if it.Value.New {
			created++
			if i < 230 {
				t.Fatalf("input %d reported new", i)
			}
		} else if i < 230 && it.Value.ID != seeded[i].ID {
			t.Fatalf("upsert %d updated %s, want %s", i, it.Value.ID, seeded[i].ID)
		}
	}
	if created != 70 || len(srv.Objects("contacts")) != 300 {
		t.Fatalf("%d created, server holds %d", created, len(srv.Objects("contacts")))
	}

	// Archive.
	res, err = c.Contacts.BatchArchive(ctx, ids[:150])
	if err != nil {
		t.Fatal(err)
	}
	live := 0
	for _, o := range srv.Objects("contacts") {
		if !o.Archived {
			live++
		}
	}
	if live != 150 || len(res.Items) != 150 {
		t.Fatalf("%d live after archiving 150 of 300", live)
	}
}

func TestBatchRetriesOnlyWhatIsSafe(t *testing.T) {
	srv := hubspottest.NewServer(t)
	fake := clock.NewFake(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	c, _, _ := newClient(t, srv, nil, hubspot.WithBatchConcurrency(1), hubspot.WithClock(fake))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go advance(ctx, fake) // backoffs pass on the fake clock
	ups := make([]hubspot.BatchInput, 250)
	for i := range ups {
		ups[i] = hubspot.BatchInput{ID: fmt.Sprintf("u%03d@example.com", i), IDProperty: "email", Properties: hubspot.Properties{"firstname": "x"}}
	}
	// An upsert is safe to repeat: the 503 is retried and every input lands.
	srv.InjectFault(hubspottest.Fault{Status: http.StatusServiceUnavailable, Method: "POST", PathPrefix: hubspot.PathFor(t, c, "crm.objects.batch.upsert", "objectType", "contacts")})
	res, err := c.Contacts.BatchUpsert(ctx, ups)
	if err != nil || res.Failed() != 0 {
		t.Fatalf("upsert: %v", err)
	}

	// A create is not: the chunk that got a 502 reports it, the others land,
	// and nothing is sent twice.
	srv.ResetJournal()
	ins := make([]hubspot.ObjectInput, 250)
	for i := range ins {
		ins[i].Properties = hubspot.Properties{"email": fmt.Sprintf("c%03d@example.com", i)}
	}
	srv.InjectFault(hubspottest.Fault{Status: http.StatusBadGateway, Method: "POST", PathPrefix: hubspot.PathFor(t, c, "crm.objects.batch.create", "objectType", "contacts")})
	res, err = c.Contacts.BatchCreate(ctx, ins)
	var be *hubspot.BatchError
	if !errors.As(err, &be) || be.Failed != 100 || be.FirstIndex != 0 {
		t.Fatalf("create: %v", err)
	}
	for i := 100; i < 250; i++ {
		if res.Items[i].Err != nil {
			t.Fatalf("input %d: %v", i, res.Items[i].Err)
		}
	}
	if n := opCalls(t, srv, "crm.objects.batch.create", "objectType", "contacts"); n != 3 {
		t.Fatalf("%d create requests, want 3 (no retry)", n)
	}

	// A cancelled context accounts for every input too.
	cctx, cancelNow := context.WithCancel(ctx)
	cancelNow()
	res, err = c.Contacts.BatchUpsert(cctx, ups)
	if !errors.Is(err, context.Canceled) || len(res.Items) != 250 {
		t.Fatalf("cancelled: %v", err)
	}
	for i, it := range res.Items {
		if !errors.Is(it.Err, context.Canceled) {
			t.Fatalf("input %d: %v", i, it.Err)
		}
	}
}

// HubSpot upserts only by a unique property: an upsert by record ID (no
// IDProperty, or hs_object_id) and an update naming hs_object_id are
// refused before anything is sent, with the way to do it instead.
func TestBatchUpsertNeedsAUniqueProperty(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, []string{"crm.objects.contacts.write"})
	ctx := context.Background()
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"upsert by record ID", func() error {
			_, err := c.Contacts.BatchUpsert(ctx, []hubspot.BatchInput{{ID: "123", Properties: hubspot.Properties{"firstname": "Ada"}}})
			return err
		}, "BatchUpdate"},
		{"upsert by hs_object_id", func() error {
			_, err := c.Contacts.BatchUpsert(ctx, []hubspot.BatchInput{{ID: "123", IDProperty: "hs_object_id", Properties: hubspot.Properties{"firstname": "Ada"}}})
			return err
		}, "not by record ID"},
		{"update by hs_object_id", func() error {
			_, err := c.Contacts.BatchUpdate(ctx, []hubspot.BatchInput{{ID: "123", IDProperty: "hs_object_id", Properties: hubspot.Properties{"firstname": "Ada"}}})
			return err
		}, "leave IDProperty empty"},
	}
	for _, tc := range cases {
		err := tc.call()
		if !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want ErrValidation saying %q", tc.name, err, tc.want)
		}
	}
	if n := len(srv.Journal()); n != 0 {
		t.Errorf("%d refused calls were sent", n)
	}
}

func TestBatchReadWithHistoryChunksBy50(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	props := make([]map[string]string, 120)
	for i := range props {
		props[i] = map[string]string{"email": fmt.Sprintf("h%03d@example.com", i), "firstname": "F" + strconv.Itoa(i)}
	}
	objs := srv.Seed("contacts", props...)
	ids := make([]string, len(objs))
	for i, o := range objs {
		ids[i] = o.ID
	}
	reads := func() (n int) {
		for _, e := range srv.Journal() {
			if strings.HasSuffix(e.Path, "/batch/read") {
				n++
			}
		}
		return n
	}

	res, err := c.Contacts.BatchRead(ctx, ids, &hubspot.BatchReadOptions{PropertiesWithHistory: []string{"firstname"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := reads(); got != 3 {
		t.Errorf("120 ids with history took %d requests, want 3 of at most 50", got)
	}
	for i, it := range res.Items {
		if it.Err != nil || it.Value.ID != ids[i] || len(it.Value.PropertiesWithHistory["firstname"]) == 0 {
			t.Fatalf("input %d: %+v", i, it)
		}
	}

	before := reads()
	if _, err := c.Contacts.BatchRead(ctx, ids, &hubspot.BatchReadOptions{Properties: []string{"firstname"}}); err != nil {
		t.Fatal(err)
	}
	if got := reads() - before; got != 2 {
		t.Errorf("120 ids without history took %d requests, want 2 of at most 100", got)
	}
}
