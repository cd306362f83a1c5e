//go:build unix && !linux

package pgdev

import "syscall"

func setPdeathsig(a *syscall.SysProcAttr) {}
