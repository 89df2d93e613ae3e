package printer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/hardware/escpos"
)

// tcpPrinter is a printer on a real local socket: it records each print
// job, one per connection, and answers status requests with the bytes in
// answers (by request kind) unless mute.
type tcpPrinter struct {
	ln      net.Listener
	jobs    chan []byte
	answers map[byte]byte
	mute    bool
}

func listenPrinter(t *testing.T, addr string) *tcpPrinter {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpPrinter{ln: ln, jobs: make(chan []byte, 16), answers: map[byte]byte{1: 0x12, 2: 0x12, 4: 0x12}}
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

func (p *tcpPrinter) serve() {
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(conn)
	}
}

func (p *tcpPrinter) handle(conn net.Conn) {
	defer conn.Close()
	head := make([]byte, 3)
	if _, err := io.ReadFull(conn, head); err != nil {
		return
	}
	if head[0] != 0x10 || head[1] != 0x04 {
		rest, _ := io.ReadAll(conn)
		p.jobs <- append(head, rest...)
		return
	}
	for {
		if !p.mute {
			if _, err := conn.Write([]byte{p.answers[head[2]]}); err != nil {
				return
			}
		}
		if _, err := io.ReadFull(conn, head); err != nil {
			return
		}
	}
}

func (p *tcpPrinter) addr() string { return p.ln.Addr().String() }

// freeAddr returns a local address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func ticketJob(t *testing.T, name string, l escpos.Layout) []byte {
	t.Helper()
	job, err := escpos.Ticket{
		Number: 42, Name: name, Drink: "Flat white", Options: []string{"Oat milk"},
		StatusURL: "http://10.42.0.1/o/42?t=abc", Booth: "Coffee Bar",
	}.Render(l)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func receive(t *testing.T, jobs <-chan []byte) []byte {
	t.Helper()
	select {
	case j := <-jobs:
		return j
	case <-time.After(10 * time.Second):
		t.Fatal("printer received nothing")
		return nil
	}
}

func TestNetworkPrint(t *testing.T) {
	ctx := testContext(t)
	srv := listenPrinter(t, "127.0.0.1:0")
	p := NewNetwork(srv.addr(), clock.NewFake(epoch))
	for _, l := range []escpos.Layout{{Paper: escpos.Paper58mm, QR: escpos.QRRaster}, {Paper: escpos.Paper80mm, QR: escpos.QRNative}} {
		job := ticketJob(t, "Zoë", l)
		if err := p.Print(ctx, job); err != nil {
			t.Fatal(err)
		}
		if got := receive(t, srv.jobs); !bytes.Equal(got, job) {
			t.Errorf("printer received %d bytes, want the %d of the job", len(got), len(job))
		}
	}
	if got := p.String(); got != "network "+srv.addr() {
		t.Errorf("String() = %q", got)
	}
}

func TestNetworkOffline(t *testing.T) {
	ctx := testContext(t)
	addr := freeAddr(t)
	p := NewNetwork(addr, clock.NewFake(epoch))
	err := p.Print(ctx, []byte("x"))
	if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), addr) {
		t.Errorf("err = %v, want ErrOffline naming %s", err, addr)
	}
	if _, err := p.Status(ctx); !errors.Is(err, ErrOffline) {
		t.Errorf("status err = %v, want ErrOffline", err)
	}
}

func TestNetworkStatus(t *testing.T) {
	ctx := testContext(t)
	srv := listenPrinter(t, "127.0.0.1:0")
	srv.answers[4] = 0x7E // paper out, near end
	srv.answers[2] = 0x36 // cover open, stopped at paper end
	st, err := NewNetwork(srv.addr(), clock.NewFake(epoch)).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (escpos.Status{CoverOpen: true, PaperOut: true, PaperNearEnd: true}); st != want {
		t.Errorf("status %+v, want %+v", st, want)
	}
}

func TestNetworkStatusTimesOutOnTheClock(t *testing.T) {
	ctx := testContext(t)
	srv := listenPrinter(t, "127.0.0.1:0")
	srv.mute = true
	fc := clock.NewFake(epoch)
	p := NewNetwork(srv.addr(), fc)
	errc := make(chan error, 1)
	go func() {
		_, err := p.Status(ctx)
		errc <- err
	}()
	fc.BlockUntil(2) // connect, then wait for the answer
	fc.Advance(DefaultStatusTimeout)
	select {
	case err := <-errc:
		if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), "status timed out after 2s") {
			t.Errorf("err = %v, want a status timeout", err)
		}
	case <-ctx.Done():
		t.Fatal("Status did not give up when the clock passed its timeout")
	}
}

func TestNetworkWriteTimesOutOnTheClock(t *testing.T) {
	ctx := testContext(t)
	// A printer that accepts the connection and never reads: the socket
	// buffers fill and the write blocks, as with a jammed printer.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- c
		}
	}()
	fc := clock.NewFake(epoch)
	p := NewNetwork(ln.Addr().String(), fc)
	errc := make(chan error, 1)
	go func() { errc <- p.Print(ctx, make([]byte, 64<<20)) }()
	fc.BlockUntil(2) // connect, then write
	fc.Advance(DefaultTimeout)
	select {
	case err := <-errc:
		if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), "write timed out") {
			t.Errorf("err = %v, want a write timeout", err)
		}
	case <-ctx.Done():
		t.Fatal("Print did not give up when the clock passed its timeout")
	}
	select {
	case c := <-accepted:
		c.Close()
	default:
	}
}

func TestNetworkCancel(t *testing.T) {
	srv := listenPrinter(t, "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := NewNetwork(srv.addr(), clock.NewFake(epoch)).Print(ctx, []byte("x"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// The whole path: a queue in front of a network printer that is off when
// the order comes in and is switched on later.
func TestQueueDeliversToNetworkPrinterThatComesBack(t *testing.T) {
	addr := freeAddr(t)
	fc := clock.NewFake(epoch)
	log := newStateLog()
	q := startQueue(t, NewNetwork(addr, fc), QueueOptions{Clock: fc, OnState: log.record})
	job := ticketJob(t, "Jürgen", escpos.Layout{Paper: escpos.Paper80mm, QR: escpos.QRNative})
	q.Submit("order 42", job)

	s := log.waitFor(t, "offline", func(s State) bool { return s.Health == HealthOffline })
	if !strings.Contains(s.Detail, addr) || s.Pending != 1 {
		t.Errorf("state %+v, want the address in the detail and one job pending", s)
	}
	// Each attempt leaves its two connect timers (status, print) and then
	// waits on the backoff.
	fc.BlockUntil(3)

	srv := listenPrinter(t, addr) // switched on
	fc.Advance(DefaultMinBackoff)
	if got := receive(t, srv.jobs); !bytes.Equal(got, job) {
		t.Errorf("printer received %d bytes, want the %d of the job", len(got), len(job))
	}
	log.waitFor(t, "ok", func(s State) bool { return s.Health == HealthOK && s.Pending == 0 })
	select {
	case extra := <-srv.jobs:
		t.Errorf("printed twice: %d more bytes", len(extra))
	default:
	}
}
