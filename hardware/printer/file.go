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
// is written to Dir as job-000001.bin, job-000002.bin, and so on, with a
// plain-text preview beside it (job-000001.txt) for a person to read.
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
	base := filepath.Join(f.Dir, fmt.Sprintf("%s%06d", filePrefix, f.next))
	if err := writeAtomic(base+fileSuffix, job); err != nil {
		return fmt.Errorf("file printer: %w", err)
	}
	f.next++
	preview := "preview unavailable: "
	if p, err := escpos.Interpret(job, f.Paper); err != nil {
		preview += err.Error() + "\n"
	} else {
		preview = p.Text()
	}
	if err := writeAtomic(base+".txt", []byte(preview)); err != nil {
		return fmt.Errorf("file printer: preview: %w", err)
	}
	return nil
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
