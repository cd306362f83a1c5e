package hubspot

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets"
)

// typedCall is one typed method, called with fixed arguments, and the
// operation it must name.
type typedCall struct {
	op   string
	call func(ctx context.Context, c *Client) error
}

// first runs seq until its first value, for the streaming methods.
func first[T any](seq iter.Seq2[T, error]) error {
	for _, err := range seq {
		return err
	}
	return nil
}

// typedCalls holds every method of every service that calls HubSpot,
// keyed "Service.Method". TestEveryTypedMethodIsListed keeps it complete.
func typedCalls() map[string]typedCall {
	one := 1
	stage := StageInput{Label: "s", Metadata: StageMetadata{"probability": "0.5"}}
	pipeline := PipelineInput{Label: "p", Stages: []StageInput{stage}}
	link := AssociationType{Category: CategoryHubSpotDefined, TypeID: 3}
	return map[string]typedCall{
		"ObjectService.Get": {"crm.objects.get", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.Get(ctx, "1", nil)
			return err
		}},
		"ObjectService.Create": {"crm.objects.create", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.Create(ctx, ObjectInput{})
			return err
		}},
		"ObjectService.Update": {"crm.objects.update", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.Update(ctx, "1", Properties{"a": "b"}, nil)
			return err
		}},
		"ObjectService.Archive": {"crm.objects.archive", func(ctx context.Context, c *Client) error {
			return c.Contacts.Archive(ctx, "1")
		}},
		"ObjectService.List": {"crm.objects.list", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.List(ctx, nil)
			return err
		}},
		"ObjectService.All": {"crm.objects.list", func(ctx context.Context, c *Client) error {
			return first(c.Contacts.All(ctx, nil))
		}},
		"ObjectService.Search": {"crm.objects.search", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.Search(ctx, nil)
			return err
		}},
		"FormsService.List": {"marketing.forms.list", func(ctx context.Context, c *Client) error {
			_, err := c.Forms.List(ctx, nil)
			return err
		}},
		"FormsService.All": {"marketing.forms.list", func(ctx context.Context, c *Client) error {
			return first(c.Forms.All(ctx, nil))
		}},
		"FormsService.Get": {"marketing.forms.get", func(ctx context.Context, c *Client) error {
			_, err := c.Forms.Get(ctx, "f1")
			return err
		}},
		"FormsService.Create": {"marketing.forms.create", func(ctx context.Context, c *Client) error {
			_, err := c.Forms.Create(ctx, Form{Name: "f", FieldGroups: []FormFieldGroup{}})
			return err
		}},
		"FormsService.Update": {"marketing.forms.update", func(ctx context.Context, c *Client) error {
			_, err := c.Forms.Update(ctx, "f1", FormUpdate{Name: "g"})
			return err
		}},
		"FormsService.Archive": {"marketing.forms.archive", func(ctx context.Context, c *Client) error {
			return c.Forms.Archive(ctx, "f1")
		}},
		"FormsService.Submit": {"forms.submit", func(ctx context.Context, c *Client) error {
			_, err := c.Forms.Submit(ctx, 62515, "f1", FormSubmit{Fields: []FormValue{{Name: "email", Value: "a@b.io"}}})
			return err
		}},
		"FormsService.Submissions": {"forms.submissions.list", func(ctx context.Context, c *Client) error {
			return first(c.Forms.Submissions(ctx, "f1", 0))
		}},
		"FilesService.Upload": {"files.upload", func(ctx context.Context, c *Client) error {
			_, err := c.Files.Upload(ctx, FileUpload{Name: "a.txt", Data: strings.NewReader("a"), FileOptions: FileOptions{Access: FilePrivate, FolderPath: "/x"}})
			return err
		}},
		"FilesService.ImportFromURL": {"files.import-from-url", func(ctx context.Context, c *Client) error {
			_, err := c.Files.ImportFromURL(ctx, FileImport{URL: secrets.New("https://example.com/a.png"), FileOptions: FileOptions{Access: FilePrivate, FolderPath: "/x"}})
			return err
		}},
		"FilesService.ImportStatus": {"files.import-from-url.status", func(ctx context.Context, c *Client) error {
			_, err := c.Files.ImportStatus(ctx, "7")
			return err
		}},
		"FilesService.WaitImport": {"files.import-from-url.status", func(ctx context.Context, c *Client) error {
			// One status call, then a wait the deadline ends.
			ctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
			defer cancel()
			_, err := c.Files.WaitImport(ctx, "7", time.Hour)
			return err
		}},
		"FilesService.Search": {"files.search", func(ctx context.Context, c *Client) error {
			_, err := c.Files.Search(ctx, &FileSearch{Name: "a"})
			return err
		}},
		"FilesService.SearchAll": {"files.search", func(ctx context.Context, c *Client) error {
			return first(c.Files.SearchAll(ctx, nil))
		}},
		"FilesService.Get": {"files.get", func(ctx context.Context, c *Client) error {
			_, err := c.Files.Get(ctx, "7")
			return err
		}},
		"FilesService.Update": {"files.update", func(ctx context.Context, c *Client) error {
			name := "b"
			_, err := c.Files.Update(ctx, "7", FileUpdate{Name: &name})
			return err
		}},
		"FilesService.Archive": {"files.archive", func(ctx context.Context, c *Client) error {
			return c.Files.Archive(ctx, "7")
		}},
		"FilesService.SignedURL": {"files.signed-url", func(ctx context.Context, c *Client) error {
			_, err := c.Files.SignedURL(ctx, "7", nil)
			return err
		}},
		"FilesService.CreateFolder": {"files.folders.create", func(ctx context.Context, c *Client) error {
			_, err := c.Files.CreateFolder(ctx, FolderCreate{Name: "f"})
			return err
		}},
		"FilesService.SearchFolders": {"files.folders.search", func(ctx context.Context, c *Client) error {
			_, err := c.Files.SearchFolders(ctx, nil)
			return err
		}},
		"FilesService.SearchAllFolders": {"files.folders.search", func(ctx context.Context, c *Client) error {
			return first(c.Files.SearchAllFolders(ctx, nil))
		}},
		"FilesService.GetFolder": {"files.folders.get", func(ctx context.Context, c *Client) error {
			_, err := c.Files.GetFolder(ctx, "7")
			return err
		}},
		"FilesService.UpdateFolder": {"files.folders.update", func(ctx context.Context, c *Client) error {
			name := "g"
			_, err := c.Files.UpdateFolder(ctx, "7", FolderUpdate{Name: &name})
			return err
		}},
		"FilesService.ArchiveFolder": {"files.folders.archive", func(ctx context.Context, c *Client) error {
			return c.Files.ArchiveFolder(ctx, "7")
		}},
		"SchemasService.List": {"crm.schemas.list", func(ctx context.Context, c *Client) error {
			_, err := c.Schemas.List(ctx, false)
			return err
		}},
		"SchemasService.Get": {"crm.schemas.get", func(ctx context.Context, c *Client) error {
			_, err := c.Schemas.Get(ctx, "p1_cars")
			return err
		}},
		"SchemasService.Create": {"crm.schemas.create", func(ctx context.Context, c *Client) error {
			_, err := c.Schemas.Create(ctx, SchemaInput{Name: "cars", Labels: SchemaLabels{"Car", "Cars"}, Properties: []PropertyInput{{Name: "model"}}})
			return err
		}},
		"SchemasService.Update": {"crm.schemas.update", func(ctx context.Context, c *Client) error {
			_, err := c.Schemas.Update(ctx, "2-1", SchemaUpdate{})
			return err
		}},
		"SchemasService.Delete": {"crm.schemas.archive", func(ctx context.Context, c *Client) error {
			return c.Schemas.Delete(ctx, "2-1")
		}},
		"SchemasService.Purge": {"crm.schemas.purge", func(ctx context.Context, c *Client) error {
			return c.Schemas.Purge(ctx, "2-1")
		}},
		"SchemasService.CreateAssociation": {"crm.schemas.associations.create", func(ctx context.Context, c *Client) error {
			_, err := c.Schemas.CreateAssociation(ctx, "2-1", SchemaAssociation{FromObjectTypeID: "2-1", ToObjectTypeID: "0-1"})
			return err
		}},
		"SchemasService.DeleteAssociation": {"crm.schemas.associations.archive", func(ctx context.Context, c *Client) error {
			return c.Schemas.DeleteAssociation(ctx, "2-1", "7")
		}},
		"ObjectService.SearchAllByID": {"crm.objects.search", func(ctx context.Context, c *Client) error {
			return first(c.Contacts.SearchAllByID(ctx, nil))
		}},
		"ObjectService.SearchAll": {"crm.objects.search", func(ctx context.Context, c *Client) error {
			return first(c.Contacts.SearchAll(ctx, nil))
		}},
		"ObjectService.BatchRead": {"crm.objects.batch.read", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.BatchRead(ctx, []string{"1"}, nil)
			return err
		}},
		"ObjectService.BatchCreate": {"crm.objects.batch.create", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.BatchCreate(ctx, []ObjectInput{{}})
			return err
		}},
		"ObjectService.BatchUpdate": {"crm.objects.batch.update", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.BatchUpdate(ctx, []BatchInput{{ID: "1", Properties: Properties{"a": "b"}}})
			return err
		}},
		"ObjectService.BatchUpsert": {"crm.objects.batch.upsert", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.BatchUpsert(ctx, []BatchInput{{ID: "a@example.com", IDProperty: "email"}})
			return err
		}},
		"ObjectService.BatchArchive": {"crm.objects.batch.archive", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.BatchArchive(ctx, []string{"1"})
			return err
		}},
		"ObjectService.Merge": {"crm.objects.merge", func(ctx context.Context, c *Client) error {
			_, err := c.Contacts.Merge(ctx, "1", "2")
			return err
		}},
		"ObjectService.GDPRDelete": {"crm.objects.gdpr-delete", func(ctx context.Context, c *Client) error {
			return c.Objects("0-1").GDPRDelete(ctx, "1", nil)
		}},

		"AssociationsService.Create": {"crm.associations.v4.create", func(ctx context.Context, c *Client) error {
			_, err := c.Associations.Create(ctx, "deals", "1", "contacts", "2", link)
			return err
		}},
		"AssociationsService.CreateDefault": {"crm.associations.v4.create-default", func(ctx context.Context, c *Client) error {
			_, err := c.Associations.CreateDefault(ctx, "deals", "1", "contacts", "2")
			return err
		}},
		"AssociationsService.Delete": {"crm.associations.v4.archive", func(ctx context.Context, c *Client) error {
			return c.Associations.Delete(ctx, "deals", "1", "contacts", "2")
		}},
		"AssociationsService.List": {"crm.associations.v4.list", func(ctx context.Context, c *Client) error {
			_, err := c.Associations.List(ctx, "deals", "1", "contacts", nil)
			return err
		}},
		"AssociationsService.All": {"crm.associations.v4.list", func(ctx context.Context, c *Client) error {
			return first(c.Associations.All(ctx, "deals", "1", "contacts", nil))
		}},
		"AssociationsService.BatchRead": {"crm.associations.v4.batch.read", func(ctx context.Context, c *Client) error {
			_, err := c.Associations.BatchRead(ctx, "deals", "contacts", []string{"1"})
			return err
		}},
		"AssociationsService.BatchCreate": {"crm.associations.v4.batch.create", func(ctx context.Context, c *Client) error {
			_, err := c.Associations.BatchCreate(ctx, "deals", "contacts", []AssociationBatchInput{{FromID: "1", ToID: "2", Types: []AssociationType{link}}})
			return err
		}},
		"AssociationsService.BatchArchive": {"crm.associations.v4.batch.archive", func(ctx context.Context, c *Client) error {
			_, err := c.Associations.BatchArchive(ctx, "deals", "contacts", []AssociationArchiveInput{{FromID: "1", ToIDs: []string{"2"}}})
			return err
		}},
		"AssociationsService.BatchCreateDefault": {"crm.associations.v4.batch.associate-default", func(ctx context.Context, c *Client) error {
			_, err := c.Associations.BatchCreateDefault(ctx, "deals", "contacts", []AssociationBatchInput{{FromID: "1", ToID: "2"}})
			return err
		}},
		"AssociationsService.BatchArchiveLabels": {"crm.associations.v4.batch.labels.archive", func(ctx context.Context, c *Client) error {
			_, err := c.Associations.BatchArchiveLabels(ctx, "deals", "contacts", []AssociationBatchInput{{FromID: "1", ToID: "2", Types: []AssociationType{link}}})
			return err
		}},
		"AssociationsService.Labels": {"crm.associations.v4.labels.list", func(ctx context.Context, c *Client) error {
			_, err := c.Associations.Labels(ctx, "deals", "contacts")
			return err
		}},
		"AssociationsService.CreateLabel": {"crm.associations.v4.labels.create", func(ctx context.Context, c *Client) error {
			_, err := c.Associations.CreateLabel(ctx, "deals", "contacts", AssociationLabelInput{Name: "n", Label: "l"})
			return err
		}},
		"AssociationsService.UpdateLabel": {"crm.associations.v4.labels.update", func(ctx context.Context, c *Client) error {
			return c.Associations.UpdateLabel(ctx, "deals", "contacts", AssociationLabelUpdate{TypeID: 9, Label: "l"})
		}},
		"AssociationsService.DeleteLabel": {"crm.associations.v4.labels.archive", func(ctx context.Context, c *Client) error {
			return c.Associations.DeleteLabel(ctx, "deals", "contacts", 9)
		}},

		"PropertiesService.List": {"crm.properties.list", func(ctx context.Context, c *Client) error {
			_, err := c.Properties.List(ctx, "deals", nil)
			return err
		}},
		"PropertiesService.Get": {"crm.properties.get", func(ctx context.Context, c *Client) error {
			_, err := c.Properties.Get(ctx, "deals", "amount")
			return err
		}},
		"PropertiesService.Create": {"crm.properties.create", func(ctx context.Context, c *Client) error {
			_, err := c.Properties.Create(ctx, "deals", PropertyInput{Name: "n", Label: "l", Type: PropertyTypeString, FieldType: FieldTypeText, GroupName: "g"})
			return err
		}},
		"PropertiesService.Update": {"crm.properties.update", func(ctx context.Context, c *Client) error {
			_, err := c.Properties.Update(ctx, "deals", "amount", PropertyUpdate{Label: "x"})
			return err
		}},
		"PropertiesService.Archive": {"crm.properties.archive", func(ctx context.Context, c *Client) error {
			return c.Properties.Archive(ctx, "deals", "amount")
		}},
		"PropertiesService.BatchRead": {"crm.properties.batch.read", func(ctx context.Context, c *Client) error {
			_, err := c.Properties.BatchRead(ctx, "deals", []string{"amount"}, nil)
			return err
		}},
		"PropertiesService.BatchCreate": {"crm.properties.batch.create", func(ctx context.Context, c *Client) error {
			_, err := c.Properties.BatchCreate(ctx, "deals", []PropertyInput{{Name: "n", Label: "l", Type: PropertyTypeString, FieldType: FieldTypeText, GroupName: "g"}})
			return err
		}},
		"PropertiesService.BatchArchive": {"crm.properties.batch.archive", func(ctx context.Context, c *Client) error {
			_, err := c.Properties.BatchArchive(ctx, "deals", []string{"n"})
			return err
		}},
		"PropertiesService.ListGroups": {"crm.properties.groups.list", func(ctx context.Context, c *Client) error {
			_, err := c.Properties.ListGroups(ctx, "deals")
			return err
		}},
		"PropertiesService.GetGroup": {"crm.properties.groups.get", func(ctx context.Context, c *Client) error {
			_, err := c.Properties.GetGroup(ctx, "deals", "g")
			return err
		}},
		"PropertiesService.CreateGroup": {"crm.properties.groups.create", func(ctx context.Context, c *Client) error {
			_, err := c.Properties.CreateGroup(ctx, "deals", PropertyGroupInput{Name: "g", Label: "G"})
			return err
		}},
		"PropertiesService.UpdateGroup": {"crm.properties.groups.update", func(ctx context.Context, c *Client) error {
			_, err := c.Properties.UpdateGroup(ctx, "deals", "g", PropertyGroupUpdate{Label: "x"})
			return err
		}},
		"PropertiesService.ArchiveGroup": {"crm.properties.groups.archive", func(ctx context.Context, c *Client) error {
			return c.Properties.ArchiveGroup(ctx, "deals", "g")
		}},

		"PipelinesService.List": {"crm.pipelines.list", func(ctx context.Context, c *Client) error {
			_, err := c.Pipelines.List(ctx, "deals")
			return err
		}},
		"PipelinesService.Get": {"crm.pipelines.get", func(ctx context.Context, c *Client) error {
			_, err := c.Pipelines.Get(ctx, "deals", "P1")
			return err
		}},
		"PipelinesService.Create": {"crm.pipelines.create", func(ctx context.Context, c *Client) error {
			_, err := c.Pipelines.Create(ctx, "deals", pipeline)
			return err
		}},
		"PipelinesService.Replace": {"crm.pipelines.replace", func(ctx context.Context, c *Client) error {
			_, err := c.Pipelines.Replace(ctx, "deals", "P1", pipeline)
			return err
		}},
		"PipelinesService.Update": {"crm.pipelines.update", func(ctx context.Context, c *Client) error {
			_, err := c.Pipelines.Update(ctx, "deals", "P1", PipelineUpdate{Label: "x"})
			return err
		}},
		"PipelinesService.Archive": {"crm.pipelines.archive", func(ctx context.Context, c *Client) error {
			return c.Pipelines.Archive(ctx, "deals", "P1", nil)
		}},
		"PipelinesService.Stages": {"crm.pipelines.stages.list", func(ctx context.Context, c *Client) error {
			_, err := c.Pipelines.Stages(ctx, "deals", "P1")
			return err
		}},
		"PipelinesService.Stage": {"crm.pipelines.stages.get", func(ctx context.Context, c *Client) error {
			_, err := c.Pipelines.Stage(ctx, "deals", "P1", "S1")
			return err
		}},
		"PipelinesService.CreateStage": {"crm.pipelines.stages.create", func(ctx context.Context, c *Client) error {
			_, err := c.Pipelines.CreateStage(ctx, "deals", "P1", stage)
			return err
		}},
		"PipelinesService.ReplaceStage": {"crm.pipelines.stages.replace", func(ctx context.Context, c *Client) error {
			_, err := c.Pipelines.ReplaceStage(ctx, "deals", "P1", "S1", stage)
			return err
		}},
		"PipelinesService.UpdateStage": {"crm.pipelines.stages.update", func(ctx context.Context, c *Client) error {
			_, err := c.Pipelines.UpdateStage(ctx, "deals", "P1", "S1", StageUpdate{DisplayOrder: &one, Metadata: StageMetadata{MetaProbability: "0.5"}})
			return err
		}},
		"PipelinesService.ArchiveStage": {"crm.pipelines.stages.archive", func(ctx context.Context, c *Client) error {
			return c.Pipelines.ArchiveStage(ctx, "deals", "P1", "S1", nil)
		}},

		"OwnersService.List": {"crm.owners.list", func(ctx context.Context, c *Client) error {
			_, err := c.Owners.List(ctx, nil)
			return err
		}},
		"OwnersService.All": {"crm.owners.list", func(ctx context.Context, c *Client) error {
			return first(c.Owners.All(ctx, nil))
		}},
		"OwnersService.Get": {"crm.owners.get", func(ctx context.Context, c *Client) error {
			_, err := c.Owners.Get(ctx, "5", nil)
			return err
		}},
		"AccountService.Details": {"account.details", func(ctx context.Context, c *Client) error {
			_, err := c.Account.Details(ctx)
			return err
		}},
		"AccountService.DailyUsage": {"account.usage.daily", func(ctx context.Context, c *Client) error {
			_, err := c.Account.DailyUsage(ctx)
			return err
		}},

		"WebhooksService.GetSettings": {"webhooks.settings.get", func(ctx context.Context, c *Client) error {
			_, err := c.Webhooks.GetSettings(ctx, 7)
			return err
		}},
		"WebhooksService.UpdateSettings": {"webhooks.settings.update", func(ctx context.Context, c *Client) error {
			_, err := c.Webhooks.UpdateSettings(ctx, 7, WebhookSettings{TargetURL: "https://example.com/hook", Throttling: WebhookThrottling{MaxConcurrentRequests: 10}})
			return err
		}},
		"WebhooksService.DeleteSettings": {"webhooks.settings.delete", func(ctx context.Context, c *Client) error {
			return c.Webhooks.DeleteSettings(ctx, 7)
		}},
		"WebhooksService.ListSubscriptions": {"webhooks.subscriptions.list", func(ctx context.Context, c *Client) error {
			_, err := c.Webhooks.ListSubscriptions(ctx, 7)
			return err
		}},
		"WebhooksService.GetSubscription": {"webhooks.subscriptions.get", func(ctx context.Context, c *Client) error {
			_, err := c.Webhooks.GetSubscription(ctx, 7, 9)
			return err
		}},
		"WebhooksService.CreateSubscription": {"webhooks.subscriptions.create", func(ctx context.Context, c *Client) error {
			_, err := c.Webhooks.CreateSubscription(ctx, 7, WebhookSubscriptionInput{EventType: "contact.creation", Active: true})
			return err
		}},
		"WebhooksService.UpdateSubscription": {"webhooks.subscriptions.update", func(ctx context.Context, c *Client) error {
			_, err := c.Webhooks.UpdateSubscription(ctx, 7, 9, false)
			return err
		}},
		"WebhooksService.DeleteSubscription": {"webhooks.subscriptions.delete", func(ctx context.Context, c *Client) error {
			return c.Webhooks.DeleteSubscription(ctx, 7, 9)
		}},
		"WebhooksService.BatchUpdateSubscriptions": {"webhooks.subscriptions.batch.update", func(ctx context.Context, c *Client) error {
			_, err := c.Webhooks.BatchUpdateSubscriptions(ctx, 7, []WebhookSubscriptionUpdate{{ID: 9, Active: true}})
			return err
		}},
		"TimelineService.ListTemplates": {"crm.timeline.templates.list", func(ctx context.Context, c *Client) error {
			_, err := c.Timeline.ListTemplates(ctx, 7)
			return err
		}},
		"TimelineService.GetTemplate": {"crm.timeline.templates.get", func(ctx context.Context, c *Client) error {
			_, err := c.Timeline.GetTemplate(ctx, 7, "1001")
			return err
		}},
		"TimelineService.CreateTemplate": {"crm.timeline.templates.create", func(ctx context.Context, c *Client) error {
			_, err := c.Timeline.CreateTemplate(ctx, 7, TimelineTemplate{Name: "t", ObjectType: "contacts"})
			return err
		}},
		"TimelineService.UpdateTemplate": {"crm.timeline.templates.update", func(ctx context.Context, c *Client) error {
			_, err := c.Timeline.UpdateTemplate(ctx, 7, "1001", TimelineTemplate{Name: "t"})
			return err
		}},
		"TimelineService.DeleteTemplate": {"crm.timeline.templates.delete", func(ctx context.Context, c *Client) error {
			return c.Timeline.DeleteTemplate(ctx, 7, "1001")
		}},
		"TimelineService.CreateToken": {"crm.timeline.templates.tokens.create", func(ctx context.Context, c *Client) error {
			_, err := c.Timeline.CreateToken(ctx, 7, "1001", TimelineToken{Name: "n", Label: "N", Type: TimelineTokenString})
			return err
		}},
		"TimelineService.UpdateToken": {"crm.timeline.templates.tokens.update", func(ctx context.Context, c *Client) error {
			_, err := c.Timeline.UpdateToken(ctx, 7, "1001", "n", TimelineTokenUpdate{Label: "N"})
			return err
		}},
		"TimelineService.DeleteToken": {"crm.timeline.templates.tokens.delete", func(ctx context.Context, c *Client) error {
			return c.Timeline.DeleteToken(ctx, 7, "1001", "n")
		}},
		"TimelineService.CreateEvent": {"crm.timeline.events.create", func(ctx context.Context, c *Client) error {
			_, err := c.Timeline.CreateEvent(ctx, TimelineEvent{TemplateID: "1001", ObjectID: "1"})
			return err
		}},
		"TimelineService.BatchCreateEvents": {"crm.timeline.events.batch.create", func(ctx context.Context, c *Client) error {
			_, err := c.Timeline.BatchCreateEvents(ctx, []TimelineEvent{{TemplateID: "1001", ObjectID: "1"}})
			return err
		}},
		"TimelineService.GetEvent": {"crm.timeline.events.get", func(ctx context.Context, c *Client) error {
			_, err := c.Timeline.GetEvent(ctx, "1001", "e1")
			return err
		}},
		"TimelineService.EventDetail": {"crm.timeline.events.detail", func(ctx context.Context, c *Client) error {
			_, err := c.Timeline.EventDetail(ctx, "1001", "e1")
			return err
		}},
	}
}

