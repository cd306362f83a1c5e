package motodev

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcAttr has the kernel stop the server if the process that started
// it dies without calling Stop (a kill -9 of the test command, say).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}

func interrupt(p *os.Process) error { return p.Signal(syscall.SIGTERM) }
