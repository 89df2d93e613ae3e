package durable

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestCopyFileCopiesIntoANewFile(t *testing.T) {
	dir := t.TempDir()
	src, dest := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.WriteFile(src, []byte("order 42"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CopyFile(src, dest); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(dest)
	if err != nil || string(got) != "order 42" {
		t.Fatalf("copy holds %q, %v", got, err)
	}
	if info, _ := os.Stat(dest); info.Mode().Perm() != 0o600 {
		t.Fatalf("copy mode %v, want 0600", info.Mode().Perm())
	}
	if err := SyncDir(dir); err != nil {
		t.Fatal(err)
	}
}

func TestCopyFileNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	src, dest := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.WriteFile(src, []byte("new"), 0o644)
	os.WriteFile(dest, []byte("yesterday's backup"), 0o600)
	if err := CopyFile(src, dest); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("err = %v, want fs.ErrExist", err)
	}
	if got, _ := os.ReadFile(dest); string(got) != "yesterday's backup" {
		t.Fatalf("the existing file became %q", got)
	}
}

func TestCopyFileOfAFolderLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "b")
	if err := CopyFile(dir, dest); err == nil {
		t.Fatal("copied a folder as a file")
	}
	if _, err := os.Stat(dest); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a failed copy left %s behind (%v)", dest, err)
	}
}
