package hubspot

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Properties holds a record's property values. HubSpot sends and takes
// every value as a string (a missing or null value is ""); the typed
// accessors parse and format the common kinds so callers need neither
// pointers nor their own parsing.
type Properties map[string]string

// ErrNoValue is returned (wrapped in a *PropertyError) by the typed
// accessors when a property is absent or empty.
var ErrNoValue = errors.New("no value")

// PropertyError says which property could not be read as which kind.
type PropertyError struct {
	Name string // the property
	Kind string // "number", "integer", "bool", "time", "date"
	Err  error  // ErrNoValue, or why the value does not parse
}

// Error names the property and the problem, never the value.
func (e *PropertyError) Error() string {
	if errors.Is(e.Err, ErrNoValue) {
		return fmt.Sprintf("hubspot: property %q has no value", e.Name)
	}
	return fmt.Sprintf("hubspot: property %q is not a valid %s: %v", e.Name, e.Kind, e.Err)
}

// Unwrap returns the cause.
func (e *PropertyError) Unwrap() error { return e.Err }

// Get returns the value of name and whether it is set (present and not
// empty).
func (p Properties) Get(name string) (string, bool) {
	v, ok := p[name]
	return v, ok && v != ""
}

// Set sets name to v and returns p for chaining. It allocates p's map when
// p is nil only through the returned value: use p = p.Set(...).
func (p Properties) Set(name, v string) Properties {
	if p == nil {
		p = Properties{}
	}
	p[name] = v
	return p
}

func (p Properties) value(name, kind string) (string, error) {
	v := strings.TrimSpace(p[name])
	if v == "" {
		return "", &PropertyError{Name: name, Kind: kind, Err: ErrNoValue}
	}
	return v, nil
}

func parseErr(name, kind string, err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		err = ne.Err // drop the quoted value
	}
	return &PropertyError{Name: name, Kind: kind, Err: err}
}

// Float returns a number property (HubSpot's "number" type).
func (p Properties) Float(name string) (float64, error) {
	v, err := p.value(name, "number")
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		if err == nil {
			err = errors.New("not a finite number")
		}
		return 0, parseErr(name, "number", err)
	}
	return f, nil
}

// Int returns a number property that holds a whole number, such as a
// record ID or a count. "12.0" is accepted; "12.5" is not.
func (p Properties) Int(name string) (int64, error) {
	v, err := p.value(name, "integer")
	if err != nil {
		return 0, err
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, parseErr(name, "integer", err)
	}
	if f != math.Trunc(f) || f > math.MaxInt64 || f < math.MinInt64 {
		return 0, parseErr(name, "integer", errors.New("not a whole number in range"))
	}
	return int64(f), nil
}

// Bool returns a boolean property (HubSpot's "bool" type, values "true"
// and "false").
func (p Properties) Bool(name string) (bool, error) {
	v, err := p.value(name, "bool")
	if err != nil {
		return false, err
	}
	b, err := strconv.ParseBool(strings.ToLower(v))
	if err != nil {
		return false, parseErr(name, "bool", err)
	}
	return b, nil
}

// Time returns a datetime or date property. It accepts what HubSpot sends:
// ISO 8601 timestamps ("2024-05-01T12:30:00.000Z"), dates ("2024-05-01",
// as midnight UTC) and Unix milliseconds ("1714566600000").
func (p Properties) Time(name string) (time.Time, error) {
	v, err := p.value(name, "time")
	if err != nil {
		return time.Time{}, err
	}
	if isInteger(v) {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}, parseErr(name, "time", err)
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, parseErr(name, "time", errors.New("neither ISO 8601, a date nor Unix milliseconds"))
}

// Strings returns a multiple-checkbox property's options, which HubSpot
// separates with ";". It returns nil when the property is empty.
func (p Properties) Strings(name string) []string {
	v := p[name]
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ";")
	out := parts[:0]
	for _, s := range parts {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// isDigits reports whether s is one or more decimal digits: the shape of
// HubSpot's IDs, which are never negative.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isInteger reports whether s is a decimal integer, with an optional
// leading '-': Unix milliseconds before 1970 are negative.
func isInteger(s string) bool {
	return isDigits(strings.TrimPrefix(s, "-"))
}

// SetFloat sets a number property.
func (p Properties) SetFloat(name string, v float64) Properties {
	return p.Set(name, strconv.FormatFloat(v, 'f', -1, 64))
}

// SetInt sets a number property to a whole number.
func (p Properties) SetInt(name string, v int64) Properties {
	return p.Set(name, strconv.FormatInt(v, 10))
}

// SetBool sets a boolean property.
func (p Properties) SetBool(name string, v bool) Properties {
	return p.Set(name, strconv.FormatBool(v))
}

// SetTime sets a datetime property, as ISO 8601 in UTC with milliseconds.
func (p Properties) SetTime(name string, t time.Time) Properties {
	return p.Set(name, t.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
}

// SetDate sets a date property: HubSpot stores dates as midnight UTC, so
// only t's year, month and day (in t's own location) are kept.
func (p Properties) SetDate(name string, t time.Time) Properties {
	return p.Set(name, t.Format(time.DateOnly))
}

// SetStrings sets a multiple-checkbox property to the given options.
func (p Properties) SetStrings(name string, vals ...string) Properties {
	return p.Set(name, strings.Join(vals, ";"))
}

// TimeValue formats t as HubSpot's search filters expect a datetime: Unix
// milliseconds.
func TimeValue(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
