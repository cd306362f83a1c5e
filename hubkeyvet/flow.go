package hubkeyvet

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// The flows are intra-procedural: within one function body (closures
// included), a value is followed through assignments, string
// concatenation, conversions, the fmt.Sprint family and the strings,
// bytes, strconv, encoding and net/url functions that copy their input,
// into variables, struct fields (by field path), map and slice elements,
// url.Values, http.Header, strings.Builder and bytes.Buffer. It is not
// followed through function parameters and results, global state,
// channels, or any function not named here.

// flows checks every function body: each top-level function, and each
// function literal outside one (in a package-level var, say).
func (c *checker) flows(f *ast.File) {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Body != nil {
				c.flowUnit(d.Body)
			}
		case *ast.GenDecl:
			ast.Inspect(d, func(n ast.Node) bool {
				if fl, ok := n.(*ast.FuncLit); ok {
					c.flowUnit(fl.Body)
					return false
				}
				return true
			})
		}
	}
}

func (c *checker) flowUnit(body *ast.BlockStmt) {
	var reveals, reads bool
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			reveals = reveals || c.isReveal(call)
			reads = reads || c.isEnvRead(call) || c.isTupleRead(call)
		}
		return true
	})
	if !reveals && !reads {
		return
	}
	edges := c.edges(body)
	if reveals {
		t := &taint{c: c, source: c.isReveal}
		t.solve(edges)
		c.revealSinks(body, t)
	}
	if reads {
		t := &taint{c: c, source: c.isEnvRead, tupleSource: c.isTupleRead}
		t.solve(edges)
		c.byHandSinks(body, t)
	}
}

// isReveal reports whether call is s.Reveal() on a secrets.Secret.
func (c *checker) isReveal(call *ast.CallExpr) bool {
	fn, _ := typeutil.Callee(c.info(), call).(*types.Func)
	return fn != nil && isMethod(fn, secretsPath, "Secret", "Reveal")
}

// isEnvRead reports whether call is os.Getenv.
func (c *checker) isEnvRead(call *ast.CallExpr) bool {
	return isFunc(c.callee(call), "os", "Getenv")
}

// isTupleRead reports whether call reads the environment or a file and
// returns the value as its first result: os.LookupEnv, syscall.Getenv,
// os.ReadFile, ioutil.ReadFile.
func (c *checker) isTupleRead(call *ast.CallExpr) bool {
	fn := c.callee(call)
	return isFunc(fn, "os", "LookupEnv", "ReadFile") || isFunc(fn, "syscall", "Getenv") || isFunc(fn, "io/ioutil", "ReadFile")
}

func (c *checker) callee(call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(c.info(), call).(*types.Func)
	return fn
}

// isFunc reports whether fn is one of the package-level functions names
// of the package pkg.
func isFunc(fn *types.Func, pkg string, names ...string) bool {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != pkg {
		return false
	}
	if sig, ok := fn.Type().(*types.Signature); !ok || sig.Recv() != nil {
		return false
	}
	return slices.Contains(names, fn.Name())
}

// flowEdge says that the value of src reaches the place dst.
type flowEdge struct {
	dst, src ast.Expr
	tuple    bool // src has several results; dst gets the first
}

// edges collects the assignments and stores of a function body.
func (c *checker) edges(body *ast.BlockStmt) []flowEdge {
	var out []flowEdge
	pairs := func(lhs, rhs []ast.Expr) {
		switch {
		case len(lhs) == len(rhs):
			for i := range lhs {
				out = append(out, flowEdge{dst: lhs[i], src: rhs[i]})
			}
		case len(rhs) == 1 && len(lhs) > 1:
			out = append(out, flowEdge{dst: lhs[0], src: rhs[0], tuple: true})
		}
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			pairs(n.Lhs, n.Rhs)
		case *ast.ValueSpec:
			lhs := make([]ast.Expr, len(n.Names))
			for i, id := range n.Names {
				lhs[i] = id
			}
			pairs(lhs, n.Values)
		case *ast.RangeStmt:
			for _, dst := range []ast.Expr{n.Key, n.Value} {
				if dst != nil {
					out = append(out, flowEdge{dst: dst, src: n.X})
				}
			}
		case *ast.CallExpr:
			out = append(out, c.storeEdges(n)...)
		}
		return true
	})
	return out
}

