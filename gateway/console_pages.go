package gateway

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/hubspot"
)

// keyRow is one line of the Keys table.
type keyRow struct {
	ID, Name, Service, Fingerprint string
	Scopes, AllowedIPs             []string
	Signs                          bool
	Status                         string
	Created, Expires, LastUsed     string
	Calls24h                       int64
	Idle, NearExpiry, Expired      bool
	RotatedTo                      string
	Actions                        []string
}

var doneWords = map[string]string{"suspend": "suspended", "resume": "resumed", "revoke": "revoked"}

func (c *console) keysPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	ks, err := c.h.a.Keys(ctx)
	if err != nil {
		c.storeError(w, r, s, err)
		return
	}
	c.h.flushAudit(ctx)
	last, err := c.h.a.store.LastUsed(ctx)
	if err != nil {
		c.storeError(w, r, s, err)
		return
	}
	now := c.h.a.clock.Now()
	day, err := c.h.a.store.Usage(ctx, now.Add(-24*time.Hour), now.Add(time.Microsecond), 24*time.Hour+time.Microsecond)
	if err != nil {
		c.storeError(w, r, s, err)
		return
	}
	calls := map[string]int64{}
	for _, u := range day {
		calls[u.KeyID] += u.Calls
	}
	rows := make([]keyRow, 0, len(ks))
	idle, soon := 0, 0
	for i := len(ks) - 1; i >= 0; i-- { // newest first
		k := ks[i]
		row := keyRow{
			ID: k.ID, Name: k.Name, Service: k.Service, Fingerprint: k.Fingerprint, Scopes: k.Scopes,
			AllowedIPs: prefixStrings(k.AllowedIPs), Signs: k.RequireSignature, Status: k.Status.String(),
			Created: fmtTime(k.CreatedAt, ""), Expires: fmtTime(k.ExpiresAt, "never"),
			LastUsed: fmtTime(last[k.ID], "never"), Calls24h: calls[k.ID], RotatedTo: k.RotatedTo,
		}
		row.Expired = k.Expired(now)
		if row.Expired {
			row.Status = "expired"
		}
		live := k.Status != keypolicy.Revoked && !row.Expired
		if live {
			used := last[k.ID]
			if used.IsZero() {
				used = k.CreatedAt
			}
			row.Idle = now.Sub(used) >= c.cfg.IdleAfter
			row.NearExpiry = !k.ExpiresAt.IsZero() && k.ExpiresAt.Sub(now) <= nearExpiry
		}
		switch {
		case k.Status == keypolicy.Revoked:
		case row.Expired:
			row.Actions = []string{"revoke"}
		case k.Status == keypolicy.Suspended:
			row.Actions = []string{"resume", "rotate", "revoke"}
		default:
			row.Actions = []string{"suspend", "rotate", "revoke"}
		}
		if row.Idle {
			idle++
		}
		if row.NearExpiry {
			soon++
		}
		rows = append(rows, row)
	}
	p := page{Title: "Keys", Nav: "keys", CSRF: s.csrf, Data: map[string]any{
		"Rows": rows, "Idle": idle, "Soon": soon, "IdleAfter": fmtDuration(c.cfg.IdleAfter),
	}}
	if w, ok := doneWords[r.URL.Query().Get("done")]; ok {
		p.Flash = "Key " + r.URL.Query().Get("key") + " " + w + "."
	}
	c.render(w, http.StatusOK, "keys.html", p)
}

// fmtDuration says a duration in days or hours.
func fmtDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d >= 2*time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}

// usageRange is a choice of the Usage page's range selector.
type usageRange struct {
	Name   string
	Label  string
	Span   time.Duration
	Bucket time.Duration
}

var usageRanges = []usageRange{
	{"hour", "last hour", time.Hour, 2 * time.Minute},
	{"day", "last day", 24 * time.Hour, time.Hour},
	{"week", "last week", 7 * 24 * time.Hour, 6 * time.Hour},
}

// chart is a bar chart of calls and denials over time, drawn as SVG on
// the server.
type chart struct {
	Title   string
	Sub     string
	Calls   int64
	Denials int64
	Max     int64
	// Peak is the most calls forwarded to HubSpot in one bucket.
	Peak int64
	From string
	To   string
	Bars []bar
}

// bar is one bucket: the allowed calls stacked on the denials.
type bar struct {
	X, W                 float64
	OKY, OKH, DenY, DenH float64
	Label                string
}

// Chart geometry, in the SVG's own units.
const (
	chartW = 600.0
	chartH = 100.0
)

