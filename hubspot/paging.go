package hubspot

import (
	"context"
	"fmt"
	"iter"
)

// pageOf is one page of a paged HubSpot list, as paginate consumes it.
type pageOf[T any] struct {
	items []T
	next  string // the cursor of the next page; "" on the last page
	end   error  // when set, yielded after items to end the loop
}

// paginate streams the records of successive pages, fetching each page
// only when the loop has consumed the one before: one page is held at a
// time, so memory stays flat however many records there are. It starts at
// cursor after. The loop ends after the last record, when it breaks, or
// with a final (zero, error) when a page fails, ctx ends, a page carries an
// end error, or HubSpot returns the cursor it was given (what names the
// call in that error). Each range over the result starts again at after.
func paginate[T any](ctx context.Context, what, after string, fetch func(after string) (pageOf[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cursor := after
		for {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			p, err := fetch(cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for i := range p.items {
				if err := ctx.Err(); err != nil {
					yield(zero, err)
					return
				}
				if !yield(p.items[i], nil) {
					return
				}
				p.items[i] = zero // let the GC have it
			}
			switch {
			case p.end != nil:
				yield(zero, p.end)
				return
			case p.next == "":
				return
			case p.next == cursor:
				yield(zero, fmt.Errorf("hubspot: %s returned the cursor it was given; stopping to avoid a loop", what))
				return
			}
			cursor = p.next
		}
	}
}
