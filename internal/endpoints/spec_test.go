package endpoints

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

// wantDepartures lists every place a row departs from the spec data in
// spec_gen_test.go. Each departing row explains itself in its Note. A new
// spec commit that changes a fact shows up here as a difference.
var wantDepartures = []string{
	"crm.associations.v3.archive: absent from the spec (numbered)",
	"crm.associations.v3.create: absent from the spec (numbered)",
	"crm.associations.v3.list: absent from the spec (numbered)",
	"crm.associations.v4.labels.archive: BurstExempt true, spec false (numbered)",
	"crm.associations.v4.labels.archive: scope crm.objects.products.write not among the spec's (numbered)",
	"crm.associations.v4.labels.create: BurstExempt true, spec false (numbered)",
	"crm.associations.v4.labels.create: scope crm.objects.products.write not among the spec's (numbered)",
	"crm.associations.v4.labels.list: BurstExempt true, spec false (numbered)",
	"crm.associations.v4.labels.list: scope crm.objects.products.read not among the spec's (numbered)",
	"crm.associations.v4.labels.update: BurstExempt true, spec false (numbered)",
	"crm.associations.v4.labels.update: scope crm.objects.products.write not among the spec's (numbered)",
	"crm.pipelines.audit: scope crm.objects.products.read not among the spec's (numbered 2025-09 2026-03 2026-09)",
	"crm.pipelines.get: scope crm.objects.products.read not among the spec's (numbered 2025-09 2026-03 2026-09)",
	"crm.pipelines.list: scope crm.objects.products.read not among the spec's (numbered 2025-09 2026-03 2026-09)",
	"crm.pipelines.stages.audit: scope crm.objects.products.read not among the spec's (numbered 2025-09 2026-03 2026-09)",
	"crm.pipelines.stages.get: scope crm.objects.products.read not among the spec's (numbered 2025-09 2026-03 2026-09)",
	"crm.pipelines.stages.list: scope crm.objects.products.read not among the spec's (numbered 2025-09 2026-03 2026-09)",
	"crm.schemas.archive: absent from the spec (numbered)",
	"crm.schemas.associations.archive: absent from the spec (numbered)",
	"crm.schemas.associations.create: absent from the spec (numbered)",
	"crm.schemas.create: absent from the spec (numbered)",
	"crm.schemas.get: absent from the spec (numbered)",
	"crm.schemas.list: absent from the spec (numbered)",
	"crm.schemas.purge: absent from the spec (numbered)",
	"crm.schemas.update: absent from the spec (numbered)",
	"marketing.emails.get: scope marketing.email.read not among the spec's (2025-09 2026-09)",
	"marketing.emails.get: scope marketing.email.write not among the spec's (2025-09 2026-09)",
	"marketing.emails.list: scope marketing.email.read not among the spec's (2025-09 2026-09)",
	"marketing.emails.list: scope marketing.email.write not among the spec's (2025-09 2026-09)",
	"marketing.emails.update: scope marketing.email.read not among the spec's (2025-09 2026-09)",
	"marketing.emails.update: scope marketing.email.write not among the spec's (2025-09 2026-09)",
	"files.folders.search: scope files.read not among the spec's (2025-09 2026-09)",
	"files.folders.update: scope files.ui_hidden.write not among the spec's (2025-09 2026-09)",
	"files.folders.update: scope files.write not among the spec's (2025-09 2026-09)",
	"files.import-from-url.status: scope files.read not among the spec's (2025-09 2026-09)",
	"files.import-from-url: scope files.ui_hidden.write not among the spec's (2025-09 2026-09)",
	"files.import-from-url: scope files.write not among the spec's (2025-09 2026-09)",
	"files.search: scope files.read not among the spec's (2025-09 2026-09)",
	"forms.submissions.list: absent from the spec (numbered)",
	"crm.timeline.events.detail: absent from the spec (numbered)",
	"crm.timeline.templates.create: credential developer-key, spec schemes [oauth2] (numbered)",
	"crm.timeline.templates.delete: credential developer-key, spec schemes [oauth2] (numbered)",
	"crm.timeline.templates.get: credential developer-key, spec schemes [oauth2] (numbered)",
	"crm.timeline.templates.list: credential developer-key, spec schemes [oauth2] (numbered)",
	"crm.timeline.templates.tokens.create: credential developer-key, spec schemes [oauth2] (numbered)",
	"crm.timeline.templates.tokens.delete: credential developer-key, spec schemes [oauth2] (numbered)",
	"crm.timeline.templates.tokens.update: credential developer-key, spec schemes [oauth2] (numbered)",
	"crm.timeline.templates.update: credential developer-key, spec schemes [oauth2] (numbered)",
	"forms.submit: absent from the spec (numbered)",
	"settings.users.create: absent from the spec (numbered)",
	"settings.users.list: absent from the spec (numbered)",
	"webhooks.settings.delete: credential developer-key, spec schemes [oauth2] (numbered)",
	"webhooks.settings.get: credential developer-key, spec schemes [oauth2] (numbered)",
	"webhooks.settings.update: credential developer-key, spec schemes [oauth2] (numbered)",
	"webhooks.subscriptions.batch.update: credential developer-key, spec schemes [oauth2] (numbered)",
	"webhooks.subscriptions.create: credential developer-key, spec schemes [oauth2] (numbered)",
	"webhooks.subscriptions.delete: credential developer-key, spec schemes [oauth2] (numbered)",
	"webhooks.subscriptions.get: credential developer-key, spec schemes [oauth2] (numbered)",
	"webhooks.subscriptions.list: credential developer-key, spec schemes [oauth2] (numbered)",
	"webhooks.subscriptions.put: absent from the spec (numbered)",
	"webhooks.subscriptions.update: credential developer-key, spec schemes [oauth2] (numbered)",
}

