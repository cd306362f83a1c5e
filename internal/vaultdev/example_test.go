package vaultdev_test

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/hubkey/hubkey/internal/vaultdev"
)

// The binary lives in the user cache directory, one directory per version.
func ExampleBinaryPath() {
	bin, err := vaultdev.BinaryPath()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(filepath.Base(filepath.Dir(bin)), filepath.Base(bin))
	// Output: vault-v1.21.0 vault
}

// Start a dev server from the cached binary, without building it.
func ExampleStart() {
	ctx := context.Background()
	bin, err := vaultdev.Find()
	if err != nil {
		fmt.Println("no Vault:", vaultdev.HowToGet)
		return
	}
	srv, err := vaultdev.Start(ctx, bin, vaultdev.StartOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Stop()
	fmt.Println("Vault dev server at", srv.Addr)
}
