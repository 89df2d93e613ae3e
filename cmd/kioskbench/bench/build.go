package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Target is one architecture the kiosk is released for.
type Target struct {
	Name   string // as the report names it: amd64, arm64, armv7
	GOARCH string
	GOARM  string
}

// Targets are the release architectures whose binary size is reported.
var Targets = []Target{{"amd64", "amd64", ""}, {"arm64", "arm64", ""}, {"armv7", "arm", "7"}}

// Build compiles ./cmd/kiosk of the module at root for t into out, with the
// release flags: CGO_ENABLED=0 -trimpath -ldflags='-s -w' and the version
// stamped in. keepSymbols leaves the symbol table in, for a profiler.
func Build(ctx context.Context, root, out, version string, t Target, keepSymbols bool) error {
	ldflags := "-X github.com/coffeebar/kiosk/version.Version=" + version
	if !keepSymbols {
		ldflags = "-s -w " + ldflags
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", ldflags, "-o", out, "./cmd/kiosk")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+t.GOARCH, "GOARM="+t.GOARM)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build the kiosk for %s: %w\n%s", t.Name, err, b)
	}
	return nil
}

// ModuleRoot finds the directory of the kiosk's go.mod from the working
// directory upwards.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/coffeebar/kiosk\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("run the harness inside the kiosk's module (no go.mod of github.com/coffeebar/kiosk above %s)", dir)
		}
		dir = parent
	}
}

// SourceVersion is what `git describe` says of the working tree, as the
// Makefile stamps it; "dev" outside git.
func SourceVersion(ctx context.Context, root string) string {
	cmd := exec.CommandContext(ctx, "git", "describe", "--tags", "--always", "--dirty")
	cmd.Dir = root
	b, err := cmd.Output()
	if err != nil {
		return "dev"
	}
	return strings.TrimSpace(string(b))
}

// BinaryVersion asks a built kiosk for its version (`kiosk version`).
func BinaryVersion(ctx context.Context, argv []string) (string, error) {
	cmd := exec.CommandContext(ctx, argv[0], append(argv[1:], "version")...)
	b, err := cmd.Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(b)), "kiosk")), nil
}
