package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/shop"
)

func (s *Server) customerRoutes(a fiber.Router) {
	a.Get("/shop", s.getShop)
	a.Get("/queue", s.getQueue)
	a.Get("/session", s.getSession)
	a.Get("/realtime", s.getRealtime)
	a.Post("/orders", s.openOrder)
	a.Get("/orders/mine", s.myOrders)
	a.Get("/orders/:id", s.getOrder)
	a.Put("/orders/:id/drink", s.submitDrink)
	a.Post("/orders/:id/cancel", s.cancelOrder)
}

// publicShop is what anyone may know of the shop.
type publicShop struct {
	Open                   bool      `json:"open"`
	Menu                   shop.Menu `json:"menu"`
	BoothDay               int64     `json:"boothDay"`
	Revision               int64     `json:"revision"`
	CustomerTimeoutSeconds int       `json:"customerTimeoutSeconds"`
}

func (s *Server) getShop(c *fiber.Ctx) error {
	cfg, err := s.d.Shop.Config(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(publicShop{Open: cfg.Open, Menu: cfg.Menu, BoothDay: cfg.BoothDay, Revision: cfg.Revision,
		CustomerTimeoutSeconds: cfg.Settings.CustomerTimeoutSeconds})
}

func (s *Server) getQueue(c *fiber.Ctx) error {
	q, err := s.d.Orders.Queue(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"queue": q})
}

func (s *Server) getSession(c *fiber.Ctx) error {
	w, err := s.identify(c)
	if err != nil {
		return err
	}
	out := fiber.Map{"customer": w.customer != ""}
	if w.session != nil {
		out["kind"], out["role"], out["username"] = w.session.Kind, w.session.Role, w.session.Username
		if w.session.AccountID != "" {
			out["id"] = w.session.AccountID
		}
	}
	return c.JSON(out)
}

// getRealtime gives the caller its broker address, credentials and topics.
func (s *Server) getRealtime(c *fiber.Ctx) error {
	w, err := s.identify(c)
	if err != nil {
		return err
	}
	url := s.d.MQTTURL
	if url == "" {
		url = "/mqtt"
	}
	out := fiber.Map{"url": url}
	switch {
	case w.session != nil:
		out["username"], out["password"] = s.d.Auth.SessionMQTT(*w.session)
		out["role"] = w.session.Role
	case w.customer != "":
		out["username"], out["password"] = s.d.Auth.CustomerMQTT(w.customer)
		out["role"] = "customer"
		out["customerTopic"] = "kiosk/customer/" + w.customer
	default:
		return apperr.Unauthorized
	}
	return c.JSON(out)
}

// customerOrder is an order as its customer sees it: no staff ids.
type customerOrder struct {
	order.Order
	BaristaID string `json:"baristaId,omitempty"`
	EndedBy   string `json:"endedBy,omitempty"`
	Position  int    `json:"position,omitempty"`
	// EstimatedWaitSeconds is a guess, from the day's pace, of the time
	// until the drink is ready; absent while there is too little to go on.
	EstimatedWaitSeconds int `json:"estimatedWaitSeconds,omitempty"`
}

func (s *Server) forCustomer(c *fiber.Ctx, o order.Order) (customerOrder, error) {
	pos, err := s.d.Orders.Position(c.UserContext(), o)
	if err != nil {
		return customerOrder{}, err
	}
	v := customerOrder{Order: o, Position: pos}
	s.estimate(c, &v)
	return v, nil
}

type openRequest struct {
	Name string `json:"name"`
	Code string `json:"code"`
}

// openOrder is the scan: a phone without a customer cookie gets one first.
func (s *Server) openOrder(c *fiber.Ctx) error {
	var req openRequest
	if err := decode(c, &req, smallBody); err != nil {
		return err
	}
	w, err := s.identify(c)
	if err != nil {
		return err
	}
	if w.customer == "" {
		id, cookie := s.d.Auth.NewCustomer()
		setCookie(c, cookieCustomer, cookie, customerCookieAge, true, fiber.CookieSameSiteLaxMode)
		w.customer = id
	}
	o, err := s.d.Orders.Open(c.UserContext(), w.customerActor(), req.Name, req.Code)
	if err != nil {
		return err
	}
	if s.d.OnCustomer != nil {
		s.d.OnCustomer(c.IP())
	}
	view, err := s.forCustomer(c, o)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(view)
}

func (s *Server) myOrders(c *fiber.Ctx) error {
	w, err := s.identify(c)
	if err != nil {
		return err
	}
	if w.customer == "" {
		return c.JSON(fiber.Map{"orders": []customerOrder{}})
	}
	list, err := s.d.Orders.ForCustomer(c.UserContext(), w.customerActor())
	if err != nil {
		return err
	}
	out := make([]customerOrder, 0, len(list))
	for _, o := range list {
		v, err := s.forCustomer(c, o)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	return c.JSON(fiber.Map{"orders": out})
}

// orderAction is one order route that staff and customers share: staff get
// the whole order back, a customer their own view of it.
type orderAction func(ctx, access.Actor, string) (order.Order, error)

func (s *Server) onOrder(c *fiber.Ctx, asStaff, asCustomer orderAction) error {
	w, err := s.identify(c)
	if err != nil {
		return err
	}
	if a, ok := w.staff(); ok && asStaff != nil {
		o, err := asStaff(c.UserContext(), a, c.Params("id"))
		if err != nil {
			return err
		}
		return c.JSON(o)
	}
	if w.customer == "" {
		return apperr.Unauthorized
	}
	o, err := asCustomer(c.UserContext(), w.customerActor(), c.Params("id"))
	if err != nil {
		return err
	}
	v, err := s.forCustomer(c, o)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// getOrder serves staff the full order and a customer their own.
func (s *Server) getOrder(c *fiber.Ctx) error {
	return s.onOrder(c, s.d.Orders.Get, s.d.Orders.Get)
}

// submitDrink is a customer choosing their drink.
func (s *Server) submitDrink(c *fiber.Ctx) error {
	var sel order.Selection
	if err := decode(c, &sel, smallBody); err != nil {
		return err
	}
	return s.onOrder(c, nil, func(ctx ctx, a access.Actor, id string) (order.Order, error) {
		return s.d.Orders.Submit(ctx, a, id, sel)
	})
}

// cancelOrder is staff cancelling, or a customer cancelling their own.
func (s *Server) cancelOrder(c *fiber.Ctx) error {
	return s.onOrder(c, s.d.Orders.Cancel, s.d.Orders.CancelOwn)
}