// storeEdges are the calls that put a value into their receiver or first
// argument: url.Values and http.Header Set and Add, writes to a
// strings.Builder or bytes.Buffer (directly or through fmt.Fprint), copy.
func (c *checker) storeEdges(call *ast.CallExpr) []flowEdge {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := c.info().Uses[id].(*types.Builtin); ok && b.Name() == "copy" && len(call.Args) == 2 {
			return []flowEdge{{dst: call.Args[0], src: call.Args[1]}}
		}
		return nil
	}
	fn := c.callee(call)
	if fn == nil {
		return nil
	}
	recv := func() ast.Expr {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			return sel.X
		}
		return nil
	}
	var out []flowEdge
	switch {
	case isMethod(fn, "net/url", "Values", "Set", "Add") ||
		isMethod(fn, "net/http", "Header", "Set", "Add") ||
		isMethod(fn, "net/textproto", "MIMEHeader", "Set", "Add"):
		if r := recv(); r != nil && len(call.Args) == 2 {
			out = append(out, flowEdge{dst: r, src: call.Args[1]})
		}
	case isMethod(fn, "strings", "Builder", "Write", "WriteString", "WriteRune", "WriteByte") ||
		isMethod(fn, "bytes", "Buffer", "Write", "WriteString", "WriteRune", "WriteByte"):
		if r := recv(); r != nil && len(call.Args) == 1 {
			out = append(out, flowEdge{dst: r, src: call.Args[0]})
		}
	case isFunc(fn, "fmt", "Fprint", "Fprintf", "Fprintln"):
		if len(call.Args) > 0 && c.bufferWriter(call.Args[0]) {
			for _, a := range call.Args[1:] {
				out = append(out, flowEdge{dst: call.Args[0], src: a})
			}
		}
	}
	return out
}

// bufferWriter reports whether w is an in-memory writer (a
// strings.Builder, a bytes.Buffer) or a hash: writing to it prints
// nothing.
func (c *checker) bufferWriter(w ast.Expr) bool {
	t := c.info().TypeOf(w)
	if t == nil {
		return false
	}
	if isNamed(t, "strings", "Builder") || isNamed(t, "bytes", "Buffer") {
		return true
	}
	sum, _, _ := types.LookupFieldOrMethod(t, true, nil, "Sum")
	size, _, _ := types.LookupFieldOrMethod(t, true, nil, "BlockSize")
	_, isSum := sum.(*types.Func)
	_, isSize := size.(*types.Func)
	return isSum && isSize
}

// taint is one flow's state: which variables (and which of their field
// paths) hold a value that came from a source call.
type taint struct {
	c           *checker
	source      func(*ast.CallExpr) bool
	tupleSource func(*ast.CallExpr) bool
	vars        map[types.Object][]taintEntry
}

type taintEntry struct {
	path   []string      // field path inside the variable; empty: all of it
	origin *ast.CallExpr // the source call
}

func (t *taint) solve(edges []flowEdge) {
	t.vars = map[types.Object][]taintEntry{}
	for range len(edges) + 1 {
		changed := false
		for _, e := range edges {
			if typ := t.c.info().TypeOf(e.dst); typ != nil && !carriesData(typ) {
				continue
			}
			obj, path, ok := t.ref(e.dst)
			if !ok {
				continue
			}
			var entries []taintEntry
			if call, ok := ast.Unparen(e.src).(*ast.CallExpr); ok && e.tuple && t.tupleSource != nil && t.tupleSource(call) {
				entries = []taintEntry{{origin: call}}
			} else {
				entries = t.paths(e.src)
			}
			for _, en := range entries {
				if t.add(obj, append(slices.Clip(path), en.path...), en.origin) {
					changed = true
				}
			}
		}
		if !changed {
			return
		}
	}
}

