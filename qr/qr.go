// Package qr is the QR validator. The overhead display shows a code that
// changes every period (wall-clock aligned: :00, :05, :10 …); each code
// admits a fixed number of drinks. A scan takes one drink of the current
// code, atomically and never below zero; a code of another period, a code
// never issued, or a used-up code is refused, each with its own reason.
package qr

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/shop"
)

// Code is one period's code and how many of its drinks are left.
type Code struct {
	Code       string    `json:"code"`
	StartsAt   time.Time `json:"startsAt"`
	EndsAt     time.Time `json:"endsAt"`
	Drinks     int       `json:"drinks"`
	DrinksLeft int       `json:"drinksLeft"`
}

// Period is the code's period without the code itself, as events carry it.
func (c Code) Period() events.Period {
	return events.Period{StartsAt: c.StartsAt.UnixMilli(), EndsAt: c.EndsAt.UnixMilli(), DrinksLeft: c.DrinksLeft}
}

// Validator issues and checks codes.
type Validator struct {
	store *events.Store
}

// New returns the validator over the event store's database.
func New(store *events.Store) *Validator { return &Validator{store: store} }

// periodStart is the start, in Unix seconds, of the period containing now.
func periodStart(now time.Time, periodS int) int64 {
	s, p := now.Unix(), int64(periodS)
	start := s - s%p
	if s%p < 0 {
		start -= p
	}
	return start
}

// newCode returns 80 random bits as 16 lower-case base32 characters: short
// enough for a small QR code, far too many to guess.
func newCode() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
}

type row struct {
	code         string
	startsAt     int64
	periodS      int
	drinks, left int
}

func (r row) toCode() Code {
	start := time.Unix(r.startsAt, 0).UTC()
	return Code{Code: r.code, StartsAt: start, EndsAt: start.Add(time.Duration(r.periodS) * time.Second),
		Drinks: r.drinks, DrinksLeft: r.left}
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const rowColumns = "code, starts_at, period_s, drinks, drinks_left"

func scanRow(r *sql.Row) (row, error) {
	var x row
	err := r.Scan(&x.code, &x.startsAt, &x.periodS, &x.drinks, &x.left)
	return x, err
}

func currentRow(ctx context.Context, q queryer, start int64, periodS int) (row, error) {
	return scanRow(q.QueryRowContext(ctx, "SELECT "+rowColumns+" FROM qr_codes WHERE starts_at = ? AND period_s = ?", start, periodS))
}

// Current returns the code of the current period, issuing it on first ask.
// Only the display and staff may see it.
func (v *Validator) Current(ctx context.Context, actor access.Actor) (Code, error) {
	if err := access.Require(actor, access.Display, access.Barista, access.Admin, access.System); err != nil {
		return Code{}, err
	}
	cfg, err := shop.New(v.store).Config(ctx)
	if err != nil {
		return Code{}, err
	}
	start := periodStart(v.store.Clock().Now(), cfg.Settings.QRPeriodSeconds)
	r, err := currentRow(ctx, v.store.DB().Read(), start, cfg.Settings.QRPeriodSeconds)
	if err == nil && r.drinks == cfg.Settings.DrinksPerCode {
		return r.toCode(), nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Code{}, fmt.Errorf("read QR code: %w", err)
	}
	err = v.store.Write(ctx, func(tx *events.Tx) error {
		cfg, err := shop.Load(ctx, tx)
		if err != nil {
			return err
		}
		s := cfg.Settings
		start = periodStart(tx.Now(), s.QRPeriodSeconds)
		if _, err := tx.ExecContext(ctx, `INSERT INTO qr_codes (code, starts_at, period_s, drinks, drinks_left)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (starts_at, period_s) DO NOTHING`,
			newCode(), start, s.QRPeriodSeconds, s.DrinksPerCode, s.DrinksPerCode); err != nil {
			return err
		}
		if r, err = currentRow(ctx, tx, start, s.QRPeriodSeconds); err != nil {
			return err
		}
		return rebudget(ctx, tx, &r, s)
	})
	if err != nil {
		return Code{}, fmt.Errorf("issue QR code: %w", err)
	}
	return r.toCode(), nil
}

// rebudget applies a change of drinks per code to the current code at once:
// its drinks left grow or shrink by the difference, never below zero, so a
// rush can be let in (or slowed) without waiting for the next period.
func rebudget(ctx context.Context, tx *events.Tx, r *row, s shop.Settings) error {
	if r.drinks == s.DrinksPerCode {
		return nil
	}
	left := max(r.left+s.DrinksPerCode-r.drinks, 0)
	if _, err := tx.ExecContext(ctx, "UPDATE qr_codes SET drinks = ?, drinks_left = ? WHERE code = ?",
		s.DrinksPerCode, left, r.code); err != nil {
		return fmt.Errorf("apply the new drinks per code: %w", err)
	}
	r.drinks, r.left = s.DrinksPerCode, left
	return nil
}

// maxCodeLen bounds what a scan may send before it is looked up.
const maxCodeLen = 64

// check finds code and says whether it admits a drink now.
func check(ctx context.Context, tx *events.Tx, code string, s shop.Settings) (row, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if code == "" || len(code) > maxCodeLen {
		return row{}, apperr.CodeInvalid
	}
	r, err := scanRow(tx.QueryRowContext(ctx, "SELECT "+rowColumns+" FROM qr_codes WHERE code = ?", code))
	if errors.Is(err, sql.ErrNoRows) {
		return row{}, apperr.CodeInvalid
	}
	if err != nil {
		return row{}, fmt.Errorf("look up QR code: %w", err)
	}
	if r.periodS != s.QRPeriodSeconds || r.startsAt != periodStart(tx.Now(), s.QRPeriodSeconds) {
		return row{}, apperr.CodeExpired
	}
	if err := rebudget(ctx, tx, &r, s); err != nil {
		return row{}, err
	}
	if r.left <= 0 {
		return row{}, apperr.CodeUsedUp
	}
	return r, nil
}

// Check reports whether code admits a drink now, inside a write transaction,
// without taking one.
func Check(ctx context.Context, tx *events.Tx, code string, s shop.Settings) (Code, error) {
	r, err := check(ctx, tx, code, s)
	if err != nil {
		return Code{}, err
	}
	return r.toCode(), nil
}

// Take takes one drink of code inside a write transaction, so the drink is
// used only if the transaction (the accepted order) commits. It never takes
// the count below zero.
func Take(ctx context.Context, tx *events.Tx, code string, s shop.Settings) (Code, error) {
	r, err := check(ctx, tx, code, s)
	if err != nil {
		return Code{}, err
	}
	res, err := tx.ExecContext(ctx, "UPDATE qr_codes SET drinks_left = drinks_left - 1 WHERE code = ? AND drinks_left > 0", r.code)
	if err != nil {
		return Code{}, fmt.Errorf("take a drink of the QR code: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return Code{}, apperr.CodeUsedUp
	}
	r.left--
	return r.toCode(), nil
}
