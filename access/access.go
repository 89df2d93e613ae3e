// Package access names who is acting: a customer, a barista, an admin or a
// display. Every domain action takes an Actor and checks it, so a rule holds
// whichever transport the request came through.
package access

import (
	"slices"

	"github.com/coffeebar/kiosk/apperr"
)

// Role is what an actor may do.
type Role string

// The roles.
const (
	Customer Role = "customer" // a phone at the booth; may touch only its own orders
	Barista  Role = "barista"  // works the queue and opens or closes the shop
	Admin    Role = "admin"    // everything a barista can, plus menu, settings and accounts
	Display  Role = "display"  // read-only overhead screen
	System   Role = "system"   // the kiosk itself: timeouts, seeding, start-up
)

// Actor is the one acting: its stable id (customer id or staff account id)
// and its role.
type Actor struct {
	ID   string
	Role Role
}

// SystemActor is the kiosk acting on its own behalf.
var SystemActor = Actor{ID: "kiosk", Role: System}

// IsStaff reports whether the actor works the bar (barista or admin).
func (a Actor) IsStaff() bool { return a.Role == Barista || a.Role == Admin }

// Require returns apperr.Forbidden unless the actor has one of the roles.
// An actor without an id never passes.
func Require(a Actor, roles ...Role) error {
	if a.ID == "" || !slices.Contains(roles, a.Role) {
		return apperr.Forbidden
	}
	return nil
}
