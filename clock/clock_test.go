package clock_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestFakeFiresTimersInOrder(t *testing.T) {
	f := clock.NewFake(t0)
	a, b := f.NewTimer(2*time.Second), f.NewTimer(time.Second)
	if f.Timers() != 2 {
		t.Fatalf("Timers() = %d, want 2", f.Timers())
	}
	f.Advance(1500 * time.Millisecond)
	select {
	case got := <-b.C():
		if !got.Equal(t0.Add(time.Second)) {
			t.Fatalf("b fired at %v", got)
		}
	default:
		t.Fatal("b did not fire")
	}
	select {
	case <-a.C():
		t.Fatal("a fired early")
	default:
	}
	if !f.AdvanceToNext() {
		t.Fatal("AdvanceToNext found no timer")
	}
	<-a.C()
	if !f.Now().Equal(t0.Add(2 * time.Second)) {
		t.Fatalf("Now() = %v", f.Now())
	}
	if f.AdvanceToNext() {
		t.Fatal("AdvanceToNext with no timers")
	}
}

func TestFakeStopAndImmediate(t *testing.T) {
	f := clock.NewFake(t0)
	tm := f.NewTimer(time.Second)
	if !tm.Stop() || tm.Stop() {
		t.Fatal("Stop should succeed once")
	}
	f.Advance(time.Hour)
	select {
	case <-tm.C():
		t.Fatal("stopped timer fired")
	default:
	}
	<-f.NewTimer(0).C() // fires at once
	f.Set(t0)           // never backwards
	if !f.Now().Equal(t0.Add(time.Hour)) {
		t.Fatal("Set moved the clock backwards")
	}
}

func TestSleep(t *testing.T) {
	f := clock.NewFake(t0)
	done := make(chan error)
	go func() { done <- clock.Sleep(context.Background(), f, time.Minute) }()
	if err := f.WaitForTimers(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	f.Advance(time.Minute)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := clock.Sleep(ctx, f, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on a cancelled context = %v", err)
	}
	if clock.Or(nil) != clock.System {
		t.Fatal("Or(nil) is not System")
	}
}

func ExampleFake() {
	f := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	done := make(chan struct{})
	go func() {
		clock.Sleep(context.Background(), f, time.Hour) // returns when the test moves time
		close(done)
	}()
	f.WaitForTimers(context.Background(), 1) // the goroutine is asleep
	f.Advance(time.Hour)
	<-done
	fmt.Println(f.Now().Format(time.Kitchen))
	// Output: 1:00AM
}