func TestSpecCommit(t *testing.T) {
	if SpecCommit != specGenCommit {
		t.Fatalf("SpecCommit = %s, but spec_gen_test.go was generated from %s: check the rows against it and update SpecCommit", SpecCommit, specGenCommit)
	}
}

// specFor returns the spec entries for a row's template in version v.
func specFor(o *Op, v Version) []specEntry {
	tmpl := o.Path
	if v != Numbered {
		tmpl = o.Dated
	}
	var out []specEntry
	for _, e := range specEntries {
		if e.Method == o.Method && e.Path == tmpl && e.Version == v {
			out = append(out, e)
		}
	}
	return out
}

// specScopes returns the scopes the spec allows a call for objectType
// with: the union of the scope sets of the per-object specs for that type
// (CRM/Contacts, ...) when there are any; else, when no per-object spec
// has the call at all or the type is a custom one, of the specs for every
// type (CRM/Objects, ...). It returns false when the per-object specs
// offer the call for other types only: HubSpot does not offer it for
// objectType (GDPR delete is for contacts), so there is no scope to check.
// With anyType (association rows, whose two sides have different types)
// it returns the union of all entries.
func specScopes(entries []specEntry, objectType string, anyType bool) (map[string]bool, bool) {
	set := map[string]bool{}
	add := func(e specEntry) {
		for _, s := range specScopeSets[e.Scopes] {
			set[s] = true
		}
	}
	if anyType || objectType == "" {
		for _, e := range entries {
			add(e)
		}
		return set, true
	}
	typed, thisType := false, false
	for _, e := range entries {
		if e.Type != "" {
			typed = true
		}
		if e.Type == objectType {
			thisType = true
			add(e)
		}
	}
	if thisType {
		return set, true
	}
	ot, _ := LookupObjectType(objectType)
	if typed && !ot.Custom {
		return nil, false
	}
	generic := false
	for _, e := range entries {
		if e.Type == "" {
			generic = true
			add(e)
		}
	}
	return set, generic
}

var bearerSchemes = []string{"oauth2", "oauth2_1", "oauth2_legacy", "private_apps", "private_apps_legacy"}

