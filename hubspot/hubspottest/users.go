package hubspottest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Users, teams and roles (settings user provisioning).
//
// The server keeps the account's users, which the API provisions, changes
// and removes, and the teams and roles tests add with [Server.AddTeam]
// and [Server.AddRole]. A user's role and teams must exist; an email
// belongs to one user.

// firstProvisionedUser is the first user ID the server hands out.
const firstProvisionedUser = 9_500_001

type userStore struct {
	nextID int64
	byID   map[int64]*userRec
	ids    []int64 // ascending
	roles  []roleRec
	teams  []teamRec
}

type userRec struct {
	id             int64
	email, first   string
	last, role     string
	primaryTeam    string
	secondaryTeams []string
	superAdmin     bool
}

type roleRec struct {
	id, name string
	paid     bool
}

type teamRec struct{ id, name string }

func (d *db) usersLocked() *userStore {
	st := &d.users
	if st.byID == nil {
		st.byID = map[int64]*userRec{}
		st.nextID = firstProvisionedUser
	}
	return st
}

// AddRole adds a role users can be given and returns its ID; paidSeat
// marks a role with a paid seat (requiresBillingWrite).
func (s *Server) AddRole(name string, paidSeat bool) string {
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.usersLocked()
	id := strconv.Itoa(100_001 + len(st.roles))
	st.roles = append(st.roles, roleRec{id: id, name: name, paid: paidSeat})
	return id
}

// AddTeam adds a team users can be put on and returns its ID.
func (s *Server) AddTeam(name string) string {
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.usersLocked()
	id := strconv.Itoa(200_001 + len(st.teams))
	st.teams = append(st.teams, teamRec{id: id, name: name})
	return id
}

// UserInfo is a provisioned user as the server holds it.
type UserInfo struct {
	ID, Email, FirstName, LastName, RoleID string
	PrimaryTeamID                          string
	SecondaryTeamIDs                       []string
}

// Users returns the account's users in ID order.
func (s *Server) Users() []UserInfo {
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.usersLocked()
	out := make([]UserInfo, 0, len(st.ids))
	for _, id := range st.ids {
		u := st.byID[id]
		out = append(out, UserInfo{ID: strconv.FormatInt(id, 10), Email: u.email, FirstName: u.first, LastName: u.last, RoleID: u.role,
			PrimaryTeamID: u.primaryTeam, SecondaryTeamIDs: slices.Clone(u.secondaryTeams)})
	}
	return out
}

type userOut struct {
	ID               string   `json:"id"`
	Email            string   `json:"email"`
	FirstName        string   `json:"firstName,omitempty"`
	LastName         string   `json:"lastName,omitempty"`
	RoleID           string   `json:"roleId,omitempty"`
	RoleIDs          []string `json:"roleIds"`
	PrimaryTeamID    string   `json:"primaryTeamId,omitempty"`
	SecondaryTeamIDs []string `json:"secondaryTeamIds,omitempty"`
	SuperAdmin       bool     `json:"superAdmin"`
	SendWelcomeEmail bool     `json:"sendWelcomeEmail"`
}

func (u *userRec) render() userOut {
	out := userOut{ID: strconv.FormatInt(u.id, 10), Email: u.email, FirstName: u.first, LastName: u.last, RoleID: u.role,
		RoleIDs: []string{}, PrimaryTeamID: u.primaryTeam, SecondaryTeamIDs: u.secondaryTeams, SuperAdmin: u.superAdmin}
	if u.role != "" {
		out.RoleIDs = []string{u.role}
	}
	return out
}

// userFields are the settings a create or update carries.
type userFields struct {
	Email            *string   `json:"email"`
	FirstName        string    `json:"firstName"`
	LastName         string    `json:"lastName"`
	RoleID           string    `json:"roleId"`
	PrimaryTeamID    string    `json:"primaryTeamId"`
	SecondaryTeamIDs *[]string `json:"secondaryTeamIds"`
	SendWelcomeEmail *bool     `json:"sendWelcomeEmail"`
}

// checkRefsLocked answers 400 for a role or team that does not exist.
func (q *request) checkRefsLocked(st *userStore, in *userFields) bool {
	if in.RoleID != "" && !slices.ContainsFunc(st.roles, func(r roleRec) bool { return r.id == in.RoleID }) {
		q.fail(validationError(q.corr, fmt.Sprintf("Role %s does not exist.", in.RoleID), errorDetail{Message: "unknown role", In: "roleId", Code: "INVALID_ROLE"}))
		return false
	}
	teams := []string{in.PrimaryTeamID}
	if in.SecondaryTeamIDs != nil {
		teams = append(teams, *in.SecondaryTeamIDs...)
	}
	for _, t := range teams {
		if t != "" && !slices.ContainsFunc(st.teams, func(r teamRec) bool { return r.id == t }) {
			q.fail(validationError(q.corr, fmt.Sprintf("Team %s does not exist.", t), errorDetail{Message: "unknown team", In: "teamId", Code: "INVALID_TEAM"}))
			return false
		}
	}
	return true
}

