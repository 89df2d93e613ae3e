package api

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/hardware/printer"
)

// Printer is the ticket printer as staff see it.
type Printer interface {
	State() printer.State
	Jobs() []printer.JobInfo
	Reprint(ctx context.Context, orderID string) (printer.JobID, error)
	Preview(id printer.JobID) (text string, png []byte, err error)
}

func (s *Server) printerRoutes(a fiber.Router) {
	a.Get("/printer", s.printerState)
	a.Post("/orders/:id/reprint", s.reprint)
	a.Get("/printer/jobs/:job/preview", s.previewText)
	a.Get("/printer/jobs/:job/preview.png", s.previewImage)
}

func (s *Server) printerState(c *fiber.Ctx) error {
	if _, err := s.needStaff(c); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"state": s.d.Printer.State(), "jobs": nonNil(s.d.Printer.Jobs())})
}

func (s *Server) reprint(c *fiber.Ctx) error {
	a, err := s.needStaff(c)
	if err != nil {
		return err
	}
	// Reading the order as this staff member checks it exists and may be seen.
	if _, err := s.d.Orders.Get(c.UserContext(), a, c.Params("id")); err != nil {
		return err
	}
	id, err := s.d.Printer.Reprint(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"jobId": id})
}

func (s *Server) preview(c *fiber.Ctx) (string, []byte, error) {
	if _, err := s.needStaff(c); err != nil {
		return "", nil, err
	}
	id, err := strconv.ParseUint(c.Params("job"), 10, 64)
	if err != nil {
		return "", nil, apperr.NotFound.With("There is no such ticket.")
	}
	return s.d.Printer.Preview(printer.JobID(id))
}

func (s *Server) previewText(c *fiber.Ctx) error {
	text, _, err := s.preview(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"text": text})
}

func (s *Server) previewImage(c *fiber.Ctx) error {
	_, png, err := s.preview(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(png)
}
