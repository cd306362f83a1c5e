package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"
)

// adminClient talks to the admin API.
type adminClient struct {
	base  *url.URL
	token string
	hc    *http.Client
}

// adminFlags adds -admin to fs and returns a function that makes the
// client once fs is parsed.
func adminFlags(fs *flag.FlagSet, lookup func(string) (string, bool)) func() (*adminClient, error) {
	def := "http://127.0.0.1:8081"
	if v, ok := lookup("HUBKEY_ADMIN_URL"); ok && v != "" {
		def = v
	}
	addr := fs.String("admin", def, "the admin API's `URL` (or set HUBKEY_ADMIN_URL)")
	return func() (*adminClient, error) {
		u, err := url.Parse(*addr)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
			return nil, fmt.Errorf("-admin %q is not an http(s) URL with a host and no user info", *addr)
		}
		tok, ok := lookup("HUBKEY_ADMIN_TOKEN")
		if !ok || tok == "" {
			return nil, errors.New("set HUBKEY_ADMIN_TOKEN to the admin API's token (the one the gateway's -admin-token source holds)")
		}
		return &adminClient{base: u, token: tok, hc: &http.Client{Timeout: 5 * time.Minute}}, nil
	}
}

// do sends a request; a status outside 2xx is an error holding the
// admin API's message. The caller closes the body.
func (c *adminClient) do(ctx context.Context, method, path string, query url.Values, body any) (*http.Response, error) {
	u := c.base.JoinPath(path)
	u.RawQuery = query.Encode()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		var e struct{ Error, Field string }
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
		}
		if e.Field != "" {
			return nil, fmt.Errorf("%s (%s %d, field %s)", e.Error, method, resp.StatusCode, e.Field)
		}
		return nil, fmt.Errorf("%s (%s %d)", e.Error, method, resp.StatusCode)
	}
	return resp, nil
}

// getJSON decodes the answer into v.
func (c *adminClient) getJSON(ctx context.Context, method, path string, query url.Values, body, v any) error {
	resp, err := c.do(ctx, method, path, query, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(v)
}

// keyRecord is the part of the admin API's key record the commands show.
type keyRecord struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Service          string    `json:"service"`
	Status           string    `json:"status"`
	Fingerprint      string    `json:"fingerprint"`
	Scopes           []string  `json:"scopes"`
	AllowedIPs       []string  `json:"allowed_ips"`
	RequireSignature bool      `json:"require_signature"`
	ExpiresAt        time.Time `json:"expires_at"`
	RotatedTo        string    `json:"rotated_to"`
	LastUsed         time.Time `json:"last_used"`
}

type issued struct {
	Key           keyRecord `json:"key"`
	Token         string    `json:"token"`
	SigningSecret string    `json:"signing_secret"`
}

const keysUsage = `usage: hubkey-gateway keys <create|list|show|suspend|resume|revoke|rotate> [flags] [ID]`

