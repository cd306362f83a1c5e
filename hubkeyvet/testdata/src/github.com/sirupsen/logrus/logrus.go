// Package logrus is a stub of the logging package.
package logrus

func Infof(format string, args ...any)       {}
func WithField(key string, value any) *Entry { return &Entry{} }

type Entry struct{}

func (e *Entry) Info(args ...any) {}
