package hubkeyvet

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/hubkey/hubkey/secrets"
)

// Analyzer reports hard-coded HubSpot credentials, string constants given
// to secrets.New outside tests, values of Secret.Reveal that reach a log,
// a print, an error, a panic or a URL, and HubSpot tokens read by hand
// from the environment or a file and handed on as strings. See the package
// documentation for what each report means and how to silence one.
var Analyzer = &analysis.Analyzer{
	Name: "hubkeyvet",
	Doc: `report hard-coded HubSpot credentials and revealed secrets

hubkeyvet reports string constants that hold HubSpot credentials (private
app tokens, OAuth access and refresh tokens, developer API keys), string
constants given to secrets.New outside tests, values of Secret.Reveal()
that flow into a logger, fmt printing, an error, a panic or a URL, and
HubSpot tokens read from the environment or a file by hand and handed to a
client as strings. Reports show a credential's kind and fingerprint, never
its value. Silence one with a "//hubkeyvet:ignore <reason>" comment on its
line or the line above.`,
	URL: "https://pkg.go.dev/github.com/hubkey/hubkey/hubkeyvet",
	Run: run,
}

// Diagnostic categories.
const (
	catHardcoded = "hardcoded" // a credential in a string constant
	catLiteral   = "literal"   // a string constant given to secrets.New
	catReveal    = "reveal"    // Secret.Reveal() flowing to a leak
	catByHand    = "byhand"    // a token read by hand and passed as a string
	catIgnore    = "ignore"    // a malformed ignore comment
)

const secretsPath = "github.com/hubkey/hubkey/secrets"

func run(pass *analysis.Pass) (any, error) {
	c := &checker{
		pass:    pass,
		rep:     newReporter(pass),
		inits:   singleInits(pass),
		litSeen: map[ast.Expr]bool{},
	}
	for _, f := range pass.Files {
		c.test = strings.HasSuffix(pass.Fset.File(f.Pos()).Name(), "_test.go")
		c.literals(f)
		c.contexts(f)
		c.flows(f)
	}
	return nil, nil
}

type checker struct {
	pass    *analysis.Pass
	rep     *reporter
	inits   map[*types.Var]ast.Expr // local variables assigned exactly once
	litSeen map[ast.Expr]bool
	test    bool // the file being checked is a _test.go file
}

func (c *checker) info() *types.Info { return c.pass.TypesInfo }

// fingerprint is what secrets.Secret.Fingerprint shows for v, so a report
// can be matched with log lines without showing the value.
func fingerprint(v string) string { return secrets.New(v).Fingerprint() }

// literals reports every maximal constant string expression built from at
// least one string literal that holds a credential recognisable on its
// own. `const tok = prefix + "…"` is reported once, at its declaration.
func (c *checker) literals(f *ast.File) {
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			top := ast.Expr(lit)
			for i := len(stack) - 1; i >= 0; i-- {
				p, ok := stack[i].(ast.Expr)
				if !ok || !c.isConstString(p) {
					break
				}
				top = p
			}
			if !c.litSeen[top] && c.isConstString(top) {
				c.litSeen[top] = true
				c.reportShapes(top, constant.StringVal(c.info().Types[top].Value))
			}
		}
		stack = append(stack, n)
		return true
	})
}

func (c *checker) isConstString(e ast.Expr) bool {
	tv, ok := c.info().Types[e]
	return ok && tv.Value != nil && tv.Value.Kind() == constant.String
}

func (c *checker) reportShapes(at ast.Expr, v string) {
	for _, fd := range scan(v) {
		fp := fingerprint(fd.value)
		c.rep.report(at.Pos(), at.End(), catHardcoded, fp,
			"hard-coded %s (%s): %s", fd.kind, fp, fd.kind.fix())
	}
}

