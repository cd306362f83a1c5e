package hubspottest

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// JSON shapes of the properties v3 API.

type propertyOut struct {
	UpdatedAt            string      `json:"updatedAt,omitempty"`
	CreatedAt            string      `json:"createdAt,omitempty"`
	ArchivedAt           string      `json:"archivedAt,omitempty"`
	Name                 string      `json:"name"`
	Label                string      `json:"label"`
	Type                 string      `json:"type"`
	FieldType            string      `json:"fieldType"`
	Description          string      `json:"description"`
	GroupName            string      `json:"groupName"`
	Options              []optionOut `json:"options"`
	ReferencedObjectType string      `json:"referencedObjectType,omitempty"`
	DisplayOrder         int         `json:"displayOrder"`
	Calculated           bool        `json:"calculated"`
	ExternalOptions      bool        `json:"externalOptions"`
	Archived             bool        `json:"archived"`
	HasUniqueValue       bool        `json:"hasUniqueValue"`
	Hidden               bool        `json:"hidden"`
	HubspotDefined       bool        `json:"hubspotDefined,omitempty"`
	ShowCurrencySymbol   bool        `json:"showCurrencySymbol,omitempty"`
	ModificationMetadata modMetaOut  `json:"modificationMetadata"`
	FormField            bool        `json:"formField"`
	CalculationFormula   string      `json:"calculationFormula,omitempty"`
}

