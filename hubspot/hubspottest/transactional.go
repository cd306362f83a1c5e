package hubspottest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/secrets"
)

// Transactional email (single send and SMTP API tokens).
//
// A send names a transactional email a test adds with
// [Server.AddTransactionalEmail] and a recipient who must be a contact
// (the send's contactProperties are set on the contact; a property the
// contacts type lacks is a 400 naming it). Each accepted send is kept in
// a journal of sends ([Server.Sends]) with what was sent and to whom. A
// send limit (WithTransactionalSendLimit) answers 429 past it on the
// server's clock. SMTP API tokens are credentials: the server keeps their
// passwords only as fingerprints, and hands a password out once, in the
// answer that creates or resets it.

// WithTransactionalSendLimit limits transactional sends to max in any
// window of the given length on the server's clock; past it a send is
// answered 429. Default: no limit. max and window must be positive.
func WithTransactionalSendLimit(max int, window time.Duration) Option {
	return func(c *config) error {
		if max < 1 || window <= 0 {
			return fmt.Errorf("hubspottest: WithTransactionalSendLimit(%d, %v): both must be positive", max, window)
		}
		c.sendMax, c.sendWindow = max, window
		return nil
	}
}

// Send is one accepted transactional send, as [Server.Sends] returns it.
type Send struct {
	EmailID           string
	To, From          string
	CC, BCC, ReplyTo  []string
	SendID            string
	StatusID          string
	ContactProperties map[string]string
	CustomProperties  map[string]any
	At                time.Time
	// TokenFingerprint is the fingerprint of the token that sent it.
	TokenFingerprint string
}

type emailStore struct {
	next         int64
	transactions map[int64]string // transactional email ID -> name
	sends        []Send
	sendTimes    []time.Time // for the send limit
	sendIDs      map[string]bool
	nextToken    int64
	tokens       map[string]*smtpToken
	tokenIDs     []string
	// Marketing emails (marketing_emails.go), sharing next with the
	// transactional ones.
	marketing    map[int64]*marketingEmail
	marketingIDs []int64
}

type smtpToken struct {
	id, campaign, campaignID string
	createContact            bool
	created                  time.Time
	passwordFingerprint      string
}

func (d *db) emailsLocked() *emailStore {
	st := &d.emails
	if st.transactions == nil {
		st.transactions = map[int64]string{}
		st.sendIDs = map[string]bool{}
		st.tokens = map[string]*smtpToken{}
		st.next = 81_000_001
		st.nextToken = 1
	}
	return st
}

// AddTransactionalEmail adds a transactional email that sends can name and
// returns its ID.
func (s *Server) AddTransactionalEmail(name string) string {
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.emailsLocked()
	id := st.next
	st.next++
	st.transactions[id] = name
	return strconv.FormatInt(id, 10)
}

// Sends returns the transactional sends the server accepted, oldest first.
func (s *Server) Sends() []Send {
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	out := slices.Clone(d.emailsLocked().sends)
	for i := range out {
		out[i].ContactProperties = maps.Clone(out[i].ContactProperties)
		out[i].CustomProperties = maps.Clone(out[i].CustomProperties)
	}
	return out
}

// SMTPTokenPasswordFingerprint returns the fingerprint of the current
// password of an SMTP API token, "" for an unknown token: tests compare it
// with the Fingerprint of the secret the client got.
func (s *Server) SMTPTokenPasswordFingerprint(id string) string {
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	if t := d.emailsLocked().tokens[id]; t != nil {
		return t.passwordFingerprint
	}
	return ""
}

type sendIn struct {
	EmailID           json.Number                `json:"emailId"`
	Message           *sendMessageIn             `json:"message"`
	ContactProperties map[string]string          `json:"contactProperties"`
	CustomProperties  map[string]json.RawMessage `json:"customProperties"`
}

type sendMessageIn struct {
	To      string   `json:"to"`
	From    string   `json:"from"`
	SendID  string   `json:"sendId"`
	CC      []string `json:"cc"`
	BCC     []string `json:"bcc"`
	ReplyTo []string `json:"replyTo"`
}

