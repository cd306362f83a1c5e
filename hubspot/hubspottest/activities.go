package hubspottest

// Activities (engagements: notes, calls, emails, meetings, tasks,
// communications, postal mail) are CRM objects, served by the objects
// routes like any other type. What sets them apart is here: the
// properties each type starts with, and hs_timestamp, which HubSpot
// requires on create.

// activityGroup is the property group of the activity types' properties.
const activityGroup = "engagement"

// activityTimestamp is the property that says when an activity happened
// (a task's due date); HubSpot refuses to create an activity without it.
const activityTimestamp = "hs_timestamp"

// activitySeeds are the properties an activity type starts with: the
// ones every activity has, then own.
func activitySeeds(own ...propSeed) []propSeed {
	common := []propSeed{
		{name: activityTimestamp, label: "Activity date", typ: "datetime", field: "date", group: activityGroup},
		ownerSeed(activityGroup),
		{name: "hs_attachment_ids", label: "Attached file IDs", typ: "enumeration", field: "checkbox", group: activityGroup, flags: external},
	}
	return append(append(common, own...), systemSeeds(activityGroup, "hs_lastmodifieddate")...)
}

func text(name, label string) propSeed {
	return propSeed{name: name, label: label, typ: "string", field: "textarea", group: activityGroup}
}

func choice(name, label string, options ...string) propSeed {
	return propSeed{name: name, label: label, typ: "enumeration", field: "select", group: activityGroup, options: options}
}

func when(name, label string) propSeed {
	return propSeed{name: name, label: label, typ: "datetime", field: "date", group: activityGroup}
}

// activityProps are the activity types' starting properties: a
// representative set of each type's, as HubSpot's activity guides list
// them.
var activityProps = map[string][]propSeed{
	"notes": activitySeeds(text("hs_note_body", "Note body")),
	"calls": activitySeeds(text("hs_call_body", "Call notes"), text("hs_call_title", "Call title"),
		choice("hs_call_direction", "Call direction", "INBOUND", "OUTBOUND"),
		propSeed{name: "hs_call_duration", label: "Call duration", typ: "number", field: "number", group: activityGroup},
		choice("hs_call_status", "Call status", "BUSY", "CALLING_CRM_USER", "CANCELED", "COMPLETED", "CONNECTING", "FAILED", "IN_PROGRESS", "NO_ANSWER", "QUEUED", "RINGING"),
		text("hs_call_from_number", "From number"), text("hs_call_to_number", "To number"),
		text("hs_call_disposition", "Call outcome"), text("hs_call_recording_url", "Recording URL")),
	"emails": activitySeeds(text("hs_email_text", "Email body"), text("hs_email_html", "Email HTML body"),
		text("hs_email_subject", "Email subject"), text("hs_email_headers", "Email headers"),
		choice("hs_email_direction", "Email direction", "EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"),
		choice("hs_email_status", "Email send status", "BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT")),
	"meetings": activitySeeds(text("hs_meeting_body", "Meeting description"), text("hs_meeting_title", "Meeting name"),
		when("hs_meeting_start_time", "Meeting start time"), when("hs_meeting_end_time", "Meeting end time"),
		text("hs_meeting_location", "Meeting location"), text("hs_internal_meeting_notes", "Internal meeting notes"),
		text("hs_meeting_external_url", "External URL"),
		choice("hs_meeting_outcome", "Meeting outcome", "SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED")),
	"tasks": activitySeeds(text("hs_task_body", "Task notes"), text("hs_task_subject", "Task title"),
		choice("hs_task_status", "Task status", "NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"),
		choice("hs_task_priority", "Priority", "NONE", "LOW", "MEDIUM", "HIGH"),
		choice("hs_task_type", "Task type", "EMAIL", "CALL", "TODO"),
		text("hs_task_reminders", "Reminders")),
	"communications": activitySeeds(text("hs_communication_body", "Message body"),
		choice("hs_communication_channel_type", "Channel type", "SMS", "WHATS_APP", "LINKEDIN_MESSAGE"),
		choice("hs_communication_logged_from", "Logged from", "CRM")),
	"postal_mail": activitySeeds(text("hs_postal_mail_body", "Postal mail body")),
}

// activityGroups are the property groups an activity type starts with.
var activityGroups = [][2]string{{activityGroup, "Activity information"}}

// isActivity reports whether objectType (canonical) is an activity type.
func isActivity(objectType string) bool {
	_, ok := activityProps[objectType]
	return ok
}

// missingTimestamp is the error of an activity created without
// hs_timestamp.
func missingTimestamp(objectType string, props map[string]string) []propError {
	if !isActivity(objectType) || props[activityTimestamp] != "" {
		return nil
	}
	return []propError{{activityTimestamp, "REQUIRED", activityTimestamp + " is required to create a " + typeLabel(objectType) + " activity"}}
}