// paths returns the field paths of e, relative to e, that carry a source's
// value: a struct literal taints only the fields given a tainted value, so
// a table of test cases with a revealed token in one column does not
// taint the others. Elements of slices, arrays and maps count as the
// whole container.
func (t *taint) paths(e ast.Expr) []taintEntry {
	e = ast.Unparen(e)
	info := t.c.info()
	if typ := info.TypeOf(e); typ != nil && !carriesData(typ) {
		return nil
	}
	switch x := e.(type) {
	case *ast.CompositeLit:
		typ := info.TypeOf(x)
		if typ == nil {
			break
		}
		var out []taintEntry
		if st, ok := typ.Underlying().(*types.Struct); ok {
			for i, elt := range x.Elts {
				field, v := "", elt
				if kv, ok := elt.(*ast.KeyValueExpr); ok {
					id, ok := kv.Key.(*ast.Ident)
					if !ok {
						continue
					}
					field, v = id.Name, kv.Value
				} else if i < st.NumFields() {
					field = st.Field(i).Name()
				}
				for _, p := range t.paths(v) {
					out = append(out, taintEntry{path: append([]string{field}, p.path...), origin: p.origin})
				}
			}
			return out
		}
		for _, elt := range x.Elts {
			if kv, ok := elt.(*ast.KeyValueExpr); ok {
				if o := t.of(kv.Key); o != nil {
					out = append(out, taintEntry{origin: o})
				}
				elt = kv.Value
			}
			out = append(out, t.paths(elt)...)
		}
		return out
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return t.paths(x.X)
		}
	case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr, *ast.StarExpr:
		if obj, p, ok := t.ref(x); ok {
			var out []taintEntry
			for _, en := range t.vars[obj] {
				switch {
				case hasPrefix(en.path, p):
					out = append(out, taintEntry{path: en.path[len(p):], origin: en.origin})
				case hasPrefix(p, en.path):
					out = append(out, taintEntry{origin: en.origin})
				}
			}
			return out
		}
	}
	if o := t.of(e); o != nil {
		return []taintEntry{{origin: o}}
	}
	return nil
}

func (t *taint) add(obj types.Object, path []string, origin *ast.CallExpr) bool {
	for _, e := range t.vars[obj] {
		if hasPrefix(path, e.path) {
			return false
		}
	}
	t.vars[obj] = append(t.vars[obj], taintEntry{path: path, origin: origin})
	return true
}

func (t *taint) lookup(obj types.Object, path []string) *ast.CallExpr {
	for _, e := range t.vars[obj] {
		if hasPrefix(path, e.path) || hasPrefix(e.path, path) {
			return e.origin
		}
	}
	return nil
}

func hasPrefix(p, prefix []string) bool {
	return len(p) >= len(prefix) && slices.Equal(p[:len(prefix)], prefix)
}

// ref resolves a place to a variable and a field path: x, x.f.g, x[i]
// (the element counts as all of x), *p.
func (t *taint) ref(e ast.Expr) (types.Object, []string, bool) {
	info := t.c.info()
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		if v, ok := info.ObjectOf(e).(*types.Var); ok && e.Name != "_" {
			return v, nil, true
		}
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[e]; ok {
			if sel.Kind() != types.FieldVal {
				return nil, nil, false
			}
			obj, p, ok := t.ref(e.X)
			if !ok {
				return nil, nil, false
			}
			return obj, append(slices.Clip(p), e.Sel.Name), true
		}
		if v, ok := info.Uses[e.Sel].(*types.Var); ok { // pkg.Var
			return v, nil, true
		}
	case *ast.IndexExpr:
		if tv, ok := info.Types[e.X]; ok && tv.IsValue() {
			switch tv.Type.Underlying().(type) {
			case *types.Map, *types.Slice, *types.Array, *types.Pointer:
				return t.ref(e.X)
			}
		}
	case *ast.StarExpr:
		return t.ref(e.X)
	case *ast.UnaryExpr:
		if e.Op == token.AND {
			return t.ref(e.X)
		}
	}
	return nil, nil, false
}

