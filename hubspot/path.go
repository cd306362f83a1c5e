package hubspot

import (
	"net/url"
	"strings"
)

// checkSegment checks s, an ID or a name a caller gives that becomes one
// segment of a request path, and is the one rule every service applies to
// them. kind names s in the error ("id", "pipeline id", "property name").
//
// The catalogue's Op.Expand puts s in the path escaped with url.PathEscape,
// so '/', '?', '#', ';' and '%' in it can neither split the segment nor
// end the path, and refuses "", "." and "..". This check is stricter, and
// comes first, so that its error names the call and the argument: refused
// here is what escaping leaves alone and what would still change which
// resource the path names:
//   - an empty or blank s, which would name the collection instead of one
//     of its members (DELETE .../stages/ is not a stage);
//   - "." and "..", which a server, a proxy or url.ResolveReference reads
//     as "this" and "the parent" (DELETE .../stages/.. would name the
//     pipeline), and any s that holds one between slashes or backslashes,
//     plain or percent-encoded, for a server that decodes "%2F" before it
//     cleans the path;
//   - control characters, which no HubSpot ID or name holds and which some
//     servers strip.
func checkSegment(what, kind, s string) error {
	if strings.TrimSpace(s) == "" {
		return errorf("%s: the %s is empty", what, kind)
	}
	if strings.IndexFunc(s, isControl) >= 0 {
		return errorf("%s: the %s contains a control character", what, kind)
	}
	if hasDotSegment(s) {
		return errorf("%s: the %s %q is, or holds between slashes, a dot segment (\".\" or \"..\"), which would change the request path", what, kind, s)
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// hasDotSegment reports whether s, or s percent-decoded, is "." or "..",
// or holds one between '/' or '\' separators.
func hasDotSegment(s string) bool {
	if dotPiece(s) {
		return true
	}
	if strings.IndexByte(s, '%') >= 0 {
		if u, err := url.PathUnescape(s); err == nil && dotPiece(u) {
			return true
		}
	}
	return false
}

// dotPiece reports whether one of the pieces of s between '/' and '\' is
// "." or "..".
func dotPiece(s string) bool {
	for {
		i := strings.IndexAny(s, `/\`)
		p := s
		if i >= 0 {
			p = s[:i]
		}
		if p == "." || p == ".." {
			return true
		}
		if i < 0 {
			return false
		}
		s = s[i+1:]
	}
}

// checkRequestPath is the last check of a path (escaped, relative to the
// API root) before a request is built: it must start with '/' and have no
// empty segment (a doubled or trailing slash) and no dot segment, plain or
// percent-encoded. Every typed call builds its path from checked segments,
// and Do checks the path it is given more strictly; this catches one that
// slipped through.
func checkRequestPath(method, path string) error {
	if !strings.HasPrefix(path, "/") {
		return errorf("%s: the request path does not start with a slash; not sent", method)
	}
	for rest := path[1:]; ; {
		seg, after, more := strings.Cut(rest, "/")
		if seg == "" || hasDotSegment(seg) {
			return errorf("%s %s: the request path has an empty or dot segment; not sent", method, path)
		}
		if !more {
			return nil
		}
		rest = after
	}
}
