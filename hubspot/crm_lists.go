package hubspot

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// ListProcessingType is how a list's members are chosen.
type ListProcessingType string

// List processing types.
const (
	// ListManual lists hold the records added to them (HubSpot's static
	// lists); they have no filters.
	ListManual ListProcessingType = "MANUAL"
	// ListDynamic lists hold the records their filters match, kept up to
	// date by HubSpot (active lists).
	ListDynamic ListProcessingType = "DYNAMIC"
	// ListSnapshot lists take the records their filters match once, when
	// created; records can then be added and removed as in a manual list.
	ListSnapshot ListProcessingType = "SNAPSHOT"
)

// List processing statuses HubSpot reports for lists with filters: a new
// or refiltered list is processing until its members have been found.
const (
	ListProcessing = "PROCESSING"
	ListComplete   = "COMPLETE"
)

// List is a HubSpot list of CRM records (lists v3: contacts, companies,
// deals, ...).
type List struct {
	// ID is the list's ILS ID (a decimal number).
	ID      string `json:"listId"`
	Version int    `json:"listVersion"`
	Name    string `json:"name"`
	// ObjectTypeID is the type of the list's records: "0-1" for
	// contacts, "0-2" for companies, "0-3" for deals, ...
	ObjectTypeID   string             `json:"objectTypeId"`
	ProcessingType ListProcessingType `json:"processingType"`
	// ProcessingStatus is ListProcessing while HubSpot finds a list's
	// members after its filters are set, ListComplete after.
	ProcessingStatus string `json:"processingStatus"`
	// FilterBranch is the filters of a dynamic or snapshot list; nil for a
	// manual list, or when the call did not ask for filters.
	FilterBranch *ListFilterBranch `json:"filterBranch,omitempty"`
	// Size is the number of members, when HubSpot says.
	Size             int64     `json:"size"`
	CreatedAt        time.Time `json:"createdAt,omitzero"`
	UpdatedAt        time.Time `json:"updatedAt,omitzero"`
	FiltersUpdatedAt time.Time `json:"filtersUpdatedAt,omitzero"`
	// DeletedAt is set for a deleted list, which Restore can bring back
	// for 90 days.
	DeletedAt   time.Time `json:"deletedAt,omitzero"`
	CreatedByID string    `json:"createdById,omitempty"`
	UpdatedByID string    `json:"updatedById,omitempty"`
	// Properties are the list properties a search returns (hs_list_size,
	// ...), as HubSpot sends them in additionalProperties.
	Properties map[string]string `json:"additionalProperties,omitempty"`
}

// ListInput is a list to create.
type ListInput struct {
	// Name must be unique among the lists of the object type.
	Name string
	// ObjectType is the type of the list's records: an object type ID
	// ("0-1") or a standard type's name ("contacts"), which is sent as
	// its ID.
	ObjectType     string
	ProcessingType ListProcessingType
	// FilterBranch is required for dynamic and snapshot lists and refused
	// for manual ones: an OR branch (OrBranch) of AND branches (AndBranch).
	FilterBranch *ListFilterBranch
	// FolderID puts the list in a folder; 0 is the root folder.
	FolderID int
}

// ListsService calls HubSpot's lists v3 API: lists of contacts, companies,
// deals and other records, their memberships and their folders. Reading
// needs the crm.lists.read scope; changing needs crm.lists.read and
// crm.lists.write (or cms.membership.access_groups.write). Delete and
// DeleteFolder are sensitive: a Client with a signer signs them by
// default.
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/crm-lists-v3/guide
type ListsService struct {
	client *Client
}

// listIDParam checks an ID of the lists API, a decimal number, for the
// call what.
func listIDParam(what, kind, id string) error {
	if err := checkSegment(what, kind, id); err != nil {
		return err
	}
	if len(id) > 19 || !isDigits(id) {
		return errorf("%s: the %s %q is not a decimal number", what, kind, id)
	}
	return nil
}

// listObjectTypeID returns the object type ID of a list's object type.
func listObjectTypeID(what, t string) (string, error) {
	if strings.TrimSpace(t) == "" {
		return "", errorf("%s: the object type is empty; use an object type ID such as \"0-1\" (contacts)", what)
	}
	if ot, ok := endpoints.LookupObjectType(t); ok && ot.ID != "" {
		return ot.ID, nil
	}
	if !validObjectType(t) {
		return "", errorf("%s: invalid object type %q: use an object type ID such as \"0-1\" (contacts)", what, t)
	}
	return t, nil
}