// constValue returns the string constant e evaluates to, following a
// local variable assigned exactly once, and the position of the
// constant's origin: the literal, the declaration of a named constant of
// this package, or the single assignment of the variable. Reports of a
// value used as a credential go to its origin, so one ignore comment there
// covers every use.
func (c *checker) constValue(e ast.Expr) (string, token.Pos, bool) {
	e = ast.Unparen(e)
	if tv, ok := c.info().Types[e]; ok && tv.Value != nil {
		if tv.Value.Kind() != constant.String {
			return "", 0, false
		}
		pos := e.Pos()
		if id, ok := identOf(e); ok {
			if k, ok := c.info().Uses[id].(*types.Const); ok && k.Pkg() == c.pass.Pkg {
				pos = k.Pos()
			}
		}
		return constant.StringVal(tv.Value), pos, true
	}
	if id, ok := e.(*ast.Ident); ok {
		if v, ok := c.info().Uses[id].(*types.Var); ok {
			if init, ok := c.inits[v]; ok {
				s, _, ok := c.constValue(init)
				return s, v.Pos(), ok
			}
		}
	}
	// []byte("…") for secrets.NewBytes and byte-slice parameters.
	if call, ok := e.(*ast.CallExpr); ok && len(call.Args) == 1 {
		if tv, ok := c.info().Types[call.Fun]; ok && tv.IsType() {
			return c.constValue(call.Args[0])
		}
	}
	return "", 0, false
}

func identOf(e ast.Expr) (*ast.Ident, bool) {
	switch e := e.(type) {
	case *ast.Ident:
		return e, true
	case *ast.SelectorExpr:
		return e.Sel, true
	}
	return nil, false
}

// singleInits maps each local variable that is assigned exactly once, at
// its declaration, and never has its address taken, to that value.
func singleInits(pass *analysis.Pass) map[*types.Var]ast.Expr {
	count := map[*types.Var]int{}
	init := map[*types.Var]ast.Expr{}
	note := func(lhs ast.Expr, rhs ast.Expr) {
		id, ok := ast.Unparen(lhs).(*ast.Ident)
		if !ok {
			return
		}
		v, ok := pass.TypesInfo.ObjectOf(id).(*types.Var)
		if !ok || v.IsField() || v.Parent() == nil || v.Parent() == v.Pkg().Scope() {
			return
		}
		count[v]++
		init[v] = rhs
	}
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					var r ast.Expr
					if len(n.Lhs) == len(n.Rhs) && n.Tok != token.ADD_ASSIGN {
						r = n.Rhs[i]
					}
					note(l, r)
				}
			case *ast.ValueSpec:
				for i, name := range n.Names {
					var r ast.Expr
					if len(n.Names) == len(n.Values) {
						r = n.Values[i]
					}
					note(name, r)
				}
			case *ast.UnaryExpr:
				if n.Op == token.AND {
					note(n.X, nil)
					note(n.X, nil) // an address taken: never "single"
				}
			case *ast.IncDecStmt:
				note(n.X, nil)
				note(n.X, nil)
			case *ast.RangeStmt:
				if n.Key != nil {
					note(n.Key, nil)
					note(n.Key, nil)
				}
				if n.Value != nil {
					note(n.Value, nil)
					note(n.Value, nil)
				}
			}
			return true
		})
	}
	out := map[*types.Var]ast.Expr{}
	for v, n := range count {
		if n == 1 && init[v] != nil {
			out[v] = init[v]
		}
	}
	return out
}

// contexts reports bare UUIDs (developer API keys, legacy hapikeys,
// client secrets, older refresh tokens) where they are used as
// credentials, and string constants given to secrets.New outside tests.
func (c *checker) contexts(f *ast.File) {
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			c.callContext(n)
		case *ast.CompositeLit:
			c.compositeContext(n)
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				return true
			}
			for i, l := range n.Lhs {
				if name, ok := c.credentialTarget(l); ok {
					c.uuidAt(n.Rhs[i], name, "")
				}
			}
		case *ast.ValueSpec:
			if len(n.Names) != len(n.Values) {
				return true
			}
			for i, name := range n.Names {
				if _, ok := credentialName(name.Name); ok {
					c.uuidAt(n.Values[i], name.Name, "")
				}
			}
		}
		return true
	})
}

// credentialTarget reports whether an assignment's left side is a
// variable or struct field named like a credential.
func (c *checker) credentialTarget(l ast.Expr) (string, bool) {
	var name string
	switch l := ast.Unparen(l).(type) {
	case *ast.Ident:
		if l.Name == "_" {
			return "", false
		}
		name = l.Name
	case *ast.SelectorExpr:
		name = l.Sel.Name
	default:
		return "", false
	}
	_, ok := credentialName(name)
	return name, ok
}

// uuidAt reports e when it evaluates to a bare UUID used as a credential
// named name (which decides the kind), reaching where (for the message).
func (c *checker) uuidAt(e ast.Expr, name, where string) {
	s, pos, ok := c.constValue(e)
	if !ok {
		return
	}
	u, ok := bareUUID(s)
	if !ok {
		return
	}
	k, ok := credentialName(name)
	if !ok {
		k = kindDeveloperKey
	}
	fp := fingerprint(u)
	if where == "" {
		where = name
	}
	where += c.at(pos, e.Pos())
	c.rep.report(pos, pos, catHardcoded, fp, "hard-coded %s (%s) in %s: %s", k, fp, where, k.fix())
}

