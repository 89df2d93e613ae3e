package robot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// The kiosk's cookie and header names, as its apps use them.
const (
	cookieCSRF = "kiosk_csrf"
	headerCSRF = "X-Kiosk-CSRF"
)

// maxBody bounds what the robot reads of one answer.
const maxBody = 4 << 20

// APIError is an error answer of the kiosk's API: its HTTP status and the
// stable code and human message of its JSON body.
type APIError struct {
	Status  int
	Code    string
	Message string
}

// Error describes the answer as the robot reports it.
func (e *APIError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("%s (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// errorCode returns the API's error code of err, or "" when err is not an
// answer of the API (a network failure, say).
func errorCode(err error) string {
	var e *APIError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// client is one browser: its own cookie jar (customer cookie, staff
// session, CSRF token), echoing the CSRF cookie on every write as the apps
// do.
type client struct {
	base *url.URL
	http *http.Client
}

func newClient(base *url.URL, transport http.RoundTripper) *client {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &client{base: base, http: &http.Client{Transport: transport, Jar: jar}}
}

// csrfToken is the CSRF cookie the kiosk gave this browser, if any.
func (c *client) csrfToken() string {
	for _, ck := range c.http.Jar.Cookies(c.base) {
		if ck.Name == cookieCSRF {
			return ck.Value
		}
	}
	return ""
}

// do sends one request with in as its JSON body (nil for none) and decodes
// a successful answer into out (nil to ignore it). An error answer becomes
// an *APIError.
func (c *client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	p, query, _ := strings.Cut(path, "?")
	u := c.base.JoinPath(p)
	u.RawQuery = query
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet && method != http.MethodHead {
		if tok := c.csrfToken(); tok != "" {
			req.Header.Set(headerCSRF, tok)
		}
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return fmt.Errorf("%s %s: read the answer: %w", method, path, err)
	}
	if res.StatusCode >= 300 {
		var eb struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		e := &APIError{Status: res.StatusCode}
		if json.Unmarshal(data, &eb) == nil && eb.Error.Code != "" {
			e.Code, e.Message = eb.Error.Code, eb.Error.Message
		} else {
			e.Message = strings.TrimSpace(string(data))
		}
		return e
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the JSON expected: %w", method, path, err)
	}
	return nil
}

func (c *client) get(ctx context.Context, path string, out any) error {
	return c.do(ctx, http.MethodGet, path, nil, out)
}

// prime fetches the public shop so the browser holds its CSRF cookie
// before its first write, as a page load does.
func (c *client) prime(ctx context.Context) (shopView, error) {
	var s shopView
	err := c.get(ctx, "/api/shop", &s)
	return s, err
}

// signIn opens a staff session.
func (c *client) signIn(ctx context.Context, user, password string) (sessionView, error) {
	if _, err := c.prime(ctx); err != nil {
		return sessionView{}, err
	}
	var s sessionView
	err := c.do(ctx, http.MethodPost, "/api/session", map[string]string{"username": user, "password": password}, &s)
	return s, err
}

// signOut ends the staff session, if any.
func (c *client) signOut(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/api/session", nil, nil)
}

// The parts of the API's answers the robot reads. They are the robot's own
// view of the wire format, so the robot tests the public contract rather
// than sharing the server's types.

type sessionView struct {
	Kind     string `json:"kind"`
	Username string `json:"username"`
	Role     string `json:"role"`
}

type optionGroup struct {
	Name    string   `json:"name"`
	Choices []string `json:"choices"`
}

type drink struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Available bool          `json:"available"`
	Options   []optionGroup `json:"options"`
}

type shopView struct {
	Open bool    `json:"open"`
	Menu []drink `json:"menu"`
}

// settings are the kiosk's settings as GET /api/config shows them.
type settings struct {
	QRPeriodSeconds         int `json:"qrPeriodSeconds"`
	DrinksPerCode           int `json:"drinksPerCode"`
	MaxInFlight             int `json:"maxInFlight"`
	CustomerTimeoutSeconds  int `json:"customerTimeoutSeconds"`
	BaristaTimeoutSeconds   int `json:"baristaTimeoutSeconds"`
	DrinksPerCustomerPerDay int `json:"drinksPerCustomerPerDay"`
	ReadySeconds            int `json:"readySeconds"`
}

type configView struct {
	Open     bool     `json:"open"`
	Settings settings `json:"settings"`
}

type qrView struct {
	Code       string `json:"code"`
	StartsAt   string `json:"startsAt"`
	EndsAt     string `json:"endsAt"`
	Drinks     int    `json:"drinks"`
	DrinksLeft int    `json:"drinksLeft"`
}

type choice struct {
	Group  string `json:"group"`
	Choice string `json:"choice"`
}

type selection struct {
	DrinkID string   `json:"drinkId"`
	Options []choice `json:"options"`
}

type orderView struct {
	ID        string `json:"id"`
	Number    int    `json:"number"`
	State     string `json:"state"`
	EndReason string `json:"endReason"`
}

type realtimeView struct {
	URL           string `json:"url"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	Role          string `json:"role"`
	CustomerTopic string `json:"customerTopic"`
}

type accountView struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Role     string `json:"role"`
}
