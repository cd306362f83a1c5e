//go:build !linux

package motodev

import (
	"os"
	"os/exec"
	"runtime"
)

func setProcAttr(cmd *exec.Cmd) {}

func interrupt(p *os.Process) error {
	if runtime.GOOS == "windows" {
		return p.Kill() // Windows has no interrupt for another process
	}
	return p.Signal(os.Interrupt)
}