func (q *request) sendTransactional() {
	var in sendIn
	if !q.decode(&in) {
		return
	}
	bad := func(msg, at string) {
		q.fail(validationError(q.corr, msg, errorDetail{Message: msg, In: at, Code: "INVALID_INPUT"}))
	}
	id, err := in.EmailID.Int64()
	switch {
	case in.EmailID == "":
		bad("emailId is required.", "emailId")
		return
	case err != nil:
		bad(fmt.Sprintf("emailId %s is not an integer.", in.EmailID), "emailId")
		return
	case in.Message == nil || in.Message.To == "":
		bad("message.to is required.", "message.to")
		return
	case !validEmail(in.Message.To):
		bad(fmt.Sprintf("message.to %q is not a valid email address.", in.Message.To), "message.to")
		return
	}
	for _, list := range [][]string{in.Message.CC, in.Message.BCC, in.Message.ReplyTo} {
		for _, a := range list {
			if !validEmail(a) {
				bad(fmt.Sprintf("%q is not a valid email address.", a), "message")
				return
			}
		}
	}
	custom := map[string]any{}
	for k, v := range in.CustomProperties {
		var x any
		_ = json.Unmarshal(v, &x)
		custom[k] = x
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.emailsLocked()
	if _, ok := st.transactions[id]; !ok {
		q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("Transactional email %d does not exist.", id), Category: catNotFound})
		return
	}
	schema := d.schemaLocked("contacts")
	for k := range in.ContactProperties {
		if schema.live(k) == nil {
			msg := fmt.Sprintf("contactProperties: property %q does not exist on contacts.", k)
			q.fail(validationError(q.corr, msg, errorDetail{Message: msg, In: "contactProperties", Code: "PROPERTY_DOESNT_EXIST"}))
			return
		}
	}
	t := d.tableLocked("contacts")
	var contact *record
	for _, cid := range t.ids {
		if r := t.byID[cid]; !r.archived && strings.EqualFold(r.props["email"], in.Message.To) {
			contact = r
			break
		}
	}
	if contact == nil {
		msg := fmt.Sprintf("No contact has the email address %s; a transactional email goes to a contact.", in.Message.To)
		q.fail(validationError(q.corr, msg, errorDetail{Message: msg, In: "message.to", Code: "CONTACT_NOT_FOUND"}))
		return
	}
	now := q.s.clock.Now()
	if s := in.Message.SendID; s != "" && st.sendIDs[s] {
		q.reply(http.StatusOK, map[string]any{"status": "COMPLETE", "statusId": "", "sendResult": "IDEMPOTENT_IGNORE",
			"requestedAt": fmtTime(now), "completedAt": fmtTime(now)})
		return
	}
	if max := q.s.cfg.sendMax; max > 0 {
		from := now.Add(-q.s.cfg.sendWindow)
		st.sendTimes = slices.DeleteFunc(st.sendTimes, func(t time.Time) bool { return !t.After(from) })
		if len(st.sendTimes) >= max {
			e := rateLimitError(q.corr, "TRANSACTIONAL_EMAIL")
			e.Message = fmt.Sprintf("You have reached the limit of %d transactional sends per %v.", max, q.s.cfg.sendWindow)
			q.fail(e)
			return
		}
		st.sendTimes = append(st.sendTimes, now)
	}
	if len(in.ContactProperties) > 0 {
		d.updateLocked(t, contact, in.ContactProperties, now)
	}
	var sid [16]byte
	_, _ = rand.Read(sid[:])
	statusID := hex.EncodeToString(sid[:])
	if in.Message.SendID != "" {
		st.sendIDs[in.Message.SendID] = true
	}
	st.sends = append(st.sends, Send{EmailID: strconv.FormatInt(id, 10), To: in.Message.To, From: in.Message.From,
		CC: slices.Clone(in.Message.CC), BCC: slices.Clone(in.Message.BCC), ReplyTo: slices.Clone(in.Message.ReplyTo),
		SendID: in.Message.SendID, StatusID: statusID, ContactProperties: maps.Clone(in.ContactProperties), CustomProperties: custom,
		At: now, TokenFingerprint: q.entry.TokenFingerprint})
	q.reply(http.StatusOK, map[string]any{"status": "PENDING", "statusId": statusID, "requestedAt": fmtTime(now)})
}

