package hubspot_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
)

// A burst up to the limit goes at once; the request after it waits until
// the first leaves the window (plus a 5 ms guard).
func ExampleRateLimitTransport() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer api.Close()
	clk := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	rt := &hubspot.RateLimitTransport{Limit: hubspot.RateLimit{Requests: 5, Interval: time.Second}, Clock: clk}
	hc := &http.Client{Transport: rt}
	get := func() {
		resp, err := hc.Get(api.URL)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
	}
	for range 5 {
		get()
	}
	fmt.Println("5 requests sent; waiting:", clk.Timers())

	done := make(chan struct{})
	go func() { get(); close(done) }()
	clk.WaitForTimers(context.Background(), 1)
	next, _ := clk.NextDeadline()
	fmt.Println("the 6th waits", next.Sub(clk.Now()))
	clk.AdvanceToNext()
	<-done
	// Output:
	// 5 requests sent; waiting: 0
	// the 6th waits 1.005s
}
