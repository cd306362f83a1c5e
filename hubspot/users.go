package hubspot

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"strings"
)

// User is a user of the HubSpot account (settings, not a CRM record).
type User struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	// RoleID is the user's role (see UsersService.Roles); RoleIDs lists
	// every role the user holds.
	RoleID  string   `json:"roleId,omitempty"`
	RoleIDs []string `json:"roleIds,omitempty"`
	// PrimaryTeamID and SecondaryTeamIDs are the user's teams (see
	// UsersService.Teams).
	PrimaryTeamID    string   `json:"primaryTeamId,omitempty"`
	SecondaryTeamIDs []string `json:"secondaryTeamIds,omitempty"`
	SuperAdmin       bool     `json:"superAdmin"`
	// SendWelcomeEmail is set only in the answer to Create.
	SendWelcomeEmail bool `json:"sendWelcomeEmail"`
}

// UserInput is a user to provision.
type UserInput struct {
	// Email is required: HubSpot invites the user at this address.
	Email     string `json:"email"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	RoleID    string `json:"roleId,omitempty"`
	// PrimaryTeamID and SecondaryTeamIDs put the user on teams.
	PrimaryTeamID    string   `json:"primaryTeamId,omitempty"`
	SecondaryTeamIDs []string `json:"secondaryTeamIds,omitempty"`
	// SendWelcomeEmail sends HubSpot's welcome email to the new user.
	SendWelcomeEmail bool `json:"sendWelcomeEmail"`
}

// UserUpdate changes some of a user's settings: empty fields are left as
// they are; a non-nil empty SecondaryTeamIDs removes the user from every
// secondary team.
type UserUpdate struct {
	FirstName        string   `json:"firstName,omitempty"`
	LastName         string   `json:"lastName,omitempty"`
	RoleID           string   `json:"roleId,omitempty"`
	PrimaryTeamID    string   `json:"primaryTeamId,omitempty"`
	SecondaryTeamIDs []string `json:"secondaryTeamIds,omitzero"`
}

// UserIDProperty says what the id given to UsersService.Get, Update and
// Remove is.
type UserIDProperty string

// How UsersService finds a user.
const (
	// UserByID: the id is a user ID (the default).
	UserByID UserIDProperty = "USER_ID"
	// UserByEmail: the id is the user's email address.
	UserByEmail UserIDProperty = "EMAIL"
)

// UserOptions changes how Get, Update and Remove find the user.
type UserOptions struct {
	// IDProperty says whether the id is a user ID (default) or an email.
	IDProperty UserIDProperty
}

// UserListOptions selects what List and All return.
type UserListOptions struct {
	// Limit is the page size (HubSpot's default, 100, when 0).
	Limit int
	// After is the cursor of the page to start at (from UserPage.After).
	After string
}

// UserPage is one page of users.
type UserPage struct {
	Results []User
	// After is the cursor of the next page; "" on the last page.
	After string
}

// Team is a team of users.
type Team struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// UserIDs are the users whose primary team it is; SecondaryUserIDs
	// the others.
	UserIDs          []string `json:"userIds"`
	SecondaryUserIDs []string `json:"secondaryUserIds"`
}

// Role is a set of permissions a user can be given.
type Role struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// RequiresBillingWrite marks a role with a paid seat: assigning it
	// needs the settings.billing.write scope.
	RequiresBillingWrite bool `json:"requiresBillingWrite"`
}

// UsersService provisions and manages the account's users, and lists its
// teams and roles. Reading needs settings.users.read (or
// crm.objects.users.read), teams settings.users.teams.read, and changing
// settings.users.write (or crm.objects.users.write). Create, Update and
// Remove are sensitive (a new super admin or a removed owner is a leaked
// key's work): a Client with a signer signs them by default.
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/settings-user-provisioning-v3/guide
type UsersService struct {
	client *Client
}

func (o *UserOptions) params(what, id string) (map[string]string, url.Values, error) {
	if err := checkSegment(what, "user id", id); err != nil {
		return nil, nil, err
	}
	var q url.Values
	by := UserByID
	if o != nil && o.IDProperty != "" {
		by = o.IDProperty
	}
	switch by {
	case UserByID:
		if !isDigits(id) || len(id) > 19 {
			return nil, nil, errorf("%s: the user ID %q is not a decimal number (use IDProperty UserByEmail for an email)", what, id)
		}
	case UserByEmail:
		if err := checkEmail(what, id); err != nil {
			return nil, nil, err
		}
		q = url.Values{"idProperty": {string(UserByEmail)}}
	default:
		return nil, nil, errorf("%s: IDProperty must be %q or %q, got %q", what, UserByID, UserByEmail, by)
	}
	return map[string]string{"userId": id}, q, nil
}

// checkEmail refuses what cannot be an email address.
func checkEmail(what, email string) error {
	at := strings.LastIndexByte(email, '@')
	if strings.TrimSpace(email) != email || at < 1 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n") {
		return errorf("%s: %q is not an email address", what, email)
	}
	return nil
}

// List returns one page of users.
//
// HubSpot: GET /settings/v3/users (https://developers.hubspot.com/docs/api-reference/settings-user-provisioning-v3/users/get-settings-v3-users-).
func (s *UsersService) List(ctx context.Context, opts *UserListOptions) (*UserPage, error) {
	var o UserListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit < 0 {
		return nil, errorf("users List: Limit %d is negative", o.Limit)
	}
	q := url.Values{}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.After != "" {
		q.Set("after", o.After)
	}
	var p struct {
		Results []User  `json:"results"`
		Paging  *Paging `json:"paging"`
	}
	if _, err := s.client.call(ctx, opUsersList, nil, q, nil, &p); err != nil {
		return nil, err
	}
	page := &UserPage{Results: p.Results}
	if p.Paging != nil && p.Paging.Next != nil {
		page.After = p.Paging.Next.After
	}
	return page, nil
}

// All returns every user, fetching pages lazily as the loop consumes them.
// The loop ends after the last user, when it breaks, or with a final
// (zero User, error) when a page fails or ctx ends.
func (s *UsersService) All(ctx context.Context, opts *UserListOptions) iter.Seq2[User, error] {
	var o UserListOptions
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, "users List", o.After, func(after string) (pageOf[User], error) {
		q := o
		q.After = after
		page, err := s.List(ctx, &q)
		if err != nil {
			return pageOf[User]{}, err
		}
		return pageOf[User]{items: page.Results, next: page.After}, nil
	})
}

// Get returns a user by user ID, or by email with IDProperty
// UserByEmail. A missing user is an error matching ErrNotFound.
//
// HubSpot: GET /settings/v3/users/{userId}.
func (s *UsersService) Get(ctx context.Context, id string, opts *UserOptions) (*User, error) {
	p, q, err := opts.params("users Get", id)
	if err != nil {
		return nil, err
	}
	u := new(User)
	if _, err := s.client.call(ctx, opUsersGet, p, q, nil, u); err != nil {
		return nil, err
	}
	return u, nil
}

// Create provisions a user and returns it (201). It is a sensitive call.
//
// HubSpot: POST /settings/v3/users.
func (s *UsersService) Create(ctx context.Context, in UserInput) (*User, error) {
	if in.Email == "" {
		return nil, errorf("users Create: the email is empty; HubSpot invites a new user by email")
	}
	if err := checkEmail("users Create", in.Email); err != nil {
		return nil, err
	}
	u := new(User)
	if _, err := s.client.call(ctx, opUsersCreate, nil, nil, in, u); err != nil {
		return nil, err
	}
	return u, nil
}

// Update changes a user's name, role or teams and returns the user. It is
// a sensitive call: a role is a set of permissions.
//
// HubSpot: PUT /settings/v3/users/{userId}.
func (s *UsersService) Update(ctx context.Context, id string, u UserUpdate, opts *UserOptions) (*User, error) {
	p, q, err := opts.params("users Update", id)
	if err != nil {
		return nil, err
	}
	if u.FirstName == "" && u.LastName == "" && u.RoleID == "" && u.PrimaryTeamID == "" && u.SecondaryTeamIDs == nil {
		return nil, errorf("users Update %s: nothing to update", id)
	}
	out := new(User)
	if _, err := s.client.call(ctx, opUsersUpdate, p, q, u, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Remove removes a user from the account (204). It is a sensitive call.
//
// HubSpot: DELETE /settings/v3/users/{userId}.
func (s *UsersService) Remove(ctx context.Context, id string, opts *UserOptions) error {
	p, q, err := opts.params("users Remove", id)
	if err != nil {
		return err
	}
	_, err = s.client.call(ctx, opUsersRemove, p, q, nil, nil)
	return err
}

// Teams returns the account's teams with their members.
//
// HubSpot: GET /settings/v3/users/teams.
func (s *UsersService) Teams(ctx context.Context) ([]Team, error) {
	var out struct {
		Results []Team `json:"results"`
	}
	if _, err := s.client.call(ctx, opUsersTeams, nil, nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// Roles returns the roles users can be given.
//
// HubSpot: GET /settings/v3/users/roles.
func (s *UsersService) Roles(ctx context.Context) ([]Role, error) {
	var out struct {
		Results []Role `json:"results"`
	}
	if _, err := s.client.call(ctx, opUsersRoles, nil, nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}