// of returns the source call whose value e carries, or nil. Expressions
// of types that cannot carry the value (numbers, booleans, functions,
// channels) carry nothing: len(tok) and tok == "" are safe to log.
func (t *taint) of(e ast.Expr) *ast.CallExpr {
	if e == nil {
		return nil
	}
	e = ast.Unparen(e)
	if typ := t.c.info().TypeOf(e); typ != nil && !carriesData(typ) {
		return nil
	}
	switch x := e.(type) {
	case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr, *ast.StarExpr:
		if obj, p, ok := t.ref(x); ok {
			return t.lookup(obj, p)
		}
		switch x := x.(type) {
		case *ast.SelectorExpr:
			if sel, ok := t.c.info().Selections[x]; ok && sel.Kind() == types.FieldVal {
				return t.of(x.X)
			}
		case *ast.IndexExpr:
			return t.of(x.X)
		case *ast.StarExpr:
			return t.of(x.X)
		}
	case *ast.BinaryExpr:
		if o := t.of(x.X); o != nil {
			return o
		}
		return t.of(x.Y)
	case *ast.CallExpr:
		return t.call(x)
	case *ast.CompositeLit:
		isStruct := false
		if typ := t.c.info().TypeOf(x); typ != nil {
			_, isStruct = typ.Underlying().(*types.Struct)
		}
		for _, elt := range x.Elts {
			if kv, ok := elt.(*ast.KeyValueExpr); ok {
				if o := t.of(kv.Value); o != nil {
					return o
				}
				if !isStruct { // a map key, not a field name
					if o := t.of(kv.Key); o != nil {
						return o
					}
				}
				continue
			}
			if o := t.of(elt); o != nil {
				return o
			}
		}
	case *ast.SliceExpr:
		return t.of(x.X)
	case *ast.TypeAssertExpr:
		return t.of(x.X)
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return t.of(x.X)
		}
	}
	return nil
}

func (t *taint) call(call *ast.CallExpr) *ast.CallExpr {
	info := t.c.info()
	if t.source(call) {
		return call
	}
	if tv, ok := info.Types[call.Fun]; ok && tv.IsType() {
		if len(call.Args) == 1 {
			return t.of(call.Args[0])
		}
		return nil
	}
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok {
			if b.Name() == "append" {
				for _, a := range call.Args {
					if o := t.of(a); o != nil {
						return o
					}
				}
			}
			return nil
		}
	}
	fn := t.c.callee(call)
	if fn == nil {
		return nil
	}
	if idx, ok := propagators[funcKey(fn)]; ok {
		for i, a := range call.Args {
			if idx == nil || slices.Contains(idx, i) {
				if o := t.of(a); o != nil {
					return o
				}
			}
		}
		return nil
	}
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil && receiverPropagators[fn.Name()] {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			return t.of(sel.X)
		}
	}
	return nil
}

// carriesData reports whether a value of type t can hold (part of) a
// string: not a number, a boolean, a function or a channel.
func carriesData(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Info()&types.IsString != 0
	case *types.Signature, *types.Chan:
		return false
	case *types.Tuple:
		for i := range u.Len() {
			if carriesData(u.At(i).Type()) {
				return true
			}
		}
		return false
	}
	return true
}

// funcKey names fn for the propagators table: "strings.TrimSpace",
// "encoding/base64.Encoding.EncodeToString".
func funcKey(fn *types.Func) string {
	if fn.Pkg() == nil {
		return fn.Name()
	}
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		t := sig.Recv().Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := types.Unalias(t).(*types.Named); ok {
			return fn.Pkg().Path() + "." + n.Obj().Name() + "." + fn.Name()
		}
	}
	return fn.Pkg().Path() + "." + fn.Name()
}

// propagators are the functions whose result carries the listed arguments
// (nil: all of them).
var propagators = func() map[string][]int {
	m := map[string][]int{
		"fmt.Sprint": nil, "fmt.Sprintf": nil, "fmt.Sprintln": nil,
		"fmt.Append": nil, "fmt.Appendf": nil, "fmt.Appendln": nil,
		"strings.Join": {0, 1}, "strings.Replace": {0, 2}, "strings.ReplaceAll": {0, 2},
		"strings.Map": {1}, "bytes.Join": {0, 1}, "bytes.Replace": {0, 2}, "bytes.ReplaceAll": {0, 2},
		"bytes.Map": {1}, "bytes.NewBuffer": {0}, "bytes.NewBufferString": {0},
		"strconv.Quote": {0}, "strconv.QuoteToASCII": {0}, "strconv.QuoteToGraphic": {0},
		"strconv.AppendQuote":         {0, 1},
		"encoding/hex.EncodeToString": {0}, "encoding/hex.AppendEncode": {0, 1},
		"encoding/base64.Encoding.EncodeToString": {0}, "encoding/base64.Encoding.AppendEncode": {0, 1},
		"encoding/base32.Encoding.EncodeToString": {0}, "encoding/base32.Encoding.AppendEncode": {0, 1},
		"net/url.QueryEscape": {0}, "net/url.PathEscape": {0},
		"net/url.User": {0}, "net/url.UserPassword": {0, 1},
	}
	for _, n := range []string{
		"Clone", "Fields", "Repeat", "Split", "SplitAfter", "SplitAfterN", "SplitN",
		"Title", "ToLower", "ToTitle", "ToUpper", "ToValidUTF8", "Trim", "TrimFunc",
		"TrimLeft", "TrimLeftFunc", "TrimPrefix", "TrimRight", "TrimRightFunc",
		"TrimSpace", "TrimSuffix",
	} {
		m["strings."+n] = []int{0}
		m["bytes."+n] = []int{0}
	}
	return m
}()

