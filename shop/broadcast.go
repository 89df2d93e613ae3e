package shop

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/text"
)

// Notice is the message staff broadcast to every waiting customer and the
// display, if any.
type Notice struct {
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// Broadcast shows text to every waiting customer and on the display, until
// staff send another or an empty one. Staff only.
func (s *Service) Broadcast(ctx context.Context, actor access.Actor, msg string) (Notice, error) {
	if err := access.Require(actor, access.Barista, access.Admin); err != nil {
		return Notice{}, err
	}
	if msg != "" {
		clean, ok := text.Clean(msg, events.MaxBroadcastRunes)
		if !ok {
			return Notice{}, apperr.Invalid.With("A message is 1 to %d characters, or empty to take it down.", events.MaxBroadcastRunes)
		}
		msg = clean
	}
	var out Notice
	err := s.store.Write(ctx, func(tx *events.Tx) error {
		out = Notice{Text: msg, At: tx.Now()}
		_, err := tx.Emit(&events.Broadcast{Text: msg, ActorID: actor.ID})
		return err
	})
	return out, err
}

// CurrentNotice is the latest broadcast; empty text when there is none.
func (s *Service) CurrentNotice(ctx context.Context) (Notice, error) {
	var raw string
	var at int64
	err := s.store.DB().Read().QueryRowContext(ctx, `SELECT detail, time_at FROM events WHERE detail_type = ?
		ORDER BY seq DESC LIMIT 1`, events.TypeBroadcast).Scan(&raw, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Notice{}, nil
	}
	if err != nil {
		return Notice{}, err
	}
	var d events.Broadcast
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return Notice{}, err
	}
	if d.Text == "" {
		return Notice{}, nil
	}
	return Notice{Text: d.Text, At: time.UnixMilli(at).UTC()}, nil
}
