// Package apperr is the kiosk's one catalogue of public errors. Every error a
// customer, barista or admin can see has a stable code, a kind that the
// transport maps to a status, and a human message. Internal details never
// travel in an Error: they go to the log.
package apperr

import (
	"errors"
	"fmt"
)

// Kind says what sort of failure an Error is; the HTTP layer maps it to a
// status code and the MQTT layer never sees it.
type Kind int

// The kinds of public error.
const (
	KindInvalid      Kind = iota + 1 // the request is malformed or breaks a rule of the data
	KindUnauthorized                 // no valid sign-in
	KindForbidden                    // signed in, but not allowed
	KindNotFound                     // no such thing, or not visible to the caller
	KindConflict                     // the thing is not in a state that allows this
	KindRefused                      // the bar says no for now: closed, full, limits
	KindUnavailable                  // the kiosk cannot serve this right now
	KindTooLarge                     // the request body is larger than allowed
	KindTooMany                      // rate limited
	KindInternal                     // a fault of ours; details are in the log
)

// Error is a public error from the catalogue.
type Error struct {
	Code    string
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is matches errors by code, so a copy made by With still matches the
// catalogue entry.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// With returns a copy of e with a more specific message.
func (e *Error) With(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// As returns the public Error inside err, if there is one.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

func def(code string, kind Kind, msg string) *Error {
	e := &Error{Code: code, Kind: kind, Message: msg}
	catalogue = append(catalogue, e)
	return e
}

var catalogue []*Error

// All returns every catalogued error, in definition order, for documentation
// and for tests that check codes stay unique.
func All() []*Error { return append([]*Error(nil), catalogue...) }

// General errors.
var (
	Invalid      = def("invalid_input", KindInvalid, "The request is not valid.")
	Unauthorized = def("unauthorized", KindUnauthorized, "Please sign in first.")
	Forbidden    = def("forbidden", KindForbidden, "You are not allowed to do that.")
	NotFound     = def("not_found", KindNotFound, "There is nothing here.")
	TooLarge     = def("too_large", KindTooLarge, "The request is too large.")
	TooMany      = def("too_many_requests", KindTooMany, "Too many attempts. Please wait a moment and try again.")
	Unavailable  = def("unavailable", KindUnavailable, "The kiosk cannot do that right now. Please try again in a moment.")
	Internal     = def("internal", KindInternal, "Something went wrong on our side. Please try again.")
	Busy         = def("busy", KindUnavailable, "The coffee bar is very busy right now. Please try again in a moment.")
	DiskFull     = def("disk_full", KindUnavailable, "The kiosk's storage is full, so nothing new can be saved. Staff: free some space (the admin app's health page shows it).")
)

// QR code errors: why a scanned code does not open an order.
var (
	CodeInvalid = def("qr_invalid", KindRefused, "This QR code is not valid. Please scan the code on the big screen.")
	CodeExpired = def("qr_expired", KindRefused, "This QR code has expired. Please scan the current code on the big screen.")
	CodeUsedUp  = def("qr_used_up", KindRefused, "All drinks for this QR code are taken. A new code appears on the big screen in a few minutes.")
)

// Refusals of the bar: the code was good but no order can be opened now.
var (
	ShopClosed      = def("shop_closed", KindRefused, "The coffee bar is closed right now. Please come back later.")
	QueueFull       = def("queue_full", KindRefused, "The baristas have a full queue. Please try again in a few minutes.")
	DailyLimit      = def("daily_limit", KindRefused, "You have had your drinks for today. See you tomorrow!")
	OpenOrderExists = def("open_order_exists", KindRefused, "You already have an order in progress.")
)

// Order errors.
var (
	OrderNotFound   = def("order_not_found", KindNotFound, "There is no such order.")
	NotYourOrder    = def("not_your_order", KindForbidden, "This is not your order.")
	OrderFinished   = def("order_finished", KindConflict, "This order is already finished.")
	OrderSubmitted  = def("order_submitted", KindConflict, "This order has already been placed.")
	OrderNotQueued  = def("order_not_queued", KindConflict, "This order is not waiting in the queue.")
	OrderNotMaking  = def("order_not_making", KindConflict, "This order is not being made.")
	OrderBeingMade  = def("order_being_made", KindConflict, "Your drink is already being made, so it can no longer be cancelled.")
	OrderNotReady   = def("order_not_ready", KindConflict, "This order is not waiting for collection.")
	ClaimedByOther  = def("claimed_by_other", KindConflict, "Another barista is making this order.")
	NameInvalid     = def("name_invalid", KindInvalid, "Please enter your first name (up to 30 letters).")
	DrinkUnknown    = def("drink_unknown", KindInvalid, "That drink is not on the menu.")
	DrinkSoldOut    = def("drink_unavailable", KindConflict, "Sorry, that drink is sold out right now.")
	OptionInvalid   = def("option_invalid", KindInvalid, "That option is not available for this drink.")
	OptionRepeated  = def("option_repeated", KindInvalid, "Please choose only one option of each kind.")
	MenuInvalid     = def("menu_invalid", KindInvalid, "The menu is not valid.")
	SettingsInvalid = def("settings_invalid", KindInvalid, "The settings are not valid.")
	EventInvalid    = def("event_invalid", KindInvalid, "The event is not valid.")
	BoothInvalid    = def("booth_invalid", KindInvalid, "The booth settings are not valid.")
	WifiNotSet      = def("wifi_not_set", KindNotFound, "No Wi-Fi name is set for the booth.")
)

// Sign-in and account errors.
var (
	LoginFailed    = def("login_failed", KindUnauthorized, "Wrong name or password.")
	SessionExpired = def("session_expired", KindUnauthorized, "Your session has ended. Please sign in again.")
	AccountInvalid = def("account_invalid", KindInvalid, "The account is not valid.")
	UsernameTaken  = def("username_taken", KindConflict, "That name is taken by another account.")
	AccountUnknown = def("account_not_found", KindNotFound, "There is no such account.")
	LastAdmin      = def("last_admin", KindConflict, "The last admin account cannot be removed or demoted.")
	PairingInvalid = def("pairing_invalid", KindUnauthorized, "This pairing code is not valid or has expired. Ask an admin for a new one.")
	CSRFFailed     = def("csrf_failed", KindForbidden, "The page is out of date. Please reload it and try again.")
)
