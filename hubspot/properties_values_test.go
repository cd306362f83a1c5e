package hubspot

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPropertiesTypedReads(t *testing.T) {
	p := Properties{
		"amount": "1250.50", "count": "12", "whole": "12.0", "half": "12.5", "nan": "NaN",
		"yes": "true", "no": "FALSE", "maybe": "perhaps",
		"iso": "2024-05-01T12:30:00.000Z", "ms": "1714566600000", "before": "-86400000", "date": "2024-05-01", "when": "tuesday",
		"multi": "a; b;;c", "blank": "  ", "secretish": "hunter2-not-a-number",
	}
	if f, err := p.Float("amount"); err != nil || f != 1250.5 {
		t.Errorf("Float = %v, %v", f, err)
	}
	if n, err := p.Int("count"); err != nil || n != 12 {
		t.Errorf("Int = %v, %v", n, err)
	}
	if n, err := p.Int("whole"); err != nil || n != 12 {
		t.Errorf("Int(12.0) = %v, %v", n, err)
	}
	if _, err := p.Int("half"); err == nil {
		t.Error("Int(12.5) accepted")
	}
	if _, err := p.Float("nan"); err == nil {
		t.Error("NaN accepted")
	}
	if b, err := p.Bool("yes"); err != nil || !b {
		t.Errorf("Bool(true) = %v, %v", b, err)
	}
	if b, err := p.Bool("no"); err != nil || b {
		t.Errorf("Bool(FALSE) = %v, %v", b, err)
	}
	if _, err := p.Bool("maybe"); err == nil {
		t.Error("Bool(perhaps) accepted")
	}
	want := time.Date(2024, 5, 1, 12, 30, 0, 0, time.UTC)
	for _, name := range []string{"iso", "ms"} {
		if got, err := p.Time(name); err != nil || !got.Equal(want) {
			t.Errorf("Time(%s) = %v, %v", name, got, err)
		}
	}
	if got, err := p.Time("before"); err != nil || !got.Equal(time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Time(before) = %v, %v: milliseconds before 1970 are negative", got, err)
	}
	if got, err := p.Time("date"); err != nil || !got.Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Time(date) = %v, %v", got, err)
	}
	if _, err := p.Time("when"); err == nil {
		t.Error("Time(tuesday) accepted")
	}
	if got := p.Strings("multi"); strings.Join(got, "|") != "a|b|c" {
		t.Errorf("Strings = %q", got)
	}
	for _, name := range []string{"blank", "absent"} {
		_, err := p.Int(name)
		var pe *PropertyError
		if !errors.Is(err, ErrNoValue) || !errors.As(err, &pe) || pe.Name != name {
			t.Errorf("Int(%s): %v, want ErrNoValue", name, err)
		}
	}
	if _, ok := p.Get("absent"); ok {
		t.Error("Get(absent) reports a value")
	}
	if v, ok := p.Get("count"); !ok || v != "12" {
		t.Errorf("Get(count) = %q, %v", v, ok)
	}
	// Parse errors name the property, never its value.
	_, err := p.Float("secretish")
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "secretish") {
		t.Errorf("error %q", err)
	}
}

func TestPropertiesTypedWrites(t *testing.T) {
	var p Properties
	loc := time.FixedZone("X", 3600)
	p = p.SetFloat("amount", 1250.5).SetInt("count", -3).SetBool("done", true).
		SetTime("at", time.Date(2024, 5, 1, 13, 30, 0, 5e6, loc)).
		SetDate("on", time.Date(2024, 5, 1, 23, 0, 0, 0, loc)).
		SetStrings("tags", "a", "b")
	want := Properties{"amount": "1250.5", "count": "-3", "done": "true", "at": "2024-05-01T12:30:00.005Z", "on": "2024-05-01", "tags": "a;b"}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("%s = %q, want %q", k, p[k], v)
		}
	}
	if got, err := p.Time("at"); err != nil || !got.Equal(time.Date(2024, 5, 1, 12, 30, 0, 5e6, time.UTC)) {
		t.Errorf("round trip: %v %v", got, err)
	}
	if TimeValue(time.UnixMilli(1714566600000)) != "1714566600000" {
		t.Error("TimeValue")
	}
}
