package hubspottest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Owner is a HubSpot owner: a user (or a queue) that records can be
// assigned to. The owners API is read-only; tests add owners with
// [Server.AddOwner].
type Owner struct {
	// ID is the owner ID (numeric); AddOwner assigns one when empty.
	ID        string
	Email     string
	FirstName string
	LastName  string
	// UserID is the user's ID; AddOwner assigns one when zero.
	UserID int64
	// Type is PERSON (the default) or QUEUE.
	Type  string
	Teams []Team
	// Archived marks a deactivated user: listed only with archived=true,
	// and reported without userId (userIdIncludingInactive keeps it).
	Archived  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Team is a team an owner belongs to.
type Team struct {
	ID      string
	Name    string
	Primary bool
}

// First IDs the server hands out, of the size HubSpot's have.
const (
	firstOwnerID = 41_000_001
	firstUserID  = 9_000_001
)

type ownerStore struct {
	mu       sync.Mutex
	nextID   int64
	nextUser int64
	ids      []int64 // ascending
	byID     map[int64]*Owner
}

func (o Owner) clone() Owner {
	o.Teams = slices.Clone(o.Teams)
	return o
}

// AddOwner stores an owner and returns it as stored, with the ID, user ID,
// type and times it was given or assigned. A malformed or duplicate ID, a
// duplicate user ID, or the email of another active owner fails the test.
func (s *Server) AddOwner(o Owner) Owner {
	s.t.Helper()
	st := &s.db.owners
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.byID == nil {
		st.byID = map[int64]*Owner{}
		st.nextID, st.nextUser = firstOwnerID, firstUserID
	}
	var id int64
	if o.ID == "" {
		id = st.nextID
	} else {
		n, err := strconv.ParseInt(o.ID, 10, 64)
		if err != nil || n <= 0 {
			s.t.Fatalf("hubspottest: AddOwner: owner ID %q is not a positive number", o.ID)
		}
		id = n
	}
	if _, dup := st.byID[id]; dup {
		s.t.Fatalf("hubspottest: AddOwner: owner ID %d already exists", id)
	}
	if o.UserID == 0 {
		o.UserID = st.nextUser
	}
	switch o.Type {
	case "":
		o.Type = "PERSON"
	case "PERSON", "QUEUE":
	default:
		s.t.Fatalf("hubspottest: AddOwner: type %q is not PERSON or QUEUE", o.Type)
	}
	for _, other := range st.byID {
		if other.UserID == o.UserID {
			s.t.Fatalf("hubspottest: AddOwner: user ID %d already belongs to owner %s", o.UserID, other.ID)
		}
		if o.Email != "" && !o.Archived && !other.Archived && strings.EqualFold(other.Email, o.Email) {
			s.t.Fatalf("hubspottest: AddOwner: email %q already belongs to active owner %s", o.Email, other.ID)
		}
	}
	now := s.clock.Now()
	if o.CreatedAt.IsZero() {
		o.CreatedAt = now
	}
	if o.UpdatedAt.IsZero() {
		o.UpdatedAt = o.CreatedAt
	}
	o.ID = strconv.FormatInt(id, 10)
	st.nextID = max(st.nextID, id+1)
	st.nextUser = max(st.nextUser, o.UserID+1)
	stored := o.clone()
	st.byID[id] = &stored
	i, _ := slices.BinarySearch(st.ids, id)
	st.ids = slices.Insert(st.ids, i, id)
	return o.clone()
}

// ArchiveOwner archives (deactivates) the owner with the given ID, failing
// the test if there is none.
func (s *Server) ArchiveOwner(id string) {
	s.t.Helper()
	st := &s.db.owners
	st.mu.Lock()
	defer st.mu.Unlock()
	n, _ := strconv.ParseInt(id, 10, 64)
	o := st.byID[n]
	if o == nil {
		s.t.Fatalf("hubspottest: ArchiveOwner: no owner %q", id)
	}
	if !o.Archived {
		o.Archived = true
		o.UpdatedAt = s.clock.Now()
	}
}

// Owners returns every stored owner, archived ones included, in ID order.
func (s *Server) Owners() []Owner {
	st := &s.db.owners
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]Owner, 0, len(st.ids))
	for _, id := range st.ids {
		out = append(out, st.byID[id].clone())
	}
	return out
}

