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
	a.Get("/display/wifi.png", s.displayWifiImage)
}

// publicURL is the ordering page's address: the admin's booth setting, or
// the address the kiosk was started with.
func (s *Server) publicURL(c *fiber.Ctx) string {
	if cfg, err := s.d.Shop.Config(c.UserContext()); err == nil && cfg.Booth.PublicURL != "" {
		return cfg.Booth.PublicURL
	}
	return s.d.PublicURL
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
	URL  string `json:"url"`
	Wifi *struct {
		SSID string `json:"ssid"`
	} `json:"wifi,omitempty"`
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
	v := qrView{Code: code, URL: OrderURL(s.publicURL(c), code.Code)}
	if cfg, err := s.d.Shop.Config(c.UserContext()); err == nil && cfg.Booth.WifiSSID != "" {
		v.Wifi = &struct {
			SSID string `json:"ssid"`
		}{cfg.Booth.WifiSSID}
	}
	return v, nil
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
	return sendQR(c, v.URL)
}

// displayWifiImage is a QR code that joins the booth's Wi-Fi in one scan.
func (s *Server) displayWifiImage(c *fiber.Ctx) error {
	if _, err := s.needDisplay(c); err != nil {
		return err
	}
	cfg, err := s.d.Shop.Config(c.UserContext())
	if err != nil {
		return err
	}
	if cfg.Booth.WifiSSID == "" {
		return apperr.WifiNotSet
	}
	return sendQR(c, WifiJoin(cfg.Booth.WifiSSID, cfg.Booth.WifiPassword))
}

// WifiJoin is the text of a Wi-Fi join QR code, in the format phone
// cameras read: WIFI:T:WPA;S:<name>;P:<password>;; with \ ; , : and "
// escaped, or T:nopass for an open network.
func WifiJoin(ssid, password string) string {
	esc := strings.NewReplacer(`\`, `\\`, `;`, `\;`, `,`, `\,`, `:`, `\:`, `"`, `\"`)
	if password == "" {
		return "WIFI:T:nopass;S:" + esc.Replace(ssid) + ";;"
	}
	return "WIFI:T:WPA;S:" + esc.Replace(ssid) + ";P:" + esc.Replace(password) + ";;"
}

func sendQR(c *fiber.Ctx, content string) error {
	size := 512
	if q := c.Query("size"); q != "" {
		var err error
		if size, err = strconv.Atoi(q); err != nil || size < 64 || size > 2048 {
			return apperr.Invalid.With("size must be from 64 to 2048 pixels.")
		}
	}
	png, err := qrcode.Encode(content, qrcode.Medium, size)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(png)
}