// receiverPropagators are methods whose result carries their receiver:
// url.Values.Encode, url.URL.String and Query, strings.Builder.String,
// bytes.Buffer.String and Bytes, http.Header.Clone.
var receiverPropagators = map[string]bool{
	"String": true, "Bytes": true, "Encode": true, "Clone": true,
	"Query": true, "RequestURI": true, "Redacted": true,
}

// revealSinks reports values of Secret.Reveal() that reach a logger, fmt
// printing, an error, a panic or a URL.
func (c *checker) revealSinks(body *ast.BlockStmt, t *taint) {
	report := func(arg ast.Expr, what string, origin *ast.CallExpr) {
		line := c.pass.Fset.Position(origin.Pos()).Line
		fix := "log the Secret itself (it prints " + `"[REDACTED]"` + ") or its Fingerprint(); call Reveal only where the value goes on the wire or into a MAC"
		if strings.HasPrefix(what, "a URL") {
			fix = "URLs are quoted by *url.Error, logs and proxies: send the credential in a header, or scrub the URL from every error and response as hubspot.Transport does for the developer key"
		}
		c.rep.report(arg.Pos(), arg.End(), catReveal, "",
			"value of Secret.Reveal() (line %d) reaches %s%s: %s", line, what, through(arg), fix)
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			what, args := c.revealSink(n)
			for _, a := range args {
				if o := t.of(a); o != nil {
					report(a, what, o)
					break
				}
			}
		case *ast.CompositeLit:
			typ := c.info().TypeOf(n)
			if typ == nil {
				return true
			}
			what := ""
			switch {
			case isNamed(typ, "net/url", "URL"):
				what = "a URL (url.URL literal)"
			case implementsError(typ):
				what = "an error (" + types.TypeString(typ, types.RelativeTo(c.pass.Pkg)) + ")"
			default:
				return true
			}
			for _, elt := range n.Elts {
				v := elt
				if kv, ok := elt.(*ast.KeyValueExpr); ok {
					v = kv.Value
				}
				if o := t.of(v); o != nil {
					report(v, what, o)
					break
				}
			}
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				return true
			}
			for i, l := range n.Lhs {
				sel, ok := ast.Unparen(l).(*ast.SelectorExpr)
				if !ok {
					continue
				}
				if s, ok := c.info().Selections[sel]; ok && s.Kind() == types.FieldVal && isNamed(s.Recv(), "net/url", "URL") {
					if o := t.of(n.Rhs[i]); o != nil {
						report(n.Rhs[i], "a URL (url.URL."+sel.Sel.Name+")", o)
					}
				}
			}
		}
		return true
	})
}