// The services whose methods call HubSpot, and their methods that do not.
var (
	serviceTypes = []reflect.Type{
		reflect.TypeFor[*ObjectService](), reflect.TypeFor[*AssociationsService](), reflect.TypeFor[*PropertiesService](),
		reflect.TypeFor[*PipelinesService](), reflect.TypeFor[*OwnersService](), reflect.TypeFor[*AccountService](),
		reflect.TypeFor[*WebhooksService](), reflect.TypeFor[*SchemasService](), reflect.TypeFor[*FormsService](),
		reflect.TypeFor[*FilesService](),
		reflect.TypeFor[*TimelineService](),
	}
	// alwaysNumbered are the rows the typed client calls on their numbered
	// path in every version: their dated version takes another shape (the
	// developer platform's app events, in 2026-03).
	alwaysNumbered = []string{"crm.timeline.events.create", "crm.timeline.events.batch.create"}
	notCalls       = []string{"ObjectService.ObjectType", "FilesService.Download"}
)

// A new method of a service fails here until typedCalls lists it, so that
// the tests below cover it.
func TestEveryTypedMethodIsListed(t *testing.T) {
	calls := typedCalls()
	n := 0
	for _, typ := range serviceTypes {
		for i := range typ.NumMethod() {
			name := typ.Elem().Name() + "." + typ.Method(i).Name
			if slices.Contains(notCalls, name) {
				continue
			}
			n++
			if _, ok := calls[name]; !ok {
				t.Errorf("%s is not in typedCalls: add it, with the operation it names", name)
			}
		}
	}
	if n != len(calls) {
		t.Errorf("typedCalls lists %d methods, the services have %d", len(calls), n)
	}
}

