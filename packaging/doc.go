// Package packaging holds the scripts that build and check the kiosk's
// Debian package (build-deb.sh, inspect-deb.sh, deb/) and the SD-card image
// recipe (image/). Its Go code is only the test that builds and inspects
// the packages for amd64 and arm64.
package packaging