func (c *checker) callContext(call *ast.CallExpr) {
	fn, _ := typeutil.Callee(c.info(), call).(*types.Func)
	if fn == nil || fn.Pkg() == nil {
		return
	}
	path := fn.Pkg().Path()
	switch {
	case path == secretsPath && (fn.Name() == "New" || fn.Name() == "NewBytes") && len(call.Args) == 1:
		c.secretsNewArg(call, fn.Name())
	case hubspotPackage(path):
		sig := fn.Type().(*types.Signature)
		for i, arg := range call.Args {
			p := paramAt(sig, i)
			if p == nil || !stringish(p.Type()) {
				continue
			}
			name, ok := p.Name(), false
			if _, ok = credentialName(name); !ok {
				name = fn.Name()
				_, ok = credentialName(name)
			}
			if ok {
				c.uuidAt(arg, name, c.callName(call, fn))
			}
		}
	case isMethod(fn, "net/url", "Values", "Set", "Add") || isMethod(fn, "net/http", "Header", "Set", "Add"):
		if len(call.Args) == 2 {
			if k, _, ok := c.constValue(call.Args[0]); ok && strings.EqualFold(k, "hapikey") {
				c.uuidAt(call.Args[1], "hapikey", `the "hapikey" query parameter`)
			}
		}
	}
}

// secretsNewArg reports a string constant given to secrets.New: a bare
// UUID anywhere (as a credential), any other constant outside tests.
// Credentials recognisable on their own were reported at their literal.
func (c *checker) secretsNewArg(call *ast.CallExpr, fn string) {
	arg := call.Args[0]
	s, pos, ok := c.constValue(arg)
	if !ok || s == "" || len(scan(s)) > 0 {
		return
	}
	where := "secrets." + fn + c.at(pos, call.Pos())
	if _, ok := bareUUID(s); ok {
		name := "secrets." + fn
		if id, ok := ast.Unparen(arg).(*ast.Ident); ok {
			if _, ok := credentialName(id.Name); ok {
				name = id.Name
			}
		}
		c.uuidAt(arg, name, "secrets."+fn)
		return
	}
	if c.test {
		return
	}
	fp := fingerprint(s)
	c.rep.report(pos, pos, catLiteral, fp,
		"string constant passed to %s (%s): the value is in the source and the binary; load it at run time through a provider (secrets/env, secrets/file, a secret store), or in tests use secrets/secretstest", where, fp)
}

// at says where use is, seen from a report at origin: "" on the same
// line, " on line N" in the same file, " at file.go:N" elsewhere.
func (c *checker) at(origin, use token.Pos) string {
	o, u := c.pass.Fset.Position(origin), c.pass.Fset.Position(use)
	switch {
	case o.Filename == u.Filename && o.Line == u.Line:
		return ""
	case o.Filename == u.Filename:
		return fmt.Sprintf(" on line %d", u.Line)
	}
	return fmt.Sprintf(" at %s:%d", filepath.Base(u.Filename), u.Line)
}

func (c *checker) compositeContext(lit *ast.CompositeLit) {
	t := c.info().TypeOf(lit)
	if t == nil {
		return
	}
	if m, ok := t.Underlying().(*types.Map); ok {
		if b, ok := m.Key().Underlying().(*types.Basic); !ok || b.Info()&types.IsString == 0 {
			return
		}
		for _, elt := range lit.Elts {
			kv, ok := elt.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			k, _, ok := c.constValue(kv.Key)
			if !ok || !strings.EqualFold(k, "hapikey") {
				continue
			}
			vals := []ast.Expr{kv.Value}
			if inner, ok := kv.Value.(*ast.CompositeLit); ok {
				vals = inner.Elts
			}
			for _, v := range vals {
				c.uuidAt(v, "hapikey", `the "hapikey" query parameter`)
			}
		}
		return
	}
	if _, ok := t.Underlying().(*types.Struct); !ok {
		return
	}
	for _, elt := range lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		key, ok := kv.Key.(*ast.Ident)
		if !ok {
			continue
		}
		if _, ok := credentialName(key.Name); ok {
			c.uuidAt(kv.Value, key.Name, "field "+key.Name)
		}
	}
}

