// Package reveal lets values of Secret.Reveal() reach logs, prints,
// errors, panics and URLs, and uses them safely.
package reveal

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/hubkey/hubkey/secrets"
	"github.com/sirupsen/logrus"
)

type tokenError struct{ token string }

func (e *tokenError) Error() string { return "bad token" }

type auditLogger struct{}

func (auditLogger) Record(event string, fields ...any) {}

func loggers(s secrets.Secret, l *log.Logger, sl *slog.Logger, audit auditLogger) {
	log.Printf("token %s", s.Reveal()) // want `value of Secret.Reveal\(\) \(line 32\) reaches a logger \(log.Printf\): log the Secret itself`
	tok := s.Reveal()
	log.Println("using", tok)                              // want `reaches a logger \(log.Println\) through tok`
	l.Printf("token=%s", tok)                              // want `reaches a logger \(Logger.Printf\) through tok`
	slog.Info("calling HubSpot", "token", tok)             // want `reaches a logger \(slog.Info\)`
	sl.Debug("calling", slog.String("token", tok))         // want `reaches a logger \(slog.String\)`
	logrus.Infof("token %s", tok)                          // want `reaches a logger \(logrus.Infof\)`
	logrus.WithField("token", tok).Info("x")               // want `reaches a logger \(logrus.WithField\)`
	audit.Record("login", "token", strings.TrimSpace(tok)) // want `reaches a logger \(auditLogger.Record\)`
}

func printing(s secrets.Secret) {
	v := s.Reveal()
	fmt.Println(v)                           // want `reaches fmt printing \(fmt.Println\) through v`
	fmt.Printf("%s\n", "Bearer "+v)          // want `reaches fmt printing \(fmt.Printf\)`
	fmt.Fprintf(os.Stderr, "token: %q\n", v) // want `reaches fmt printing \(fmt.Fprintf\)`
	println(v[:8])                           // want `reaches printing \(println\)`
	io.WriteString(os.Stdout, v)             // want `reaches printing \(io.WriteString\)`
	os.Stderr.WriteString(v)                 // want `reaches printing \(File.WriteString\)`
}

func errorsAndPanics(s secrets.Secret) error {
	tok := s.Reveal()
	if len(tok) < 10 {
		panic("short token " + tok) // want `reaches a panic`
	}
	if strings.HasPrefix(tok, "x") {
		return errors.New("unexpected token " + tok) // want `reaches an error \(errors.New\)`
	}
	if tok == "revoked" {
		return &tokenError{token: tok} // want `reaches an error \(tokenError\) through tok`
	}
	return fmt.Errorf("token %s refused", tok) // want `reaches an error \(fmt.Errorf\) through tok`
}

func urls(s secrets.Secret, req *http.Request) {
	key := s.Reveal()
	req.URL.RawQuery = "hapikey=" + url.QueryEscape(key) // want `reaches a URL \(url.URL.RawQuery\): URLs are quoted by \*url.Error`

	q := req.URL.Query()
	q.Set("hapikey", key)
	req.URL.RawQuery = q.Encode() // want `reaches a URL \(url.URL.RawQuery\)`

	_ = &url.URL{Scheme: "https", Host: "api.hubapi.com", RawQuery: "hapikey=" + key} // want `reaches a URL \(url.URL literal\)`
	_, _ = url.Parse("https://api.hubapi.com/x?hapikey=" + key)                       // want `reaches a URL \(url.Parse\)`
	_, _ = http.Get("https://api.hubapi.com/x?hapikey=" + key)                        // want `reaches a URL \(http.Get\)`
	_, _ = http.NewRequest("GET", "https://api.hubapi.com/x?hapikey="+key, nil)       // want `reaches a URL \(http.NewRequest\)`
}

func laterLogged(s secrets.Secret) {
	fields := map[string]string{"app": "sync"}
	fields["token"] = s.Reveal()
	log.Printf("config: %v", fields) // want `reaches a logger \(log.Printf\) through fields`

	type config struct {
		Name  string
		Token string
	}
	var c config
	c.Name = "sync"
	c.Token = s.Reveal()
	log.Printf("%+v", c)     // want `through c`
	log.Printf("%s", c.Name) // only the Token field carries the value

	var b strings.Builder
	b.WriteString("Bearer ")
	b.WriteString(s.Reveal())
	log.Print(b.String()) // want `reaches a logger \(log.Print\)`

	var buf bytes.Buffer
	fmt.Fprintf(&buf, "token=%s", s.Reveal())
	log.Print(buf.String()) // want `reaches a logger`

	var all []string
	all = append(all, "x", s.Reveal())
	for _, v := range all {
		log.Print(v) // want `reaches a logger \(log.Print\) through v`
	}

	logLater := func() {
		log.Print(fields["app"]) // want `through fields`
	}
	logLater()
}

// Not reported: the value goes on the wire or into a MAC, or what is
// logged cannot carry it.
func safe(s secrets.Secret, req *http.Request, body []byte) {
	tok := s.Reveal()
	req.Header.Set("Authorization", "Bearer "+tok)
	log.Printf("calling %s %s", req.Method, req.URL.Path)
	log.Printf("token %s, fingerprint %s, %d bytes", s, s.Fingerprint(), len(tok))
	log.Printf("empty: %v, prefixed: %v", tok == "", strings.HasPrefix(tok, "pat-"))

	mac := hmac.New(sha256.New, []byte(s.Reveal()))
	mac.Write(body)
	fmt.Fprintf(mac, "%s", s.Reveal())
	log.Printf("mac %x", mac.Sum(nil))

	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {s.Reveal()}}
	resp, err := http.PostForm("https://api.hubapi.com/oauth/v1/token", form)
	if err != nil {
		log.Print(err)
		return
	}
	log.Print(resp.Status)
	_, _ = http.NewRequest("POST", "https://api.hubapi.com/oauth/v1/token", strings.NewReader(form.Encode()))

	cases := []struct {
		name  string
		token string
	}{
		{"current", s.Reveal()},
		{"empty", ""},
	}
	for _, tc := range cases {
		log.Printf("case %s", tc.name)
	}

	// Not caught: a value that leaves this function (a result, a
	// parameter of another function) is not followed.
	log.Print(passThrough(s.Reveal()))
}

func passThrough(v string) string { return v }
