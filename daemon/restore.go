package daemon

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/coffeebar/kiosk/archive"
)

// Restore is `kiosk restore [--data DIR] FILE`: it puts a backup (from the
// admin app's download or from closing the booth) into an empty data
// directory, checked before anything is written.
func Restore(args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kiosk restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := Defaults.DataDir
	if v := env("KIOSK_DATA"); v != "" {
		data = v
	}
	fs.StringVar(&data, "data", data, "the empty data directory to restore into ($KIOSK_DATA)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: kiosk restore [--data DIR] BACKUP-FILE")
	}
	if err := archive.Restore(context.Background(), fs.Arg(0), data, slog.New(slog.DiscardHandler)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Restored %s into %s. Start the kiosk on it.\n", fs.Arg(0), data)
	return nil
}
