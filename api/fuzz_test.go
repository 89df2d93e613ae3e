package api

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzOrderBodies sends arbitrary bodies to the scan and submit routes of a
// real API: every answer must be a success or a JSON error with a code, and
// never a server fault.
func FuzzOrderBodies(f *testing.F) {
	f.Add(`{"name":"Sam","code":"x"}`)
	f.Add(`{"drinkId":"latte","options":[{"group":"Milk","choice":"Oat"}]}`)
	f.Add(`{"name":"<script>alert(1)</script>","code":""}`)
	f.Add(`{"name":"\u202eevil","code":null}`)
	f.Add(`[]`)
	f.Add(`{"options":[{"group":1}]}`)
	h := newHarness(f)
	phone := h.client()
	id := phone.scan("Fuzz")
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/api/orders", "/api/orders/" + id + "/drink"} {
			method := "POST"
			if strings.HasSuffix(path, "/drink") {
				method = "PUT"
			}
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			res, err := h.srv.App().Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode >= 500 {
				t.Fatalf("%s %s with %q: %d", method, path, body, res.StatusCode)
			}
		}
	})
}