func paramAt(sig *types.Signature, i int) *types.Var {
	n := sig.Params().Len()
	switch {
	case n == 0:
		return nil
	case sig.Variadic() && i >= n-1:
		return sig.Params().At(n - 1)
	case i < n:
		return sig.Params().At(i)
	}
	return nil
}

// stringish reports whether a parameter of type t can take a credential:
// a string, a byte slice, or an interface (hubspot.WithToken takes any).
func stringish(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Info()&types.IsString != 0
	case *types.Slice:
		if b, ok := u.Elem().Underlying().(*types.Basic); ok {
			return b.Kind() == types.Byte || b.Info()&types.IsString != 0
		}
	case *types.Interface:
		return true
	}
	return false
}

// isMethod reports whether fn is one of the methods names of the named
// type pkg.typ (or of a pointer to it).
func isMethod(fn *types.Func, pkg, typ string, names ...string) bool {
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil || fn.Pkg() == nil || fn.Pkg().Path() != pkg {
		return false
	}
	if !isNamed(sig.Recv().Type(), pkg, typ) {
		return false
	}
	for _, n := range names {
		if fn.Name() == n {
			return true
		}
	}
	return false
}

// isNamed reports whether t (or what it points to) is the named type
// pkg.name.
func isNamed(t types.Type, pkg, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	o := n.Obj()
	return o.Pkg() != nil && o.Pkg().Path() == pkg && o.Name() == name
}

// callName is a short name for the function a call calls, for messages:
// "hubspot.New", "T.Fatalf", "Values.Set".
func (c *checker) callName(call *ast.CallExpr, fn *types.Func) string {
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if s, ok := c.info().Selections[sel]; ok {
			t := s.Recv()
			if p, ok := t.(*types.Pointer); ok {
				t = p.Elem()
			}
			if n, ok := types.Unalias(t).(*types.Named); ok {
				return n.Obj().Name() + "." + fn.Name()
			}
			return fn.Name()
		}
	}
	if fn.Pkg() != nil {
		return fn.Pkg().Name() + "." + fn.Name()
	}
	return fn.Name()
}

// reporter sends diagnostics, dropping those silenced by an ignore
// comment and duplicates of one finding at one place.
type reporter struct {
	pass    *analysis.Pass
	ignores map[string]map[int]bool // file name -> line -> has a reason
	seen    map[string]bool
}

const ignoreDirective = "hubkeyvet:ignore"

func newReporter(pass *analysis.Pass) *reporter {
	r := &reporter{pass: pass, ignores: map[string]map[int]bool{}, seen: map[string]bool{}}
	for _, f := range pass.Files {
		for _, g := range f.Comments {
			for _, cm := range g.List {
				text, ok := strings.CutPrefix(cm.Text, "//")
				if !ok {
					continue
				}
				text = strings.TrimLeft(text, " \t")
				rest, ok := strings.CutPrefix(text, ignoreDirective)
				if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
					continue
				}
				posn := pass.Fset.Position(cm.Pos())
				lines := r.ignores[posn.Filename]
				if lines == nil {
					lines = map[int]bool{}
					r.ignores[posn.Filename] = lines
				}
				// The reason runs up to any further comment on the line:
				// "//hubkeyvet:ignore // TODO" gives none.
				reason, _, _ := strings.Cut(rest, "//")
				hasReason := strings.TrimSpace(reason) != ""
				lines[posn.Line] = lines[posn.Line] || hasReason
				if !hasReason {
					pass.Report(analysis.Diagnostic{
						Pos: cm.Pos(), End: cm.End(), Category: catIgnore,
						Message: "//hubkeyvet:ignore without a reason silences nothing: write //hubkeyvet:ignore <why this is safe>",
					})
				}
			}
		}
	}
	return r
}

// report sends a diagnostic at pos unless an ignore comment with a reason
// is on its line or the line above, or the same category and key were
// already reported on that line.
func (r *reporter) report(pos, end token.Pos, category, key, format string, args ...any) {
	posn := r.pass.Fset.Position(pos)
	lines := r.ignores[posn.Filename]
	if lines[posn.Line] || lines[posn.Line-1] {
		return
	}
	k := fmt.Sprintf("%s:%d:%s:%s", posn.Filename, posn.Line, category, key)
	if r.seen[k] {
		return
	}
	r.seen[k] = true
	if end < pos {
		end = pos
	}
	r.pass.Report(analysis.Diagnostic{Pos: pos, End: end, Category: category, Message: fmt.Sprintf(format, args...)})
}
