package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/closeout"
)

// Closer closes the booth at the end of the day.
type Closer interface {
	Close(ctx context.Context, actor access.Actor) (closeout.Status, error)
	Status(ctx context.Context) (closeout.Status, error)
}

func (s *Server) closeRoutes(a fiber.Router) {
	a.Post("/booth/close", s.closeBooth)
	a.Get("/booth/close", s.closeStatus)
}

// closeBooth starts closing the booth: no new orders, the open ones finish,
// then a backup, then "safe to unplug".
func (s *Server) closeBooth(c *fiber.Ctx) error {
	a, err := s.needStaff(c)
	if err != nil {
		return err
	}
	st, err := s.d.Closer.Close(c.UserContext(), a)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(st)
}

func (s *Server) closeStatus(c *fiber.Ctx) error {
	if _, err := s.needStaff(c); err != nil {
		return err
	}
	st, err := s.d.Closer.Status(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(st)
}
