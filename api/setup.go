package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/booth"
)

// Setup is how the box was set up at its start: the display's language
// and what the box's setup found wrong in booth.toml, for the person
// setting up the booth to see on the display.
type Setup struct {
	Language string `json:"language"`
	// Report is the box's setup report; nil where there is none (a kiosk
	// started by hand).
	Report *booth.Report `json:"report"`
}

func (s *Server) setupRoutes(a fiber.Router) {
	a.Get("/setup", s.getSetup)
}

// getSetup answers anyone: the display reads it before it signs in, and
// the report holds no secrets.
func (s *Server) getSetup(c *fiber.Ctx) error {
	return c.JSON(s.d.Setup)
}
