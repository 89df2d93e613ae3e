package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/order"
)

func (s *Server) staffRoutes(a fiber.Router) {
	a.Post("/session", s.signIn)
	a.Delete("/session", s.signOut)
	a.Get("/orders", s.listOrders)
	for _, action := range []string{"make", "unmake", "complete", "collect"} {
		a.Post("/orders/:id/"+action, s.baristaAction(action))
	}
	a.Put("/shop/open", s.setOpen)
	a.Post("/booth-days", s.startBoothDay)
	a.Put("/menu/:drink/available", s.setAvailable)
	a.Get("/events", s.eventLog)
	a.Get("/orders/:id/events", s.orderEvents)
}

type signInRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) signIn(c *fiber.Ctx) error {
	var req signInRequest
	if err := decode(c, &req, smallBody); err != nil {
		return err
	}
	sess, tok, err := s.d.Auth.Login(c.UserContext(), c.IP(), req.Username, req.Password)
	if err != nil {
		return err
	}
	setCookie(c, cookieSession, tok, staffCookieAge, true, fiber.CookieSameSiteStrictMode)
	if c.Cookies(cookieCSRF) == "" {
		setCookie(c, cookieCSRF, randomToken(), 0, false, fiber.CookieSameSiteStrictMode)
	}
	return c.JSON(sess)
}

func (s *Server) signOut(c *fiber.Ctx) error {
	if tok := c.Cookies(cookieSession); tok != "" {
		if err := s.d.Auth.Logout(c.UserContext(), tok); err != nil {
			return err
		}
	}
	clearCookie(c, cookieSession)
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) listOrders(c *fiber.Ctx) error {
	a, err := s.needStaff(c)
	if err != nil {
		return err
	}
	limit := 0
	if l := c.Query("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 {
			return apperr.Invalid.With("limit must be a positive whole number.")
		}
	}
	list, err := s.d.Orders.List(c.UserContext(), a, order.Filter(c.Query("state")), limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"orders": list})
}

func (s *Server) baristaAction(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		a, err := s.needStaff(c)
		if err != nil {
			return err
		}
		var do func(ctx, access.Actor, string) (order.Order, error)
		switch action {
		case "make":
			do = s.d.Orders.Make
		case "unmake":
			do = s.d.Orders.Unmake
		case "complete":
			do = s.d.Orders.Complete
		case "collect":
			do = s.d.Orders.Collect
		}
		o, err := do(c.UserContext(), a, c.Params("id"))
		if err != nil {
			return err
		}
		return c.JSON(o)
	}
}

type openRequestBody struct {
	Open *bool `json:"open"`
}

func (s *Server) setOpen(c *fiber.Ctx) error {
	a, err := s.needStaff(c)
	if err != nil {
		return err
	}
	var req openRequestBody
	if err := decode(c, &req, smallBody); err != nil {
		return err
	}
	if req.Open == nil {
		return apperr.Invalid.With("Say {\"open\": true} or {\"open\": false}.")
	}
	cfg, err := s.d.Shop.SetOpen(c.UserContext(), a, *req.Open)
	if err != nil {
		return err
	}
	return c.JSON(cfg)
}

func (s *Server) startBoothDay(c *fiber.Ctx) error {
	a, err := s.needStaff(c)
	if err != nil {
		return err
	}
	day, err := s.d.Shop.StartBoothDay(c.UserContext(), a)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"boothDay": day})
}

type availableRequest struct {
	Available *bool `json:"available"`
}

func (s *Server) setAvailable(c *fiber.Ctx) error {
	a, err := s.needStaff(c)
	if err != nil {
		return err
	}
	var req availableRequest
	if err := decode(c, &req, smallBody); err != nil {
		return err
	}
	if req.Available == nil {
		return apperr.Invalid.With("Say {\"available\": true} or {\"available\": false}.")
	}
	cfg, err := s.d.Shop.SetAvailable(c.UserContext(), a, c.Params("drink"), *req.Available)
	if err != nil {
		return err
	}
	return c.JSON(cfg)
}

// eventLog reads the log for staff: from a position on (after), or the
// newest events (last), always in commit order.
func (s *Server) eventLog(c *fiber.Ctx) error {
	if _, err := s.needStaff(c); err != nil {
		return err
	}
	limit, err := strconv.Atoi(c.Query("limit", "200"))
	if err != nil || limit < 1 || limit > 1000 {
		return apperr.Invalid.With("limit must be from 1 to 1000.")
	}
	after := int64(0)
	if l := c.Query("last"); l != "" {
		if c.Query("after") != "" {
			return apperr.Invalid.With("Ask for after or for last, not both.")
		}
		last, err := strconv.Atoi(l)
		if err != nil || last < 1 || last > 1000 {
			return apperr.Invalid.With("last must be from 1 to 1000.")
		}
		head, err := s.d.Store.Head(c.UserContext())
		if err != nil {
			return err
		}
		after, limit = max(head-int64(last), 0), last
	} else if after, err = strconv.ParseInt(c.Query("after", "0"), 10, 64); err != nil || after < 0 {
		return apperr.Invalid.With("after must be a log position (a whole number, 0 or more).")
	}
	evs, err := s.d.Store.Since(c.UserContext(), after, limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"events": nonNil(evs)})
}

func (s *Server) orderEvents(c *fiber.Ctx) error {
	if _, err := s.needStaff(c); err != nil {
		return err
	}
	evs, err := s.d.Store.ForOrder(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if len(evs) == 0 {
		return apperr.OrderNotFound
	}
	return c.JSON(fiber.Map{"events": evs})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
