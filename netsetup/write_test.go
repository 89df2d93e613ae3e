package netsetup

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestApply(t *testing.T) {
	root := t.TempDir()
	files := []File{
		{Path: "/etc/kiosk/network/a.conf", Perm: 0o644, Data: []byte("a\n")},
		{Path: "/etc/kiosk/network/secret.conf", Perm: 0o600, Data: []byte("s\n")},
		{Path: "/etc/kiosk/network/gone.conf", Perm: 0o644, Data: nil},
	}
	changes := func(rs []Result) []Change {
		var out []Change
		for _, r := range rs {
			out = append(out, r.Change)
		}
		return out
	}

	// First run: both written, the absent one stays absent.
	rs, err := Apply(root, files)
	if err != nil {
		t.Fatal(err)
	}
	if got := changes(rs); !slices.Equal(got, []Change{Written, Written, Unchanged}) {
		t.Errorf("first run: %v", got)
	}
	info, err := os.Stat(filepath.Join(root, "etc/kiosk/network/secret.conf"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("secret.conf: %v, %v", info, err)
	}

	// Second run: nothing is touched, not even the modification time.
	path := filepath.Join(root, "etc/kiosk/network/a.conf")
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	os.Chtimes(path, old, old)
	rs, err = Apply(root, files)
	if err != nil {
		t.Fatal(err)
	}
	if got := changes(rs); !slices.Equal(got, []Change{Unchanged, Unchanged, Unchanged}) {
		t.Errorf("second run: %v", got)
	}
	if info, _ := os.Stat(path); !info.ModTime().Equal(old) {
		t.Error("an unchanged file was rewritten")
	}

	// A changed permission alone is repaired; a file to remove goes.
	os.Chmod(filepath.Join(root, "etc/kiosk/network/secret.conf"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/kiosk/network/gone.conf"), []byte("stale"), 0o644)
	rs, err = Apply(root, files)
	if err != nil {
		t.Fatal(err)
	}
	if got := changes(rs); !slices.Equal(got, []Change{Unchanged, Written, Removed}) {
		t.Errorf("third run: %v", got)
	}

	// No temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Join(root, "etc/kiosk/network"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"a.conf", "secret.conf"}) {
		t.Errorf("directory holds %v", names)
	}
}

func TestApplyRefusesRelativePaths(t *testing.T) {
	root := t.TempDir()
	_, err := Apply(root, []File{
		{Path: "etc/x", Perm: 0o644, Data: []byte("x")},
		{Path: "/etc/../../x", Perm: 0o644, Data: []byte("x")},
		{Path: "/etc/ok", Perm: 0o644, Data: []byte("x")},
	})
	if err == nil {
		t.Fatal("relative and unclean paths were accepted")
	}
	if _, err := os.Stat(filepath.Join(root, "etc/ok")); err != nil {
		t.Errorf("a good file after bad ones was not written: %v", err)
	}
}
