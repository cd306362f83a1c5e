package main

import "fmt"

// The package patterns among go test's arguments decide what is tested
// (./... when there are none) and whether Vault is needed.
func Example_packagePatterns() {
	fmt.Println(packagePatterns([]string{"-run", "TestKV2", "-count=1", "./secrets/vault/..."}))
	// Output: [./secrets/vault/...]
}
