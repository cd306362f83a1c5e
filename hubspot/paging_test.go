package hubspot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// pages serves n items in pages of size, with cursors "0", "size", ...
func pages(n, size int, calls *int) func(after string) (pageOf[int], error) {
	return func(after string) (pageOf[int], error) {
		*calls++
		start, _ := strconv.Atoi(after)
		var p pageOf[int]
		for i := start; i < min(n, start+size); i++ {
			p.items = append(p.items, i)
		}
		if start+size < n {
			p.next = strconv.Itoa(start + size)
		}
		return p, nil
	}
}

func collect(t *testing.T, seq func(func(int, error) bool)) ([]int, error) {
	t.Helper()
	var got []int
	for v, err := range seq {
		if err != nil {
			return got, err
		}
		got = append(got, v)
	}
	return got, nil
}

func TestPaginateStreamsLazilyAndRestarts(t *testing.T) {
	calls := 0
	seq := paginate(context.Background(), "test List", "", pages(25, 10, &calls))
	for range 2 { // each range starts again at the first page
		calls = 0
		got, err := collect(t, seq)
		if err != nil || len(got) != 25 || got[0] != 0 || got[24] != 24 || calls != 3 {
			t.Fatalf("got %d items (first %v), err %v, %d fetches", len(got), got[:1], err, calls)
		}
	}
	calls = 0
	for v := range seq {
		if v == 3 {
			break
		}
	}
	if calls != 1 {
		t.Fatalf("breaking in the first page fetched %d pages", calls)
	}
}

func TestPaginateStops(t *testing.T) {
	end := errors.New("ceiling")
	cases := map[string]struct {
		fetch func(after string) (pageOf[int], error)
		want  string
		items int
	}{
		"repeated cursor": {func(string) (pageOf[int], error) { return pageOf[int]{items: []int{1}, next: "x"}, nil }, "returned the cursor it was given", 2},
		"end after items": {func(string) (pageOf[int], error) { return pageOf[int]{items: []int{1, 2}, next: "y", end: end}, nil }, "ceiling", 2},
		"fetch error":     {func(string) (pageOf[int], error) { return pageOf[int]{}, errors.New("503") }, "503", 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := collect(t, paginate(context.Background(), "test List", "", tc.fetch))
			if err == nil || !strings.Contains(err.Error(), tc.want) || len(got) != tc.items {
				t.Fatalf("got %d items and %v, want %d items then %q", len(got), err, tc.items, tc.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	n := 0
	for _, err := range paginate(ctx, "test List", "", pages(100, 10, &calls)) {
		if err != nil {
			if !errors.Is(err, context.Canceled) || n != 5 {
				t.Fatalf("after %d items: %v", n, err)
			}
			return
		}
		if n++; n == 5 {
			cancel()
		}
	}
	t.Fatal("a cancelled context did not end the loop")
}