// revealSink says what kind of leak a call is and which of its arguments
// leak, or returns no arguments.
func (c *checker) revealSink(call *ast.CallExpr) (string, []ast.Expr) {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := c.info().Uses[id].(*types.Builtin); ok {
			switch b.Name() {
			case "panic":
				return "a panic", call.Args
			case "print", "println":
				return "printing (" + b.Name() + ")", call.Args
			}
			return "", nil
		}
	}
	fn := c.callee(call)
	if fn == nil || fn.Pkg() == nil {
		return "", nil
	}
	name := c.callName(call, fn)
	path := fn.Pkg().Path()
	sig, _ := fn.Type().(*types.Signature)
	method := sig != nil && sig.Recv() != nil
	recv := func() ast.Expr {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			return sel.X
		}
		return nil
	}
	switch {
	case loggingPackages[path]:
		return "a logger (" + name + ")", call.Args
	case method && strings.Contains(strings.ToLower(receiverName(sig)), "logger"):
		return "a logger (" + name + ")", call.Args
	case path == "testing" && method && slices.Contains([]string{"Log", "Logf", "Error", "Errorf", "Fatal", "Fatalf", "Skip", "Skipf"}, fn.Name()):
		return "test output (" + name + ")", call.Args
	case isFunc(fn, "fmt", "Print", "Printf", "Println"):
		return "fmt printing (" + name + ")", call.Args
	case isFunc(fn, "fmt", "Fprint", "Fprintf", "Fprintln"):
		if len(call.Args) > 0 && !c.bufferWriter(call.Args[0]) {
			return "fmt printing (" + name + ")", call.Args[1:]
		}
	case isFunc(fn, "fmt", "Errorf"), isFunc(fn, "errors", "New"):
		return "an error (" + name + ")", call.Args
	case isFunc(fn, "io", "WriteString"):
		if len(call.Args) == 2 && c.stdStream(call.Args[0]) {
			return "printing (" + name + ")", call.Args[1:]
		}
	case isMethod(fn, "os", "File", "Write", "WriteString"):
		if r := recv(); r != nil && c.stdStream(r) {
			return "printing (" + name + ")", call.Args
		}
	case isFunc(fn, "net/url", "Parse", "ParseRequestURI"),
		isFunc(fn, "net/http", "Get", "Head", "Post", "PostForm"):
		if len(call.Args) > 0 {
			return "a URL (" + name + ")", call.Args[:1]
		}
	case isFunc(fn, "net/http", "NewRequest"):
		if len(call.Args) > 1 {
			return "a URL (" + name + ")", call.Args[1:2]
		}
	case isFunc(fn, "net/http", "NewRequestWithContext"):
		if len(call.Args) > 2 {
			return "a URL (" + name + ")", call.Args[2:3]
		}
	}
	return "", nil
}

func receiverName(sig *types.Signature) string {
	t := sig.Recv().Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		return n.Obj().Name()
	}
	return ""
}

// stdStream reports whether e is os.Stdout or os.Stderr.
func (c *checker) stdStream(e ast.Expr) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	v, ok := c.info().Uses[sel.Sel].(*types.Var)
	return ok && v.Pkg() != nil && v.Pkg().Path() == "os" && (v.Name() == "Stdout" || v.Name() == "Stderr")
}

var errorType = types.Universe.Lookup("error").Type().Underlying().(*types.Interface)

func implementsError(t types.Type) bool {
	if types.Implements(t, errorType) {
		return true
	}
	if _, isPtr := t.(*types.Pointer); !isPtr {
		return types.Implements(types.NewPointer(t), errorType)
	}
	return false
}

// through names the variable a value travels in, for messages: " (through
// fields)". Names are code, never values.
func through(arg ast.Expr) string {
	switch a := ast.Unparen(arg).(type) {
	case *ast.Ident:
		return " through " + a.Name
	case *ast.SelectorExpr:
		s := types.ExprString(a)
		if len(s) <= 40 {
			return " through " + s
		}
	case *ast.UnaryExpr:
		return through(a.X)
	case *ast.IndexExpr:
		return through(a.X)
	}
	return ""
}