type ownerOut struct {
	ID                      string    `json:"id"`
	Email                   string    `json:"email,omitempty"`
	Type                    string    `json:"type"`
	FirstName               string    `json:"firstName,omitempty"`
	LastName                string    `json:"lastName,omitempty"`
	UserID                  int64     `json:"userId,omitempty"`
	UserIDIncludingInactive int64     `json:"userIdIncludingInactive"`
	CreatedAt               string    `json:"createdAt"`
	UpdatedAt               string    `json:"updatedAt"`
	Archived                bool      `json:"archived"`
	Teams                   []teamOut `json:"teams,omitempty"`
}

type teamOut struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Primary bool   `json:"primary"`
}

func renderOwner(o *Owner) ownerOut {
	out := ownerOut{
		ID:                      o.ID,
		Email:                   o.Email,
		Type:                    o.Type,
		FirstName:               o.FirstName,
		LastName:                o.LastName,
		UserIDIncludingInactive: o.UserID,
		CreatedAt:               fmtTime(o.CreatedAt),
		UpdatedAt:               fmtTime(o.UpdatedAt),
		Archived:                o.Archived,
	}
	if !o.Archived {
		out.UserID = o.UserID
	}
	for _, t := range o.Teams {
		out.Teams = append(out.Teams, teamOut(t))
	}
	return out
}

func (q *request) listOwners() {
	v := q.r.URL.Query()
	archived, ok := q.boolParam(v, "archived")
	if !ok {
		return
	}
	limit := 100
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter limit: expected a positive integer.", s)))
			return
		}
		limit = min(n, q.op.Limits.Page)
	}
	var after int64
	if s := v.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter after: not a paging cursor this endpoint issued.", s)))
			return
		}
		after = n
	}
	email := v.Get("email")

	st := &q.s.db.owners
	st.mu.Lock()
	out := struct {
		Results []ownerOut `json:"results"`
		Paging  *pagingOut `json:"paging,omitempty"`
	}{Results: []ownerOut{}}
	next := ""
	for i := sort.Search(len(st.ids), func(i int) bool { return st.ids[i] >= after }); i < len(st.ids); i++ {
		o := st.byID[st.ids[i]]
		if o.Archived != archived || (email != "" && !strings.EqualFold(o.Email, email)) {
			continue
		}
		if len(out.Results) == limit {
			next = o.ID
			break
		}
		out.Results = append(out.Results, renderOwner(o))
	}
	st.mu.Unlock()
	if next != "" {
		nv := url.Values{}
		for _, k := range []string{"email", "limit", "archived"} {
			if vs, ok := v[k]; ok {
				nv[k] = vs
			}
		}
		nv.Set("after", next)
		out.Paging = &pagingOut{Next: &nextOut{After: next, Link: q.s.URL() + q.r.URL.EscapedPath() + "?" + nv.Encode()}}
	}
	q.reply(http.StatusOK, out)
}

func (q *request) getOwner(id string) {
	v := q.r.URL.Query()
	archived, ok := q.boolParam(v, "archived")
	if !ok {
		return
	}
	byUser := false
	switch p := v.Get("idProperty"); p {
	case "", "id":
	case "userId":
		byUser = true
	default:
		q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter idProperty: expected id or userId.", p),
			errorDetail{Message: "idProperty must be one of id, userId", Code: "INVALID_ID_PROPERTY", In: "idProperty"}))
		return
	}
	n, err := strconv.ParseInt(id, 10, 64)
	st := &q.s.db.owners
	st.mu.Lock()
	var found *Owner
	if err == nil {
		if !byUser {
			found = st.byID[n]
		} else {
			for _, o := range st.byID {
				if o.UserID == n {
					found = o
					break
				}
			}
		}
	}
	var out ownerOut
	if found != nil && found.Archived == archived {
		out = renderOwner(found)
	} else {
		found = nil
	}
	st.mu.Unlock()
	if found == nil {
		q.fail(notFoundError(q.corr))
		return
	}
	q.reply(http.StatusOK, out)
}
