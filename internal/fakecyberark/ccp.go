package fakecyberark

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// The CCP's error codes, as its REST documentation lists them.
const (
	codeAppIDMissing  = "AIMWS031E"
	codeBadQuery      = "AIMWS030E"
	codeAppUser       = "APPAP008E"
	codeAppAuthFailed = "APPAP306E"
	codeObjNotFound   = "APPAP004E"
	codeTooMany       = "APPAP227E"
)

// ccpParam reads a query parameter without regard to the case of its
// name, as the CCP does.
func ccpParam(q url.Values, name string) string {
	for k, v := range q {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

type ccpCriteria struct {
	safe, folder, object, userName, address string
	regexp                                  bool
}

func (c ccpCriteria) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("Safe", c.safe)
	add("Folder", c.folder)
	add("Object", c.object)
	add("UserName", c.userName)
	add("Address", c.address)
	return strings.Join(parts, ";")
}

func (c ccpCriteria) match(pattern, v string) bool {
	if pattern == "" {
		return true
	}
	if c.regexp {
		re, err := regexp.Compile("(?i)^(?:" + pattern + ")$")
		return err == nil && re.MatchString(v)
	}
	return strings.EqualFold(pattern, v)
}

func (s *Server) serveCCP(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(strings.TrimRight(r.URL.Path, "/"), "/AIMWebService/api/Accounts") {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.CCPRequests++
	q := r.URL.Query()
	appID := ccpParam(q, "AppID")
	if appID == "" {
		ccpError(w, http.StatusBadRequest, codeAppIDMissing, "Invalid query format. The AppID parameter is required.")
		return
	}
	app, ok := s.apps[strings.ToLower(appID)]
	if !ok {
		ccpError(w, http.StatusForbidden, codeAppUser, fmt.Sprintf("Problem occurred while trying to use user [%s] in the Vault (Diagnostic Info: 9). Please check that the user is configured correctly in the Vault", appID))
		return
	}
	if reason := s.authenticateApp(app, r); reason != "" {
		ccpError(w, http.StatusForbidden, codeAppAuthFailed, fmt.Sprintf("Failed to authenticate the application [%s]. Reason: %s", app.ID, reason))
		return
	}
	var c ccpCriteria
	if query := ccpParam(q, "Query"); query != "" {
		for _, kv := range strings.Split(query, ";") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				ccpError(w, http.StatusBadRequest, codeBadQuery, "Invalid query format.")
				return
			}
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "safe":
				c.safe = v
			case "folder":
				c.folder = v
			case "object":
				c.object = v
			case "username":
				c.userName = v
			case "address":
				c.address = v
			default:
				ccpError(w, http.StatusBadRequest, codeBadQuery, fmt.Sprintf("Invalid query format: unknown property [%s].", k))
				return
			}
		}
		switch f := ccpParam(q, "QueryFormat"); strings.ToLower(f) {
		case "", "exact":
		case "regexp":
			c.regexp = true
		default:
			ccpError(w, http.StatusBadRequest, codeBadQuery, "Invalid query format: QueryFormat must be Exact or Regexp.")
			return
		}
	} else {
		c = ccpCriteria{
			safe: ccpParam(q, "Safe"), folder: ccpParam(q, "Folder"), object: ccpParam(q, "Object"),
			userName: ccpParam(q, "UserName"), address: ccpParam(q, "Address"),
		}
	}
	if c.object == "" && c.userName == "" && c.address == "" {
		ccpError(w, http.StatusBadRequest, codeBadQuery, "Invalid query format: specify an Object, a UserName or an Address.")
		return
	}
	display := c
	if display.folder == "" {
		display.folder = "Root"
	}
	member := map[string]bool{}
	for _, sf := range app.Safes {
		member[strings.ToLower(sf)] = true
	}
	found := sortedAccounts(s.accounts, func(a *account) bool {
		return member[strings.ToLower(a.Safe)] &&
			c.match(c.safe, a.Safe) && c.match(display.folder, a.Folder) &&
			c.match(c.object, a.Name) && c.match(c.userName, a.UserName) && c.match(c.address, a.Address)
	})
	switch len(found) {
	case 0:
		ccpError(w, http.StatusNotFound, codeObjNotFound, fmt.Sprintf("Password object matching query [%s] was not found (Diagnostic Info: 5). Please check that there is a password object that answers your query in the Vault and that both the Provider and the application user have the appropriate permissions needed in order to use the password.", display))
		return
	case 1:
	default:
		ccpError(w, http.StatusBadRequest, codeTooMany, fmt.Sprintf("Too many password objects matching query [%s] were found (Diagnostic Info: 41). Please narrow the query.", display))
		return
	}
	a := found[0]
	s.stats.CCPSuccesses++
	writeJSON(w, http.StatusOK, map[string]string{
		"Content":                 a.Password,
		"UserName":                a.UserName,
		"Address":                 a.Address,
		"Database":                "",
		"PasswordChangeInProcess": "False",
		"Safe":                    a.Safe,
		"Folder":                  a.Folder,
		"Name":                    a.Name,
		"PolicyID":                a.PlatformID,
		"DeviceType":              "Application",
		"CreationMethod":          "PVWA",
	})
}

// authenticateApp applies the application's authentication methods; all
// that are configured must pass. It returns why it failed, or "".
func (s *Server) authenticateApp(app *App, r *http.Request) string {
	if app.RequireCert {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
			return "a client certificate is required and none was presented"
		}
		if app.CertCN != "" && !strings.EqualFold(r.TLS.PeerCertificates[0].Subject.CommonName, app.CertCN) {
			return "the client certificate's subject does not match the application's certificate attributes"
		}
	}
	if len(app.AllowedMachines) > 0 {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		ok := false
		for _, m := range app.AllowedMachines {
			if m == host {
				ok = true
				break
			}
		}
		if !ok {
			return fmt.Sprintf("the machine [%s] is not an allowed machine", host)
		}
	}
	return ""
}