type wireList struct {
	List        *List `json:"list"`
	UpdatedList *List `json:"updatedList"`
}

func (w *wireList) get() (*List, error) {
	switch {
	case w.List != nil:
		return w.List, nil
	case w.UpdatedList != nil:
		return w.UpdatedList, nil
	}
	return nil, &shapeError{"the answer holds no list"}
}

// Create creates a list and returns it. A dynamic or snapshot list starts
// with ProcessingStatus ListProcessing: its members are found afterwards
// (poll Get until ListComplete). The filters are checked before anything
// is sent: an operator HubSpot does not document for the operation type
// is refused with an error naming it.
//
// HubSpot: POST /crm/v3/lists (https://developers.hubspot.com/docs/api-reference/crm-lists-v3/lists/post-crm-v3-lists).
func (s *ListsService) Create(ctx context.Context, in ListInput) (*List, error) {
	what := "lists Create"
	if strings.TrimSpace(in.Name) == "" {
		return nil, errorf("%s: the list name is empty", what)
	}
	what += " " + strconv.Quote(in.Name)
	typeID, err := listObjectTypeID(what, in.ObjectType)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"name": in.Name, "objectTypeId": typeID, "processingType": in.ProcessingType}
	switch in.ProcessingType {
	case ListManual:
		if in.FilterBranch != nil {
			return nil, errorf("%s: a MANUAL list has no filters; use DYNAMIC or SNAPSHOT for a list with a FilterBranch", what)
		}
	case ListDynamic, ListSnapshot:
		if in.FilterBranch == nil {
			return nil, errorf("%s: a %s list needs a FilterBranch", what, in.ProcessingType)
		}
		if err := in.FilterBranch.check(what); err != nil {
			return nil, err
		}
		body["filterBranch"] = in.FilterBranch
	default:
		return nil, errorf("%s: processing type %q is not MANUAL, DYNAMIC or SNAPSHOT", what, in.ProcessingType)
	}
	if in.FolderID < 0 {
		return nil, errorf("%s: folder ID %d is negative", what, in.FolderID)
	}
	if in.FolderID > 0 {
		body["listFolderId"] = in.FolderID
	}
	var w wireList
	if _, err := s.client.call(ctx, opListsCreate, nil, nil, body, &w); err != nil {
		return nil, err
	}
	return w.get()
}

// ListGetOptions changes what Get, GetByName and GetMany return.
type ListGetOptions struct {
	// IncludeFilters returns the lists' filter definitions.
	IncludeFilters bool
}

func (o *ListGetOptions) query() url.Values {
	if o == nil || !o.IncludeFilters {
		return nil
	}
	return url.Values{"includeFilters": {"true"}}
}

// Get returns a list by ID. A missing or deleted list is an error
// matching ErrNotFound.
//
// HubSpot: GET /crm/v3/lists/{listId} (https://developers.hubspot.com/docs/api-reference/crm-lists-v3/lists/get-crm-v3-lists-listId).
func (s *ListsService) Get(ctx context.Context, listID string, opts *ListGetOptions) (*List, error) {
	if err := listIDParam("lists Get", "list ID", listID); err != nil {
		return nil, err
	}
	var w wireList
	if _, err := s.client.call(ctx, opListsGet, map[string]string{"listId": listID}, opts.query(), nil, &w); err != nil {
		return nil, err
	}
	return w.get()
}

// GetByName returns the list of objectType ("0-1", or "contacts") named
// name. A missing list is an error matching ErrNotFound.
//
// HubSpot: GET /crm/v3/lists/object-type-id/{objectTypeId}/name/{listName}.
func (s *ListsService) GetByName(ctx context.Context, objectType, name string, opts *ListGetOptions) (*List, error) {
	what := "lists GetByName"
	typeID, err := listObjectTypeID(what, objectType)
	if err != nil {
		return nil, err
	}
	if err := checkSegment(what, "list name", name); err != nil {
		return nil, err
	}
	var w wireList
	p := map[string]string{"objectTypeId": typeID, "listName": name}
	if _, err := s.client.call(ctx, opListsGetByName, p, opts.query(), nil, &w); err != nil {
		return nil, err
	}
	return w.get()
}