func (c *chart) draw(series []Usage, from time.Time, n int, width time.Duration) {
	calls := make([]int64, n)
	dens := make([]int64, n)
	for _, u := range series {
		i := int(u.Start.Sub(from) / width)
		if i < 0 || i >= n {
			continue
		}
		calls[i] += u.Calls
		dens[i] += u.Denials
		c.Calls += u.Calls
		c.Denials += u.Denials
	}
	c.Max = slices.Max(calls)
	scale := 0.0
	if c.Max > 0 {
		scale = (chartH - 2) / float64(c.Max)
	}
	bw := chartW / float64(n)
	for i := range n {
		c.Peak = max(c.Peak, calls[i]-dens[i])
		okH := float64(calls[i]-dens[i]) * scale
		denH := float64(dens[i]) * scale
		start := from.Add(time.Duration(i) * width)
		c.Bars = append(c.Bars, bar{
			X: round1(float64(i)*bw + 0.5), W: round1(math.Max(bw-1, 0.5)),
			DenY: round1(chartH - denH), DenH: round1(denH),
			OKY: round1(chartH - denH - okH), OKH: round1(okH),
			Label: fmt.Sprintf("%s: %d calls, %d denied", start.UTC().Format("Jan 2 15:04"), calls[i], dens[i]),
		})
	}
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// serviceRow is one line of the Usage page's service table.
type serviceRow struct {
	Service        string
	Calls, Denials int64
	Forwarded      int64
	CallShare      string
	BudgetShare    string
	PeakShare      string
	Previous       int64
	Surge          bool
}

func (c *console) usagePage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	rg := usageRanges[1]
	if v := r.URL.Query().Get("range"); v != "" {
		i := slices.IndexFunc(usageRanges, func(u usageRange) bool { return u.Name == v })
		if i < 0 {
			c.errorPage(w, r, s, http.StatusBadRequest, "The range must be hour, day or week.")
			return
		}
		rg = usageRanges[i]
	}
	n := int(rg.Span / rg.Bucket)
	now := c.h.a.clock.Now().UTC()
	to := now.Truncate(rg.Bucket).Add(rg.Bucket)
	from := to.Add(-rg.Span)
	c.h.flushAudit(ctx)
	us, err := c.h.a.store.Usage(ctx, from, to, rg.Bucket)
	if err != nil {
		c.storeError(w, r, s, err)
		return
	}
	prev, err := c.h.a.store.Usage(ctx, from.Add(-rg.Span), from, rg.Span)
	if err != nil {
		c.storeError(w, r, s, err)
		return
	}
	ks, err := c.h.a.Keys(ctx)
	if err != nil {
		c.storeError(w, r, s, err)
		return
	}
	names := map[string]string{}
	for _, k := range ks {
		names[k.ID] = k.Name
	}
	label := func(ch *chart) {
		ch.From, ch.To = from.Format("Jan 2 15:04"), to.Format("Jan 2 15:04 UTC")
	}
	total := chart{Title: "All calls"}
	total.draw(us, from, n, rg.Bucket)
	label(&total)

	bySvc := map[string][]Usage{}
	byKey := map[string][]Usage{}
	for _, u := range us {
		bySvc[u.Service] = append(bySvc[u.Service], u)
		byKey[u.KeyID] = append(byKey[u.KeyID], u)
	}
	prevSvc := map[string]int64{}
	for _, u := range prev {
		prevSvc[u.Service] += u.Calls
	}

	limit := hubspot.LimitFreeStarter()
	assumed := true
	if c.h.gw != nil && c.h.gw.cfg.RateLimit != (hubspot.RateLimit{}) {
		limit, assumed = c.h.gw.cfg.RateLimit, false
	} else if c.h.gw != nil {
		assumed = false // a gateway with no RateLimit paces at LimitFreeStarter
	}
	budget := float64(limit.Requests) * float64(rg.Span) / float64(limit.Interval)
	bucketBudget := float64(limit.Requests) * float64(rg.Bucket) / float64(limit.Interval)

	var svcCharts []chart
	var rows []serviceRow
	for _, svc := range sortedKeys(bySvc) {
		ch := chart{Title: orNone(svc, "(no service: unknown tokens)")}
		ch.draw(bySvc[svc], from, n, rg.Bucket)
		label(&ch)
		svcCharts = append(svcCharts, ch)
		row := serviceRow{Service: ch.Title, Calls: ch.Calls, Denials: ch.Denials, Forwarded: ch.Calls - ch.Denials, Previous: prevSvc[svc]}
		row.CallShare = percent(float64(ch.Calls), float64(total.Calls))
		row.BudgetShare = percent(float64(row.Forwarded), budget)
		row.PeakShare = percent(float64(ch.Peak), bucketBudget)
		row.Surge = row.Calls >= 20 && row.Calls >= 3*max(row.Previous, 1)
		rows = append(rows, row)
	}
	var keyCharts []chart
	for _, id := range sortedKeys(byKey) {
		ch := chart{Title: orNone(id, "(unknown token)")}
		if n := names[id]; n != "" {
			ch.Sub = n
		}
		if len(byKey[id]) > 0 {
			ch.Sub = strings.TrimPrefix(ch.Sub+" · "+byKey[id][0].Service, " · ")
		}
		ch.draw(byKey[id], from, n, rg.Bucket)
		label(&ch)
		keyCharts = append(keyCharts, ch)
	}
	c.render(w, http.StatusOK, "usage.html", page{Title: "Usage", Nav: "usage", CSRF: s.csrf, Data: map[string]any{
		"Ranges": usageRanges, "Range": rg.Name, "RangeLabel": rg.Label, "Bucket": rg.Bucket.String(),
		"Total": total, "Services": svcCharts, "Keys": keyCharts, "Rows": rows,
		"Limit": fmt.Sprintf("%d requests per %s", limit.Requests, limit.Interval), "Assumed": assumed,
		"Budget": int64(budget),
	}})
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

func percent(part, whole float64) string {
	if whole <= 0 {
		return "–"
	}
	p := 100 * part / whole
	switch {
	case p == 0:
		return "0%"
	case p < 0.1:
		return "<0.1%"
	case p < 10:
		return fmt.Sprintf("%.1f%%", p)
	}
	return fmt.Sprintf("%.0f%%", p)
}

// auditRow is one line of the Audit table.
type auditRow struct {
	Time, KeyID, Fingerprint, Service, Operation, Method, Route string
	Status                                                      int
	Denial, Latency, ClientIP, Signature, Upstream              string
}

// auditForm is the Audit page's filter, as typed.
type auditForm struct {
	Key, Service, Operation, Status, Reason string
	Denied                                  bool
	Limit                                   string
}

func (c *console) auditPage(w http.ResponseWriter, r *http.Request, s *session) {
	q := dropEmpty(r.URL.Query())
	form := auditForm{Key: q.Get("key"), Service: q.Get("service"), Operation: q.Get("operation"),
		Status: q.Get("status"), Reason: q.Get("reason"), Denied: q.Get("denied") == "true", Limit: q.Get("limit")}
	f, err := c.h.callFilter(q)
	if err != nil {
		msg := err.Error()
		c.render(w, http.StatusBadRequest, "audit.html", page{Title: "Audit", Nav: "audit", CSRF: s.csrf, Error: msg,
			Data: map[string]any{"Form": form}})
		return
	}
	if f.Limit == 0 || f.Limit > 1000 {
		f.Limit = auditPageRows
	}
	ctx := r.Context()
	c.h.flushAudit(ctx)
	var rows []auditRow
	for call, err := range c.h.a.store.Calls(ctx, f) {
		if err != nil {
			c.storeError(w, r, s, err)
			return
		}
		rows = append(rows, auditRow{
			Time: call.Time.UTC().Format("2006-01-02 15:04:05"), KeyID: call.KeyID, Fingerprint: call.Fingerprint,
			Service: call.Service, Operation: call.Operation, Method: call.Method, Route: call.Route,
			Status: call.Status, Denial: call.Denial, Latency: call.Latency.Round(100 * time.Microsecond).String(),
			ClientIP: call.ClientIP, Signature: call.Signature, Upstream: call.Upstream,
		})
		if len(rows) >= f.Limit {
			break
		}
	}
	export := "/console/audit/export"
	if enc := q.Encode(); enc != "" {
		export += "?" + enc
	}
	c.render(w, http.StatusOK, "audit.html", page{Title: "Audit", Nav: "audit", CSRF: s.csrf, Data: map[string]any{
		"Form": form, "Rows": rows, "Export": export, "Shown": len(rows), "Limit": f.Limit, "Filtered": filtered(q),
	}})
}

// filtered says which filters an Audit page applies, as "reason=key revoked".
func filtered(q url.Values) []string {
	var out []string
	for _, name := range sortedKeys(q) {
		out = append(out, name+"="+q.Get(name))
	}
	return out
}

// export streams the Audit page's filter through the admin API's export.
func (c *console) export(w http.ResponseWriter, r *http.Request, s *session) {
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = dropEmpty(r.URL.Query()).Encode()
	w.Header().Set("Content-Disposition", `attachment; filename="hubkey-audit.jsonl"`)
	c.h.audit(w, r2)
}

// dropEmpty removes the parameters an HTML form sends empty.
func dropEmpty(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		for _, v := range vs {
			if v != "" {
				out.Add(k, v)
			}
		}
	}
	return out
}
