// Package api is the kiosk's HTTP face: the JSON API of the customer,
// barista, display and admin apps, the apps themselves, and the MQTT
// WebSocket endpoint handed to the broker. It is thin: it reads who is
// asking, decodes the request strictly, calls the domain, and renders the
// answer or the error in one place.
package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/auth"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/health"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/qr"
	"github.com/coffeebar/kiosk/shop"
)

// Deps is what the API stands on.
type Deps struct {
	Store  *events.Store
	Shop   *shop.Service
	QR     *qr.Validator
	Orders *order.Service
	Auth   *auth.Service
	Log    *slog.Logger

	// PublicURL is the ordering page's address as phones reach it; the QR
	// code carries it with the code.
	PublicURL string
	// MQTT serves MQTT over WebSocket at /mqtt; nil leaves the route out.
	MQTT fiber.Handler
	// MQTTURL is what browsers connect to when MQTT is not served at /mqtt
	// on this origin (e.g. "ws://10.42.0.1:8083/mqtt"); empty means /mqtt.
	MQTTURL string
	// Health reports each part's health for /healthz: nil means healthy.
	Health func(ctx context.Context) map[string]error
	// Pages serves the web apps; nil leaves them out.
	Pages fiber.Handler
	// TimeHelper is the socket of the box's time helper; empty leaves the
	// set-the-time route out.
	TimeHelper string
	// BoxHealth reports the box's state for the staff health page; nil
	// leaves the route out.
	BoxHealth func(ctx context.Context) health.Report
	// Closer closes the booth at the end of the day; nil leaves its routes out.
	Closer Closer
	// Printer is the ticket printer; nil leaves its routes out.
	Printer Printer
	// Setup is the display's language and the box's setup report.
	Setup Setup
	// TestClock, when set, lets an admin move the clock forward through
	// POST /api/test/clock: end-to-end tests only.
	TestClock ClockAdvancer
	// OnCustomer is told the address of each phone that opens an order, so
	// the captive portal lets it through; nil means nobody listens.
	OnCustomer func(ip string)
	// Before runs ahead of every route (e.g. captive-portal answers); nil
	// means none.
	Before fiber.Handler
	// MaxRequests and MaxStaffRequests bound the API requests under way at
	// once, without and with a session cookie; past them a request is
	// answered busy at once. Zero means DefaultMaxRequests and
	// DefaultMaxStaffRequests.
	MaxRequests, MaxStaffRequests int
}

// Server is the HTTP API.
type Server struct {
	d     Deps
	app   *fiber.App
	stats statsCache
}

// New builds the Fiber app with every route.
func New(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	app := fiber.New(fiber.Config{
		AppName:               "kiosk",
		BodyLimit:             bigBody,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           2 * time.Minute,
		ErrorHandler:          errorHandler(d.Log),
		DisableStartupMessage: true,
	})
	s := &Server{d: d, app: app}
	app.Use(recover.New())
	app.Use(headers)
	if d.Before != nil {
		app.Use(d.Before)
	}
	app.Get("/healthz", s.health)
	if d.MQTT != nil {
		app.Get("/mqtt", d.MQTT)
	}
	a := app.Group("/api", noStore, newAdmission(d.MaxRequests, d.MaxStaffRequests).handle, sameOrigin, csrf)
	s.customerRoutes(a)
	s.staffRoutes(a)
	s.adminRoutes(a)
	s.displayRoutes(a)
	s.archiveRoutes(a)
	s.boothRoutes(a)
	s.setupRoutes(a)
	if d.Printer != nil {
		s.printerRoutes(a)
	}
	if d.Closer != nil {
		s.closeRoutes(a)
	}
	if d.BoxHealth != nil {
		a.Get("/health", s.boxHealth)
	}
	if d.TimeHelper != "" {
		a.Post("/clock", s.setClock)
	}
	if d.TestClock != nil {
		a.Post("/test/clock", s.advanceClock)
	}
	a.Use(func(c *fiber.Ctx) error { return apperr.NotFound.With("There is no API at %s.", c.Path()) })
	if d.Pages != nil {
		app.Use(d.Pages)
	}
	return s
}

