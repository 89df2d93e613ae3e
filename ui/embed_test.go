package ui

import (
	"errors"
	"io/fs"
	"os"
	"testing"
	"testing/fstest"
)

func TestBuiltPlaceholder(t *testing.T) {
	placeholder := fstest.MapFS{".keep": &fstest.MapFile{}}
	if built(placeholder) {
		t.Fatal("built(placeholder) = true, want false: .keep alone is not a build")
	}
	empty := fstest.MapFS{}
	if built(empty) {
		t.Fatal("built(empty) = true, want false")
	}
	dirNamedLikePage := fstest.MapFS{"index.html/x": &fstest.MapFile{}}
	if built(dirNamedLikePage) {
		t.Fatal("built with a directory named index.html = true, want false")
	}
}

func TestBuiltWithPages(t *testing.T) {
	build := fstest.MapFS{
		".keep":              &fstest.MapFile{},
		"index.html":         &fstest.MapFile{Data: []byte("<!doctype html>")},
		"barista/index.html": &fstest.MapFile{Data: []byte("<!doctype html>")},
	}
	if !built(build) {
		t.Fatal("built(build) = false, want true")
	}
}

// TestEmbedded checks the embedded files against dist/ on disk, so it holds in
// a fresh checkout (placeholder only) and after npm run build alike.
func TestEmbedded(t *testing.T) {
	if _, err := fs.Stat(FS(), ".keep"); err != nil {
		t.Fatalf("the placeholder dist/.keep is not embedded: %v", err)
	}
	_, err := os.Stat("dist/index.html")
	onDisk := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	if Built() != onDisk {
		t.Fatalf("Built() = %v, but dist/index.html on disk exists = %v", Built(), onDisk)
	}
}
