// Package version holds the kiosk's version, stamped in at build time with
// -ldflags "-X github.com/coffeebar/kiosk/version.Version=…".
package version

// Version is the release this binary was built from; "dev" when unstamped.
var Version = "dev"
