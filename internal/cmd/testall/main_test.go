package main

import (
	"slices"
	"testing"
)

func TestPackagePatterns(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{nil, nil},
		{[]string{"-run", "TestVault", "./secrets/vault/..."}, []string{"./secrets/vault/..."}},
		{[]string{"-run=TestVault", "-v", "./a", "./b/..."}, []string{"./a", "./b/..."}},
		{[]string{"-count", "1", "-coverprofile", "c.out", "-short"}, nil},
		{[]string{"-test.run", "X", "github.com/hubkey/hubkey/secrets"}, []string{"github.com/hubkey/hubkey/secrets"}},
		{[]string{"./x", "-args", "./not-a-package"}, []string{"./x"}},
	}
	for _, tc := range tests {
		if got := packagePatterns(tc.args); !slices.Equal(got, tc.want) {
			t.Errorf("packagePatterns(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
