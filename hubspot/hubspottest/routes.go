package hubspottest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hubkey/hubkey/internal/scopes"
	"github.com/hubkey/hubkey/keypolicy"
)

// maxBody bounds a request body the server reads.
const maxBody = 8 << 20

// request is one call being answered.
type request struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request
	corr string

	objectType string // canonical object type, for object routes
	rest       []string
	body       []byte
}

func (q *request) fail(e *apiError) {
	e.CorrelationID = q.corr
	writeError(q.w, e)
}

func (q *request) reply(status int, v any) { writeJSON(q.w, status, v) }

// readBody reads the body through the size limit. It answers the call and
// returns false on failure.
func (q *request) readBody() bool {
	b, err := io.ReadAll(http.MaxBytesReader(q.w, q.r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			q.fail(&apiError{status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("Request body exceeds %d bytes.", maxBody), Category: catValidation})
			return false
		}
		q.fail(validationError(q.corr, "Could not read the request body: "+err.Error()))
		return false
	}
	q.body = b
	return true
}

// decode reads the JSON body into v, answering with HubSpot's 400 when it
// is not valid JSON for v.
func (q *request) decode(v any) bool {
	if q.body == nil && !q.readBody() {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(q.body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		line, col := position(q.body, dec.InputOffset())
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col = position(q.body, se.Offset)
		case errors.As(err, &te):
			line, col = position(q.body, te.Offset)
		}
		q.fail(validationError(q.corr, fmt.Sprintf("Invalid input JSON on line %d, column %d: %v", line, col, err)))
		return false
	}
	return true
}

func position(b []byte, off int64) (line, col int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	line, col = 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

type route struct {
	scopes  []string
	handler func(*request)
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// routeFor finds the handler of a call and the scopes it needs. Every
// call that reaches its handler counts against its key's daily usage
// (account.go).
func routeFor(method, path string) (rt route) {
	rt = route{scopes: scopes.Required(method, path)}
	defer func() {
		h := rt.handler
		rt.handler = func(q *request) { q.s.countCall(q); h(q) }
	}()
	segs := splitPath(path)
	for _, api := range []func(method string, segs []string) func(*request){assocV4Route, propertiesRoute, accountRoute, ownersRoute, pipelinesRoute} {
		if h := api(method, segs); h != nil {
			rt.handler = h
			return rt
		}
	}
	if len(segs) < 4 || segs[0] != "crm" || segs[1] != "v3" || segs[2] != "objects" {
		rt.handler = notFoundRoute
		return rt
	}
	ot, ok := scopes.LookupObjectType(segs[3])
	if !ok {
		name := segs[3]
		rt.handler = func(q *request) {
			q.fail(validationError(q.corr, "Unable to infer object type from: "+name))
		}
		return rt
	}
	rest := segs[4:]
	h := objectRoute(method, rest)
	rt.handler = func(q *request) {
		q.objectType, q.rest = ot.Name, rest
		h(q)
	}
	return rt
}

func objectRoute(method string, rest []string) func(*request) {
	allow := func(allowed string, h func(*request)) func(*request) { return allowMethods(method, allowed, h) }
	switch {
	case len(rest) == 0:
		return allow("GET,POST", func(q *request) {
			if q.r.Method == http.MethodGet {
				q.list()
			} else {
				q.create()
			}
		})
	case len(rest) == 1 && rest[0] == "search":
		return allow("POST", (*request).search)
	case len(rest) == 1 && rest[0] == "merge":
		return allow("POST", (*request).merge)
	case len(rest) == 1 && rest[0] == "gdpr-delete":
		return allow("POST", (*request).gdprDelete)
	case len(rest) == 2 && rest[0] == "batch":
		switch rest[1] {
		case "read", "create", "update", "upsert", "archive":
			return allow("POST", (*request).batch)
		}
		return notFoundRoute
	case len(rest) == 1:
		return allow("GET,PATCH,DELETE", func(q *request) {
			q.followMerge()
			switch q.r.Method {
			case http.MethodGet:
				q.get()
			case http.MethodPatch:
				q.update()
			default:
				q.archive()
			}
		})
	}
	return notFoundRoute
}

// allowMethods returns h when method is one of allowed (comma-separated),
// else a handler that answers HubSpot's 405.
func allowMethods(method, allowed string, h func(*request)) func(*request) {
	for _, m := range strings.Split(allowed, ",") {
		if m == method {
			return h
		}
	}
	return func(q *request) {
		q.w.Header().Set("Allow", allowed)
		q.fail(&apiError{status: http.StatusMethodNotAllowed, Message: fmt.Sprintf("HTTP %d Method Not Allowed", http.StatusMethodNotAllowed), Category: catValidation})
	}
}

func notFoundRoute(q *request) {
	q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("hubspottest serves no %s %s", q.r.Method, keypolicy.RedactPath(q.r.URL.Path)), Category: catNotFound})
}
