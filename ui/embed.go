// Package ui holds the web apps the kiosk serves (customer ordering, barista,
// display, admin, and the order journey page) and embeds their production
// build into the binary.
//
// The apps are built with Node (npm run build in this folder) into dist/. A
// checkout without a build still compiles: dist/ then holds only its .keep
// placeholder, and Built reports false so the server can say how to build the
// apps instead of serving empty pages.
package ui

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// indexPage is the customer app's page; every real build has it.
const indexPage = "index.html"

// FS returns the built apps rooted at the build folder: "index.html" is the
// customer app served at "/", and "barista/index.html", "display/index.html",
// "admin/index.html" and "journey/index.html" are the other pages. Hashed JavaScript, CSS and icons
// are under "assets/".
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only for an invalid path, and "dist" is valid.
		panic(err)
	}
	return sub
}

// Built reports whether the binary embeds a real build of the apps rather than
// the placeholder of a checkout where npm run build has not been run.
func Built() bool {
	return built(FS())
}

// built reports whether fsys holds a build: the placeholder alone has no index page.
func built(fsys fs.FS) bool {
	info, err := fs.Stat(fsys, indexPage)
	return err == nil && !info.IsDir()
}