// App is the Fiber app, to listen with or to test against.
func (s *Server) App() *fiber.App { return s.app }

func noStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

// health answers 200 when every part is healthy, 503 otherwise.
func (s *Server) health(c *fiber.Ctx) error {
	parts := map[string]string{}
	healthy := true
	if s.d.Health != nil {
		for name, err := range s.d.Health(c.UserContext()) {
			parts[name] = "ok"
			if err != nil {
				parts[name] = err.Error()
				healthy = false
			}
		}
	}
	code, st := fiber.StatusOK, "ok"
	if !healthy {
		code, st = fiber.StatusServiceUnavailable, "unhealthy"
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(code).JSON(fiber.Map{"status": st, "parts": parts})
}

// who is the caller as the domain sees it.
type who struct {
	session  *auth.Session // staff or display, if signed in
	customer string        // customer id, if the browser has one
}

func (w who) staff() (access.Actor, bool) {
	if w.session != nil && w.session.Actor.IsStaff() {
		return w.session.Actor, true
	}
	return access.Actor{}, false
}

func (w who) customerActor() access.Actor {
	if w.customer == "" {
		return access.Actor{}
	}
	return access.Actor{ID: w.customer, Role: access.Customer}
}

// identify reads the caller's cookies. An unknown or ended session is not
// an error here: routes that need one say so.
func (s *Server) identify(c *fiber.Ctx) (who, error) {
	var w who
	if tok := c.Cookies(cookieSession); tok != "" {
		sess, err := s.d.Auth.Session(c.UserContext(), tok)
		switch {
		case err == nil:
			w.session = &sess
		case isPublic(err):
			clearCookie(c, cookieSession)
		default:
			return who{}, err
		}
	}
	if v := c.Cookies(cookieCustomer); v != "" {
		if id, ok := s.d.Auth.Customer(v); ok {
			w.customer = id
		}
	}
	return w, nil
}

func isPublic(err error) bool {
	_, ok := apperr.As(err)
	return ok
}

// needStaff returns the signed-in staff member, or the reason there is none.
func (s *Server) needStaff(c *fiber.Ctx) (access.Actor, error) {
	w, err := s.identify(c)
	if err != nil {
		return access.Actor{}, err
	}
	if a, ok := w.staff(); ok {
		return a, nil
	}
	if w.session != nil {
		return access.Actor{}, apperr.Forbidden
	}
	return access.Actor{}, apperr.Unauthorized
}

// ctx shortens signatures of domain methods taken as values.
type ctx = context.Context

// boxHealth is the health page's data, for staff.
func (s *Server) boxHealth(c *fiber.Ctx) error {
	if _, err := s.needStaff(c); err != nil {
		return err
	}
	return c.JSON(s.d.BoxHealth(c.UserContext()))
}

// ClockAdvancer is a clock that tests may move forward.
type ClockAdvancer interface {
	Advance(d time.Duration)
}

type advanceRequest struct {
	AdvanceSeconds float64 `json:"advanceSeconds"`
}

// advanceClock moves the kiosk's clock forward, so a test sees deadlines
// fire without waiting for them. Admins only, and only on a kiosk started
// with --test-clock.
func (s *Server) advanceClock(c *fiber.Ctx) error {
	if _, err := s.needAdmin(c); err != nil {
		return err
	}
	var req advanceRequest
	if err := decode(c, &req, smallBody); err != nil {
		return err
	}
	if req.AdvanceSeconds <= 0 || req.AdvanceSeconds > 7*24*3600 {
		return apperr.Invalid.With("advanceSeconds must be more than 0 and at most a week.")
	}
	s.d.TestClock.Advance(time.Duration(req.AdvanceSeconds * float64(time.Second)))
	return c.JSON(fiber.Map{"advancedSeconds": req.AdvanceSeconds})
}