type optionOut struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	Description  string `json:"description"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

type modMetaOut struct {
	Archivable         bool `json:"archivable"`
	ReadOnlyDefinition bool `json:"readOnlyDefinition"`
	ReadOnlyValue      bool `json:"readOnlyValue"`
}

type groupOut struct {
	Name         string `json:"name"`
	Label        string `json:"label"`
	DisplayOrder int    `json:"displayOrder"`
	Archived     bool   `json:"archived"`
}

// propTable holds one object type's property definitions and groups, in
// the order they were made; the db lock guards it.
type propTable struct {
	props      []*propertyOut
	groups     []*groupOut
	builtinGrp map[string]bool // HubSpot's own groups, which cannot be archived
}

func (p *propTable) prop(name string) *propertyOut {
	for _, x := range p.props {
		if x.Name == name {
			return x
		}
	}
	return nil
}

// live returns the definition of the property name, or nil when the type
// has no such property or it is archived.
func (p *propTable) live(name string) *propertyOut {
	if x := p.prop(name); x != nil && !x.Archived {
		return x
	}
	return nil
}

func (p *propTable) group(name string) *groupOut {
	for _, g := range p.groups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

func (p *propertyOut) clone() propertyOut {
	c := *p
	c.Options = slices.Clone(p.Options)
	if c.Options == nil {
		c.Options = []optionOut{}
	}
	return c
}

// Property types and the field types HubSpot allows for each.
var fieldTypesFor = map[string][]string{
	"string":       {"text", "textarea", "file", "html", "phonenumber", "calculation_equation"},
	"number":       {"number", "calculation_equation"},
	"date":         {"date"},
	"datetime":     {"date"},
	"enumeration":  {"select", "radio", "checkbox", "booleancheckbox", "calculation_equation"},
	"bool":         {"booleancheckbox", "calculation_equation"},
	"phone_number": {"phonenumber"},
}

// propSeed is one of HubSpot's default properties.
type propSeed struct {
	name, label, typ, field, group string
	options                        []string // values; labels are derived
	flags                          seedFlag
	ref                            string // referencedObjectType
}

type seedFlag uint8

const (
	readOnly  seedFlag = 1 << iota // value and definition read-only, calculated
	external                       // options come from elsewhere (owners, pipelines)
	currency                       // shows the currency symbol
	calculate                      // calculated, value read-only
)

// standard timestamps and ID every type has, in the given group.
func systemSeeds(group, lastModified string) []propSeed {
	return []propSeed{
		{name: "createdate", label: "Create Date", typ: "datetime", field: "date", group: group, flags: readOnly},
		{name: lastModified, label: "Last Modified Date", typ: "datetime", field: "date", group: group, flags: readOnly},
		{name: "hs_object_id", label: "Record ID", typ: "number", field: "number", group: group, flags: readOnly},
		{name: "hs_merged_object_ids", label: "Merged record IDs", typ: "enumeration", field: "checkbox", group: group, flags: readOnly | external},
	}
}

func ownerSeed(group string) propSeed {
	return propSeed{name: "hubspot_owner_id", label: "Owner", typ: "enumeration", field: "select", group: group, flags: external, ref: "OWNER"}
}

var lifecycleStages = []string{"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"}

// defaultGroups and defaultPropSeeds are the HubSpot-defined groups and
// properties each standard object type starts with: a representative set,
// not all of HubSpot's.
var defaultGroups = map[string][][2]string{
	"contacts":   {{"contactinformation", "Contact information"}, {"emailinformation", "Email information"}, {"analyticsinformation", "Web analytics history"}, {"conversioninformation", "Conversion information"}},
	"companies":  {{"companyinformation", "Company information"}, {"analyticsinformation", "Web analytics history"}},
	"deals":      {{"dealinformation", "Deal information"}},
	"tickets":    {{"ticketinformation", "Ticket information"}},
	"products":   {{"productinformation", "Product information"}},
	"line_items": {{"lineiteminformation", "Line item information"}},
	"quotes":     {{"quoteinformation", "Quote information"}},
}

var defaultPropSeeds = map[string][]propSeed{
	"contacts": append([]propSeed{
		{name: "email", label: "Email", typ: "string", field: "text", group: "contactinformation"},
		{name: "hs_additional_emails", label: "Additional email addresses", typ: "enumeration", field: "checkbox", group: "contactinformation", flags: external},
		{name: "firstname", label: "First Name", typ: "string", field: "text", group: "contactinformation"},
		{name: "lastname", label: "Last Name", typ: "string", field: "text", group: "contactinformation"},
		{name: "phone", label: "Phone Number", typ: "string", field: "phonenumber", group: "contactinformation"},
		{name: "mobilephone", label: "Mobile Phone Number", typ: "string", field: "phonenumber", group: "contactinformation"},
		{name: "company", label: "Company Name", typ: "string", field: "text", group: "contactinformation"},
		{name: "jobtitle", label: "Job Title", typ: "string", field: "text", group: "contactinformation"},
		{name: "website", label: "Website URL", typ: "string", field: "text", group: "contactinformation"},
		{name: "address", label: "Street Address", typ: "string", field: "text", group: "contactinformation"},
		{name: "city", label: "City", typ: "string", field: "text", group: "contactinformation"},
		{name: "state", label: "State/Region", typ: "string", field: "text", group: "contactinformation"},
		{name: "zip", label: "Postal Code", typ: "string", field: "text", group: "contactinformation"},
		{name: "country", label: "Country/Region", typ: "string", field: "text", group: "contactinformation"},
		{name: "lifecyclestage", label: "Lifecycle Stage", typ: "enumeration", field: "radio", group: "contactinformation", options: lifecycleStages},
		{name: "hs_lead_status", label: "Lead Status", typ: "enumeration", field: "radio", group: "sales_properties", options: []string{"NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING"}},
		ownerSeed("contactinformation"),
		{name: "hs_email_optout", label: "Unsubscribed from all email", typ: "enumeration", field: "booleancheckbox", group: "emailinformation", options: []string{"true", "false"}, flags: readOnly},
		{name: "hs_analytics_source", label: "Original Source", typ: "enumeration", field: "select", group: "analyticsinformation", options: []string{"ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS", "OTHER_CAMPAIGNS", "DIRECT_TRAFFIC", "OFFLINE", "PAID_SOCIAL"}, flags: calculate},
		{name: "num_conversion_events", label: "Number of Form Submissions", typ: "number", field: "number", group: "conversioninformation", flags: calculate},
	}, systemSeeds("contactinformation", "lastmodifieddate")...),
	"companies": append([]propSeed{
		{name: "name", label: "Company name", typ: "string", field: "text", group: "companyinformation"},
		{name: "domain", label: "Company Domain Name", typ: "string", field: "text", group: "companyinformation"},
		{name: "website", label: "Website URL", typ: "string", field: "text", group: "companyinformation"},
		{name: "phone", label: "Phone Number", typ: "string", field: "phonenumber", group: "companyinformation"},
		{name: "address", label: "Street Address", typ: "string", field: "text", group: "companyinformation"},
		{name: "city", label: "City", typ: "string", field: "text", group: "companyinformation"},
		{name: "state", label: "State/Region", typ: "string", field: "text", group: "companyinformation"},
		{name: "zip", label: "Postal Code", typ: "string", field: "text", group: "companyinformation"},
		{name: "country", label: "Country/Region", typ: "string", field: "text", group: "companyinformation"},
		{name: "industry", label: "Industry", typ: "enumeration", field: "select", group: "companyinformation", options: []string{"ACCOUNTING", "COMPUTER_SOFTWARE", "FINANCIAL_SERVICES", "HOSPITAL_HEALTH_CARE", "RETAIL", "OTHER"}},
		{name: "type", label: "Type", typ: "enumeration", field: "select", group: "companyinformation", options: []string{"PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER"}},
		{name: "numberofemployees", label: "Number of Employees", typ: "number", field: "number", group: "companyinformation"},
		{name: "annualrevenue", label: "Annual Revenue", typ: "number", field: "number", group: "companyinformation", flags: currency},
		{name: "description", label: "Description", typ: "string", field: "textarea", group: "companyinformation"},
		{name: "lifecyclestage", label: "Lifecycle Stage", typ: "enumeration", field: "radio", group: "companyinformation", options: lifecycleStages},
		ownerSeed("companyinformation"),
		{name: "hs_analytics_source", label: "Original Source Type", typ: "enumeration", field: "select", group: "analyticsinformation", options: []string{"ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS", "OTHER_CAMPAIGNS", "DIRECT_TRAFFIC", "OFFLINE", "PAID_SOCIAL"}, flags: calculate},
	}, systemSeeds("companyinformation", "hs_lastmodifieddate")...),
	"deals": append([]propSeed{
		{name: "dealname", label: "Deal Name", typ: "string", field: "text", group: "dealinformation"},
		{name: "amount", label: "Amount", typ: "number", field: "number", group: "dealinformation", flags: currency},
		{name: "dealstage", label: "Deal Stage", typ: "enumeration", field: "radio", group: "dealinformation", flags: external, ref: "PIPELINE_STAGE"},
		{name: "pipeline", label: "Pipeline", typ: "enumeration", field: "select", group: "dealinformation", flags: external, ref: "PIPELINE"},
		{name: "closedate", label: "Close Date", typ: "datetime", field: "date", group: "dealinformation"},
		{name: "dealtype", label: "Deal Type", typ: "enumeration", field: "radio", group: "dealinformation", options: []string{"newbusiness", "existingbusiness"}},
		{name: "description", label: "Deal Description", typ: "string", field: "textarea", group: "dealinformation"},
		ownerSeed("dealinformation"),
	}, systemSeeds("dealinformation", "hs_lastmodifieddate")...),
	"tickets": append([]propSeed{
		{name: "subject", label: "Ticket name", typ: "string", field: "text", group: "ticketinformation"},
		{name: "content", label: "Ticket description", typ: "string", field: "textarea", group: "ticketinformation"},
		{name: "hs_pipeline", label: "Pipeline", typ: "enumeration", field: "select", group: "ticketinformation", flags: external, ref: "PIPELINE"},
		{name: "hs_pipeline_stage", label: "Ticket status", typ: "enumeration", field: "select", group: "ticketinformation", flags: external, ref: "PIPELINE_STAGE"},
		{name: "hs_ticket_priority", label: "Priority", typ: "enumeration", field: "select", group: "ticketinformation", options: []string{"LOW", "MEDIUM", "HIGH", "URGENT"}},
		{name: "hs_ticket_category", label: "Category", typ: "enumeration", field: "checkbox", group: "ticketinformation", options: []string{"PRODUCT_ISSUE", "BILLING_ISSUE", "FEATURE_REQUEST", "GENERAL_INQUIRY"}},
		ownerSeed("ticketinformation"),
	}, systemSeeds("ticketinformation", "hs_lastmodifieddate")...),
	"products": append([]propSeed{
		{name: "name", label: "Name", typ: "string", field: "text", group: "productinformation"},
		{name: "description", label: "Description", typ: "string", field: "textarea", group: "productinformation"},
		{name: "price", label: "Unit price", typ: "number", field: "number", group: "productinformation", flags: currency},
		{name: "hs_sku", label: "SKU", typ: "string", field: "text", group: "productinformation"},
		{name: "hs_cost_of_goods_sold", label: "Unit cost", typ: "number", field: "number", group: "productinformation", flags: currency},
		{name: "hs_recurring_billing_period", label: "Term", typ: "string", field: "text", group: "productinformation"},
	}, systemSeeds("productinformation", "hs_lastmodifieddate")...),
	"line_items": append([]propSeed{
		{name: "name", label: "Name", typ: "string", field: "text", group: "lineiteminformation"},
		{name: "description", label: "Description", typ: "string", field: "textarea", group: "lineiteminformation"},
		{name: "price", label: "Unit price", typ: "number", field: "number", group: "lineiteminformation", flags: currency},
		{name: "quantity", label: "Quantity", typ: "number", field: "number", group: "lineiteminformation"},
		{name: "discount", label: "Unit discount", typ: "number", field: "number", group: "lineiteminformation", flags: currency},
		{name: "amount", label: "Net price", typ: "number", field: "number", group: "lineiteminformation", flags: currency | calculate},
		{name: "hs_product_id", label: "Product ID", typ: "number", field: "number", group: "lineiteminformation"},
	}, systemSeeds("lineiteminformation", "hs_lastmodifieddate")...),
	"quotes": append([]propSeed{
		{name: "hs_title", label: "Quote Name", typ: "string", field: "text", group: "quoteinformation"},
		{name: "hs_expiration_date", label: "Expiration Date", typ: "date", field: "date", group: "quoteinformation"},
		{name: "hs_status", label: "Quote approval status", typ: "enumeration", field: "select", group: "quoteinformation", options: []string{"DRAFT", "APPROVAL_NOT_NEEDED", "PENDING_APPROVAL", "APPROVED", "REJECTED"}},
		{name: "hs_public_url_key", label: "Public URL key", typ: "string", field: "text", group: "quoteinformation", flags: readOnly},
	}, systemSeeds("quoteinformation", "hs_lastmodifieddate")...),
}

// customGroup is the group the base properties of a custom object type
// are seeded in.
const customGroup = "object_information"

func optionLabel(v string) string {
	switch v {
	case "true":
		return "Yes"
	case "false":
		return "No"
	}
	words := strings.Fields(strings.ToLower(strings.ReplaceAll(v, "_", " ")))
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// schemaLocked returns the property table of objectType, seeding
// HubSpot's default groups and properties on first use.
func (d *db) schemaLocked(objectType string) *propTable {
	if d.schema == nil {
		d.schema = map[string]*propTable{}
	}
	if p := d.schema[objectType]; p != nil {
		return p
	}
	now := fmtTime(d.clock.Now())
	p := &propTable{builtinGrp: map[string]bool{}}
	groups, seeds := defaultGroups[objectType], defaultPropSeeds[objectType]
	if s, ok := activityProps[objectType]; ok {
		groups, seeds = activityGroups, s
	}
	if seeds == nil {
		groups = [][2]string{{customGroup, "Object information"}}
		seeds = systemSeeds(customGroup, "hs_lastmodifieddate")
	}
	for i, g := range groups {
		p.groups = append(p.groups, &groupOut{Name: g[0], Label: g[1], DisplayOrder: i})
		p.builtinGrp[g[0]] = true
	}
	for _, s := range seeds {
		if p.group(s.group) == nil {
			p.groups = append(p.groups, &groupOut{Name: s.group, Label: optionLabel(s.group), DisplayOrder: len(p.groups)})
			p.builtinGrp[s.group] = true
		}
		prop := &propertyOut{
			CreatedAt: now, UpdatedAt: now,
			Name: s.name, Label: s.label, Type: s.typ, FieldType: s.field, GroupName: s.group,
			Options: []optionOut{}, ReferencedObjectType: s.ref, DisplayOrder: -1,
			HubspotDefined: true, FormField: s.flags&(readOnly|calculate) == 0,
			ExternalOptions:      s.flags&external != 0,
			ShowCurrencySymbol:   s.flags&currency != 0,
			Calculated:           s.flags&(readOnly|calculate) != 0 && s.name != "hs_object_id",
			ModificationMetadata: modMetaOut{Archivable: false, ReadOnlyDefinition: s.flags&readOnly != 0, ReadOnlyValue: s.flags&(readOnly|calculate) != 0},
		}
		for i, v := range s.options {
			prop.Options = append(prop.Options, optionOut{Label: optionLabel(v), Value: v, DisplayOrder: i})
		}
		p.props = append(p.props, prop)
	}
	// The test's own properties (WithProperties, WithUniqueProperty).
	define := func(name string) *propertyOut {
		if x := p.prop(name); x != nil {
			return x
		}
		x := &propertyOut{
			CreatedAt: now, UpdatedAt: now, Name: name, Label: name, Type: "string", FieldType: "text",
			GroupName: p.groups[0].Name, Options: []optionOut{}, DisplayOrder: -1, FormField: true,
			ModificationMetadata: modMetaOut{Archivable: true},
		}
		p.props = append(p.props, x)
		return x
	}
	for _, name := range d.declared[objectType] {
		define(name)
	}
	for _, name := range d.unique[objectType] {
		define(name).HasUniqueValue = true
	}
	d.schema[objectType] = p
	return p
}

func propertyNotFound(objectType, name string) *apiError {
	return &apiError{status: http.StatusNotFound, Category: catNotFound,
		Message: fmt.Sprintf("Unable to find property with name '%s' for object type %s.", name, typeID(objectType)),
		Context: map[string][]string{"name": {name}}}
}

func groupNotFound(objectType, name string) *apiError {
	return &apiError{status: http.StatusNotFound, Category: catNotFound,
		Message: fmt.Sprintf("Unable to find property group with name '%s' for object type %s.", name, typeID(objectType)),
		Context: map[string][]string{"name": {name}}}
}

func (q *request) listProperties(objectType string) {
	archived, ok := q.boolParam(q.r.URL.Query(), "archived")
	if !ok {
		return
	}
	d := q.s.db
	d.mu.Lock()
	out := []propertyOut{}
	for _, p := range d.schemaLocked(objectType).props {
		if p.Archived == archived {
			out = append(out, p.clone())
		}
	}
	d.mu.Unlock()
	q.reply(http.StatusOK, struct {
		Results []propertyOut `json:"results"`
	}{out})
}

func (q *request) getProperty(objectType, name string) {
	archived, ok := q.boolParam(q.r.URL.Query(), "archived")
	if !ok {
		return
	}
	d := q.s.db
	d.mu.Lock()
	p := d.schemaLocked(objectType).prop(name)
	var out propertyOut
	if p != nil {
		out = p.clone()
	}
	d.mu.Unlock()
	if p == nil || out.Archived != archived {
		q.fail(propertyNotFound(objectType, name))
		return
	}
	q.reply(http.StatusOK, out)
}

// propertyIn is the body of a property create or update; nil fields were
// not sent.
type propertyIn struct {
	Name                 *string     `json:"name"`
	Label                *string     `json:"label"`
	Type                 *string     `json:"type"`
	FieldType            *string     `json:"fieldType"`
	GroupName            *string     `json:"groupName"`
	Description          *string     `json:"description"`
	Options              []optionOut `json:"options"`
	DisplayOrder         *int        `json:"displayOrder"`
	HasUniqueValue       *bool       `json:"hasUniqueValue"`
	Hidden               *bool       `json:"hidden"`
	FormField            *bool       `json:"formField"`
	ExternalOptions      *bool       `json:"externalOptions"`
	ReferencedObjectType *string     `json:"referencedObjectType"`
	CalculationFormula   *string     `json:"calculationFormula"`
}

// propertyName is what HubSpot accepts as a property's internal name.
var propertyName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,99}$`)