// credOK reports whether a row's credential kind is among the spec's
// security schemes.
func credOK(c Cred, entries []specEntry) bool {
	var schemes []string
	for _, e := range entries {
		schemes = append(schemes, e.Schemes...)
	}
	switch c {
	case Bearer:
		return slices.ContainsFunc(schemes, func(s string) bool { return slices.Contains(bearerSchemes, s) })
	case DeveloperKey:
		return slices.Contains(schemes, "developer_hapikey")
	case NoCred:
		return len(schemes) == 0
	}
	return false
}

func exempt(entries []specEntry) bool {
	return slices.ContainsFunc(entries, func(e specEntry) bool { return slices.Contains(e.Exempt, "ten-secondly") })
}

// typeParams returns which object type parameters o's scopes use.
func typeParams(o *Op) []string {
	var out []string
	for _, g := range o.Scopes {
		for _, s := range g {
			if p, _ := splitTemplate(s); strings.HasPrefix(s, "{") && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// checkTypes are the object types the scope check resolves templates with.
func checkTypes() []string {
	var out []string
	for _, t := range standardTypes {
		out = append(out, t.Name)
	}
	return append(out, "2-123")
}

// departures compares every row with the spec data.
func departures(t *testing.T) []string {
	var out []string
	for _, o := range All() {
		versions := append([]Version{Numbered}, o.Versions...)
		// Every dated version the spec offers must be listed.
		if o.Dated != "" {
			var inSpec []Version
			for _, v := range DatedVersions() {
				if len(specFor(o, v)) > 0 {
					inSpec = append(inSpec, v)
				}
			}
			if !slices.Equal(inSpec, o.Versions) {
				t.Errorf("%s: Versions = %v, the spec offers %v", o.Name, o.Versions, inSpec)
			}
		}
		bad := map[string][]string{} // message -> versions
		for _, v := range versions {
			entries := specFor(o, v)
			if len(entries) == 0 {
				bad["absent from the spec"] = append(bad["absent from the spec"], v.String())
				continue
			}
			if !credOK(o.Cred, entries) {
				var schemes []string
				for _, e := range entries {
					schemes = append(schemes, e.Schemes...)
				}
				slices.Sort(schemes)
				msg := fmt.Sprintf("credential %s, spec schemes %v", o.Cred, slices.Compact(schemes))
				bad[msg] = append(bad[msg], v.String())
			}
			if got := exempt(entries); got != o.BurstExempt {
				msg := fmt.Sprintf("BurstExempt %v, spec %v", o.BurstExempt, got)
				bad[msg] = append(bad[msg], v.String())
			}
			params := typeParams(o)
			types := []string{""}
			if len(params) > 0 {
				types = checkTypes()
			}
			for _, typ := range types {
				p := map[string]string{}
				for _, name := range params {
					p[name] = typ
				}
				req, err := o.AllowedScopes(p)
				if err != nil {
					t.Fatalf("%s: %v", o.Name, err)
				}
				allowed, offered := specScopes(entries, typ, len(params) > 1)
				if !offered {
					continue
				}
				for _, g := range req {
					for _, s := range g {
						if !allowed[s] {
							msg := fmt.Sprintf("scope %s not among the spec's", s)
							if !slices.Contains(bad[msg], v.String()) {
								bad[msg] = append(bad[msg], v.String())
							}
						}
					}
				}
			}
		}
		for msg, vs := range bad {
			out = append(out, fmt.Sprintf("%s: %s (%s)", o.Name, msg, strings.Join(vs, " ")))
		}
	}
	sort.Strings(out)
	return out
}

func TestRowsAgreeWithSpec(t *testing.T) {
	got := departures(t)
	for _, d := range got {
		t.Log(d)
	}
	if !slices.Equal(got, wantDepartures) {
		for _, d := range got {
			if !slices.Contains(wantDepartures, d) {
				t.Errorf("new departure from the spec: %s", d)
			}
		}
		for _, d := range wantDepartures {
			if !slices.Contains(got, d) {
				t.Errorf("departure no longer found (remove it, and the row's Note if it no longer applies): %s", d)
			}
		}
	}
	for _, d := range got {
		name, _, _ := strings.Cut(d, ":")
		if o, ok := Lookup(name); !ok || o.Note == "" {
			t.Errorf("%s departs from the spec but has no Note saying why", name)
		}
	}
}
