package hubspot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// pathClient returns a client of a server that records the escaped path of
// every request it receives and answers 200 with an empty object.
func pathClient(t *testing.T, opts ...Option) (*Client, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var paths []string
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.EscapedPath())
		mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{})
	})
	cache, _ := newCache(t, tokenA)
	c, err := New(append([]Option{WithToken(cache), WithBaseURL(srv.URL), WithRateLimit(RateLimit{}), WithRetry(RetryPolicy{MaxAttempts: 1})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), paths...)
	}
}

// pathCalls makes every call that puts a caller's ID or name into the
// request path, with id in that place.
func pathCalls() map[string]func(ctx context.Context, c *Client, id string) error {
	one := 1
	stage := StageInput{Label: "s", Metadata: StageMetadata{"probability": "0.5"}}
	return map[string]func(ctx context.Context, c *Client, id string) error{
		"objects Get": func(ctx context.Context, c *Client, id string) error { _, err := c.Deals.Get(ctx, id, nil); return err },
		"objects Update": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Deals.Update(ctx, id, Properties{"a": "b"}, nil)
			return err
		},
		"objects Archive": func(ctx context.Context, c *Client, id string) error {
			return c.Deals.Archive(ctx, id)
		},
		"owners Get": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Owners.Get(ctx, id, nil)
			return err
		},
		"associations Create from": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Associations.Create(ctx, "deals", id, "contacts", "1", AssociationType{Category: CategoryHubSpotDefined, TypeID: 3})
			return err
		},
		"associations Create to": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Associations.Create(ctx, "deals", "1", "contacts", id, AssociationType{Category: CategoryHubSpotDefined, TypeID: 3})
			return err
		},
		"associations CreateDefault": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Associations.CreateDefault(ctx, "deals", "1", "contacts", id)
			return err
		},
		"associations Delete": func(ctx context.Context, c *Client, id string) error {
			return c.Associations.Delete(ctx, "deals", id, "contacts", "1")
		},
		"associations List": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Associations.List(ctx, "deals", id, "contacts", nil)
			return err
		},
		"pipelines Get": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Pipelines.Get(ctx, "deals", id)
			return err
		},
		"pipelines Update": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Pipelines.Update(ctx, "deals", id, PipelineUpdate{Label: "x"})
			return err
		},
		"pipelines Archive": func(ctx context.Context, c *Client, id string) error {
			return c.Pipelines.Archive(ctx, "deals", id, nil)
		},
		"pipelines Stages": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Pipelines.Stages(ctx, "deals", id)
			return err
		},
		"pipelines Stage": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Pipelines.Stage(ctx, "deals", "P1", id)
			return err
		},
		"pipelines ReplaceStage": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Pipelines.ReplaceStage(ctx, "deals", "P1", id, stage)
			return err
		},
		"pipelines UpdateStage": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Pipelines.UpdateStage(ctx, "deals", "P1", id, StageUpdate{DisplayOrder: &one, Metadata: StageMetadata{MetaProbability: "0.5"}})
			return err
		},
		"pipelines ArchiveStage": func(ctx context.Context, c *Client, id string) error {
			return c.Pipelines.ArchiveStage(ctx, "deals", "P1", id, nil)
		},
		"properties Get": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Properties.Get(ctx, "deals", id)
			return err
		},
		"properties Update": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Properties.Update(ctx, "deals", id, PropertyUpdate{Label: "x"})
			return err
		},
		"properties Archive": func(ctx context.Context, c *Client, id string) error { return c.Properties.Archive(ctx, "deals", id) },
		"properties GetGroup": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Properties.GetGroup(ctx, "deals", id)
			return err
		},
		"properties UpdateGroup": func(ctx context.Context, c *Client, id string) error {
			_, err := c.Properties.UpdateGroup(ctx, "deals", id, PropertyGroupUpdate{Label: "x"})
			return err
		},
		"properties ArchiveGroup": func(ctx context.Context, c *Client, id string) error {
			return c.Properties.ArchiveGroup(ctx, "deals", id)
		},
	}
}

// An ID that would change which resource the path names is refused before
// anything is sent: DELETE /crm/v3/pipelines/deals/P1/stages/.. would
// otherwise name the pipeline.
func TestPathIDsThatChangeThePathAreRefused(t *testing.T) {
	c, sent := pathClient(t)
	ctx := context.Background()
	bad := map[string]string{
		"":               "is empty",
		"   ":            "is empty",
		".":              "dot segment",
		"..":             "dot segment",
		"../P2":          "dot segment",
		"a/../b":         "dot segment",
		"a/..":           "dot segment",
		`..\x`:           "dot segment",
		"./":             "dot segment",
		"%2e%2e":         "dot segment",
		"%2E":            "dot segment",
		"a%2F..%2Fb":     "dot segment",
		"1\r\nX-Evil: 1": "control character",
		"1\x00":          "control character",
	}
	for name, call := range pathCalls() {
		for id, want := range bad {
			err := call(ctx, c, id)
			if !errors.Is(err, ErrValidation) || !strings.Contains(err.Error(), want) {
				t.Errorf("%s(%q): %v; want a validation error saying %q", name, id, err, want)
			}
		}
	}
	if got := sent(); len(got) != 0 {
		t.Errorf("requests were sent: %q", got)
	}
}

// Characters that would end or split a segment are escaped, so the ID
// stays one segment of the path it was meant for.
func TestPathIDsAreEscapedAsOneSegment(t *testing.T) {
	for _, tc := range []struct {
		version string
		want    []string
	}{
		{"numbered", []string{
			"DELETE /crm/v3/pipelines/deals/P1/stages/a%2Fb%3Fc%23d%3Be%25f..",
			"GET /crm/v3/objects/deals/x@example.com%2F..x",
		}},
		{"2026-03", []string{
			"DELETE /crm/pipelines/2026-03/deals/P1/stages/a%2Fb%3Fc%23d%3Be%25f..",
			"GET /crm/objects/2026-03/deals/x@example.com%2F..x",
		}},
	} {
		c, sent := pathClient(t, WithAPIVersion(tc.version))
		ctx := context.Background()
		if err := c.Pipelines.ArchiveStage(ctx, "deals", "P1", "a/b?c#d;e%f..", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Deals.Get(ctx, "x@example.com/..x", &GetOptions{IDProperty: "email"}); err != nil {
			t.Fatal(err)
		}
		if got := sent(); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s: paths sent:\n%s\nwant:\n%s", tc.version, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// The last check before a request is built catches a path a service built
// without checking its segments.
func TestCheckRequestPath(t *testing.T) {
	for _, p := range []string{"/crm/v3/objects/deals/1", "/crm/v3/objects/deals/a%2Fb", "/x/..a/b.."} {
		if err := checkRequestPath("GET", p); err != nil {
			t.Errorf("checkRequestPath(%q): %v", p, err)
		}
	}
	for _, p := range []string{"", "crm/v3", "/crm/v3/pipelines/deals/P1/stages/..", "/a/./b", "/a//b", "/a/", "/a/%2e%2E/b", "/a/x%2F..%2Fy"} {
		if err := checkRequestPath("GET", p); !errors.Is(err, ErrValidation) {
			t.Errorf("checkRequestPath(%q): %v; want a validation error", p, err)
		}
	}
}
