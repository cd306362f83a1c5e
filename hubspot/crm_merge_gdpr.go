package hubspot

import (
	"context"
	"strings"
)

// Merge merges the record objectIDToMerge into primaryID and returns the
// merged record. It cannot be undone. HubSpot supports it for contacts,
// companies, deals, tickets and custom objects.
//
// HubSpot creates the merged record with a new ID, and both former IDs go
// on resolving to it: a Get with either returns the merged record with its
// new ID. Where both records have a value, the primary's is kept; the
// merged record lists the former IDs in hs_merged_object_ids. For contacts
// the email of the record merged in moves to hs_additional_emails.
//
// Merges are sensitive calls: with a signing Policy they are signed.
//
// HubSpot: POST /crm/v3/objects/{objectType}/merge.
func (s *ObjectService) Merge(ctx context.Context, primaryID, objectIDToMerge string) (*Object, error) {
	if s.err != nil {
		return nil, s.err
	}
	if err := checkID(s.objectType+" Merge (primary)", primaryID); err != nil {
		return nil, err
	}
	if err := checkID(s.objectType+" Merge (to merge)", objectIDToMerge); err != nil {
		return nil, err
	}
	if primaryID == objectIDToMerge {
		return nil, errorf("%s Merge: cannot merge record %s into itself", s.objectType, primaryID)
	}
	body := struct {
		PrimaryObjectID string `json:"primaryObjectId"`
		ObjectIDToMerge string `json:"objectIdToMerge"`
	}{primaryID, objectIDToMerge}
	obj := new(Object)
	if _, err := s.client.call(ctx, opObjectsMerge, s.typeParams, nil, body, obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// gdprParams are the path parameters of every GDPR delete: HubSpot offers
// it for contacts only.
var gdprParams = map[string]string{"objectType": "contacts"}

// GDPRDeleteOptions changes how GDPRDelete finds the contact.
type GDPRDeleteOptions struct {
	// IDProperty, when set (to "email"), means the id is a value of this
	// unique property rather than the contact ID.
	IDProperty string
}

// GDPRDelete permanently deletes a contact and everything associated with
// it, as data privacy law may require (204). The contact does not go to the
// recycling bin and cannot be restored. With IDProperty "email", an address
// that matches no contact is added to HubSpot's blocklist instead, and the
// call succeeds.
//
// Only contacts support it; on another type GDPRDelete fails before
// sending. It is a sensitive call: with a signing Policy it is signed.
//
// HubSpot: POST /crm/v3/objects/contacts/gdpr-delete.
func (s *ObjectService) GDPRDelete(ctx context.Context, id string, opts *GDPRDeleteOptions) error {
	if s.err != nil {
		return s.err
	}
	switch strings.ToLower(s.objectType) {
	case "contacts", "contact", "0-1":
	default:
		return errorf("%s GDPRDelete: HubSpot's GDPR delete is for contacts only", s.objectType)
	}
	if err := checkID(s.objectType+" GDPRDelete", id); err != nil {
		return err
	}
	body := struct {
		ObjectID   string `json:"objectId"`
		IDProperty string `json:"idProperty,omitempty"`
	}{ObjectID: id}
	if opts != nil {
		body.IDProperty = opts.IDProperty
	}
	_, err := s.client.call(ctx, opObjectsGDPRDelete, gdprParams, nil, body, nil)
	return err
}
