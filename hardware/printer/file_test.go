package printer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coffeebar/kiosk/hardware/escpos"
)

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestFilePrinter(t *testing.T) {
	ctx := testContext(t)
	dir := filepath.Join(t.TempDir(), "tickets") // created on demand
	p, err := NewFile(dir, escpos.Paper58mm)
	if err != nil {
		t.Fatal(err)
	}
	first := ticketJob(t, "Zoë", escpos.Layout{Paper: escpos.Paper58mm, QR: escpos.QRNative})
	second := ticketJob(t, "Jürgen", escpos.Layout{Paper: escpos.Paper58mm, QR: escpos.QRRaster})
	for _, job := range [][]byte{first, second} {
		if err := p.Print(ctx, job); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"job-000001.bin", "job-000002.bin", PreviewFile}
	if got := dirNames(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files %q, want %q", got, want)
	}
	for i, job := range [][]byte{first, second} {
		got, err := os.ReadFile(filepath.Join(dir, want[i]))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, job) {
			t.Errorf("%s holds %d bytes, not the %d-byte job", want[i], len(got), len(job))
		}
	}
	previews, err := os.ReadFile(filepath.Join(dir, PreviewFile))
	if err != nil {
		t.Fatal(err)
	}
	// Each preview follows its job's heading, in print order.
	one, two, ok := strings.Cut(string(previews), "── job-000002.bin ──\n")
	if !ok || !strings.HasPrefix(one, "── job-000001.bin ──\n") || !strings.Contains(one, "Z o ë") {
		t.Fatalf("previews:\n%s", previews)
	}
	for _, line := range []string{"#   4   2", "J ü r g e n", "Flat white", "[image "} {
		if !strings.Contains(two, line) {
			t.Errorf("the second preview lacks %q:\n%s", line, two)
		}
	}

	// After a restart the numbering continues; nothing is overwritten.
	again, err := NewFile(dir, escpos.Paper58mm)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Print(ctx, first); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, dir); len(got) != 4 || got[2] != "job-000003.bin" {
		t.Errorf("after restart: %q", got)
	}
}

func TestFilePrinterKeepsUnreadableJobs(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	p, err := NewFile(dir, escpos.Paper80mm)
	if err != nil {
		t.Fatal(err)
	}
	job := []byte{0x1B, '@', 0x1B, 0x99}
	if err := p.Print(ctx, job); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "job-000001.bin"))
	preview, _ := os.ReadFile(filepath.Join(dir, PreviewFile))
	if !bytes.Equal(got, job) || !strings.Contains(string(preview), "preview unavailable") || !strings.Contains(string(preview), "offset 2") {
		t.Errorf("job %q, preview %q", got, preview)
	}
	if names := dirNames(t, dir); len(names) != 2 {
		t.Errorf("stray files: %q", names)
	}
}

func TestFilePrinterErrors(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFile(filepath.Join(blocker, "tickets"), escpos.Paper58mm); err == nil {
		t.Error("a directory under a file was accepted")
	}
	p, err := NewFile(t.TempDir(), escpos.Paper58mm)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Print(ctx, []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled print: err = %v", err)
	}
}
