package printer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/coffeebar/kiosk/clock"
)

// USB is a USB printer-class device, which Linux's usblp driver shows as
// /dev/usb/lp0. The device is opened write-only for each job, so a printer
// that is unplugged and plugged back in is found again.
type USB struct {
	// Path is the device node.
	Path string
	// Timeout bounds writing one job.
	Timeout time.Duration

	clock clock.Clock
}

// NewUSB returns the USB printer at path, with its waits on clk.
func NewUSB(path string, clk clock.Clock) *USB {
	return &USB{Path: path, Timeout: DefaultTimeout, clock: clk}
}

// String names the printer for logs and the staff screen.
func (u *USB) String() string { return "usb " + u.Path }

// Print opens the device, writes job and closes it, all within Timeout: a
// wedged device fails the job instead of wedging the queue.
func (u *USB) Print(ctx context.Context, job []byte) error {
	var (
		mu      sync.Mutex
		f       *os.File
		aborted bool
	)
	abort := func() {
		mu.Lock()
		defer mu.Unlock()
		aborted = true
		if f != nil {
			f.Close()
		}
	}
	err := within(ctx, u.clock, u.Timeout, "write", abort, func() error {
		file, err := os.OpenFile(u.Path, os.O_WRONLY, 0)
		if err != nil {
			return openError(err)
		}
		mu.Lock()
		if aborted {
			mu.Unlock()
			return file.Close()
		}
		f = file
		mu.Unlock()
		if _, err := file.Write(job); err != nil {
			file.Close()
			return ioError(err)
		}
		if err := file.Close(); err != nil {
			return ioError(err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("usb printer %s: %w", u.Path, err)
	}
	return nil
}

// openError explains why a device did not open. A missing device is an
// unplugged or switched-off printer, so it is ErrOffline; a permission
// problem is not, and says how to fix it.
func openError(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENODEV), errors.Is(err, syscall.ENXIO), errors.Is(err, syscall.EBUSY):
		return fmt.Errorf("%w: %w", ErrOffline, err)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w (the kiosk's user needs the device's group, usually lp or dialout)", err)
	}
	return err
}

// ioError marks the errors of a device that went away mid-job as ErrOffline.
func ioError(err error) error {
	if errors.Is(err, ErrOffline) {
		return err
	}
	if errors.Is(err, syscall.ENODEV) || errors.Is(err, syscall.EIO) || errors.Is(err, syscall.ENXIO) || errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("%w: %w", ErrOffline, err)
	}
	return err
}
