package printer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/coffeebar/kiosk/hardware/escpos"
)

// File is the printer of a kiosk without one, on a laptop or in CI: each job
// is written to Dir as job-000001.bin, job-000002.bin, and so on, and a
// plain-text preview of each is added to previews.txt for a person to read
// (`tail -f previews.txt` follows the tickets as they print). One file per
// job, not two: creating a file costs more than drawing the ticket.
type File struct {
	// Dir is the directory the jobs are written to.
	Dir string
	// Paper is the width the previews are drawn for.
	Paper escpos.Paper

	mu   sync.Mutex
	next int
}

const (
	filePrefix = "job-"
	fileSuffix = ".bin"
	// PreviewFile is the name of the previews' file in Dir.
	PreviewFile = "previews.txt"
)

// NewFile returns a file printer writing to dir, creating it if need be.
// Numbering continues after the highest job already there, so a restart
// never overwrites a ticket.
func NewFile(dir string, paper escpos.Paper) (*File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("file printer: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("file printer: %w", err)
	}
	last := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, filePrefix) || !strings.HasSuffix(name, fileSuffix) {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, filePrefix), fileSuffix)); err == nil && n > last {
			last = n
		}
	}
	return &File{Dir: dir, Paper: paper, next: last + 1}, nil
}

// String names the printer for logs and the staff screen.
func (f *File) String() string { return "file " + f.Dir }

// Print writes job to the next numbered file. The file appears complete or
// not at all. A job the preview cannot read is still written; its preview
// says why.
func (f *File) Print(ctx context.Context, job []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("file printer: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	name := fmt.Sprintf("%s%06d%s", filePrefix, f.next, fileSuffix)
	if err := writeAtomic(filepath.Join(f.Dir, name), job); err != nil {
		return fmt.Errorf("file printer: %w", err)
	}
	f.next++
	preview := "preview unavailable: "
	if p, err := escpos.Interpret(job, f.Paper); err != nil {
		preview += err.Error() + "\n"
	} else {
		preview = p.Text()
	}
	if err := appendPreview(filepath.Join(f.Dir, PreviewFile), name, preview); err != nil {
		return fmt.Errorf("file printer: preview: %w", err)
	}
	return nil
}

// appendPreview adds one job's preview to the previews' file, in one write.
func appendPreview(path, job, preview string) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = fh.WriteString("── " + job + " ──\n" + strings.TrimRight(preview, "\n") + "\n\n")
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
