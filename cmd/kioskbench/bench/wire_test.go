package bench

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestRemainingLengthRoundTrips(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 16383, 16384, 1 << 20} {
		pk := packet(pktPublish<<4, make([]byte, n))
		typ, _, body, err := readPacket(bytes.NewReader(pk))
		if err != nil || typ != pktPublish || len(body) != n {
			t.Fatalf("length %d: type %d, body %d, %v", n, typ, len(body), err)
		}
	}
	if _, _, _, err := readPacket(bytes.NewReader(packet(pktPublish<<4, make([]byte, maxPacket+1)))); err == nil {
		t.Fatal("a packet above the limit was read")
	}
}

func TestConnectPacketCarriesTheCredentials(t *testing.T) {
	pk := connectPacket(DialOptions{ClientID: "c1", Username: "u", Password: "p", KeepAlive: 60 * time.Second})
	want := []byte{0x10, 20, 0, 4, 'M', 'Q', 'T', 'T', 4, 0xC2, 0, 60, 0, 2, 'c', '1', 0, 1, 'u', 0, 1, 'p'}
	if !bytes.Equal(pk, want) {
		t.Fatalf("CONNECT\n got % x\nwant % x", pk, want)
	}
}

func TestPublishPacketWithQoS1HasAPacketID(t *testing.T) {
	pk := publishPacket("a/b", []byte("hi"), 1, true, 7)
	want := []byte{0x33, 9, 0, 3, 'a', '/', 'b', 0, 7, 'h', 'i'}
	if !bytes.Equal(pk, want) {
		t.Fatalf("PUBLISH\n got % x\nwant % x", pk, want)
	}
}

func TestStateOfFindsTheToggledOrder(t *testing.T) {
	q := []byte(`{"orders":[{"number":1,"name":"A","state":"queued"},{"number":12,"name":"B","state":"making"},` +
		`{"number":2,"name":"C","state":"ready"}]}`)
	for n, want := range map[int]string{1: "queued", 12: "making", 2: "ready", 3: ""} {
		if got := stateOf(q, numberKey(n)); got != want {
			t.Errorf("order %d: %q, want %q", n, got, want)
		}
	}
}

func TestParseStatusReadsResidentMemory(t *testing.T) {
	m, err := parseStatus(strings.NewReader("Name:\tkiosk\nVmHWM:\t   30000 kB\nVmRSS:\t   25600 kB\n"))
	if err != nil || m.RSSKiB != 25600 || m.HWMKiB != 30000 || m.MiB() != 25 {
		t.Fatalf("%+v %v", m, err)
	}
	if _, err := parseStatus(strings.NewReader("Name:\tzombie\n")); err == nil {
		t.Fatal("a status without VmRSS parsed")
	}
}

func TestParseStatAddsUserAndSystemTime(t *testing.T) {
	line := "4242 (kiosk (x)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 50 0 0 20 0 9 0 100 1000000 5000"
	d, err := parseStat(line)
	if err != nil || d != 2*time.Second {
		t.Fatalf("%v %v", d, err)
	}
}