// byHandSinks reports HubSpot tokens read from the environment or a file
// by hand that reach a client as strings.
func (c *checker) byHandSinks(body *ast.BlockStmt, t *taint) {
	report := func(arg ast.Expr, where string, origin *ast.CallExpr, needHubSpotName bool) {
		src, fix, hubspotish := c.describeRead(origin)
		if needHubSpotName && !hubspotish {
			return
		}
		c.rep.report(arg.Pos(), arg.End(), catByHand, "",
			"HubSpot token read by hand from %s reaches %s as a string: give the client %s as its token source instead, so the token stays a secrets.Secret and is read again when it rotates",
			src, where, fix)
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			fn := c.callee(n)
			if fn == nil || fn.Pkg() == nil {
				return true
			}
			switch path := fn.Pkg().Path(); {
			case path == secretsPath && (fn.Name() == "New" || fn.Name() == "NewBytes") && len(n.Args) == 1:
				if o := t.of(n.Args[0]); o != nil {
					report(n.Args[0], "secrets."+fn.Name(), o, true)
				}
			case hubspotPackage(path):
				sig := fn.Type().(*types.Signature)
				for i, arg := range n.Args {
					p := paramAt(sig, i)
					if p == nil || !stringish(p.Type()) {
						continue
					}
					_, byParam := credentialName(p.Name())
					_, byFunc := credentialName(fn.Name())
					if !byParam && !byFunc {
						continue
					}
					if o := t.of(arg); o != nil {
						report(arg, c.callName(n, fn), o, false)
					}
				}
			case isMethod(fn, "net/url", "Values", "Set", "Add") || isMethod(fn, "net/http", "Header", "Set", "Add"):
				if len(n.Args) != 2 {
					return true
				}
				k, _, ok := c.constValue(n.Args[0])
				if !ok {
					return true
				}
				if o := t.of(n.Args[1]); o != nil {
					switch {
					case strings.EqualFold(k, "hapikey"):
						report(n.Args[1], `the "hapikey" query parameter`, o, false)
					case strings.EqualFold(k, "Authorization"):
						report(n.Args[1], "an Authorization header", o, true)
					}
				}
			}
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				return true
			}
			for i, l := range n.Lhs {
				switch l := ast.Unparen(l).(type) {
				case *ast.IndexExpr: // req.Header["Authorization"] = []string{"Bearer " + tok}
					k, _, ok := c.constValue(l.Index)
					if ok && strings.EqualFold(k, "Authorization") && isNamed(c.info().TypeOf(l.X), "net/http", "Header") {
						if o := t.of(n.Rhs[i]); o != nil {
							report(n.Rhs[i], "an Authorization header", o, true)
						}
					}
				case *ast.SelectorExpr:
					s, ok := c.info().Selections[l]
					if !ok || s.Kind() != types.FieldVal || !c.hubspotType(s.Recv()) {
						continue
					}
					if _, ok := credentialName(l.Sel.Name); ok {
						if o := t.of(n.Rhs[i]); o != nil {
							report(n.Rhs[i], "field "+l.Sel.Name, o, false)
						}
					}
				}
			}
		case *ast.CompositeLit:
			typ := c.info().TypeOf(n)
			if typ == nil || !c.hubspotType(typ) {
				return true
			}
			for _, elt := range n.Elts {
				kv, ok := elt.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, ok := kv.Key.(*ast.Ident)
				if !ok {
					continue
				}
				if _, ok := credentialName(key.Name); ok {
					if o := t.of(kv.Value); o != nil {
						report(kv.Value, "field "+key.Name, o, false)
					}
				}
			}
		}
		return true
	})
}

// hubspotType reports whether t (or what it points to) is a named type
// of a HubSpot client package.
func (c *checker) hubspotType(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && hubspotPackage(n.Obj().Pkg().Path())
}

// describeRead says where a by-hand read came from, the provider that
// replaces it, and whether its name says it holds a HubSpot credential.
func (c *checker) describeRead(call *ast.CallExpr) (src, fix string, hubspotish bool) {
	fn := c.callee(call)
	arg, isConst := "", false
	if len(call.Args) > 0 {
		if tv, ok := c.info().Types[call.Args[0]]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
			arg, isConst = constant.StringVal(tv.Value), true
		}
	}
	if isFunc(fn, "os", "ReadFile") || isFunc(fn, "io/ioutil", "ReadFile") {
		if !isConst {
			return "a file", "file.New(path) (github.com/hubkey/hubkey/secrets/file)", false
		}
		return "file " + arg, "file.New(" + strconv.Quote(arg) + ") (github.com/hubkey/hubkey/secrets/file)", hubspotSourceName(arg)
	}
	if !isConst {
		return "an environment variable", "env.New(name) (github.com/hubkey/hubkey/secrets/env)", false
	}
	return "environment variable " + arg, "env.New(" + strconv.Quote(arg) + ") (github.com/hubkey/hubkey/secrets/env)", hubspotSourceName(arg)
}
