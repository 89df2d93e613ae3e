package api

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

// apps are the pages served from the build, each at its folder.
var apps = []string{"barista", "display", "admin", "journey"}

// Pages serves the built web apps from fsys: the customer app at "/", the
// others at /barista/, /display/, /admin/ and /journey/. Hashed assets are cached for
// good; pages are always revalidated, so a new build shows at once. When the
// apps are not built it serves a page that says how to build them.
func Pages(fsys fs.FS, built bool) fiber.Handler {
	if !built {
		return func(c *fiber.Ctx) error {
			if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
				return c.Next()
			}
			c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
			return c.Status(fiber.StatusServiceUnavailable).SendString(notBuilt)
		}
	}
	files := filesystem.New(filesystem.Config{Root: http.FS(fsys), Index: "index.html"})
	return func(c *fiber.Ctx) error {
		p := c.Path()
		for _, app := range apps {
			if p == "/"+app {
				return c.Redirect("/"+app+"/", fiber.StatusMovedPermanently)
			}
		}
		if strings.HasPrefix(p, "/assets/") {
			c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
		} else {
			c.Set(fiber.HeaderCacheControl, "no-cache")
		}
		return files(c)
	}
}

const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Coffee bar kiosk</title></head>
<body><h1>The apps are not built into this kiosk</h1>
<p>This binary was built without the web apps. Run <code>make run</code> (or <code>make build</code>) in the
project folder: it builds the apps and then the kiosk with the apps inside.</p></body></html>`