func (q *request) createUser() {
	var in userFields
	if !q.decode(&in) {
		return
	}
	switch {
	case in.Email == nil || *in.Email == "":
		q.fail(validationError(q.corr, "email is required.", errorDetail{Message: "email is required", In: "email", Code: "REQUIRED_FIELD"}))
		return
	case !validEmail(*in.Email):
		q.fail(validationError(q.corr, fmt.Sprintf("%q is not a valid email address.", *in.Email), errorDetail{Message: "invalid email", In: "email", Code: "INVALID_EMAIL"}))
		return
	case in.SendWelcomeEmail == nil:
		q.fail(validationError(q.corr, "sendWelcomeEmail is required.", errorDetail{Message: "sendWelcomeEmail is required", In: "sendWelcomeEmail", Code: "REQUIRED_FIELD"}))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.usersLocked()
	if !q.checkRefsLocked(st, &in) {
		return
	}
	for _, u := range st.byID {
		if strings.EqualFold(u.email, *in.Email) {
			q.fail(&apiError{status: http.StatusConflict, Message: fmt.Sprintf("A user with email %s already exists.", *in.Email), Category: catConflict})
			return
		}
	}
	u := &userRec{id: st.nextID, email: *in.Email, first: in.FirstName, last: in.LastName, role: in.RoleID, primaryTeam: in.PrimaryTeamID}
	if in.SecondaryTeamIDs != nil {
		u.secondaryTeams = slices.Clone(*in.SecondaryTeamIDs)
	}
	st.nextID++
	st.byID[u.id] = u
	st.ids = append(st.ids, u.id)
	out := u.render()
	out.SendWelcomeEmail = *in.SendWelcomeEmail
	q.reply(http.StatusCreated, out)
}

// findUserLocked finds the user of the path, by ID or by email as
// idProperty says, answering 400 or 404.
func (q *request) findUserLocked(st *userStore) (*userRec, bool) {
	id := q.r.PathValue("userId")
	switch p := q.r.URL.Query().Get("idProperty"); p {
	case "", "USER_ID":
		n, err := strconv.ParseInt(id, 10, 64)
		if u := st.byID[n]; err == nil && u != nil {
			return u, true
		}
	case "EMAIL":
		for _, n := range st.ids {
			if strings.EqualFold(st.byID[n].email, id) {
				return st.byID[n], true
			}
		}
	default:
		q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter idProperty: expected USER_ID or EMAIL.", p),
			errorDetail{Message: "idProperty must be one of USER_ID, EMAIL", Code: "INVALID_ID_PROPERTY", In: "idProperty"}))
		return nil, false
	}
	q.fail(&apiError{status: http.StatusNotFound, Message: "User not found.", Category: catNotFound})
	return nil, false
}

func (q *request) getUser() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	if u, ok := q.findUserLocked(d.usersLocked()); ok {
		q.reply(http.StatusOK, u.render())
	}
}

func (q *request) updateUser() {
	var in userFields
	if !q.decode(&in) {
		return
	}
	if in.Email != nil {
		q.fail(validationError(q.corr, "A user's email cannot be changed.", errorDetail{Message: "email is read-only", In: "email", Code: "READ_ONLY"}))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.usersLocked()
	u, ok := q.findUserLocked(st)
	if !ok || !q.checkRefsLocked(st, &in) {
		return
	}
	for _, f := range []struct{ dst, v *string }{{&u.first, &in.FirstName}, {&u.last, &in.LastName}, {&u.role, &in.RoleID}, {&u.primaryTeam, &in.PrimaryTeamID}} {
		if *f.v != "" {
			*f.dst = *f.v
		}
	}
	if in.SecondaryTeamIDs != nil {
		u.secondaryTeams = slices.Clone(*in.SecondaryTeamIDs)
	}
	q.reply(http.StatusOK, u.render())
}

func (q *request) removeUser() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.usersLocked()
	u, ok := q.findUserLocked(st)
	if !ok {
		return
	}
	delete(st.byID, u.id)
	st.ids = slices.DeleteFunc(st.ids, func(n int64) bool { return n == u.id })
	q.w.WriteHeader(http.StatusNoContent)
}

func (q *request) listUsers() {
	v := q.r.URL.Query()
	limit := 100
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter limit: expected a positive integer.", s)))
			return
		}
		limit = n
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
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.usersLocked()
	out := struct {
		Results []userOut  `json:"results"`
		Paging  *pagingOut `json:"paging,omitempty"`
	}{Results: []userOut{}}
	for _, id := range st.ids {
		if id < after {
			continue
		}
		if len(out.Results) == limit {
			next := strconv.FormatInt(id, 10)
			nv := url.Values{"limit": {strconv.Itoa(limit)}, "after": {next}}
			out.Paging = &pagingOut{Next: &nextOut{After: next, Link: q.s.URL() + q.r.URL.EscapedPath() + "?" + nv.Encode()}}
			break
		}
		out.Results = append(out.Results, st.byID[id].render())
	}
	q.reply(http.StatusOK, out)
}

func (q *request) listTeams() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.usersLocked()
	type teamOut struct {
		ID        string   `json:"id"`
		Name      string   `json:"name"`
		Users     []string `json:"userIds"`
		Secondary []string `json:"secondaryUserIds"`
	}
	out := []teamOut{}
	for _, t := range st.teams {
		o := teamOut{ID: t.id, Name: t.name, Users: []string{}, Secondary: []string{}}
		for _, id := range st.ids {
			u := st.byID[id]
			if u.primaryTeam == t.id {
				o.Users = append(o.Users, strconv.FormatInt(id, 10))
			} else if slices.Contains(u.secondaryTeams, t.id) {
				o.Secondary = append(o.Secondary, strconv.FormatInt(id, 10))
			}
		}
		out = append(out, o)
	}
	q.reply(http.StatusOK, map[string]any{"results": out})
}

func (q *request) listRoles() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	type roleOut struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Paid bool   `json:"requiresBillingWrite"`
	}
	out := []roleOut{}
	for _, r := range d.usersLocked().roles {
		out = append(out, roleOut{r.id, r.name, r.paid})
	}
	q.reply(http.StatusOK, map[string]any{"results": out})
}