func (t *smtpToken) render(password string) map[string]any {
	m := map[string]any{"id": t.id, "campaignName": t.campaign, "emailCampaignId": t.campaignID, "createContact": t.createContact,
		"createdAt": fmtTime(t.created), "createdBy": "hubspottest@example.com"}
	if password != "" {
		m["password"] = password
	}
	return m
}

// newSMTPPassword returns a new random password and its fingerprint.
func newSMTPPassword() (string, string) {
	var b [24]byte
	_, _ = rand.Read(b[:])
	pw := "smtp-" + hex.EncodeToString(b[:])
	return pw, secrets.New(pw).Fingerprint()
}

func (q *request) createSMTPToken() {
	var in struct {
		CampaignName  string `json:"campaignName"`
		CreateContact *bool  `json:"createContact"`
	}
	if !q.decode(&in) {
		return
	}
	if strings.TrimSpace(in.CampaignName) == "" || in.CreateContact == nil {
		msg := "campaignName and createContact are required."
		q.fail(validationError(q.corr, msg, errorDetail{Message: msg, Code: "REQUIRED_FIELD"}))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.emailsLocked()
	pw, fp := newSMTPPassword()
	t := &smtpToken{id: strconv.FormatInt(st.nextToken, 10) + "-" + strconv.FormatInt(q.s.clock.Now().UnixMilli(), 10), campaign: in.CampaignName,
		campaignID: strconv.FormatInt(900_000+st.nextToken, 10), createContact: *in.CreateContact, created: q.s.clock.Now(), passwordFingerprint: fp}
	st.nextToken++
	st.tokens[t.id] = t
	st.tokenIDs = append(st.tokenIDs, t.id)
	q.w.Header().Set("Location", q.s.URL()+q.r.URL.EscapedPath()+"/"+url.PathEscape(t.id))
	q.reply(http.StatusCreated, t.render(pw))
}

func (q *request) findSMTPTokenLocked() (*smtpToken, bool) {
	t := q.s.db.emailsLocked().tokens[q.r.PathValue("tokenId")]
	if t == nil {
		q.fail(&apiError{status: http.StatusNotFound, Message: "SMTP API token not found.", Category: catNotFound})
		return nil, false
	}
	return t, true
}

func (q *request) getSMTPToken() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	if t, ok := q.findSMTPTokenLocked(); ok {
		q.reply(http.StatusOK, t.render(""))
	}
}

func (q *request) resetSMTPToken() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := q.findSMTPTokenLocked()
	if !ok {
		return
	}
	var pw string
	pw, t.passwordFingerprint = newSMTPPassword()
	q.reply(http.StatusOK, t.render(pw))
}

func (q *request) deleteSMTPToken() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := q.findSMTPTokenLocked()
	if !ok {
		return
	}
	st := d.emailsLocked()
	delete(st.tokens, t.id)
	st.tokenIDs = slices.DeleteFunc(st.tokenIDs, func(id string) bool { return id == t.id })
	q.w.WriteHeader(http.StatusNoContent)
}

func (q *request) listSMTPTokens() {
	limit, after, ok := q.importPage(100, 100)
	if !ok {
		return
	}
	v := q.r.URL.Query()
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.emailsLocked()
	var match []*smtpToken
	for _, id := range st.tokenIDs {
		t := st.tokens[id]
		if c := v.Get("campaignName"); c != "" && t.campaign != c {
			continue
		}
		if c := v.Get("emailCampaignId"); c != "" && t.campaignID != c {
			continue
		}
		match = append(match, t)
	}
	results := []map[string]any{}
	end := min(after+limit, len(match))
	for _, t := range match[min(after, end):end] {
		results = append(results, t.render(""))
	}
	out := map[string]any{"results": results}
	if p := q.nextPage(end, len(match), limit); p != nil {
		out["paging"] = p
	}
	q.reply(http.StatusOK, out)
}
