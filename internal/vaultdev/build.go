package vaultdev

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// FindOrBuild returns the cached Vault binary, building it first (see
// [Build]) when the cache has none. built reports whether this call built
// it. Progress goes to log.
func FindOrBuild(ctx context.Context, log io.Writer) (bin string, built bool, err error) {
	if bin, err := Find(); err == nil {
		return bin, false, nil
	} else if !errors.Is(err, ErrNoBinary) {
		return "", false, err
	}
	return Build(ctx, log)
}

// Build builds Vault [Version] from its Go module into [BinaryPath] and
// returns that path. The recipe, measured at about six minutes on two cores
// with a warm module cache:
//
//  1. go mod download -json github.com/hashicorp/vault@VERSION;
//  2. copy the module directory (read-only in the module cache) somewhere
//     writable;
//  3. go mod edit -dropreplace for each replace of a github.com/hashicorp/vault/
//     module (api, api/auth/*, sdk), which point into the Vault repository
//     and so do not exist in the module download;
//  4. GOFLAGS=-mod=mod go build -o TEMP . , check `TEMP version`, and rename
//     TEMP to the binary path, so a reader never sees half a binary.
//
// A lock file in the cache directory makes concurrent runs build once: a
// run that finds a build under way waits for it (until ctx ends) and then
// returns the binary it built (built is false then). On systems without
// flock the lock is skipped; the atomic rename still keeps the binary whole.
func Build(ctx context.Context, log io.Writer) (bin string, built bool, err error) {
	if log == nil {
		log = io.Discard
	}
	dir, err := CacheDir()
	if err != nil {
		return "", false, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", false, fmt.Errorf("vaultdev: %w", err)
	}
	unlock, err := lock(ctx, filepath.Join(dir, "build.lock"), func() {
		fmt.Fprintf(log, "vaultdev: another process is building Vault %s into %s; waiting for it\n", Version, dir)
	})
	if err != nil {
		return "", false, err
	}
	defer unlock()
	if bin, err := Find(); err == nil {
		return bin, false, nil // built by whoever held the lock
	}
	bin, err = BinaryPath()
	if err != nil {
		return "", false, err
	}
	work, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", false, fmt.Errorf("vaultdev: %w", err)
	}
	defer os.RemoveAll(work)

	start := time.Now()
	fmt.Fprintf(log, "vaultdev: downloading %s@%s\n", Module, Version)
	modDir, err := download(ctx, work, log)
	if err != nil {
		return "", false, err
	}
	src := filepath.Join(work, "src")
	if err := copyTree(modDir, src); err != nil {
		return "", false, fmt.Errorf("vaultdev: copying the Vault module to a writable directory: %w", err)
	}
	if err := dropVaultReplaces(ctx, src, log); err != nil {
		return "", false, err
	}
	fmt.Fprintf(log, "vaultdev: building Vault %s into %s (once; about 6 minutes on 2 cores)\n", Version, bin)
	tmp := filepath.Join(dir, exeName(fmt.Sprintf("vault.tmp-%d", os.Getpid())))
	defer os.Remove(tmp) // left only on failure: the rename below moves it
	if _, err := goCmd(ctx, src, []string{"GOFLAGS=-mod=mod -buildvcs=false"}, log, "build", "-o", tmp, "."); err != nil {
		return "", false, fmt.Errorf("vaultdev: building Vault %s: %w", Version, err)
	}
	out, err := exec.CommandContext(ctx, tmp, "version").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("Vault "+Version)) {
		return "", false, fmt.Errorf("vaultdev: the built binary does not report Vault %s (output %q, error %v)", Version, firstLine(out), err)
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", false, fmt.Errorf("vaultdev: %w", err)
	}
	fmt.Fprintf(log, "vaultdev: built Vault %s in %s\n", Version, time.Since(start).Round(time.Second))
	return bin, true, nil
}

// download runs go mod download for Vault in the empty directory work (so
// no go.mod around it is touched) and returns the module's directory.
func download(ctx context.Context, work string, log io.Writer) (string, error) {
	out, err := goCmd(ctx, work, []string{"GOFLAGS="}, log, "mod", "download", "-json", Module+"@"+Version)
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr == nil && info.Error != "" {
		return "", fmt.Errorf("vaultdev: downloading %s@%s: %s", Module, Version, info.Error)
	}
	if err != nil {
		return "", fmt.Errorf("vaultdev: downloading %s@%s: %w", Module, Version, err)
	}
	if info.Dir == "" {
		return "", fmt.Errorf("vaultdev: go mod download reported no directory for %s@%s", Module, Version)
	}
	return info.Dir, nil
}

// dropVaultReplaces removes the go.mod replace directives in dir that point
// Vault's own api, api/auth/* and sdk modules at directories of the Vault
// repository, which a module download does not contain.
func dropVaultReplaces(ctx context.Context, dir string, log io.Writer) error {
	out, err := goCmd(ctx, dir, nil, log, "mod", "edit", "-json")
	if err != nil {
		return fmt.Errorf("vaultdev: reading Vault's go.mod: %w", err)
	}
	drops, err := vaultReplaces(out)
	if err != nil {
		return err
	}
	if len(drops) == 0 {
		return nil
	}
	args := []string{"mod", "edit"}
	for _, d := range drops {
		args = append(args, "-dropreplace="+d)
	}
	if _, err := goCmd(ctx, dir, nil, log, args...); err != nil {
		return fmt.Errorf("vaultdev: dropping replace directives from Vault's go.mod: %w", err)
	}
	return nil
}

// vaultReplaces parses `go mod edit -json` output and returns the
// -dropreplace arguments for the replaces of github.com/hashicorp/vault/...
// modules (path, or path@version for a versioned replace).
func vaultReplaces(modJSON []byte) ([]string, error) {
	var mod struct {
		Replace []struct {
			Old struct{ Path, Version string }
		}
	}
	if err := json.Unmarshal(modJSON, &mod); err != nil {
		return nil, fmt.Errorf("vaultdev: go mod edit -json printed something that is not its JSON: %w", err)
	}
	var drops []string
	for _, r := range mod.Replace {
		if !strings.HasPrefix(r.Old.Path, Module+"/") {
			continue
		}
		d := r.Old.Path
		if r.Old.Version != "" {
			d += "@" + r.Old.Version
		}
		drops = append(drops, d)
	}
	return drops, nil
}

// goCmd runs the go command in dir with extra environment entries. Its
// standard output is returned; its standard error goes to log and, when the
// command fails, the end of it is in the error.
func goCmd(ctx context.Context, dir string, env []string, log io.Writer, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"GOWORK=off"}, env...)...)
	var stdout bytes.Buffer
	stderr := &tailBuffer{max: 8 << 10}
	cmd.Stdout = &stdout
	cmd.Stderr = io.MultiWriter(log, stderr)
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return stdout.Bytes(), ctx.Err()
		}
		return stdout.Bytes(), fmt.Errorf("go %s: %w; its output ends:\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// copyTree copies the regular files and directories under from into to,
// making them writable by the owner.
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(dst, 0o755)
		case !d.Type().IsRegular():
			return nil // module zips hold no symlinks or devices
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return copyFile(path, dst, info.Mode().Perm()|0o200)
	})
}

func copyFile(from, to string, perm fs.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}

func exeName(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}
