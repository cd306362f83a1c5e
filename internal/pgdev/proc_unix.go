//go:build unix

package pgdev

import "syscall"

// procAttr runs a PostgreSQL program as o (when set) and, on Linux, has
// the kernel stop it if the process that started it dies without calling
// Stop (a kill -9 of the test command, say).
func procAttr(o *owner) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{}
	if o != nil {
		a.Credential = &syscall.Credential{Uid: o.uid, Gid: o.gid, NoSetGroups: true}
	}
	setPdeathsig(a)
	return a
}
