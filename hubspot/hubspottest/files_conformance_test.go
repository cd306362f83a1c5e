package hubspottest_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"testing"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// fileBody is a multipart upload of one file.
func fileBody(t *testing.T, name, content string, fields map[string]string, options map[string]any) rawBody {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if options != nil {
		js, err := json.Marshal(options)
		if err != nil {
			t.Fatal(err)
		}
		if err := mw.WriteField("options", string(js)); err != nil {
			t.Fatal(err)
		}
	}
	mw.Close()
	return rawBody{mw.FormDataContentType(), buf.Bytes()}
}

// exerciseFiles calls the files and folders operations. The versions
// that offer only search, import from URL and folder update (2025-09,
// 2026-09) get their folder and file through the numbered paths.
func exerciseFiles(d *driver) {
	setup := *d
	setup.v = endpoints.Numbered
	mk := func(name string, params map[string]string, body any) any {
		if out, ok := d.call(name, params, "", body); ok {
			return out
		}
		out, _ := setup.call(name, params, "", body)
		return out
	}
	folder := mk("files.folders.create", nil, map[string]any{"name": "docs-" + string(d.v)})
	fid := id(folder)
	sub := mk("files.folders.create", nil, map[string]any{"name": "old", "parentFolderId": fid})
	d.call("files.folders.get", obj("folderId", fid), "", nil)
	d.call("files.folders.search", nil, "name=docs&limit=5", nil)
	d.call("files.folders.update", obj("folderId", id(sub)), "", map[string]any{"name": "older"})

	up := mk("files.upload", nil, fileBody(d.t, "report.txt", "hello, files", map[string]string{"folderId": fid},
		map[string]any{"access": "PUBLIC_NOT_INDEXABLE", "overwrite": false, "duplicateValidationStrategy": "NONE", "duplicateValidationScope": "ENTIRE_PORTAL"}))
	file := id(up)
	d.call("files.get", obj("fileId", file), "", nil)
	d.call("files.search", nil, "name=report&limit=5&sort=-createdAt", nil)
	d.call("files.update", obj("fileId", file), "", map[string]any{"name": "summary", "access": "PRIVATE", "clearExpires": false})
	d.call("files.signed-url", obj("fileId", file), "expirationSeconds=60", nil)
	u, _ := up.(map[string]any)["url"].(string)
	if !d.t.Failed() {
		pub := mk("files.upload", nil, fileBody(d.t, "logo.png", "png bytes", map[string]string{"folderPath": "/public"},
			map[string]any{"access": "PUBLIC_INDEXABLE"}))
		u, _ = pub.(map[string]any)["url"].(string)
	}
	task, _ := d.call("files.import-from-url", nil, "", map[string]any{"url": u, "access": "PUBLIC_NOT_INDEXABLE", "folderPath": "/imported",
		"duplicateValidationStrategy": "NONE", "duplicateValidationScope": "ENTIRE_PORTAL", "overwrite": false})
	if task != nil {
		d.call("files.import-from-url.status", obj("taskId", id(task)), "", nil)
	}
	d.call("files.archive", obj("fileId", file), "", nil)
	d.call("files.folders.archive", obj("folderId", id(sub)), "", nil)
}