// maxUniqueProperties is how many custom properties of one object type
// may require unique values.
const maxUniqueProperties = 10

// checkDefinition validates a property's type, field type, group and
// options; details name each problem.
func checkDefinition(p *propertyOut, schema *propTable) []errorDetail {
	var errs []errorDetail
	allowed, known := fieldTypesFor[p.Type]
	switch {
	case !known:
		errs = append(errs, errorDetail{Message: fmt.Sprintf("%q is not a valid property type; use one of string, number, date, datetime, enumeration, bool, phone_number", p.Type), Code: "INVALID_TYPE", In: "type"})
	case !slices.Contains(allowed, p.FieldType):
		errs = append(errs, errorDetail{Message: fmt.Sprintf("fieldType %q is not valid for type %q; use one of %s", p.FieldType, p.Type, strings.Join(allowed, ", ")), Code: "INVALID_FIELD_TYPE", In: "fieldType"})
	}
	if g := schema.group(p.GroupName); g == nil || g.Archived {
		errs = append(errs, errorDetail{Message: fmt.Sprintf("property group %q does not exist", p.GroupName), Code: "INVALID_GROUP", In: "groupName"})
	}
	if p.Type == "enumeration" && len(p.Options) == 0 && !p.ExternalOptions {
		errs = append(errs, errorDetail{Message: "enumeration properties need options", Code: "REQUIRED_FIELD", In: "options"})
	}
	seen := map[string]bool{}
	for i, o := range p.Options {
		if strings.TrimSpace(o.Label) == "" || o.Value == "" {
			errs = append(errs, errorDetail{Message: fmt.Sprintf("option %d needs a label and a value", i), Code: "INVALID_OPTION", In: fmt.Sprintf("options[%d]", i)})
			continue
		}
		if seen[o.Value] {
			errs = append(errs, errorDetail{Message: fmt.Sprintf("option value %q appears more than once", o.Value), Code: "DUPLICATE_OPTION", In: fmt.Sprintf("options[%d].value", i)})
		}
		seen[o.Value] = true
	}
	return errs
}

