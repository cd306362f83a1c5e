package hubspottest

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
	_ "time/tzdata" // account time zones resolve the same on every machine
)

// Account is the HubSpot account the server reports from
// /account-info/v3/details, and the daily limit its API usage counter
// reports.
type Account struct {
	// PortalID is the account's ID (the "Hub ID").
	PortalID int64
	// AccountType is STANDARD, DEVELOPER_TEST, SANDBOX or APP_DEVELOPER.
	AccountType string
	// TimeZone is an IANA time zone name, as HubSpot reports it
	// ("US/Eastern"); utcOffset is computed from it at the server's clock.
	TimeZone             string
	CompanyCurrency      string
	AdditionalCurrencies []string
	UIDomain             string
	DataHostingLocation  string
	// DailyLimit is the usageLimit of a token's daily counter when the
	// token has no Daily rate limit of its own (which, when set, is
	// reported instead).
	DailyLimit int
}

// DefaultAccount returns the account a Server reports unless SetAccount
// changes it: a standard account in US/Eastern hosted in na1, with
// HubSpot's daily private-app limit for Free and Starter accounts
// (250,000 calls).
func DefaultAccount() Account {
	return Account{
		PortalID:             62515,
		AccountType:          "STANDARD",
		TimeZone:             "US/Eastern",
		CompanyCurrency:      "USD",
		AdditionalCurrencies: []string{},
		UIDomain:             "app.hubspot.com",
		DataHostingLocation:  "na1",
		DailyLimit:           250_000,
	}
}

// usageName is the name of HubSpot's daily private-app counter.
const usageName = "private-apps-api-calls-daily"

// accountState is the account a server reports and its usage counters.
type accountState struct {
	mu    sync.Mutex
	acct  *Account // nil: DefaultAccount
	usage map[string]*dayCount
}

// dayCount counts the calls of one key lineage on one UTC day.
type dayCount struct {
	day time.Time
	n   int
}

func (a *accountState) get() Account {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.acct == nil {
		return DefaultAccount()
	}
	c := *a.acct
	c.AdditionalCurrencies = slices.Clone(c.AdditionalCurrencies)
	return c
}

// SetAccount sets the account the server reports. Zero fields take the
// value of DefaultAccount. An unknown time zone or a negative DailyLimit
// fails the test.
func (s *Server) SetAccount(a Account) {
	s.t.Helper()
	def := DefaultAccount()
	if a.PortalID == 0 {
		a.PortalID = def.PortalID
	}
	if a.AccountType == "" {
		a.AccountType = def.AccountType
	}
	if a.TimeZone == "" {
		a.TimeZone = def.TimeZone
	}
	if _, err := time.LoadLocation(a.TimeZone); err != nil {
		s.t.Fatalf("hubspottest: SetAccount: time zone %q: %v", a.TimeZone, err)
	}
	if a.CompanyCurrency == "" {
		a.CompanyCurrency = def.CompanyCurrency
	}
	a.AdditionalCurrencies = slices.Clone(a.AdditionalCurrencies)
	if a.AdditionalCurrencies == nil {
		a.AdditionalCurrencies = []string{}
	}
	if a.UIDomain == "" {
		a.UIDomain = def.UIDomain
	}
	if a.DataHostingLocation == "" {
		a.DataHostingLocation = def.DataHostingLocation
	}
	switch {
	case a.DailyLimit < 0:
		s.t.Fatalf("hubspottest: SetAccount: negative DailyLimit %d", a.DailyLimit)
	case a.DailyLimit == 0:
		a.DailyLimit = def.DailyLimit
	}
	st := &s.db.account
	st.mu.Lock()
	st.acct = &a
	st.mu.Unlock()
}

// Account returns the account the server reports.
func (s *Server) Account() Account { return s.db.account.get() }

