package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDebs cross-builds the two programs for amd64 and arm64, packs each
// into a .deb with build-deb.sh and checks it with inspect-deb.sh; then
// checks that inspect-deb.sh notices a package with a dependency and a
// file missing. It needs dpkg-deb (apt-get install dpkg) and runs only
// with KIOSK_TEST_DEB=1 (make test-deb): the four builds take minutes on a
// cold cache, too long for every `go test ./...`.
func TestDebs(t *testing.T) {
	if os.Getenv("KIOSK_TEST_DEB") != "1" {
		t.Skip("set KIOSK_TEST_DEB=1 to build and inspect the packages (make test-deb)")
	}
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb is not installed")
	}
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out")
	debs := map[string]string{}
	for _, arch := range []string{"amd64", "arm64"} {
		for _, prog := range []string{"kiosk", "kiosk-setup"} {
			cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w",
				"-o", filepath.Join(tmp, prog+"-"+arch), "../cmd/"+prog)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build %s for %s: %v\n%s", prog, arch, err, b)
			}
		}
		b, err := exec.Command("./build-deb.sh", "0.0.0~test", arch, filepath.Join(tmp, "kiosk-"+arch), out).CombinedOutput()
		if err != nil {
			t.Fatalf("build-deb.sh %s: %v\n%s", arch, err, b)
		}
		debs[arch] = strings.TrimSpace(string(b))
		if b, err := exec.Command("./inspect-deb.sh", debs[arch]).CombinedOutput(); err != nil {
			t.Errorf("inspect-deb.sh %s: %v\n%s", arch, err, b)
		}
	}

	// The programs of one architecture in the package of another are seen.
	wrong := filepath.Join(tmp, "wrong")
	b, err := exec.Command("./build-deb.sh", "0.0.0~test", "arm64", filepath.Join(tmp, "kiosk-amd64"), wrong).CombinedOutput()
	if err != nil {
		t.Fatalf("build-deb.sh: %v\n%s", err, b)
	}
	if b, err := exec.Command("./inspect-deb.sh", strings.TrimSpace(string(b))).CombinedOutput(); err == nil || !strings.Contains(string(b), "is for ELF machine 3e00, not arm64") {
		t.Errorf("inspect-deb.sh passed amd64 programs in an arm64 package:\n%s", b)
	}

	// Negative control: take hostapd out of Depends and drop kiosk-setup.
	tree := filepath.Join(tmp, "tree")
	if b, err := exec.Command("dpkg-deb", "-R", debs["amd64"], tree).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -R: %v\n%s", err, b)
	}
	control := filepath.Join(tree, "DEBIAN", "control")
	data, _ := os.ReadFile(control)
	os.WriteFile(control, []byte(strings.Replace(string(data), "Depends: hostapd, ", "Depends: ", 1)), 0o644)
	os.Remove(filepath.Join(tree, "usr", "bin", "kiosk-setup"))
	broken := filepath.Join(tmp, "broken.deb")
	if b, err := exec.Command("dpkg-deb", "--root-owner-group", "--build", tree, broken).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb --build: %v\n%s", err, b)
	}
	b, err = exec.Command("./inspect-deb.sh", broken).CombinedOutput()
	if err == nil {
		t.Fatalf("inspect-deb.sh passed a broken package:\n%s", b)
	}
	for _, want := range []string{"Depends lacks hostapd", "missing /usr/bin/kiosk-setup"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("inspect-deb.sh did not report %q:\n%s", want, b)
		}
	}
}
