package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/coffeebar/kiosk/apperr"
)

// Envelope is an event as it appears in an injection file: the envelope of
// the design without the log's own fields.
type Envelope struct {
	ID         string          `json:"id"`
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Version    int             `json:"version"`
	Time       time.Time       `json:"time"`
	Detail     json.RawMessage `json:"detail"`
}

// InjectResult counts what an injection did.
type InjectResult struct {
	Added   int `json:"added"`
	Skipped int `json:"skipped"` // ids already in the log: injecting a file twice is harmless
}

// MaxInjectSize bounds an injection file.
const MaxInjectSize = 16 << 20

// Inject reads envelopes (a JSON array, or one JSON object after another)
// and appends them to the log in one transaction, after checking each as
// strictly as a live event: a known detail type and version, the right
// source, a time, and a detail that decodes without unknown fields and
// passes its validation. One bad envelope rejects the whole file and writes
// nothing; the error names it by position. Injected events keep their id and
// time and are dispatched to subscribers like live ones.
func (s *Store) Inject(ctx context.Context, r io.Reader) (InjectResult, error) {
	envs, err := readEnvelopes(io.LimitReader(r, MaxInjectSize+1))
	if err != nil {
		return InjectResult{}, err
	}
	checked := make([]Event, 0, len(envs))
	seen := map[string]bool{}
	for i, env := range envs {
		e, err := checkEnvelope(env)
		if err != nil {
			return InjectResult{}, apperr.EventInvalid.With("event %d: %v", i+1, err)
		}
		if seen[e.ID] {
			return InjectResult{}, apperr.EventInvalid.With("event %d: id %s appears twice in the file", i+1, e.ID)
		}
		seen[e.ID] = true
		checked = append(checked, e)
	}
	var res InjectResult
	err = s.Write(ctx, func(tx *Tx) error {
		for _, e := range checked {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM events WHERE id = ?", e.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				res.Skipped++
				continue
			}
			e.RunTimeMs = tx.RunTime().Milliseconds()
			seq, err := insert(ctx, tx.Tx, e)
			if err != nil {
				return err
			}
			e.Seq = seq
			tx.emitted = append(tx.emitted, e)
			res.Added++
		}
		return nil
	})
	if err != nil {
		return InjectResult{}, err
	}
	return res, nil
}

func readEnvelopes(r io.Reader) ([]Envelope, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	if len(data) > MaxInjectSize {
		return nil, apperr.TooLarge.With("An event file may be at most %d MiB.", MaxInjectSize>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, apperr.EventInvalid.With("The event file is empty.")
	}
	var raws []json.RawMessage
	if trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &raws); err != nil {
			return nil, apperr.EventInvalid.With("The event file is not a JSON array of events: %v", err)
		}
	} else {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		for {
			var raw json.RawMessage
			err := dec.Decode(&raw)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, apperr.EventInvalid.With("event %d is not valid JSON: %v", len(raws)+1, err)
			}
			raws = append(raws, raw)
		}
	}
	envs := make([]Envelope, len(raws))
	for i, raw := range raws {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&envs[i]); err != nil {
			return nil, apperr.EventInvalid.With("event %d: %v", i+1, err)
		}
	}
	return envs, nil
}

func checkEnvelope(env Envelope) (Event, error) {
	if env.ID == "" || len(env.ID) > 64 {
		return Event{}, errors.New("id is missing or longer than 64 characters")
	}
	entry, ok := Lookup(env.DetailType, env.Version)
	if !ok {
		return Event{}, fmt.Errorf("%q version %d is not in the catalogue", env.DetailType, env.Version)
	}
	if env.Source != entry.Source {
		return Event{}, fmt.Errorf("%s comes from source %q, not %q", env.DetailType, entry.Source, env.Source)
	}
	if env.Time.IsZero() {
		return Event{}, errors.New("time is missing")
	}
	d, err := Decode(env.DetailType, env.Version, env.Detail)
	if err != nil {
		return Event{}, err
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return Event{}, err
	}
	e := Event{ID: env.ID, Source: env.Source, DetailType: env.DetailType, Version: env.Version,
		Time: env.Time.UTC(), Detail: withDefaultMessage(raw, entry.Message)}
	if o, ok := d.(orderScoped); ok {
		e.OrderID = o.orderRef()
	}
	return e, nil
}