func propertyValidation(corr string, errs []errorDetail) *apiError {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Message
	}
	return validationError(corr, "Property definition is not valid: "+strings.Join(msgs, "; ")+".", errs...)
}

func (q *request) createProperty(objectType string) {
	var in propertyIn
	if !q.decode(&in) {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	p, e := q.newPropertyLocked(objectType, in)
	if e != nil {
		q.fail(e)
		return
	}
	q.reply(http.StatusCreated, p.clone())
}

// newPropertyLocked checks a property definition and adds it to
// objectType's properties. The caller holds the db lock.
func (q *request) newPropertyLocked(objectType string, in propertyIn) (*propertyOut, *apiError) {
	var missing []errorDetail
	for _, f := range []struct {
		name string
		v    *string
	}{{"name", in.Name}, {"label", in.Label}, {"type", in.Type}, {"fieldType", in.FieldType}, {"groupName", in.GroupName}} {
		if f.v == nil || strings.TrimSpace(*f.v) == "" {
			missing = append(missing, errorDetail{Message: f.name + " is required", Code: "REQUIRED_FIELD", In: f.name})
		}
	}
	if len(missing) > 0 {
		return nil, propertyValidation(q.corr, missing)
	}
	name := *in.Name
	switch {
	case !propertyName.MatchString(name):
		return nil, propertyValidation(q.corr, []errorDetail{{Message: fmt.Sprintf("%q is not a valid property name: use lowercase letters, digits and underscores, starting with a letter (at most 100)", name), Code: "INVALID_PROPERTY_NAME", In: "name"}})
	case strings.HasPrefix(name, "hs_"):
		return nil, propertyValidation(q.corr, []errorDetail{{Message: fmt.Sprintf("%q uses the hs_ prefix, which HubSpot reserves for its own properties", name), Code: "INVALID_PROPERTY_NAME", In: "name"}})
	}
	d := q.s.db
	schema := d.schemaLocked(objectType)
	if old := schema.prop(name); old != nil {
		msg := fmt.Sprintf("Property named '%s' already exists.", name)
		if old.Archived {
			msg = fmt.Sprintf("Property named '%s' already exists (archived).", name)
		}
		return nil, &apiError{status: http.StatusConflict, Category: "OBJECT_ALREADY_EXISTS", Message: msg, Context: map[string][]string{"name": {name}}, CorrelationID: q.corr}
	}
	now := fmtTime(d.clock.Now())
	p := &propertyOut{
		CreatedAt: now, UpdatedAt: now, Name: name, Label: strings.TrimSpace(*in.Label),
		Type: *in.Type, FieldType: *in.FieldType, GroupName: *in.GroupName,
		Options: normalizeOptions(in.Options), DisplayOrder: -1,
	}
	if in.Description != nil {
		p.Description = *in.Description
	}
	if in.DisplayOrder != nil {
		p.DisplayOrder = *in.DisplayOrder
	}
	if in.Hidden != nil {
		p.Hidden = *in.Hidden
	}
	if in.FormField != nil {
		p.FormField = *in.FormField
	}
	if in.ExternalOptions != nil {
		p.ExternalOptions = *in.ExternalOptions
	}
	if in.ReferencedObjectType != nil {
		p.ReferencedObjectType = *in.ReferencedObjectType
	}
	if in.CalculationFormula != nil {
		p.CalculationFormula = *in.CalculationFormula
		p.Calculated = p.CalculationFormula != ""
	}
	if p.Type == "bool" && len(p.Options) == 0 {
		p.Options = []optionOut{{Label: "Yes", Value: "true", DisplayOrder: 0}, {Label: "No", Value: "false", DisplayOrder: 1}}
	}
	p.ModificationMetadata = modMetaOut{Archivable: true, ReadOnlyValue: p.Calculated}
	if errs := checkDefinition(p, schema); len(errs) > 0 {
		return nil, propertyValidation(q.corr, errs)
	}
	if in.HasUniqueValue != nil && *in.HasUniqueValue {
		n := 0
		for _, x := range schema.props {
			if x.HasUniqueValue && !x.HubspotDefined {
				n++
			}
		}
		if n >= maxUniqueProperties {
			return nil, validationError(q.corr, fmt.Sprintf("%s already has %d properties with unique values, the most HubSpot allows.", objectType, maxUniqueProperties))
		}
		if e := d.addUniqueLocked(objectType, name); e != "" {
			return nil, validationError(q.corr, e)
		}
		p.HasUniqueValue = true
	}
	schema.props = append(schema.props, p)
	return p, nil
}

// normalizeOptions trims the options' labels, as HubSpot stores them.
func normalizeOptions(in []optionOut) []optionOut {
	out := make([]optionOut, len(in))
	for i, o := range in {
		o.Label = strings.TrimSpace(o.Label)
		out[i] = o
	}
	return out
}

// addUniqueLocked makes prop a unique property of the object store's
// table, so objects may be found by it (idProperty) and duplicates are
// refused. It reports a problem when stored objects already share a value.
func (d *db) addUniqueLocked(objectType, prop string) string {
	t := d.tableLocked(objectType)
	if t.isUnique(prop) {
		return ""
	}
	index := map[string]int64{}
	for _, id := range t.ids {
		r := t.byID[id]
		v := strings.ToLower(r.props[prop])
		if r.archived || v == "" {
			continue
		}
		if other, dup := index[v]; dup {
			return fmt.Sprintf("Objects %d and %d share the value %q of %s, which cannot become unique.", other, r.id, r.props[prop], prop)
		}
		index[v] = r.id
	}
	t.unique = append(t.unique, prop)
	t.index[prop] = index
	return ""
}

func (q *request) updateProperty(objectType, name string) {
	var in propertyIn
	if !q.decode(&in) {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	schema := d.schemaLocked(objectType)
	p := schema.prop(name)
	if p == nil || p.Archived {
		q.fail(propertyNotFound(objectType, name))
		return
	}
	if p.ModificationMetadata.ReadOnlyDefinition {
		q.fail(validationError(q.corr, fmt.Sprintf("Property '%s' is read-only and its definition cannot be changed.", name)))
		return
	}
	if in.Name != nil && *in.Name != name {
		q.fail(validationError(q.corr, "A property's name cannot be changed.", errorDetail{Message: "name is immutable", Code: "IMMUTABLE_FIELD", In: "name"}))
		return
	}
	if in.HasUniqueValue != nil && *in.HasUniqueValue != p.HasUniqueValue {
		q.fail(validationError(q.corr, "hasUniqueValue can only be set when a property is created.", errorDetail{Message: "hasUniqueValue is immutable", Code: "IMMUTABLE_FIELD", In: "hasUniqueValue"}))
		return
	}
	next := p.clone()
	if p.HubspotDefined && (in.Type != nil && *in.Type != p.Type || in.FieldType != nil && *in.FieldType != p.FieldType) {
		q.fail(validationError(q.corr, fmt.Sprintf("The type of HubSpot's property '%s' cannot be changed.", name)))
		return
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if in.Label != nil && strings.TrimSpace(*in.Label) == "" {
		q.fail(propertyValidation(q.corr, []errorDetail{{Message: "label cannot be empty", Code: "REQUIRED_FIELD", In: "label"}}))
		return
	}
	set(&next.Label, in.Label)
	set(&next.Type, in.Type)
	set(&next.FieldType, in.FieldType)
	set(&next.GroupName, in.GroupName)
	set(&next.Description, in.Description)
	set(&next.CalculationFormula, in.CalculationFormula)
	if in.Options != nil {
		next.Options = normalizeOptions(in.Options)
	}
	if in.DisplayOrder != nil {
		next.DisplayOrder = *in.DisplayOrder
	}
	if in.Hidden != nil {
		next.Hidden = *in.Hidden
	}
	if in.FormField != nil {
		next.FormField = *in.FormField
	}
	if errs := checkDefinition(&next, schema); len(errs) > 0 {
		q.fail(propertyValidation(q.corr, errs))
		return
	}
	next.UpdatedAt = fmtTime(d.clock.Now())
	*p = next
	q.reply(http.StatusOK, p.clone())
}

func (q *request) archiveProperty(objectType, name string) {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.schemaLocked(objectType).prop(name)
	if p == nil || p.Archived {
		q.fail(propertyNotFound(objectType, name))
		return
	}
	if !p.ModificationMetadata.Archivable {
		q.fail(validationError(q.corr, fmt.Sprintf("Property '%s' is defined by HubSpot and cannot be archived.", name)))
		return
	}
	now := d.clock.Now()
	p.Archived, p.ArchivedAt, p.UpdatedAt = true, fmtTime(now), fmtTime(now)
	q.w.WriteHeader(http.StatusNoContent)
}

func (q *request) listGroups(objectType string) {
	d := q.s.db
	d.mu.Lock()
	out := []groupOut{}
	for _, g := range d.schemaLocked(objectType).groups {
		if !g.Archived {
			out = append(out, *g)
		}
	}
	d.mu.Unlock()
	q.reply(http.StatusOK, struct {
		Results []groupOut `json:"results"`
	}{out})
}

func (q *request) getGroup(objectType, name string) {
	d := q.s.db
	d.mu.Lock()
	g := d.schemaLocked(objectType).group(name)
	var out groupOut
	if g != nil {
		out = *g
	}
	d.mu.Unlock()
	if g == nil || out.Archived {
		q.fail(groupNotFound(objectType, name))
		return
	}
	q.reply(http.StatusOK, out)
}

// groupName is what HubSpot accepts as a property group's internal name.
var groupName = regexp.MustCompile(`^[a-z0-9_]{1,100}$`)

func (q *request) createGroup(objectType string) {
	var in struct {
		Name         *string `json:"name"`
		Label        *string `json:"label"`
		DisplayOrder *int    `json:"displayOrder"`
	}
	if !q.decode(&in) {
		return
	}
	var errs []errorDetail
	if in.Name == nil || !groupName.MatchString(*in.Name) {
		errs = append(errs, errorDetail{Message: "name is required: lowercase letters, digits and underscores (at most 100)", Code: "INVALID_NAME", In: "name"})
	}
	if in.Label == nil || strings.TrimSpace(*in.Label) == "" {
		errs = append(errs, errorDetail{Message: "label is required", Code: "REQUIRED_FIELD", In: "label"})
	}
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Message
		}
		q.fail(validationError(q.corr, "Property group is not valid: "+strings.Join(msgs, "; ")+".", errs...))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	schema := d.schemaLocked(objectType)
	if g := schema.group(*in.Name); g != nil {
		q.fail(&apiError{status: http.StatusConflict, Category: "OBJECT_ALREADY_EXISTS",
			Message: fmt.Sprintf("Property group named '%s' already exists.", *in.Name), Context: map[string][]string{"name": {*in.Name}}})
		return
	}
	g := &groupOut{Name: *in.Name, Label: strings.TrimSpace(*in.Label), DisplayOrder: -1}
	if in.DisplayOrder != nil {
		g.DisplayOrder = *in.DisplayOrder
	}
	schema.groups = append(schema.groups, g)
	q.reply(http.StatusCreated, *g)
}

func (q *request) updateGroup(objectType, name string) {
	var in struct {
		Label        *string `json:"label"`
		DisplayOrder *int    `json:"displayOrder"`
	}
	if !q.decode(&in) {
		return
	}
	if in.Label != nil && strings.TrimSpace(*in.Label) == "" {
		q.fail(validationError(q.corr, "label cannot be empty.", errorDetail{Message: "label cannot be empty", Code: "REQUIRED_FIELD", In: "label"}))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	g := d.schemaLocked(objectType).group(name)
	if g == nil || g.Archived {
		q.fail(groupNotFound(objectType, name))
		return
	}
	if in.Label != nil {
		g.Label = strings.TrimSpace(*in.Label)
	}
	if in.DisplayOrder != nil {
		g.DisplayOrder = *in.DisplayOrder
	}
	q.reply(http.StatusOK, *g)
}

func (q *request) archiveGroup(objectType, name string) {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	schema := d.schemaLocked(objectType)
	g := schema.group(name)
	if g == nil || g.Archived {
		q.fail(groupNotFound(objectType, name))
		return
	}
	if schema.builtinGrp[name] {
		q.fail(validationError(q.corr, fmt.Sprintf("Property group '%s' is defined by HubSpot and cannot be archived.", name)))
		return
	}
	n := 0
	for _, p := range schema.props {
		if p.GroupName == name && !p.Archived {
			n++
		}
	}
	if n > 0 {
		q.fail(validationError(q.corr, fmt.Sprintf("Property group '%s' still holds %d properties; move or archive them first.", name, n)))
		return
	}
	g.Archived = true
	q.w.WriteHeader(http.StatusNoContent)
}