// startOfUTCDay is the day the usage counter counts: the UTC day, as for
// the DAILY rate limit.
func startOfUTCDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// countCall counts a call the key policy let through against its key's
// lineage (so a rotated token goes on counting where the old one stopped).
func (s *Server) countCall(q *request) {
	k, ok := s.keys.Lookup(bearer(q.r))
	if !ok {
		return
	}
	day := startOfUTCDay(s.clock.Now())
	st := &s.db.account
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.usage == nil {
		st.usage = map[string]*dayCount{}
	}
	c := st.usage[k.Lineage]
	if c == nil {
		c = &dayCount{}
		st.usage[k.Lineage] = c
	}
	if !c.day.Equal(day) {
		c.day, c.n = day, 0
	}
	c.n++
}

func (s *Server) usageToday(lineage string) int {
	day := startOfUTCDay(s.clock.Now())
	st := &s.db.account
	st.mu.Lock()
	defer st.mu.Unlock()
	if c := st.usage[lineage]; c != nil && c.day.Equal(day) {
		return c.n
	}
	return 0
}

// APIUsage returns how many calls the server counted today (UTC) for
// token's key and the keys it was rotated from or to: the currentUsage
// that /account-info/v3/api-usage/daily/private-apps reports to it.
// Like the DAILY rate limit, it counts the calls the key policy let
// through, whatever their answer; calls refused for a missing scope, a
// rate limit or a bad token are not counted.
func (s *Server) APIUsage(token string) int {
	s.t.Helper()
	return s.usageToday(s.key(token).Lineage)
}

type accountDetailsOut struct {
	PortalID              int64    `json:"portalId"`
	AccountType           string   `json:"accountType"`
	TimeZone              string   `json:"timeZone"`
	CompanyCurrency       string   `json:"companyCurrency"`
	AdditionalCurrencies  []string `json:"additionalCurrencies"`
	UTCOffset             string   `json:"utcOffset"`
	UTCOffsetMilliseconds int64    `json:"utcOffsetMilliseconds"`
	UIDomain              string   `json:"uiDomain"`
	DataHostingLocation   string   `json:"dataHostingLocation"`
}

func (q *request) accountDetails() {
	a := q.s.Account()
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil { // SetAccount checked it; the default is embedded
		loc = time.UTC
	}
	_, off := q.s.clock.Now().In(loc).Zone()
	sign := '+'
	abs := off
	if off < 0 {
		sign, abs = '-', -off
	}
	q.reply(http.StatusOK, accountDetailsOut{
		PortalID:              a.PortalID,
		AccountType:           a.AccountType,
		TimeZone:              a.TimeZone,
		CompanyCurrency:       a.CompanyCurrency,
		AdditionalCurrencies:  a.AdditionalCurrencies,
		UTCOffset:             fmt.Sprintf("%c%02d:%02d", sign, abs/3600, abs%3600/60),
		UTCOffsetMilliseconds: int64(off) * 1000,
		UIDomain:              a.UIDomain,
		DataHostingLocation:   a.DataHostingLocation,
	})
}

type usageOut struct {
	Name         string `json:"name"`
	UsageLimit   int    `json:"usageLimit"`
	CurrentUsage int    `json:"currentUsage"`
	CollectedAt  string `json:"collectedAt"`
	FetchStatus  string `json:"fetchStatus"`
	ResetsAt     string `json:"resetsAt"`
}

func (q *request) apiUsage() {
	k, ok := q.s.keys.Lookup(bearer(q.r))
	if !ok { // the key policy let the call through, so this cannot happen
		q.fail(authError(q.corr))
		return
	}
	limit := k.Limits.Daily
	if limit == 0 {
		limit = q.s.Account().DailyLimit
	}
	now := q.s.clock.Now()
	q.reply(http.StatusOK, map[string][]usageOut{"results": {{
		Name:         usageName,
		UsageLimit:   limit,
		CurrentUsage: q.s.usageToday(k.Lineage),
		CollectedAt:  fmtTime(now),
		FetchStatus:  "SUCCESS",
		ResetsAt:     fmtTime(startOfUTCDay(now).AddDate(0, 0, 1)),
	}}})
}
