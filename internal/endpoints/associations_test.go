package endpoints

import "testing"

// TestAssociationTypesConsistent checks the table's own rules: IDs are
// unique, every type's reverse runs the other way and points back, object
// types are canonical standard names, each pair has exactly one unlabeled
// type (listed first), and a primary type is labeled Primary both ways.
func TestAssociationTypesConsistent(t *testing.T) {
	byID := map[int]AssociationType{}
	unlabeled := map[[2]string]int{}
	seenPair := map[[2]string]bool{}
	for _, a := range AssociationTypes() {
		if _, dup := byID[a.ID]; dup {
			t.Errorf("type %d listed twice", a.ID)
		}
		byID[a.ID] = a
		for _, name := range []string{a.From, a.To} {
			if ot, ok := LookupObjectType(name); !ok || ot.Custom || ot.Name != name {
				t.Errorf("type %d: %q is not a canonical standard object type", a.ID, name)
			}
		}
		if a.Primary != (a.Label == primaryLabel) {
			t.Errorf("type %d: primary %v with label %q", a.ID, a.Primary, a.Label)
		}
		pair := [2]string{a.From, a.To}
		if a.Label == "" {
			unlabeled[pair]++
			if seenPair[pair] {
				t.Errorf("type %d: the unlabeled type of %s to %s is not listed first", a.ID, a.From, a.To)
			}
		}
		seenPair[pair] = true
	}
	for _, a := range byID {
		r, ok := byID[a.Reverse]
		switch {
		case !ok:
			t.Errorf("type %d: reverse %d is not listed", a.ID, a.Reverse)
		case r.Reverse != a.ID || r.From != a.To || r.To != a.From:
			t.Errorf("type %d (%s to %s) and its reverse %d (%s to %s, reverse %d) disagree", a.ID, a.From, a.To, r.ID, r.From, r.To, r.Reverse)
		case r.Primary != a.Primary || (r.Label == "") != (a.Label == ""):
			t.Errorf("type %d and its reverse %d differ in being labeled or primary", a.ID, r.ID)
		}
	}
	for pair := range seenPair {
		if unlabeled[pair] != 1 {
			t.Errorf("%s to %s has %d unlabeled types, want 1", pair[0], pair[1], unlabeled[pair])
		}
	}
}

func TestDefaultAssociationType(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		want     int
		ok       bool
	}{
		{"contacts", "companies", 279, true},
		{"company", "0-1", 280, true}, // names as HubSpot accepts them
		{"DEALS", "companies", 341, true},
		{"companies", "companies", 450, true}, // not the labeled 13 or 14
		{"line_items", "quotes", 68, true},
		{"products", "deals", 0, false}, // HubSpot defines none
		{"contacts", "2-123", 0, false}, // custom objects have only labels
		{"contacts", "notes", 201, true},
		{"note", "0-1", 202, true},
		{"calls", "deals", 206, true},
		{"0-49", "tickets", 224, true},
		{"postal_mail", "contacts", 453, true},
		{"communications", "companies", 87, true},
		{"tasks", "companies", 192, true},
		{"meetings", "line_items", 0, false}, // HubSpot defines none
		{"leads", "contacts", 0, false},      // a type the catalogue does not know
	} {
		got, ok := DefaultAssociationType(tc.from, tc.to)
		if ok != tc.ok || got.ID != tc.want {
			t.Errorf("DefaultAssociationType(%q, %q) = %d, %v; want %d, %v", tc.from, tc.to, got.ID, ok, tc.want, tc.ok)
		}
	}
	if a, ok := AssociationTypeByID(1); !ok || a.From != "contacts" || a.To != "companies" || !a.Primary || a.Reverse != 2 {
		t.Errorf("AssociationTypeByID(1) = %+v, %v", a, ok)
	}
	if _, ok := AssociationTypeByID(1001); ok {
		t.Error("AssociationTypeByID(1001) found a type")
	}
	// A caller cannot change the table through the copy it gets.
	AssociationTypes()[0].ID = -1
	if AssociationTypes()[0].ID == -1 {
		t.Error("AssociationTypes shares its backing array")
	}
}
