package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestClosingTheBoothBacksUpOnceTheLastOrderEnds(t *testing.T) {
	usb := t.TempDir()
	k := startKiosk(t, t.TempDir(), "--backup-dirs", usb)
	staff := k.staff()
	phone, o := k.scan(staff)
	phone.must("PUT", "/api/orders/"+o.ID+"/drink", `{"drinkId":"latte","options":[]}`, nil)

	type status struct {
		State      string
		OpenOrders int
		Backup     string
		Copies     []string
	}
	var st status
	staff.must("POST", "/api/booth/close", "", &st)
	if st.State != "closing" || st.OpenOrders != 1 {
		t.Fatalf("closing: %+v", st)
	}
	staff.must("POST", "/api/orders/"+o.ID+"/make", "", nil)
	staff.must("POST", "/api/orders/"+o.ID+"/complete", "", nil)
	guard := time.Now().Add(20 * time.Second)
	for st.State != "closed" {
		if time.Now().After(guard) {
			t.Fatalf("never closed: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
		staff.must("GET", "/api/booth/close", "", &st)
	}
	for _, path := range append([]string{filepath.Join(k.dir, "backups", st.Backup)}, st.Copies...) {
		if info, err := os.Stat(path); err != nil || info.Size() == 0 {
			t.Fatalf("backup %s: %v", path, err)
		}
	}
	if len(st.Copies) != 1 || filepath.Dir(st.Copies[0]) != usb {
		t.Fatalf("copies %v", st.Copies)
	}
}
