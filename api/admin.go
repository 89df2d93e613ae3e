package api

import (
	"bytes"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/auth"
	"github.com/coffeebar/kiosk/shop"
)

func (s *Server) adminRoutes(a fiber.Router) {
	a.Get("/config", s.getConfig)
	a.Put("/menu", s.putMenu)
	a.Put("/settings", s.putSettings)
	a.Put("/booth", s.putBooth)
	a.Get("/staff", s.listStaff)
	a.Post("/staff", s.createStaff)
	a.Patch("/staff/:id", s.updateStaff)
	a.Delete("/staff/:id", s.deleteStaff)
	a.Post("/displays/pairings", s.pairDisplay)
	a.Delete("/displays", s.endDisplays)
	a.Post("/events/inject", s.injectEvents)
}

// needAdmin returns the signed-in admin, or why there is none.
func (s *Server) needAdmin(c *fiber.Ctx) (access.Actor, error) {
	a, err := s.needStaff(c)
	if err != nil {
		return a, err
	}
	return a, access.Require(a, access.Admin)
}

// getConfig is the whole configuration, for staff.
func (s *Server) getConfig(c *fiber.Ctx) error {
	if _, err := s.needStaff(c); err != nil {
		return err
	}
	cfg, err := s.d.Shop.Config(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(cfg)
}

type menuRequest struct {
	Menu shop.Menu `json:"menu"`
}

func (s *Server) putMenu(c *fiber.Ctx) error {
	a, err := s.needAdmin(c)
	if err != nil {
		return err
	}
	var req menuRequest
	if err := decode(c, &req, menuBody); err != nil {
		return err
	}
	cfg, err := s.d.Shop.SetMenu(c.UserContext(), a, req.Menu)
	if err != nil {
		return err
	}
	return c.JSON(cfg)
}

// putSettings changes the settings named in the body; the others keep their
// values.
func (s *Server) putSettings(c *fiber.Ctx) error {
	a, err := s.needAdmin(c)
	if err != nil {
		return err
	}
	cfg, err := s.d.Shop.Config(c.UserContext())
	if err != nil {
		return err
	}
	next := cfg.Settings
	if err := decode(c, &next, smallBody); err != nil {
		return err
	}
	cfg, err = s.d.Shop.SetSettings(c.UserContext(), a, next)
	if err != nil {
		return err
	}
	return c.JSON(cfg)
}

// putBooth changes the booth's name, public address or Wi-Fi.
func (s *Server) putBooth(c *fiber.Ctx) error {
	a, err := s.needAdmin(c)
	if err != nil {
		return err
	}
	var req shop.BoothChange
	if err := decode(c, &req, smallBody); err != nil {
		return err
	}
	cfg, err := s.d.Shop.SetBooth(c.UserContext(), a, req)
	if err != nil {
		return err
	}
	return c.JSON(cfg)
}

func (s *Server) listStaff(c *fiber.Ctx) error {
	a, err := s.needStaff(c)
	if err != nil {
		return err
	}
	list, err := s.d.Auth.Accounts(c.UserContext(), a)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"accounts": list})
}

type createStaffRequest struct {
	Username string      `json:"username"`
	Role     access.Role `json:"role"`
	Password string      `json:"password"`
}

func (s *Server) createStaff(c *fiber.Ctx) error {
	a, err := s.needStaff(c)
	if err != nil {
		return err
	}
	var req createStaffRequest
	if err := decode(c, &req, smallBody); err != nil {
		return err
	}
	acc, err := s.d.Auth.CreateAccount(c.UserContext(), a, req.Username, req.Role, req.Password)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(acc)
}

func (s *Server) updateStaff(c *fiber.Ctx) error {
	a, err := s.needStaff(c)
	if err != nil {
		return err
	}
	var req auth.AccountChange
	if err := decode(c, &req, smallBody); err != nil {
		return err
	}
	acc, err := s.d.Auth.UpdateAccount(c.UserContext(), a, c.Params("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(acc)
}

func (s *Server) deleteStaff(c *fiber.Ctx) error {
	a, err := s.needStaff(c)
	if err != nil {
		return err
	}
	if err := s.d.Auth.DeleteAccount(c.UserContext(), a, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// pairDisplay gives an admin a one-time address that signs a display in.
func (s *Server) pairDisplay(c *fiber.Ctx) error {
	a, err := s.needStaff(c)
	if err != nil {
		return err
	}
	code, err := s.d.Auth.CreatePairing(c.UserContext(), a)
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(s.publicURL(c), "/")
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"code": code, "url": base + "/display/?pair=" + code,
		"expiresInSeconds": int(auth.PairingLife.Seconds())})
}

func (s *Server) endDisplays(c *fiber.Ctx) error {
	a, err := s.needStaff(c)
	if err != nil {
		return err
	}
	if err := s.d.Auth.EndDisplaySessions(c.UserContext(), a); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// injectEvents appends a file of envelopes to the log (tests and demos).
func (s *Server) injectEvents(c *fiber.Ctx) error {
	if _, err := s.needAdmin(c); err != nil {
		return err
	}
	if ct := strings.ToLower(c.Get(fiber.HeaderContentType)); !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return apperr.Invalid.With("Send the events as JSON (Content-Type: application/json).")
	}
	res, err := s.d.Store.Inject(c.UserContext(), bytes.NewReader(c.Body()))
	if err != nil {
		return err
	}
	return c.JSON(res)
}
