package e2e

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestADownloadedBackupRestoresIntoAFreshKiosk(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	staff := k.staff()
	var qr struct{ Code string }
	staff.must("GET", "/api/display/qr", "", &qr)
	phone := k.browser()
	var o order
	phone.must("POST", "/api/orders", `{"name":"Zoë","code":"`+qr.Code+`"}`, &o)
	phone.must("PUT", "/api/orders/"+o.ID+"/drink", `{"drinkId":"latte","options":[]}`, nil)
	staff.must("POST", "/api/staff", `{"username":"kim","role":"barista","password":"espresso!"}`, nil)

	req, _ := http.NewRequest("GET", staff.base+"/api/backup", nil)
	res, err := staff.c.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("download: %v %v", res, err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	f, _ := os.Create(backup)
	io.Copy(f, res.Body)
	f.Close()
	res.Body.Close()

	fresh := filepath.Join(t.TempDir(), "fresh")
	if out, err := exec.Command(binary, "restore", "--data", fresh, backup).CombinedOutput(); err != nil {
		t.Fatalf("kiosk restore: %v\n%s", err, out)
	}
	if out, err := exec.Command(binary, "restore", "--data", fresh, backup).CombinedOutput(); err == nil {
		t.Fatalf("a second restore over the data was accepted:\n%s", out)
	}
	k2 := startKiosk(t, fresh)
	kim := k2.browser()
	kim.must("POST", "/api/session", `{"username":"kim","password":"espresso!"}`, nil)
	var got order
	kim.must("GET", "/api/orders/"+o.ID, "", &got)
	if got.State != "queued" || got.Number != 1 {
		t.Fatalf("restored order %+v", got)
	}
	// The phone's cookie still works on the restored box: the signing secret came along.
	phone.base = "http://" + k2.http
	phone.must("GET", "/api/orders/"+o.ID, "", &got)
}
