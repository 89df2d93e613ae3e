package printer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/hardware/escpos"
)

// openPTY returns a pseudo-terminal: the kernel's tty layer behind the
// returned device path is real, so the serial printer opens, configures and
// writes it as it would a USB serial adapter. The test plays the printer on
// the master side.
func openPTY(t *testing.T) (master *os.File, port string) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	return m, fmt.Sprintf("/dev/pts/%d", n)
}

func TestSerialPrint(t *testing.T) {
	ctx := testContext(t)
	master, port := openPTY(t)
	job := ticketJob(t, "Łukasz", escpos.Layout{Paper: escpos.Paper58mm, QR: escpos.QRRaster})
	got := make(chan []byte, 1)
	go func() {
		buf := make([]byte, len(job))
		_, err := io.ReadFull(master, buf)
		if err != nil {
			buf = nil
		}
		got <- buf
	}()
	p := NewSerial(port, 19200, clock.NewFake(epoch))
	if err := p.Print(ctx, job); err != nil {
		t.Fatal(err)
	}
	// Raw mode: not one byte translated (a tty would turn LF into CR LF).
	if b := <-got; !bytes.Equal(b, job) {
		t.Errorf("the port carried %d bytes that differ from the %d-byte job", len(b), len(job))
	}
	if s := p.String(); s != "serial "+port+" at 19200 baud" {
		t.Errorf("String() = %q", s)
	}
}

func TestSerialStatus(t *testing.T) {
	ctx := testContext(t)
	master, port := openPTY(t)
	go func() {
		req := make([]byte, 3)
		for {
			if _, err := io.ReadFull(master, req); err != nil {
				return
			}
			answer := byte(0x12)
			if req[2] == 4 {
				answer = 0x1E // paper near end
			}
			if _, err := master.Write([]byte{answer}); err != nil {
				return
			}
		}
	}()
	st, err := NewSerial(port, 9600, clock.NewFake(epoch)).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (escpos.Status{PaperNearEnd: true}); st != want {
		t.Errorf("status %+v, want %+v", st, want)
	}
}

func TestSerialStatusTimesOutOnTheClock(t *testing.T) {
	ctx := testContext(t)
	_, port := openPTY(t) // a printer that never answers
	fc := clock.NewFake(epoch)
	errc := make(chan error, 1)
	go func() {
		_, err := NewSerial(port, 9600, fc).Status(ctx)
		errc <- err
	}()
	fc.BlockUntil(1)
	fc.Advance(DefaultStatusTimeout)
	select {
	case err := <-errc:
		if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), "timed out") {
			t.Errorf("err = %v, want ErrOffline after a timeout", err)
		}
	case <-ctx.Done():
		t.Fatal("Status did not give up when the clock passed its timeout")
	}
}

func TestSerialOpenErrors(t *testing.T) {
	ctx := testContext(t)
	missing := NewSerial("/dev/ttyKIOSK-MISSING", 9600, clock.NewFake(epoch))
	err := missing.Print(ctx, []byte("x"))
	if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), "/dev/ttyKIOSK-MISSING") {
		t.Errorf("missing port: err = %v, want ErrOffline naming the port", err)
	}
	if _, err := missing.Status(ctx); !errors.Is(err, ErrOffline) {
		t.Errorf("missing port status: err = %v, want ErrOffline", err)
	}

	err = NewSerial("/dev/null", 9600, clock.NewFake(epoch)).Print(ctx, []byte("x"))
	if err == nil || errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), "not a serial port") {
		t.Errorf("/dev/null: err = %v, want \"not a serial port\"", err)
	}
}
