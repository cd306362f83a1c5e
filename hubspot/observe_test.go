package hubspot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// recorder is an Observer that writes down what it hears.
type recorder struct {
	mu     sync.Mutex
	events []string
}

type recKey struct{}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) StartCall(ctx context.Context, c hubspot.CallInfo) context.Context {
	r.add("call %s %s %s %s", c.Operation, c.Method, c.Route, c.APIVersion)
	return context.WithValue(ctx, recKey{}, "call")
}

func (r *recorder) StartAttempt(ctx context.Context, c hubspot.CallInfo, a hubspot.AttemptInfo) context.Context {
	r.add("attempt %d %s %s in %v", a.N, a.Credential, a.Fingerprint, ctx.Value(recKey{}))
	return context.WithValue(ctx, recKey{}, "attempt")
}

func (r *recorder) Waited(ctx context.Context, c hubspot.CallInfo, w hubspot.WaitInfo) {
	r.add("waited %v %s %s in %v", w.Retry, w.Reason, w.Policy, ctx.Value(recKey{}))
}

func (r *recorder) EndAttempt(ctx context.Context, c hubspot.CallInfo, a hubspot.AttemptInfo, o hubspot.Outcome) {
	r.add("end attempt %d %d %s signed=%v in %v", a.N, o.Status, o.Category, o.Signed, ctx.Value(recKey{}))
}

func (r *recorder) EndCall(ctx context.Context, c hubspot.CallInfo, _ hubspot.AttemptInfo, o hubspot.Outcome) {
	r.add("end call %d %s attempts=%d err=%v in %v", o.Status, o.Policy, o.Attempts, o.Err != nil, ctx.Value(recKey{}))
}

// An Observer hears a call, its attempts (here the re-send after a 401
// with the rotated token) and its end, each with the context the hook
// before returned, and in facts with no token, ID or query in them.
func TestObserverHearsCallsAndAttempts(t *testing.T) {
	srv := hubspottest.NewServer(t)
	old := srv.NewToken("crm.objects.contacts.read")
	st := secretstest.NewStatic(old)
	cache, err := secrets.NewCache(st)
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	rec := &recorder{}
	c, err := hubspot.New(hubspot.WithToken(cache), hubspot.WithBaseURL(srv.URL()), hubspot.WithObserver(rec))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := cache.Get(ctx); err != nil {
		t.Fatal(err)
	}
	newTok := srv.RotateToken(old, 0)
	st.Rotate(newTok)
	if _, err := c.Contacts.Get(ctx, "424242", &hubspot.GetOptions{Properties: []string{"email"}}); err == nil {
		t.Fatal("Get of a missing contact succeeded")
	}
	oldFP, newFP := secrets.New(old).Fingerprint(), secrets.New(newTok).Fingerprint()
	want := []string{
		"call crm.objects.get GET /crm/objects/2026-03/{objectType}/{objectId} 2026-03",
		"attempt 1 default " + oldFP + " in call",
		"end attempt 1 401 INVALID_AUTHENTICATION signed=false in attempt",
		"attempt 2 default " + newFP + " in call",
		"end attempt 2 404 OBJECT_NOT_FOUND signed=false in attempt",
		"end call 404  attempts=2 err=false in call",
	}
	got := strings.Join(rec.events, "\n")
	if got != strings.Join(want, "\n") {
		t.Errorf("observer heard:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	for _, bad := range []string{old, newTok, "424242", "email"} {
		if strings.Contains(got, bad) {
			t.Errorf("the observer heard %q", bad)
		}
	}
}

func TestWithObserverNil(t *testing.T) {
	if _, err := hubspot.New(hubspot.WithToken(secretstest.NewStatic("x")), hubspot.WithObserver(nil)); err == nil {
		t.Error("WithObserver(nil) accepted")
	}
}