// GetMany returns those of the lists with the given IDs that exist.
//
// HubSpot: GET /crm/v3/lists (with listIds).
func (s *ListsService) GetMany(ctx context.Context, listIDs []string, opts *ListGetOptions) ([]List, error) {
	if len(listIDs) == 0 {
		return nil, errorf("lists GetMany: no list IDs")
	}
	q := opts.query()
	if q == nil {
		q = url.Values{}
	}
	for i, id := range listIDs {
		if err := listIDParam("lists GetMany", "list ID "+strconv.Itoa(i), id); err != nil {
			return nil, err
		}
		q.Add("listIds", id)
	}
	var out struct {
		Lists []List `json:"lists"`
	}
	if _, err := s.client.call(ctx, opListsGetMany, nil, q, nil, &out); err != nil {
		return nil, err
	}
	return out.Lists, nil
}

// ListSearchOptions selects the lists Search returns.
type ListSearchOptions struct {
	// Query matches list names.
	Query string
	// ProcessingTypes keeps the lists of these types (all when empty).
	ProcessingTypes []ListProcessingType
	// ListIDs keeps these lists (all when empty).
	ListIDs []string
	// Properties are list properties to return beside the defaults.
	Properties []string
	// Offset is where the page starts (from ListSearchPage.Offset).
	Offset int
	// Count is the page size, at most 500 (HubSpot's default, 20, when
	// 0).
	Count int
}

// ListSearchPage is one page of Search results.
type ListSearchPage struct {
	Lists []List
	// Total is how many lists match.
	Total int
	// HasMore reports a further page, which starts at Offset.
	HasMore bool
	Offset  int
}

