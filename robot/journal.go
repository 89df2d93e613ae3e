package robot

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Confirmation is one change to an order that the kiosk confirmed: a
// successful answer to a request that changes an order, as the robot
// received it. A journal of them is what a crash test checks the kiosk's
// data against after a restart: whatever the kiosk said yes to must still
// be there.
type Confirmation struct {
	Method   string `json:"method"`
	Path     string `json:"path"`
	ID       string `json:"id"`
	State    string `json:"state"`
	Number   int    `json:"number"`
	BoothDay int    `json:"boothDay"`
}

// journal writes a Confirmation line for every successful answer to a
// request that changes an order. It sits under the robot's HTTP clients, so
// a line is written only once the whole answer has arrived.
type journal struct {
	next http.RoundTripper
	mu   sync.Mutex
	w    io.Writer
}

func (j *journal) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := j.next.RoundTrip(req)
	if err != nil || req.Method == http.MethodGet || res.StatusCode/100 != 2 ||
		!strings.HasPrefix(req.URL.Path, "/api/orders") {
		return res, err
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	c := Confirmation{Method: req.Method, Path: req.URL.Path}
	if json.Unmarshal(body, &c) == nil && c.ID != "" && c.State != "" {
		line, _ := json.Marshal(c) // plain strings and numbers: cannot fail
		j.mu.Lock()
		j.w.Write(append(line, '\n'))
		j.mu.Unlock()
	}
	return res, nil
}
