package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/apperr"
)

// errorBody is every error's JSON: a stable code and a human message.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func status(k apperr.Kind) int {
	switch k {
	case apperr.KindInvalid:
		return fiber.StatusBadRequest
	case apperr.KindUnauthorized:
		return fiber.StatusUnauthorized
	case apperr.KindForbidden:
		return fiber.StatusForbidden
	case apperr.KindNotFound:
		return fiber.StatusNotFound
	case apperr.KindConflict, apperr.KindRefused:
		return fiber.StatusConflict
	case apperr.KindTooLarge:
		return fiber.StatusRequestEntityTooLarge
	case apperr.KindTooMany:
		return fiber.StatusTooManyRequests
	case apperr.KindUnavailable:
		return fiber.StatusServiceUnavailable
	default:
		return fiber.StatusInternalServerError
	}
}

// errorHandler is the one place errors become responses. Public errors
// keep their code and message; Fiber's own (unknown route, body too large)
// are translated; anything else is logged and answered as internal.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		e, ok := apperr.As(err)
		if !ok {
			var fe *fiber.Error
			switch {
			case errors.As(err, &fe) && fe.Code == fiber.StatusNotFound:
				e = apperr.NotFound
			case errors.As(err, &fe) && fe.Code == fiber.StatusRequestEntityTooLarge:
				e = apperr.TooLarge
			case errors.As(err, &fe) && fe.Code == fiber.StatusMethodNotAllowed:
				e = apperr.NotFound.With("This address does not take %s requests.", c.Method())
			case errors.As(err, &fe) && fe.Code < 500:
				e = apperr.Invalid.With("%s", fe.Message)
			case strings.Contains(err.Error(), "database or disk is full") || strings.Contains(err.Error(), "SQLITE_FULL") ||
				strings.Contains(err.Error(), "no space left on device"):
				log.Error("storage full", "method", c.Method(), "path", c.Path(), "err", err)
				e = apperr.DiskFull
			default:
				log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
				e = apperr.Internal
			}
		}
		var body errorBody
		body.Error.Code, body.Error.Message = e.Code, e.Message
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(status(e.Kind)).JSON(body)
	}
}

// Body size limits, by what a route takes.
const (
	smallBody = 16 << 10  // names, codes, choices, sign-in
	menuBody  = 256 << 10 // a whole menu
	bigBody   = 1 << 20   // an event file
)

// decode reads a JSON body strictly into v: the right content type, within
// max bytes, one JSON value, no unknown fields, the right types. Its errors
// say which field is wrong.
func decode(c *fiber.Ctx, v any, max int) error {
	body := c.Body()
	if len(body) > max {
		return apperr.TooLarge.With("The request is too large: at most %d KiB here.", max>>10)
	}
	if ct := strings.ToLower(c.Get(fiber.HeaderContentType)); !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return apperr.Invalid.With("Send the request body as JSON (Content-Type: application/json).")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apperr.Invalid.With("%s", describe(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.Invalid.With("The request body must hold one JSON value, with nothing after it.")
	}
	return nil
}

func describe(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Sprintf("The field %q must be %s.", typeErr.Field, kindName(typeErr.Type.Kind().String()))
	case errors.As(err, &typeErr):
		return fmt.Sprintf("The body must be %s.", kindName(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "The request body is not valid JSON."
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Sprintf("The field %s is not known here.", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return "The request body is not valid JSON."
	}
}

func kindName(k string) string {
	switch k {
	case "string":
		return "text"
	case "bool":
		return "true or false"
	case "int", "int64", "int32", "float64", "uint", "uint64":
		return "a number"
	case "slice", "array":
		return "a list"
	case "struct", "map", "ptr":
		return "an object"
	default:
		return "of another type"
	}
}
