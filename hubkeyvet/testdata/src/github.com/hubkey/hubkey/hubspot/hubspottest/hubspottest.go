// Package hubspottest is a stub of the in-memory HubSpot for tests.
package hubspottest

type Server struct{}

func NewServer() *Server                                                     { return &Server{} }
func (s *Server) NewToken(scopes ...string) string                           { return "" }
func (s *Server) NewDeveloperKey(appID int) string                           { return "" }
func (s *Server) RevokeToken(token string)                                   {}
func (s *Server) URL() string                                                { return "" }
func (s *Server) NewOAuthApp() (clientID, clientSecret, refreshToken string) { return }
