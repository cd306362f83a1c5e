package file_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hubkey/hubkey/secrets/file"
)

// A Kubernetes secret volume or a Vault Agent sink holding JSON.
func Example() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hubspot.json")
	os.WriteFile(path, []byte(`{"token": "pat-na1-example", "portal": "123"}`), 0o600)

	p, err := file.New(path, file.WithJSONField("token"))
	if err != nil {
		panic(err)
	}
	v, err := p.Fetch(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Value, v.ID == v.Value.Fingerprint())
	// Output: [REDACTED] true
}
