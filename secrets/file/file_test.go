package file_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/file"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// k8sVolume imitates a Kubernetes secret volume: the file is a symlink
// through "..data", which the kubelet swaps atomically to a new directory.
type k8sVolume struct {
	dir   string
	field string
	n     atomic.Int64
}

func (h *k8sVolume) MakeProvider(context.Context) (secrets.Provider, error) {
	var opts []file.Option
	if h.field != "" {
		opts = append(opts, file.WithJSONField(h.field))
	}
	return file.New(filepath.Join(h.dir, "token"), opts...)
}

func (h *k8sVolume) SetValue(_ context.Context, v string) error {
	content := v + "\n"
	if h.field != "" {
		content = `{"other": "x", "` + h.field + `": "` + v + `"}`
	}
	ts := filepath.Join(h.dir, "..2026_"+strings.Repeat("0", int(h.n.Add(1))))
	if err := os.Mkdir(ts, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(ts, "token"), []byte(content), 0o600); err != nil {
		return err
	}
	tmp := filepath.Join(h.dir, "..data_tmp")
	if err := os.Symlink(filepath.Base(ts), tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(h.dir, "..data")); err != nil {
		return err
	}
	link := filepath.Join(h.dir, "token")
	if _, err := os.Lstat(link); os.IsNotExist(err) {
		return os.Symlink(filepath.Join("..data", "token"), link)
	}
	return nil
}

func (h *k8sVolume) Break(context.Context) error {
	if h.field != "" {
		return os.WriteFile(filepath.Join(h.dir, "..data", "token"), []byte("{broken"), 0o600)
	}
	return os.Remove(filepath.Join(h.dir, "..data", "token"))
}

func (h *k8sVolume) Close() {}

func TestConformance(t *testing.T) {
	for _, field := range []string{"", "token"} {
		t.Run("field="+field, func(t *testing.T) {
			secretstest.Run(t, func(_ context.Context, t *testing.T) (secretstest.Harness, error) {
				return &k8sVolume{dir: t.TempDir(), field: field}, nil
			})
		})
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	const secret = "pat-na1-secret-in-a-bad-file"
	cases := []struct {
		name    string
		path    string
		opts    []file.Option
		is      error
		mention string
	}{
		{"missing", filepath.Join(dir, "nope"), nil, secrets.ErrNotFound, "nope"},
		{"empty", write("empty", " \n"), nil, secrets.ErrEmpty, "empty"},
		{"directory", dir, nil, secrets.ErrMalformed, "directory"},
		{"too large", write("big", strings.Repeat("x", 2000)), []file.Option{file.WithMaxSize(1000)}, secrets.ErrTooLarge, "big"},
		{"bad json", write("bad.json", `{"token": "`+secret), []file.Option{file.WithJSONField("token")}, secrets.ErrMalformed, "bad.json#token"},
		{"missing field", write("other.json", `{"tok": "`+secret+`"}`), []file.Option{file.WithJSONField("token")}, secrets.ErrNotFound, `"token"`},
		{"empty field", write("ef.json", `{"token": "  "}`), []file.Option{file.WithJSONField("token")}, secrets.ErrEmpty, "token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := file.New(tc.path, tc.opts...)
			require.NoError(t, err)
			_, err = p.Fetch(context.Background())
			require.ErrorIs(t, err, tc.is)
			assert.Contains(t, err.Error(), tc.mention)
			secretstest.AssertNoLeak(t, "error", err.Error(), secret)
		})
	}
	_, err := file.New("")
	assert.Error(t, err)
	_, err = file.New("x", file.WithMaxSize(-1))
	assert.Error(t, err)
}

func TestFileTrimsAndIdentifiesByContent(t *testing.T) {
	p := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(p, []byte("\n tok-1 \r\n"), 0o600))
	fp, err := file.New(p)
	require.NoError(t, err)
	v, err := fp.Fetch(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok-1", v.Value.Reveal())
	assert.Equal(t, v.Value.Fingerprint(), v.ID)
	assert.Equal(t, "file:"+p, v.Source)
}
