package pgdev

import "syscall"

// procAttr: on Windows the server runs as the calling user.
func procAttr(o *owner) *syscall.SysProcAttr { return nil }
