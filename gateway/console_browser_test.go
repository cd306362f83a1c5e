package gateway_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/internal/browserdev"
)

// envScreenshots names the directory the browser test saves its
// screenshots in; by default it is testdata/screenshots beside this file
// (ignored by git).
const envScreenshots = "HUBKEY_TEST_SCREENSHOTS"

func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(envScreenshots)
	if dir == "" {
		dir = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// newBrowser starts headless Chromium (the one browser of the suite) and
// returns a tab in it.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := browserdev.TestBrowser(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.WindowSize(1440, 1000),
		chromedp.DisableGPU,
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-background-networking", true),
		// The console needs no JavaScript: the browser runs none on its pages.
		chromedp.Flag("blink-settings", "scriptEnabled=false"),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to sandbox as root
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel)
	if err := chromedp.Do(tctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", path, err)
	}
	return tctx
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("%s (at %s): %v\n%s", what, loc, err, body)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

func outer(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

// TestConsoleInBrowser drives the console in headless Chromium as an
// admin would: log in, create a key, see it in the table, see its calls
// through the gateway in the usage charts and the audit list, revoke it
// from the page, and see its next call refused. It saves a screenshot of
// each page.
func TestConsoleInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	shots := screenshotDir(t)
	c := newConsoleRig(t, gateway.ConsoleConfig{IdleAfter: 7 * 24 * time.Hour})

	// Some history, so the pages look like a gateway in use: a key that
	// has been idle, one about to expire, a suspended one, and calls by
	// two services spread over the last hour.
	scopes := []string{"crm.objects.contacts.read"}
	idle := c.create(gateway.KeySpec{Name: "nightly export", Service: "reporting", Scopes: scopes})
	crm := c.create(gateway.KeySpec{Name: "crm sync", Service: "crm-sync", Scopes: []string{"crm.objects.contacts.read", "crm.objects.contacts.write"},
		ExpiresAt: c.clock.Now().Add(12 * 24 * time.Hour)})
	old := c.create(gateway.KeySpec{Name: "legacy importer", Service: "importer", Scopes: scopes})
	if _, err := c.admin.Suspend(context.Background(), old.Key.ID); err != nil {
		t.Fatal(err)
	}
	c.clock.Advance(8 * 24 * time.Hour)
	_ = idle
	for i := range 12 {
		for range i%4 + 1 {
			c.do("GET", "/crm/v3/objects/contacts", crm.Token.Reveal(), "", nil)
		}
		if i%5 == 4 {
			c.do("GET", "/crm/v3/objects/deals", crm.Token.Reveal(), "", nil) // outside its scopes
		}
		c.clock.Advance(2 * time.Minute)
	}

	// The browser runs no page script, so everything below works without
	// JavaScript; check that the switch is on.
	do(t, ctx, "a page with a script", chromedp.Navigate(`data:text/html,<title>off</title><script>document.title="on"</script>`))
	if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || title != "off" {
		t.Fatalf("the browser runs page scripts (title %q, %v)", title, err)
	}

	do(t, ctx, "opening the console",
		chromedp.Navigate(c.api.URL+"/console/"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
	)
	do(t, ctx, "logging in",
		chromedp.SendKeys(chromedp.CSS("#token"), adminToken),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#new-key")),
	)
	do(t, ctx, "filling the New key form",
		chromedp.Click(chromedp.CSS("#new-key")),
		chromedp.WaitVisible(chromedp.CSS("#review")),
		chromedp.SendKeys(chromedp.CSS("#name"), "billing reader"),
		chromedp.SendKeys(chromedp.CSS("#service"), "billing-sync"),
		chromedp.SendKeys(chromedp.CSS("#scopes"), "crm.objects.contacts.read"),
		chromedp.SendKeys(chromedp.CSS("#allowed_ips"), "127.0.0.1/32 ::1"),
		chromedp.Click(chromedp.CSS("#review")),
		chromedp.WaitVisible(chromedp.CSS("#confirm")),
	)
	if s := text(t, ctx, "form.confirm ul"); !strings.Contains(s, "Service: billing-sync") || !strings.Contains(s, "Allowed IPs: 127.0.0.1/32, ::1/128") {
		t.Errorf("the confirmation says %q", s)
	}
	do(t, ctx, "creating the key",
		chromedp.Click(chromedp.CSS("#confirm")),
		chromedp.WaitVisible(chromedp.CSS("#done")),
	)
	token := text(t, ctx, "#token")
	id := text(t, ctx, "#key-id")
	if !strings.HasPrefix(token, gateway.TokenPrefix) || !strings.HasPrefix(id, "key_") {
		t.Fatalf("the reveal page shows key %q and a token without the prefix %q", id, gateway.TokenPrefix)
	}
	do(t, ctx, "leaving the reveal page",
		chromedp.Click(chromedp.CSS("#done")),
		chromedp.WaitVisible(chromedp.CSS("#key-"+id)),
	)
	row := text(t, ctx, "#key-"+id)
	for _, want := range []string{"billing reader", "billing-sync", "crm.objects.contacts.read", "127.0.0.1/32, ::1/128", "active", "never"} {
		if !strings.Contains(row, want) {
			t.Errorf("the key's row %q lacks %q", row, want)
		}
	}
	if strings.Contains(outer(t, ctx, "body"), token) {
		t.Fatal("the keys page shows the token")
	}

	// Calls through the gateway with the new key: three allowed, one
	// refused.
	for range 3 {
		if st, _, _ := c.do("GET", "/crm/v3/objects/contacts", token, "", nil); st != http.StatusOK {
			t.Fatalf("a call with the new key: %d", st)
		}
	}
	if st, _, _ := c.do("GET", "/crm/v3/objects/deals", token, "", nil); st != http.StatusForbidden {
		t.Fatalf("a call outside the new key's scopes: %d", st)
	}

	do(t, ctx, "opening the usage page",
		chromedp.Navigate(c.api.URL+"/console/usage?range=hour"),
		chromedp.WaitVisible(chromedp.CSS("#services")),
	)
	if s := text(t, ctx, "#services"); !strings.Contains(s, "billing-sync") || !strings.Contains(s, "crm-sync") {
		t.Errorf("the services table %q lacks a service", s)
	}
	if s := outer(t, ctx, "#key-charts"); !strings.Contains(s, "<svg") || !strings.Contains(s, id) || !strings.Contains(s, "4 calls, 1 denied") {
		t.Errorf("no chart of the new key's 4 calls, 1 denied in %s", s)
	}
	do(t, ctx, "choosing the week",
		chromedp.Click(chromedp.CSS(`a[href="/console/usage?range=week"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[aria-current="page"][href="/console/usage?range=week"]`)),
	)
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "range=week") {
		t.Errorf("the range selector went to %s", loc)
	}
	do(t, ctx, "back to the hour", chromedp.Navigate(c.api.URL+"/console/usage?range=hour"), chromedp.WaitVisible(chromedp.CSS("#services")))
	screenshot(t, ctx, shots, "usage.png")

	do(t, ctx, "filtering the audit list by key and reason",
		chromedp.Navigate(c.api.URL+"/console/audit"),
		chromedp.WaitVisible(chromedp.CSS("#audit")),
		chromedp.SendKeys(chromedp.CSS(`input[name="key"]`), id),
		chromedp.SendKeys(chromedp.CSS(`input[name="reason"]`), "missing scopes"),
		chromedp.Click(chromedp.CSS("#filter")),
		chromedp.WaitVisible(chromedp.CSS("#filtered")),
	)
	if s := text(t, ctx, "#filtered"); s != "Filtered by key="+id+", reason=missing scopes." {
		t.Errorf("the audit page says %q", s)
	}
	if s := text(t, ctx, "#audit tbody"); strings.Count(s, "missing scopes") != 1 || !strings.Contains(s, id) || strings.Contains(s, "crm-sync") {
		t.Errorf("the filtered audit list is %q", s)
	}
	if href := outer(t, ctx, "#export"); !strings.Contains(href, "/console/audit/export?") || !strings.Contains(href, "reason=missing+scopes") {
		t.Errorf("the export link %s does not carry the filter", href)
	}
	do(t, ctx, "the whole audit list", chromedp.Navigate(c.api.URL+"/console/audit"), chromedp.WaitVisible(chromedp.CSS("#audit")))
	if s := text(t, ctx, "#audit tbody"); strings.Count(s, id) != 4 {
		t.Errorf("the audit list shows %d calls of the new key; want 4", strings.Count(s, id))
	}
	screenshot(t, ctx, shots, "audit.png")

	do(t, ctx, "the keys page", chromedp.Navigate(c.api.URL+"/console/keys"), chromedp.WaitVisible(chromedp.CSS("#key-"+id)))
	if s := text(t, ctx, "#key-"+id); !strings.Contains(s, "4") {
		t.Errorf("the key's row %q does not count its 4 calls", s)
	}
	if cls := outer(t, ctx, "#key-"+idle.Key.ID); !strings.Contains(cls, "idle") {
		t.Errorf("the idle key's row does not stand out: %s", cls)
	}
	screenshot(t, ctx, shots, "keys.png")

	do(t, ctx, "revoking the key",
		chromedp.Click(chromedp.CSS("#key-"+id+" .act-revoke")),
		chromedp.WaitVisible(chromedp.CSS("#confirm")),
		chromedp.Click(chromedp.CSS("#confirm")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if s := text(t, ctx, ".flash"); s != "Key "+id+" revoked." {
		t.Errorf("the flash says %q", s)
	}
	if s := text(t, ctx, "#key-"+id); !strings.Contains(s, "revoked") {
		t.Errorf("the key's row after revoking: %q", s)
	}
	if st, _, _ := c.do("GET", "/crm/v3/objects/contacts", token, "", nil); st != http.StatusUnauthorized {
		t.Errorf("a call with the revoked key: %d; want 401", st)
	}

	do(t, ctx, "logging out",
		chromedp.Click(chromedp.CSS("form.logout button")),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.Navigate(c.api.URL+"/console/keys"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
	)
}