func keysCmd(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, keysUsage)
		return errors.New("keys: no subcommand given")
	}
	sub := args[0]
	fs := flag.NewFlagSet("hubkey-gateway keys "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := adminFlags(fs, lookup)
	needID := func() (string, error) {
		if fs.NArg() != 1 {
			return "", fmt.Errorf("keys %s takes one key ID (flags go before it)", sub)
		}
		return fs.Arg(0), nil
	}
	switch sub {
	case "create":
		var spec struct {
			Name             string   `json:"name"`
			Service          string   `json:"service"`
			Scopes           []string `json:"scopes"`
			AllowedIPs       []string `json:"allowed_ips,omitempty"`
			ExpiresAt        string   `json:"expires_at,omitempty"`
			RequireSignature bool     `json:"require_signature"`
			Limits           *struct {
				Max             int    `json:"max,omitempty"`
				Interval        string `json:"interval,omitempty"`
				SearchPerSecond int    `json:"search_per_second,omitempty"`
				Daily           int    `json:"daily,omitempty"`
			} `json:"limits,omitempty"`
		}
		fs.StringVar(&spec.Name, "name", "", "a label for people (required)")
		fs.StringVar(&spec.Service, "service", "", "the service that owns the key (required)")
		fs.Func("scope", "a HubSpot `scope` the key may use (repeatable, or comma-separated)", func(v string) error {
			for s := range strings.SplitSeq(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					spec.Scopes = append(spec.Scopes, s)
				}
			}
			return nil
		})
		fs.Func("allow-ip", "an address or `CIDR` the key may be used from (repeatable)", func(v string) error {
			spec.AllowedIPs = append(spec.AllowedIPs, v)
			return nil
		})
		expires := fs.String("expires", "", "when the key stops working: an RFC 3339 `time`, or a duration from now such as 720h")
		fs.BoolVar(&spec.RequireSignature, "require-signature", false, "the key must sign its sensitive calls (a signing secret is issued)")
		maxCalls := fs.Int("max-calls", 0, "the key's own limit: calls per -interval (0: none)")
		interval := fs.Duration("interval", 10*time.Second, "the window of -max-calls")
		search := fs.Int("search-per-second", 0, "the key's own limit of search calls per second (0: none)")
		daily := fs.Int("daily", 0, "the key's own limit of calls per day (0: none)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("keys create takes flags only; got %q", fs.Arg(0))
		}
		if *expires != "" {
			if d, err := time.ParseDuration(*expires); err == nil {
				spec.ExpiresAt = time.Now().Add(d).UTC().Format(time.RFC3339)
			} else {
				spec.ExpiresAt = *expires
			}
		}
		if *maxCalls != 0 || *search != 0 || *daily != 0 {
			spec.Limits = &struct {
				Max             int    `json:"max,omitempty"`
				Interval        string `json:"interval,omitempty"`
				SearchPerSecond int    `json:"search_per_second,omitempty"`
				Daily           int    `json:"daily,omitempty"`
			}{Max: *maxCalls, SearchPerSecond: *search, Daily: *daily}
			if *maxCalls != 0 {
				spec.Limits.Interval = interval.String()
			}
		}
		c, err := client()
		if err != nil {
			return err
		}
		var iss issued
		if err := c.getJSON(ctx, "POST", "/v1/keys", nil, spec, &iss); err != nil {
			return fmt.Errorf("keys create: %w", err)
		}
		printIssued(stdout, stderr, iss)
		return nil
	case "list":
		asJSON := fs.Bool("json", false, "print the records as JSON")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		c, err := client()
		if err != nil {
			return err
		}
		if *asJSON {
			return copyJSON(ctx, c, "/v1/keys", nil, stdout)
		}
		var list struct{ Keys []keyRecord }
		if err := c.getJSON(ctx, "GET", "/v1/keys", nil, nil, &list); err != nil {
			return fmt.Errorf("keys list: %w", err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tSERVICE\tNAME\tSCOPES\tLAST USED")
		for _, k := range list.Keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Status, k.Service, k.Name, strings.Join(k.Scopes, ","), when(k.LastUsed))
		}
		return tw.Flush()
	case "show":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		id, err := needID()
		if err != nil {
			return err
		}
		c, err := client()
		if err != nil {
			return err
		}
		return copyJSON(ctx, c, "/v1/keys/"+url.PathEscape(id), nil, stdout)
	case "suspend", "resume", "revoke":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		id, err := needID()
		if err != nil {
			return err
		}
		c, err := client()
		if err != nil {
			return err
		}
		var k keyRecord
		if err := c.getJSON(ctx, "POST", "/v1/keys/"+url.PathEscape(id)+"/"+sub, nil, nil, &k); err != nil {
			return fmt.Errorf("keys %s: %w", sub, err)
		}
		fmt.Fprintf(stdout, "key %s (%s) is %s\n", k.ID, k.Name, k.Status)
		return nil
	case "rotate":
		grace := fs.Duration("grace", 0, "how long the old key keeps working beside the new one")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		id, err := needID()
		if err != nil {
			return err
		}
		c, err := client()
		if err != nil {
			return err
		}
		var iss issued
		body := map[string]string{"grace": grace.String()}
		if err := c.getJSON(ctx, "POST", "/v1/keys/"+url.PathEscape(id)+"/rotate", nil, body, &iss); err != nil {
			return fmt.Errorf("keys rotate: %w", err)
		}
		printIssued(stdout, stderr, iss)
		fmt.Fprintf(stderr, "key %s stops working in %s; move its holder to the new token\n", id, grace)
		return nil
	}
	fmt.Fprintln(stderr, keysUsage)
	return fmt.Errorf("keys: unknown subcommand %q", sub)
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}

// printIssued shows a new key: the record on stdout, then its token and
// signing secret, once.
func printIssued(stdout, stderr io.Writer, iss issued) {
	k := iss.Key
	fmt.Fprintf(stdout, "id:          %s\nname:        %s\nservice:     %s\nscopes:      %s\nfingerprint: %s\n",
		k.ID, k.Name, k.Service, strings.Join(k.Scopes, ","), k.Fingerprint)
	if len(k.AllowedIPs) > 0 {
		fmt.Fprintf(stdout, "allowed IPs: %s\n", strings.Join(k.AllowedIPs, ","))
	}
	if !k.ExpiresAt.IsZero() {
		fmt.Fprintf(stdout, "expires:     %s\n", when(k.ExpiresAt))
	}
	fmt.Fprintf(stdout, "token:       %s\n", iss.Token)
	if iss.SigningSecret != "" {
		fmt.Fprintf(stdout, "signing secret: %s\n", iss.SigningSecret)
	}
	fmt.Fprintln(stderr, "WARNING: the token (and signing secret) are shown this once and cannot be shown again; store them now.")
}

