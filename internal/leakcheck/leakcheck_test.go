package leakcheck_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/internal/leakcheck"
)

// fakeT records failures instead of failing.
type fakeT struct {
	testing.TB
	failures []string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.failures = append(f.failures, fmt.Sprintf(format, args...))
}

// The harness itself must catch a leak in every capture path, or the suite
// proves nothing.
func TestRecorderFindsPlantedLeaks(t *testing.T) {
	const canary = "canary-token-5f1d2e"
	plants := map[string]func(r *leakcheck.Recorder){
		"add": func(r *leakcheck.Recorder) { r.Add("x", "token="+canary) },
		"log": func(r *leakcheck.Recorder) { r.Logger().Debug("oops", "token", canary) },
		"log base64": func(r *leakcheck.Recorder) {
			r.Logger().Info("oops", "h", base64.StdEncoding.EncodeToString([]byte(canary)))
		},
		"error": func(r *leakcheck.Recorder) { r.Err("e", errors.New("bad "+canary)) },
		"url.Error": func(r *leakcheck.Recorder) {
			r.Err("e", &url.Error{Op: "Get", URL: "https://x/?hapikey=" + canary, Err: errors.New("x")})
		},
		"panic":       func(r *leakcheck.Recorder) { r.Panic("p", func() { panic("token " + canary) }) },
		"dump":        func(r *leakcheck.Recorder) { r.Dump("d", struct{ t string }{canary}) },
		"testify":     func(r *leakcheck.Recorder) { r.Testify("t", struct{ T string }{canary}, struct{ T string }{"x"}) },
		"hex":         func(r *leakcheck.Recorder) { r.Add("x", fmt.Sprintf("%x", canary)) },
		"url-encoded": func(r *leakcheck.Recorder) { r.Add("x", url.QueryEscape(canary+"/+")) },
	}
	for name, plant := range plants {
		t.Run(name, func(t *testing.T) {
			r := leakcheck.New()
			plant(r)
			ft := &fakeT{TB: t}
			r.Check(ft, canary)
			if len(ft.failures) == 0 {
				t.Fatal("planted leak was not found")
			}
			for _, f := range ft.failures {
				if strings.Contains(f, canary) {
					t.Fatal("the failure message itself shows the canary")
				}
			}
		})
	}
	r := leakcheck.New()
	r.Add("clean", "nothing to see")
	ft := &fakeT{TB: t}
	r.Check(ft, canary)
	if len(ft.failures) != 0 {
		t.Fatalf("false positive: %v", ft.failures)
	}
}
