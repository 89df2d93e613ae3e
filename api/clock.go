package api

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/apperr"
)

// ClockSetKey is where the kiosk records the last time staff set the box's
// clock, so the health page can say whether it was ever set.
const ClockSetKey = "clock_set_at"

type setClockRequest struct {
	UnixMs int64 `json:"unixMs"`
}

// setClock passes the admin's tablet time to the box's time helper, a small
// root service behind a socket: the kiosk itself may not set the clock. The
// helper's one-line answer ("ok set +3h2m", "ok unchanged", "refused …")
// goes back to the admin.
func (s *Server) setClock(c *fiber.Ctx) error {
	if _, err := s.needAdmin(c); err != nil {
		return err
	}
	var req setClockRequest
	if err := decode(c, &req, smallBody); err != nil {
		return err
	}
	if req.UnixMs <= 0 {
		return apperr.Invalid.With("Send the tablet's time as unixMs (milliseconds since 1970).")
	}
	answer, err := askTimeHelper(c.UserContext(), s.d.TimeHelper, req.UnixMs)
	if err != nil {
		s.d.Log.Warn("the time helper did not answer", "socket", s.d.TimeHelper, "err", err)
		return apperr.Unavailable.With("The box's time helper does not answer, so the time cannot be set from here.")
	}
	if !strings.HasPrefix(answer, "ok") {
		return apperr.Invalid.With("The box did not take that time: %s", answer)
	}
	now := s.d.Store.Clock().Now()
	err = s.d.Store.DB().Write(c.UserContext(), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(c.UserContext(), `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, ClockSetKey, fmt.Sprint(now.UnixMilli()))
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"answer": answer, "now": now})
}

// askTimeHelper sends the time as one line and reads the one-line answer.
func askTimeHelper(ctx context.Context, socket string, unixMs int64) (string, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	conn, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(conn, "%d\n", unixMs); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimSpace(line), nil
}