// copyJSON copies a JSON answer to w.
func copyJSON(ctx context.Context, c *adminClient, path string, q url.Values, w io.Writer) error {
	resp, err := c.do(ctx, "GET", path, q, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

const auditUsage = `usage: hubkey-gateway audit <export|summary|services> [flags]`

func auditCmd(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, auditUsage)
		return errors.New("audit: no subcommand given")
	}
	sub := args[0]
	fs := flag.NewFlagSet("hubkey-gateway audit "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := adminFlags(fs, lookup)
	q := url.Values{}
	period := func() {
		fs.Func("from", "the period's start, an RFC 3339 `time`", func(v string) error { q.Set("from", v); return nil })
		fs.Func("to", "the period's end, an RFC 3339 `time` (default now)", func(v string) error { q.Set("to", v); return nil })
		fs.Func("since", "the period: this `duration` before now, such as 24h", func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("%q is not a positive duration such as 24h", v)
			}
			q.Set("from", time.Now().Add(-d).UTC().Format(time.RFC3339Nano))
			return nil
		})
	}
	switch sub {
	case "export":
		for _, p := range []struct{ name, help string }{
			{"key", "only the calls of this key `ID`"},
			{"service", "only the calls of this `service`'s keys"},
			{"operation", "only calls of this `operation` (crm.objects.get, ...)"},
			{"status", "only calls answered with this HTTP `status`"},
			{"limit", "at most this many `calls`, newest first"},
		} {
			fs.Func(p.name, p.help, func(v string) error { q.Set(p.name, v); return nil })
		}
		denied := fs.Bool("denied", false, "only the calls the gateway refused")
		period()
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *denied {
			q.Set("denied", "true")
		}
		c, err := client()
		if err != nil {
			return err
		}
		resp, err := c.do(ctx, "GET", "/v1/audit", q, nil)
		if err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			if bytes.HasPrefix(line, []byte(`{"error":`)) {
				var e struct{ Error string }
				_ = json.Unmarshal(line, &e)
				return fmt.Errorf("audit export: %s", e.Error)
			}
			if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
				return err
			}
		}
		return sc.Err()
	case "summary":
		bucket := fs.String("bucket", "", "split the period into buckets of this `duration` (default: one bucket)")
		period()
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *bucket != "" {
			q.Set("bucket", *bucket)
		}
		c, err := client()
		if err != nil {
			return err
		}
		var rep struct {
			From, To time.Time
			Usage    []struct {
				KeyID       string    `json:"key_id"`
				Service     string    `json:"service"`
				Start       time.Time `json:"start"`
				Calls       int64     `json:"calls"`
				Denials     int64     `json:"denials"`
				Upstream429 int64     `json:"upstream_429"`
				LastUsed    time.Time `json:"last_used"`
			}
		}
		if err := c.getJSON(ctx, "GET", "/v1/usage", q, nil, &rep); err != nil {
			return fmt.Errorf("audit summary: %w", err)
		}
		fmt.Fprintf(stdout, "calls from %s to %s\n", when(rep.From), when(rep.To))
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "BUCKET\tKEY\tSERVICE\tCALLS\tDENIALS\tHUBSPOT 429\tLAST USED")
		for _, u := range rep.Usage {
			id := u.KeyID
			if id == "" {
				id = "(no key)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", when(u.Start), id, u.Service, u.Calls, u.Denials, u.Upstream429, when(u.LastUsed))
		}
		return tw.Flush()
	case "services":
		period()
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		c, err := client()
		if err != nil {
			return err
		}
		var rep struct {
			Upstreams []struct {
				Upstream string
				Calls    int64
				LastUsed time.Time `json:"last_used"`
				Services []struct {
					Service  string
					Calls    int64
					LastUsed time.Time `json:"last_used"`
					Keys     []struct {
						KeyID    string `json:"key_id"`
						Calls    int64
						LastUsed time.Time `json:"last_used"`
					}
				}
			}
		}
		if err := c.getJSON(ctx, "GET", "/v1/services", q, nil, &rep); err != nil {
			return fmt.Errorf("audit services: %w", err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "UPSTREAM\tSERVICE\tKEY\tCALLS\tLAST USED")
		for _, u := range rep.Upstreams {
			for _, s := range u.Services {
				for _, k := range s.Keys {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", u.Upstream, s.Service, k.KeyID, k.Calls, when(k.LastUsed))
				}
			}
		}
		return tw.Flush()
	}
	fmt.Fprintln(stderr, auditUsage)
	return fmt.Errorf("audit: unknown subcommand %q", sub)
}
