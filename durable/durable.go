// Package durable writes files so that they survive a power cut: the data
// synced to the disk before the call returns, and a directory synced after
// a name in it changed. The box is unplugged without warning; the kiosk's
// backups, restores and the setup's files rely on this.
package durable

import (
	"io"
	"os"
)

// CopyFile copies src to a new file dest (mode 0600) and syncs it, so a
// drive pulled out right after holds the whole file. dest must not exist;
// a copy that fails is removed.
func CopyFile(src, dest string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dest)
	}
	return err
}

// SyncDir makes a file created, renamed or removed in dir survive a power
// cut.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
