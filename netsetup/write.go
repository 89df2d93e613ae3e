package netsetup

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/coffeebar/kiosk/durable"
)

// Change is what Apply did to one file.
type Change string

// The changes Apply reports.
const (
	Unchanged Change = "unchanged"
	Written   Change = "written"
	Removed   Change = "removed"
)

// Result is what Apply did to one file.
type Result struct {
	// Path is the file's path on the box, without the root.
	Path string
	// Change is what happened to it.
	Change Change
}

// Apply makes the files exist under root (a directory standing for "/";
// "/" on the box, a temporary directory in tests) with exactly the given
// content and permissions. A file already right is not touched, so an SD
// card is not written at every boot. A file is replaced atomically: the new
// content is written and synced beside it and renamed over it, so a power
// cut leaves either the old file or the new one, never half of one.
// Missing directories are created with mode 0755. Apply carries on past a
// failing file and returns every failure joined.
func Apply(root string, files []File) ([]Result, error) {
	var results []Result
	var errs []error
	for _, f := range files {
		change, err := apply(root, f)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.Path, err))
			continue
		}
		results = append(results, Result{Path: f.Path, Change: change})
	}
	return results, errors.Join(errs...)
}

func apply(root string, f File) (Change, error) {
	if !filepath.IsAbs(f.Path) || filepath.Clean(f.Path) != f.Path {
		return "", errors.New("not a clean absolute path")
	}
	path := filepath.Join(root, f.Path)
	if f.Data == nil {
		err := os.Remove(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return Unchanged, nil
		case err != nil:
			return "", err
		}
		return Removed, durable.SyncDir(filepath.Dir(path))
	}
	if same(path, f) {
		return Unchanged, nil
	}
	return Written, WriteAtomic(path, f.Data, f.Perm)
}

// same reports whether path is a regular file with f's content and mode.
func same(path string, f File) bool {
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() || info.Mode().Perm() != f.Perm.Perm() {
		return false
	}
	old, err := os.ReadFile(path)
	return err == nil && bytes.Equal(old, f.Data)
}

// WriteAtomic replaces path with data and the permission bits perm, through
// a synced temporary file in the same directory and a rename.
func WriteAtomic(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if err := tmp.Chmod(perm.Perm()); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return durable.SyncDir(dir)
}
