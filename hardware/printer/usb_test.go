package printer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/hardware/escpos"
)

func TestUSBPrint(t *testing.T) {
	ctx := testContext(t)
	// A device node is a file that exists before the kiosk opens it.
	dev := filepath.Join(t.TempDir(), "lp0")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	job := ticketJob(t, "José", escpos.Layout{Paper: escpos.Paper80mm, QR: escpos.QRRaster})
	p := NewUSB(dev, clock.NewFake(epoch))
	if err := p.Print(ctx, job); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(dev)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, job) {
		t.Errorf("device got %d bytes, want the %d of the job", len(got), len(job))
	}
	if p.String() != "usb "+dev {
		t.Errorf("String() = %q", p.String())
	}
}

func TestUSBUnplugged(t *testing.T) {
	ctx := testContext(t)
	dev := filepath.Join(t.TempDir(), "lp0")
	err := NewUSB(dev, clock.NewFake(epoch)).Print(ctx, []byte("x"))
	if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), dev) {
		t.Errorf("err = %v, want ErrOffline naming %s", err, dev)
	}
	if _, statErr := os.Stat(dev); !errors.Is(statErr, os.ErrNotExist) {
		t.Error("Print created the device file")
	}
}

// A printer that stops taking data (jammed, or a driver that blocks) must
// fail the job on the clock, not hang the queue. A FIFO with nobody reading
// blocks exactly like that, first in open, then in write.
func TestUSBWedgedDeviceTimesOutOnTheClock(t *testing.T) {
	ctx := testContext(t)
	for _, tc := range []struct {
		name   string
		reader bool // a reader that never reads: open succeeds, write blocks
	}{{"open blocks", false}, {"write blocks", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dev := filepath.Join(t.TempDir(), "lp0")
			if err := syscall.Mkfifo(dev, 0o600); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			// Whatever happens, let a blocked open or write finish at the end.
			t.Cleanup(func() {
				if r, err := os.OpenFile(dev, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
					r.Close()
				}
			})
			if tc.reader {
				r, err := os.OpenFile(dev, os.O_RDONLY|syscall.O_NONBLOCK, 0)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { r.Close() })
			}
			fc := clock.NewFake(epoch)
			errc := make(chan error, 1)
			go func() { errc <- NewUSB(dev, fc).Print(ctx, make([]byte, 4<<20)) }()
			fc.BlockUntil(1)
			fc.Advance(DefaultTimeout)
			select {
			case err := <-errc:
				if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), "timed out after 30s") {
					t.Errorf("err = %v, want ErrOffline after the timeout", err)
				}
			case <-ctx.Done():
				t.Fatal("Print did not give up when the clock passed its timeout")
			}
		})
	}
}