// Search returns one page of the lists opts selects, by name.
//
// HubSpot: POST /crm/v3/lists/search (https://developers.hubspot.com/docs/api-reference/crm-lists-v3/lists/post-crm-v3-lists-search).
func (s *ListsService) Search(ctx context.Context, opts *ListSearchOptions) (*ListSearchPage, error) {
	var o ListSearchOptions
	if opts != nil {
		o = *opts
	}
	if o.Count < 0 || o.Count > opListsSearch.Limits.Page {
		return nil, errorf("lists Search: Count must be between 1 and %d (0 for HubSpot's default), got %d", opListsSearch.Limits.Page, o.Count)
	}
	if o.Offset < 0 {
		return nil, errorf("lists Search: Offset %d is negative", o.Offset)
	}
	for _, t := range o.ProcessingTypes {
		if t != ListManual && t != ListDynamic && t != ListSnapshot {
			return nil, errorf("lists Search: processing type %q is not MANUAL, DYNAMIC or SNAPSHOT", t)
		}
	}
	for i, id := range o.ListIDs {
		if err := listIDParam("lists Search", "list ID "+strconv.Itoa(i), id); err != nil {
			return nil, err
		}
	}
	// HubSpot's spec requires every list member, even empty.
	body := map[string]any{"offset": o.Offset, "processingTypes": nonNil(o.ProcessingTypes), "listIds": nonNil(o.ListIDs), "additionalProperties": nonNil(o.Properties)}
	if o.Query != "" {
		body["query"] = o.Query
	}
	if o.Count > 0 {
		body["count"] = o.Count
	}
	var out struct {
		Lists   []List `json:"lists"`
		Total   int    `json:"total"`
		HasMore bool   `json:"hasMore"`
		Offset  int    `json:"offset"`
	}
	if _, err := s.client.call(ctx, opListsSearch, nil, nil, body, &out); err != nil {
		return nil, err
	}
	return &ListSearchPage{Lists: out.Lists, Total: out.Total, HasMore: out.HasMore, Offset: out.Offset}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// UpdateName renames a list and returns it.
//
// HubSpot: PUT /crm/v3/lists/{listId}/update-list-name.
func (s *ListsService) UpdateName(ctx context.Context, listID, name string) (*List, error) {
	what := "lists UpdateName"
	if err := listIDParam(what, "list ID", listID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(name) == "" {
		return nil, errorf("%s %s: the list name is empty", what, listID)
	}
	var w wireList
	q := url.Values{"listName": {name}}
	if _, err := s.client.call(ctx, opListsUpdateName, map[string]string{"listId": listID}, q, nil, &w); err != nil {
		return nil, err
	}
	return w.get()
}

// ListFiltersOptions changes how UpdateFilters proceeds.
type ListFiltersOptions struct {
	// EnrollObjectsInWorkflows enrolls records that join the list in the
	// workflows that use it.
	EnrollObjectsInWorkflows bool
}

// UpdateFilters replaces the filters of a dynamic or snapshot list and
// returns it; its members are found again (ProcessingStatus
// ListProcessing). The filters are checked as Create checks them.
//
// HubSpot: PUT /crm/v3/lists/{listId}/update-list-filters.
func (s *ListsService) UpdateFilters(ctx context.Context, listID string, branch *ListFilterBranch, opts *ListFiltersOptions) (*List, error) {
	what := "lists UpdateFilters"
	if err := listIDParam(what, "list ID", listID); err != nil {
		return nil, err
	}
	if branch == nil {
		return nil, errorf("%s %s: no filter branch", what, listID)
	}
	if err := branch.check(what + " " + listID); err != nil {
		return nil, err
	}
	var q url.Values
	if opts != nil && opts.EnrollObjectsInWorkflows {
		q = url.Values{"enrollObjectsInWorkflows": {"true"}}
	}
	var w wireList
	in := map[string]any{"filterBranch": branch}
	if _, err := s.client.call(ctx, opListsUpdateFilters, map[string]string{"listId": listID}, q, in, &w); err != nil {
		return nil, err
	}
	return w.get()
}

// Delete deletes a list (204). HubSpot keeps it for 90 days, during which
// Restore brings it back. It is a sensitive call.
//
// HubSpot: DELETE /crm/v3/lists/{listId}.
func (s *ListsService) Delete(ctx context.Context, listID string) error {
	if err := listIDParam("lists Delete", "list ID", listID); err != nil {
		return err
	}
	_, err := s.client.call(ctx, opListsDelete, map[string]string{"listId": listID}, nil, nil, nil)
	return err
}

// Restore brings back a list deleted in the last 90 days (204).
//
// HubSpot: PUT /crm/v3/lists/{listId}/restore.
func (s *ListsService) Restore(ctx context.Context, listID string) error {
	if err := listIDParam("lists Restore", "list ID", listID); err != nil {
		return err
	}
	_, err := s.client.call(ctx, opListsRestore, map[string]string{"listId": listID}, nil, nil, nil)
	return err
}

// ListMember is one record of a list.
type ListMember struct {
	RecordID string `json:"recordId"`
	// AddedAt is when the record joined the list.
	AddedAt time.Time `json:"membershipTimestamp,omitzero"`
}

// ListMembershipOptions selects what Memberships returns.
type ListMembershipOptions struct {
	// Limit is the page size, at most 250 (the largest, when 0).
	Limit int
	// After is the cursor to start at.
	After string
}

// Memberships returns the records of a list, fetching pages lazily as the
// loop consumes them, one page in memory at a time. The loop ends after
// the last record, when it breaks, or with a final (zero ListMember,
// error) when a page fails or ctx ends.
//
// HubSpot: GET /crm/v3/lists/{listId}/memberships.
func (s *ListsService) Memberships(ctx context.Context, listID string, opts *ListMembershipOptions) iter.Seq2[ListMember, error] {
	var o ListMembershipOptions
	if opts != nil {
		o = *opts
	}
	limit := opListsMembers.Limits.Page
	bad := listIDParam("lists Memberships", "list ID", listID)
	if o.Limit < 0 || o.Limit > limit {
		bad = errorf("lists Memberships: Limit must be between 1 and %d (0 for the largest), got %d", limit, o.Limit)
	}
	if o.Limit > 0 {
		limit = o.Limit
	}
	return paginate(ctx, "lists Memberships", o.After, func(after string) (pageOf[ListMember], error) {
		if bad != nil {
			return pageOf[ListMember]{}, bad
		}
		q := url.Values{"limit": {strconv.Itoa(limit)}}
		if after != "" {
			q.Set("after", after)
		}
		var p struct {
			Results []ListMember `json:"results"`
			Paging  *Paging      `json:"paging"`
		}
		if _, err := s.client.call(ctx, opListsMembers, map[string]string{"listId": listID}, q, nil, &p); err != nil {
			return pageOf[ListMember]{}, err
		}
		page := pageOf[ListMember]{items: p.Results}
		if p.Paging != nil && p.Paging.Next != nil {
			page.next = p.Paging.Next.After
		}
		return page, nil
	})
}

// MembershipChange is what a change of a list's members did.
type MembershipChange struct {
	// Added and Removed are the records the call added or removed.
	Added   []string
	Removed []string
	// Missing are the records that do not exist, which the call ignored.
	Missing []string
}

type wireMembershipChange struct {
	Added   []string `json:"recordIdsAdded"`
	AddedS  []string `json:"recordsIdsAdded"` // the spec's spelling
	Removed []string `json:"recordIdsRemoved"`
	Missing []string `json:"recordIdsMissing"`
}

// AddMembers adds records, by ID, to a manual or snapshot list. Records
// already in it are left as they are.
//
// HubSpot: PUT /crm/v3/lists/{listId}/memberships/add.
func (s *ListsService) AddMembers(ctx context.Context, listID string, recordIDs []string) (*MembershipChange, error) {
	return s.changeMembers(ctx, "lists AddMembers", opListsAdd, listID, recordIDs)
}

// RemoveMembers removes records, by ID, from a manual or snapshot list.
//
// HubSpot: PUT /crm/v3/lists/{listId}/memberships/remove.
func (s *ListsService) RemoveMembers(ctx context.Context, listID string, recordIDs []string) (*MembershipChange, error) {
	return s.changeMembers(ctx, "lists RemoveMembers", opListsRemove, listID, recordIDs)
}

func (s *ListsService) changeMembers(ctx context.Context, what string, op *endpoints.Op, listID string, recordIDs []string) (*MembershipChange, error) {
	if err := listIDParam(what, "list ID", listID); err != nil {
		return nil, err
	}
	if len(recordIDs) == 0 {
		return nil, errorf("%s %s: no record IDs", what, listID)
	}
	for i, id := range recordIDs {
		if len(id) > 19 || !isDigits(id) {
			return nil, errorf("%s %s: record ID %d (%q) is not a decimal number", what, listID, i, id)
		}
	}
	var w wireMembershipChange
	if _, err := s.client.call(ctx, op, map[string]string{"listId": listID}, nil, recordIDs, &w); err != nil {
		return nil, err
	}
	if w.Added == nil {
		w.Added = w.AddedS
	}
	return &MembershipChange{Added: w.Added, Removed: w.Removed, Missing: w.Missing}, nil
}

// AddFromList adds every record of the list sourceListID to the manual or
// snapshot list listID (204). HubSpot's spec allows a source of fewer than
// 100,000 members.
//
// HubSpot: PUT /crm/v3/lists/{listId}/memberships/add-from/{sourceListId}.
func (s *ListsService) AddFromList(ctx context.Context, listID, sourceListID string) error {
	what := "lists AddFromList"
	if err := listIDParam(what, "list ID", listID); err != nil {
		return err
	}
	if err := listIDParam(what, "source list ID", sourceListID); err != nil {
		return err
	}
	if listID == sourceListID {
		return errorf("%s: the list and the source list are both %s", what, listID)
	}
	_, err := s.client.call(ctx, opListsAddFrom, map[string]string{"listId": listID, "sourceListId": sourceListID}, nil, nil, nil)
	return err
}

// RecordList is a list a record is in.
type RecordList struct {
	ListID      string    `json:"listId"`
	ListVersion int       `json:"listVersion"`
	FirstAdded  time.Time `json:"firstAddedTimestamp,omitzero"`
	LastAdded   time.Time `json:"lastAddedTimestamp,omitzero"`
}

// RecordLists returns the lists a record of objectType ("0-1", or
// "contacts") is in.
//
// HubSpot: GET /crm/v3/lists/records/{objectTypeId}/{recordId}/memberships.
func (s *ListsService) RecordLists(ctx context.Context, objectType, recordID string) ([]RecordList, error) {
	what := "lists RecordLists"
	typeID, err := listObjectTypeID(what, objectType)
	if err != nil {
		return nil, err
	}
	if err := checkID(what, recordID); err != nil {
		return nil, err
	}
	var out struct {
		Results []RecordList `json:"results"`
	}
	if _, err := s.client.call(ctx, opListsRecord, map[string]string{"objectTypeId": typeID, "recordId": recordID}, nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// ListFolder is a folder of lists, with the folders and lists it holds.
type ListFolder struct {
	ID             string       `json:"id"`
	Name           string       `json:"name"`
	ParentFolderID string       `json:"parentFolderId"`
	ChildLists     []int64      `json:"childLists"`
	ChildFolders   []ListFolder `json:"childNodes"`
	CreatedAt      time.Time    `json:"createdAt,omitzero"`
	UpdatedAt      time.Time    `json:"updatedAt,omitzero"`
}

// RootFolder is the ID of the root list folder.
const RootFolder = "0"

func (s *ListsService) folderCall(ctx context.Context, op *endpoints.Op, params map[string]string, q url.Values, in any) (*ListFolder, error) {
	var out struct {
		Folder *ListFolder `json:"folder"`
	}
	if _, err := s.client.call(ctx, op, params, q, in, &out); err != nil {
		return nil, err
	}
	if out.Folder == nil {
		return nil, &shapeError{"the answer holds no folder"}
	}
	return out.Folder, nil
}

// Folder returns a folder with the folders and lists under it: the root
// folder when folderID is "" or RootFolder.
//
// HubSpot: GET /crm/v3/lists/folders.
func (s *ListsService) Folder(ctx context.Context, folderID string) (*ListFolder, error) {
	var q url.Values
	if folderID != "" {
		if err := listIDParam("lists Folder", "folder ID", folderID); err != nil {
			return nil, err
		}
		q = url.Values{"folderId": {folderID}}
	}
	return s.folderCall(ctx, opListsFolders, nil, q, nil)
}

// CreateFolder creates a folder in parentFolderID (the root when "") and
// returns it.
//
// HubSpot: POST /crm/v3/lists/folders.
func (s *ListsService) CreateFolder(ctx context.Context, name, parentFolderID string) (*ListFolder, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errorf("lists CreateFolder: the folder name is empty")
	}
	in := map[string]string{"name": name}
	if parentFolderID != "" {
		if err := listIDParam("lists CreateFolder", "parent folder ID", parentFolderID); err != nil {
			return nil, err
		}
		in["parentFolderId"] = parentFolderID
	}
	return s.folderCall(ctx, opListsFolderCreate, nil, nil, in)
}

// RenameFolder renames a folder and returns it.
//
// HubSpot: PUT /crm/v3/lists/folders/{folderId}/rename.
func (s *ListsService) RenameFolder(ctx context.Context, folderID, name string) (*ListFolder, error) {
	if err := listIDParam("lists RenameFolder", "folder ID", folderID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(name) == "" {
		return nil, errorf("lists RenameFolder %s: the folder name is empty", folderID)
	}
	return s.folderCall(ctx, opListsFolderRename, map[string]string{"folderId": folderID}, url.Values{"newFolderName": {name}}, nil)
}

// MoveFolder moves a folder into newParentFolderID and returns it.
//
// HubSpot: PUT /crm/v3/lists/folders/{folderId}/move/{newParentFolderId}.
func (s *ListsService) MoveFolder(ctx context.Context, folderID, newParentFolderID string) (*ListFolder, error) {
	if err := listIDParam("lists MoveFolder", "folder ID", folderID); err != nil {
		return nil, err
	}
	if err := listIDParam("lists MoveFolder", "new parent folder ID", newParentFolderID); err != nil {
		return nil, err
	}
	return s.folderCall(ctx, opListsFolderMove, map[string]string{"folderId": folderID, "newParentFolderId": newParentFolderID}, nil, nil)
}

// MoveList moves a list into a folder (204).
//
// HubSpot: PUT /crm/v3/lists/folders/move-list.
func (s *ListsService) MoveList(ctx context.Context, listID, folderID string) error {
	if err := listIDParam("lists MoveList", "list ID", listID); err != nil {
		return err
	}
	if err := listIDParam("lists MoveList", "folder ID", folderID); err != nil {
		return err
	}
	_, err := s.client.call(ctx, opListsMoveList, nil, nil, map[string]string{"listId": listID, "newFolderId": folderID}, nil)
	return err
}

// DeleteFolder deletes an empty folder (204). It is a sensitive call.
//
// HubSpot: DELETE /crm/v3/lists/folders/{folderId}.
func (s *ListsService) DeleteFolder(ctx context.Context, folderID string) error {
	if err := listIDParam("lists DeleteFolder", "folder ID", folderID); err != nil {
		return err
	}
	if folderID == RootFolder {
		return errorf("lists DeleteFolder: the root folder cannot be deleted")
	}
	_, err := s.client.call(ctx, opListsFolderDelete, map[string]string{"folderId": folderID}, nil, nil, nil)
	return err
}
