package signing

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSFDictionary(t *testing.T) {
	tests := []struct {
		in, want string // want "" means the parse must fail
	}{
		{`a=?0, b, c; foo=bar`, `a=?0, b, c;foo=bar`},
		{`a=(1 2), b=3, c=4;aa=bb, d=(5 6);valid`, `a=(1 2), b=3, c=4;aa=bb, d=(5 6);valid`},
		{`en="Applepie", da=:w4ZibGV0w6ZydGUK:`, `en="Applepie", da=:w4ZibGV0w6ZydGUK:`},
		{`a=1,b=2,a=3`, `a=3, b=2`}, // last value wins, first position kept
		{"a=1 ,\t b=2", `a=1, b=2`},
		{`  a=1  `, `a=1`},
		{`a=()`, `a=()`},
		{`a=( 1  2 )`, `a=(1 2)`},
		{`a=?1`, `a`},
		{`a;x=?1`, `a;x`},
		{`a=1;x=?1;y=?0`, `a=1;x;y=?0`},
		{`*a=1`, `*a=1`},
		{`a_b-c.d*=1`, `a_b-c.d*=1`},
		{`sig1=("@method" "@authority";sf "x";key="k");created=1;keyid="a\"b\\c"`, `sig1=("@method" "@authority";sf "x";key="k");created=1;keyid="a\"b\\c"`},
		{`a=1,`, ""},
		{`a=1,,b=2`, ""},
		{`A=1`, ""},
		{`1a=1`, ""},
		{`a=1;`, ""},
		{`a=1 b=2`, ""},
		{`a=(1 2`, ""},
		{`a=(1,2)`, ""},
		{`a=1;B=2`, ""},
		{"a=1,\x00", ""},
		{`a=`, ""},
		{`a=)`, ""},
	}
	for _, tt := range tests {
		d, err := parseSFDictionary(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("parse %q: got %v, want an error", tt.in, d)
			} else if !errors.Is(err, errSF) {
				t.Errorf("parse %q: error %v does not wrap errSF", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parse %q: %v", tt.in, err)
			continue
		}
		got, err := serializeSFDictionary(d)
		if err != nil || got != tt.want {
			t.Errorf("serialize(parse(%q)) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestSFItems(t *testing.T) {
	tests := []struct {
		in   string
		val  any // nil: the parse must fail
		want string
	}{
		{`42`, int64(42), `42`},
		{`-42`, int64(-42), `-42`},
		{`-0`, int64(0), `0`},
		{`0042`, int64(42), `42`},
		{`999999999999999`, int64(999999999999999), `999999999999999`},
		{`-999999999999999`, int64(-999999999999999), `-999999999999999`},
		{`1000000000000000`, nil, ``},
		{`-`, nil, ``},
		{`1.5`, sfDecimal(1500), `1.5`},
		{`-1.5`, sfDecimal(-1500), `-1.5`},
		{`1.500`, sfDecimal(1500), `1.5`},
		{`1.0`, sfDecimal(1000), `1.0`},
		{`123456789012.123`, sfDecimal(123456789012123), `123456789012.123`},
		{`1234567890123.0`, nil, ``},
		{`1.5000`, nil, ``},
		{`1.`, nil, ``},
		{`1..5`, nil, ``},
		{`"foo \"bar\" \\baz"`, `foo "bar" \baz`, `"foo \"bar\" \\baz"`},
		{`""`, ``, `""`},
		{`"\a"`, nil, ``},
		{`"unterminated`, nil, ``},
		{"\"tab\there\"", nil, ``},
		{"\"del\x7f\"", nil, ``},
		{"\"caf\xc3\xa9\"", nil, ``},
		{`foo123/456`, sfToken("foo123/456"), `foo123/456`},
		{`*foo`, sfToken("*foo"), `*foo`},
		{`foo:bar`, sfToken("foo:bar"), `foo:bar`},
		{`Foo`, sfToken("Foo"), `Foo`},
		{`:aGVsbG8=:`, []byte("hello"), `:aGVsbG8=:`},
		{`:aGVsbG8:`, []byte("hello"), `:aGVsbG8=:`},
		{`::`, []byte{}, `::`},
		{`:aGVs bG8=:`, nil, ``},
		{`:aGVsbG8=`, nil, ``},
		{`:aG=VsbG8:`, nil, ``},
		{`:aGVsbG8===:`, nil, ``},
		{`:a:`, nil, ``},
		{`?1`, true, `?1`},
		{`?0`, false, `?0`},
		{`?2`, nil, ``},
		{`?`, nil, ``},
		{`@1659578233`, sfDate(1659578233), `@1659578233`},
		{`@-1`, sfDate(-1), `@-1`},
		{`@1.5`, nil, ``},
		{`@`, nil, ``},
		{`%"f%c3%bc%c3%bc"`, sfDisplayString("füü"), `%"f%c3%bc%c3%bc"`},
		{`%"100%25 \"ok\""`, nil, ``}, // a literal DQUOTE ends the string early
		{`%"100%25 %22ok%22"`, sfDisplayString(`100% "ok"`), `%"100%25 %22ok%22"`},
		{`%"f%C3%BC"`, nil, ``},
		{`%"%ff"`, nil, ``},
		{`%"abc`, nil, ``},
		{`%abc`, nil, ``},
		{`1;a=2;b="x"`, int64(1), `1;a=2;b="x"`},
		{`1 2`, nil, ``},
		{`!`, nil, ``},
		{``, nil, ``},
	}
	for _, tt := range tests {
		it, err := parseSFItem(tt.in)
		if tt.val == nil {
			if err == nil {
				t.Errorf("parse %q: got %#v, want an error", tt.in, it.val)
			}
			continue
		}
		if err != nil {
			t.Errorf("parse %q: %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(it.val, tt.val) {
			t.Errorf("parse %q = %#v, want %#v", tt.in, it.val, tt.val)
		}
		got, err := serializeSFItem(it)
		if err != nil || got != tt.want {
			t.Errorf("serialize(parse(%q)) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestSFList(t *testing.T) {
	l, err := parseSFList(`sugar, tea, rum;q=0.5, ("a" "b");x`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := serializeSFList(l)
	if err != nil || got != `sugar, tea, rum;q=0.5, ("a" "b");x` {
		t.Fatalf("list round trip = %q, %v", got, err)
	}
	for _, bad := range []string{`a,`, `a b`, `a,,b`} {
		if _, err := parseSFList(bad); err == nil {
			t.Errorf("parseSFList(%q) succeeded", bad)
		}
	}
}

func TestSFSerializeRejectsWhatItCannotCarry(t *testing.T) {
	bad := []any{
		int64(1_000_000_000_000_000),
		"line\nbreak",
		"caf\u00e9",
		sfToken("1abc"),
		sfToken("a b"),
		sfToken(""),
		sfDecimal(1_000_000_000_000_000),
		sfDisplayString("\xff"),
		3.14,
	}
	for _, v := range bad {
		if _, err := serializeSFItem(sfItem{val: v}); err == nil {
			t.Errorf("serializing %#v succeeded", v)
		}
	}
	for _, k := range []string{"", "A", "1a", "a b", "a=b"} {
		if _, err := serializeSFDictionary(sfDict{{key: k, val: sfMember{item: sfItem{val: int64(1)}}}}); err == nil {
			t.Errorf("serializing key %q succeeded", k)
		}
	}
}

func TestSFParseErrorsAreShort(t *testing.T) {
	// A parse error names a position and at most one character: it never
	// echoes the field, which may be long or hostile.
	long := `a="` + strings.Repeat("x", 5000) + "\x01" + `"`
	_, err := parseSFDictionary(long)
	if err == nil {
		t.Fatal("parse succeeded")
	}
	if len(err.Error()) > 200 {
		t.Fatalf("error is %d bytes long", len(err.Error()))
	}
}