// sent is what the base transport of a recording client saw of a request.
type sent struct {
	method, path string // the path relative to the API root, escaped
	carried      *opCall
}

// recordingClient returns a Client of apiVersion whose base transport
// records every request, with the operation its context carries, and
// answers 200 with an empty object.
func recordingClient(t *testing.T, apiVersion string) (*Client, func() []sent) {
	t.Helper()
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{})
	})
	var mu sync.Mutex
	var got []sent
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		c, _ := carried(r)
		mu.Lock()
		got = append(got, sent{r.Method, strings.TrimPrefix(r.URL.EscapedPath(), "/api"), c})
		mu.Unlock()
		return http.DefaultTransport.RoundTrip(r)
	})
	cache, _ := newCache(t, tokenA)
	keys, _ := newCache(t, "dev-key-0000")
	c, err := New(WithToken(cache), WithDeveloperKey(keys), WithBaseURL(srv.URL+"/api"),
		WithAPIVersion(apiVersion), WithHTTPClient(&http.Client{Transport: base}),
		WithRateLimit(RateLimit{}), WithSearchRateLimit(RateLimit{}), WithRetry(RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, func() []sent {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		return out
	}
}

// Every typed method names its operation: each request it sends carries
// the row the method names, in its context, down to the base transport,
// and goes to that row's path in the Client's API version, or in the
// numbered version where the row does not offer it. A method that built a
// path of its own would send a request without a row, and fail here.
func TestEveryTypedMethodNamesItsOperation(t *testing.T) {
	ctx := context.Background()
	for _, apiVersion := range apiVersions {
		t.Run(apiVersion, func(t *testing.T) {
			c, take := recordingClient(t, apiVersion)
			for name, tc := range typedCalls() {
				if err := tc.call(ctx, c); err != nil {
					var ve *validationError
					if errors.As(err, &ve) {
						t.Errorf("%s: %v", name, err)
						continue
					}
				}
				reqs := take()
				if len(reqs) == 0 {
					t.Errorf("%s sent nothing", name)
					continue
				}
				want, _ := endpoints.Lookup(tc.op)
				wantVersion := c.version
				if !slices.Contains(want.Versions, wantVersion) || slices.Contains(alwaysNumbered, tc.op) {
					wantVersion = endpoints.Numbered
				}
				for _, r := range reqs {
					if r.carried == nil || r.carried.op == nil {
						t.Errorf("%s: %s %s carried no catalogue row", name, r.method, r.path)
						continue
					}
					if r.carried.op != want || r.carried.version != wantVersion {
						t.Errorf("%s: %s %s carried %s (%s), want %s (%s)", name, r.method, r.path, r.carried.op.Name, r.carried.version, want.Name, wantVersion)
					}
					op, v, _, ok := endpoints.Match(r.method, r.path)
					if !ok || op != want || v != wantVersion {
						t.Errorf("%s: %s %s is not %s in version %s", name, r.method, r.path, want.Name, wantVersion)
					}
				}
			}
		})
	}
}

// The paths the server receives, for a few methods in each version.
func TestAPIVersionPaths(t *testing.T) {
	ctx := context.Background()
	calls := typedCalls()
	for _, tc := range []struct {
		method, version, want string
	}{
		{"ObjectService.Get", "numbered", "GET /crm/v3/objects/contacts/1"},
		{"ObjectService.Get", "2025-09", "GET /crm/objects/2025-09/contacts/1"},
		{"ObjectService.Get", "2026-03", "GET /crm/objects/2026-03/contacts/1"},
		{"ObjectService.Search", "2026-09", "POST /crm/objects/2026-09/contacts/search"},
		{"ObjectService.GDPRDelete", "2026-03", "POST /crm/objects/2026-03/contacts/gdpr-delete"},
		{"AssociationsService.List", "2026-03", "GET /crm/objects/2026-03/deals/1/associations/contacts"},
		// 2026-09 has no per-record association list: the numbered path.
		{"AssociationsService.List", "2026-09", "GET /crm/v4/objects/deals/1/associations/contacts"},
		{"AssociationsService.BatchCreate", "2025-09", "POST /crm/associations/2025-09/deals/contacts/batch/create"},
		{"AssociationsService.DeleteLabel", "2026-09", "DELETE /crm/associations/2026-09/deals/contacts/labels/9"},
		{"PropertiesService.GetGroup", "2026-03", "GET /crm/properties/2026-03/deals/groups/g"},
		{"PropertiesService.BatchRead", "numbered", "POST /crm/v3/properties/deals/batch/read"},
		{"AssociationsService.BatchCreateDefault", "2026-03", "POST /crm/associations/2026-03/deals/contacts/batch/associate/default"},
		{"AssociationsService.BatchArchiveLabels", "numbered", "POST /crm/v4/associations/deals/contacts/batch/labels/archive"},
		{"PipelinesService.ArchiveStage", "2026-09", "DELETE /crm/pipelines/2026-09/deals/P1/stages/S1"},
		{"OwnersService.List", "2026-03", "GET /crm/owners/2026-03"},
		{"AccountService.DailyUsage", "2025-09", "GET /account-info/2025-09/api-usage/daily/private-apps"},
		{"WebhooksService.GetSubscription", "2025-09", "GET /app-webhooks/2025-09/7/subscriptions/9"},
		// 2026-03 has no app webhooks path the catalogue lists: numbered.
		{"WebhooksService.GetSubscription", "2026-03", "GET /webhooks/v3/7/subscriptions/9"},
		// 2026-03 offers app events at the timeline's dated paths, in
		// another shape: timeline events stay on v3.
		{"TimelineService.CreateEvent", "2026-03", "POST /integrators/timeline/v3/events"},
		{"TimelineService.BatchCreateEvents", "2026-03", "POST /integrators/timeline/v3/events/batch/create"},
		{"TimelineService.ListTemplates", "2026-03", "GET /integrators/timeline/v3/7/event-templates"},
	} {
		c, take := recordingClient(t, tc.version)
		_ = calls[tc.method].call(ctx, c)
		reqs := take()
		if len(reqs) == 0 || reqs[0].method+" "+reqs[0].path != tc.want {
			t.Errorf("%s in %s sent %+v, want %s", tc.method, tc.version, reqs, tc.want)
		}
	}
}

func TestWithAPIVersion(t *testing.T) {
	cache, _ := newCache(t, tokenA)
	for _, v := range apiVersions {
		c, err := New(WithToken(cache), WithAPIVersion(v))
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		c.Close()
	}
	c, err := New(WithToken(cache))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The default is pinned: changing it changes every path a user's
	// integration calls, so it moves only with a CHANGELOG entry.
	if c.version != endpoints.Version202603 {
		t.Errorf("the default version is %q, want 2026-03", c.version)
	}
	for _, v := range []string{"", "v3", "2024-01", "2026-3", "Numbered", "latest"} {
		_, err := New(WithToken(cache), WithAPIVersion(v))
		if err == nil || !strings.Contains(err.Error(), `unknown API version; use one of ["numbered" "2025-09" "2026-03" "2026-09"]`) {
			t.Errorf("WithAPIVersion(%q): %v", v, err)
		}
	}
}

// Do looks its call up once and the request carries what it found, known
// or not, to the base transport, whatever the Client's version.
func TestDoCarriesWhatItMatched(t *testing.T) {
	c, take := recordingClient(t, "2026-09")
	ctx := context.Background()
	for _, tc := range []struct {
		method, path, op string
		version          endpoints.Version
	}{
		{"GET", "/crm/objects/2026-03/contacts/1", "crm.objects.get", endpoints.Version202603},
		{"GET", "/crm/v3/objects/contacts/1", "crm.objects.get", endpoints.Numbered},
		{"POST", "/crm/v3/objects/contacts/search", "crm.objects.search", endpoints.Numbered},
		{"GET", "/marketing/v3/campaigns", "", ""},
	} {
		_ = c.Do(ctx, tc.method, tc.path, nil, nil, nil)
		reqs := take()
		if len(reqs) != 1 || reqs[0].path != tc.path || reqs[0].carried == nil {
			t.Fatalf("%s %s: sent %+v", tc.method, tc.path, reqs)
		}
		got := reqs[0].carried
		name := ""
		if got.op != nil {
			name = got.op.Name
		}
		if name != tc.op || got.version != tc.version || got.path != tc.path || !got.scrub {
			t.Errorf("%s %s carried %s %q %s scrub=%v", tc.method, tc.path, name, got.version, got.path, got.scrub)
		}
	}
}
