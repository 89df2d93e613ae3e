// Package gpio drives the bar's two small pieces of GPIO hardware: the
// "drink ready" light, and an optional push button that closes the booth
// when it is held down.
//
// The package knows nothing about orders. The server tells the light how many
// drinks are waiting to be collected and whether the shop is open, and gives
// the button a function to call on a long press; both are wired to the order
// events elsewhere.
//
// Pins are opened by name ("GPIO17"), never by chip line number, because
// line numbers differ between Pi models. When the GPIO drivers cannot load or
// a named pin does not exist, as on a laptop or in CI, Open returns simulated
// devices that log what they would do, so the kiosk runs everywhere.
//
// All timing (the light's blink, the button's debounce and long press) runs
// on the kiosk's clock.Clock, so tests move time by hand. The button is read
// by sampling its level on that clock rather than by waiting for edge
// interrupts: sampling is the classic way to debounce a switch, it does not
// depend on the kernel's edge detection (which differs between periph's GPIO
// drivers and Pi models), and it keeps every decision on one clock.
package gpio
