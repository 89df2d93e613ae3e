package api

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/qr"
)

func (s *Server) displayRoutes(a fiber.Router) {
	a.Post("/display/session", s.displayOnBox)
	a.Post("/display/pair", s.displayPair)
	a.Get("/display/qr", s.displayQR)
	a.Get("/display/qr.png", s.displayQRImage)
}

// displayOnBox signs in the box's own screen, which reaches the kiosk over
// loopback, without typing anything.
func (s *Server) displayOnBox(c *fiber.Ctx) error {
	ip := c.Context().RemoteIP()
	if ip == nil || !ip.IsLoopback() {
		return apperr.Forbidden.With("Only the screen attached to the kiosk signs in this way; other screens are paired by an admin.")
	}
	return s.startDisplay(c, func() (string, error) {
		_, tok, err := s.d.Auth.NewDisplaySession(c.UserContext())
		return tok, err
	})
}

type pairRequest struct {
	Code string `json:"code"`
}

func (s *Server) displayPair(c *fiber.Ctx) error {
	var req pairRequest
	if err := decode(c, &req, smallBody); err != nil {
		return err
	}
	return s.startDisplay(c, func() (string, error) {
		_, tok, err := s.d.Auth.Pair(c.UserContext(), req.Code)
		return tok, err
	})
}

func (s *Server) startDisplay(c *fiber.Ctx, open func() (string, error)) error {
	tok, err := open()
	if err != nil {
		return err
	}
	setCookie(c, cookieSession, tok, displayCookieAge, true, fiber.CookieSameSiteStrictMode)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"kind": "display", "role": access.Display})
}

// needDisplay returns the display or staff member asking for the QR code.
func (s *Server) needDisplay(c *fiber.Ctx) (access.Actor, error) {
	w, err := s.identify(c)
	if err != nil {
		return access.Actor{}, err
	}
	if w.session == nil {
		return access.Actor{}, apperr.Unauthorized
	}
	return w.session.Actor, nil
}

// qrView is the current code as the display shows it.
type qrView struct {
	qr.Code
	URL string `json:"url"`
}

func (s *Server) currentQR(c *fiber.Ctx) (qrView, error) {
	a, err := s.needDisplay(c)
	if err != nil {
		return qrView{}, err
	}
	code, err := s.d.QR.Current(c.UserContext(), a)
	if err != nil {
		return qrView{}, err
	}
	return qrView{Code: code, URL: OrderURL(s.d.PublicURL, code.Code)}, nil
}

// OrderURL is the address a QR code carries: the ordering page with the code.
func OrderURL(publicURL, code string) string {
	base := strings.TrimSuffix(publicURL, "/") + "/"
	return base + "?" + url.Values{"code": {code}}.Encode()
}

func (s *Server) displayQR(c *fiber.Ctx) error {
	v, err := s.currentQR(c)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *Server) displayQRImage(c *fiber.Ctx) error {
	v, err := s.currentQR(c)
	if err != nil {
		return err
	}
	size := 512
	if q := c.Query("size"); q != "" {
		if size, err = strconv.Atoi(q); err != nil || size < 64 || size > 2048 {
			return apperr.Invalid.With("size must be from 64 to 2048 pixels.")
		}
	}
	png, err := qrcode.Encode(v.URL, qrcode.Medium, size)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(png)
}
