package hubspottest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Marketing emails.
//
// The server keeps the marketing emails a test adds with
// [Server.AddMarketingEmail], as drafts. Publishing one sends it at once
// (state PUBLISHED, publishedAt set) or, when its publishDate is in the
// future on the server's clock, schedules it (state SCHEDULED);
// unpublishing a scheduled email makes it a draft again, and a sent one
// cannot be unpublished. [Server.MarketingEmails] tells a test what was
// published.

type marketingEmail struct {
	id                   int64
	name, subject, state string
	publishDate          time.Time
	publishedAt          time.Time
	created, updated     time.Time
}

// MarketingEmail is a marketing email as the server holds it.
type MarketingEmail struct {
	ID, Name, Subject string
	// State is DRAFT, SCHEDULED or PUBLISHED.
	State       string
	PublishDate time.Time
	PublishedAt time.Time
}

// AddMarketingEmail adds a draft marketing email and returns its ID.
func (s *Server) AddMarketingEmail(name, subject string) string {
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.emailsLocked()
	if st.marketing == nil {
		st.marketing = map[int64]*marketingEmail{}
	}
	now := s.clock.Now()
	e := &marketingEmail{id: st.next, name: name, subject: subject, state: "DRAFT", created: now, updated: now}
	st.next++
	st.marketing[e.id] = e
	st.marketingIDs = append(st.marketingIDs, e.id)
	return strconv.FormatInt(e.id, 10)
}

// MarketingEmails returns the marketing emails, in the order added.
func (s *Server) MarketingEmails() []MarketingEmail {
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.emailsLocked()
	out := make([]MarketingEmail, 0, len(st.marketingIDs))
	for _, id := range st.marketingIDs {
		e := st.marketing[id]
		out = append(out, MarketingEmail{ID: strconv.FormatInt(id, 10), Name: e.name, Subject: e.subject, State: e.state, PublishDate: e.publishDate, PublishedAt: e.publishedAt})
	}
	return out
}

func (e *marketingEmail) render() map[string]any {
	m := map[string]any{"id": strconv.FormatInt(e.id, 10), "name": e.name, "subject": e.subject, "state": e.state,
		"type": "BATCH_EMAIL", "isAb": false, "isPublished": e.state != "DRAFT", "isTransactional": false, "archived": false,
		"createdAt": fmtTime(e.created), "updatedAt": fmtTime(e.updated)}
	if !e.publishDate.IsZero() {
		m["publishDate"] = fmtTime(e.publishDate)
	}
	if !e.publishedAt.IsZero() {
		m["publishedAt"] = fmtTime(e.publishedAt)
	}
	return m
}

func (q *request) findMarketingEmailLocked() (*marketingEmail, bool) {
	raw := q.r.PathValue("emailId")
	n, err := strconv.ParseInt(raw, 10, 64)
	e := q.s.db.emailsLocked().marketing[n]
	if err != nil || e == nil {
		q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("Email %s does not exist.", raw), Category: catNotFound})
		return nil, false
	}
	return e, true
}

func (q *request) listMarketingEmails() {
	limit, after, ok := q.importPage(10, 100)
	if !ok {
		return
	}
	v := q.r.URL.Query()
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.emailsLocked()
	var match []*marketingEmail
	for _, id := range st.marketingIDs {
		e := st.marketing[id]
		if p := v.Get("isPublished"); p != "" && (p == "true") != (e.state != "DRAFT") {
			continue
		}
		match = append(match, e)
	}
	results := []map[string]any{}
	end := min(after+limit, len(match))
	for _, e := range match[min(after, end):end] {
		results = append(results, e.render())
	}
	out := map[string]any{"results": results, "total": len(match)}
	if p := q.nextPage(end, len(match), limit); p != nil {
		out["paging"] = p
	}
	q.reply(http.StatusOK, out)
}

func (q *request) getMarketingEmail() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := q.findMarketingEmailLocked(); ok {
		q.reply(http.StatusOK, e.render())
	}
}

func (q *request) updateMarketingEmail() {
	var in map[string]json.RawMessage
	if !q.decode(&in) {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := q.findMarketingEmailLocked()
	if !ok {
		return
	}
	if e.state == "PUBLISHED" {
		q.fail(validationError(q.corr, fmt.Sprintf("Email %d has been sent and cannot be changed.", e.id)))
		return
	}
	for k, raw := range in {
		var s string
		switch k {
		case "name", "subject", "publishDate":
			if err := json.Unmarshal(raw, &s); err != nil {
				q.fail(validationError(q.corr, fmt.Sprintf("%s must be a string.", k), errorDetail{Message: k + " must be a string", In: k}))
				return
			}
		}
		switch k {
		case "name":
			e.name = s
		case "subject":
			e.subject = s
		case "publishDate":
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				q.fail(validationError(q.corr, fmt.Sprintf("publishDate %q is not an RFC 3339 time.", s), errorDetail{Message: "invalid date-time", In: "publishDate"}))
				return
			}
			e.publishDate = t
		}
	}
	e.updated = q.s.clock.Now()
	q.reply(http.StatusOK, e.render())
}

func (q *request) publishMarketingEmail() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := q.findMarketingEmailLocked()
	if !ok {
		return
	}
	if e.state != "DRAFT" {
		q.fail(validationError(q.corr, fmt.Sprintf("Email %d is already %s.", e.id, e.state), errorDetail{Message: "the email is not a draft", Code: "INVALID_STATE"}))
		return
	}
	now := q.s.clock.Now()
	if e.publishDate.After(now) {
		e.state = "SCHEDULED"
	} else {
		e.state, e.publishedAt = "PUBLISHED", now
	}
	e.updated = now
	q.w.WriteHeader(http.StatusNoContent)
}

func (q *request) unpublishMarketingEmail() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := q.findMarketingEmailLocked()
	if !ok {
		return
	}
	if e.state != "SCHEDULED" {
		q.fail(validationError(q.corr, fmt.Sprintf("Email %d is %s; only a scheduled email can be unpublished.", e.id, e.state),
			errorDetail{Message: "the email is not scheduled", Code: "INVALID_STATE"}))
		return
	}
	e.state, e.updated = "DRAFT", q.s.clock.Now()
	q.w.WriteHeader(http.StatusNoContent)
}
