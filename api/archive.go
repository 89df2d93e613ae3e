package api

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/archive"
)

func (s *Server) archiveRoutes(a fiber.Router) {
	a.Get("/backup", s.downloadBackup)
	a.Get("/export/orders.csv", s.exportOrders)
	a.Get("/export/events.csv", s.exportEvents)
}

// downloadBackup sends a consistent copy of the whole database (menu,
// settings, accounts, history): what `kiosk restore` puts into a fresh box.
func (s *Server) downloadBackup(c *fiber.Ctx) error {
	if _, err := s.needAdmin(c); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "kiosk-download")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "backup.db")
	if err := s.d.Store.DB().Backup(c.UserContext(), path); err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	name := "kiosk-backup-" + s.d.Store.Clock().Now().Format("2006-01-02-150405") + ".db"
	c.Set(fiber.HeaderContentType, "application/vnd.sqlite3")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(data)
}

func (s *Server) exportOrders(c *fiber.Ctx) error {
	if _, err := s.needStaff(c); err != nil {
		return err
	}
	cfg, err := s.d.Shop.Config(c.UserContext())
	if err != nil {
		return err
	}
	day := cfg.BoothDay
	if q := c.Query("boothDay"); q != "" {
		if day, err = strconv.ParseInt(q, 10, 64); err != nil || day < 1 {
			return apperr.Invalid.With("boothDay must be a booth day's number (1 or more).")
		}
	}
	var buf bytes.Buffer
	if err := archive.OrdersCSV(c.UserContext(), s.d.Store.DB().Read(), day, &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="orders-day-`+strconv.FormatInt(day, 10)+`.csv"`)
	return c.Send(buf.Bytes())
}

func (s *Server) exportEvents(c *fiber.Ctx) error {
	if _, err := s.needAdmin(c); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := archive.EventsCSV(c.UserContext(), s.d.Store.DB().Read(), &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="events.csv"`)
	return c.Send(buf.Bytes())
}
