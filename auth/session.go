package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
)

// Session kinds.
const (
	KindStaff   = "staff"
	KindDisplay = "display"
)

// Session is a signed-in staff member or display.
type Session struct {
	ID    string       `json:"-"`
	Kind  string       `json:"kind"`
	Actor access.Actor `json:"-"`
	// AccountID is the staff account's id, as orders name their barista;
	// empty for a display.
	AccountID string      `json:"id,omitempty"`
	Username  string      `json:"username,omitempty"`
	Role      access.Role `json:"role"`
}

// touchEvery bounds how often using a session writes its last-seen time.
const touchEvery = time.Minute

// Login checks a staff member's name and password and opens a session. The
// returned token goes into an HttpOnly cookie. Failures are counted per
// account and per client; past the limit every attempt is refused until the
// window has passed, even with the right password.
func (s *Service) Login(ctx context.Context, client, username, password string) (Session, string, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if s.limiter.blocked(username, client) {
		return Session{}, "", apperr.TooMany.With("Too many failed sign-ins. Please wait a few minutes and try again.")
	}
	var id, hash string
	var role access.Role
	err := s.store.DB().Read().QueryRowContext(ctx, "SELECT id, password_hash, role FROM staff WHERE username = ?", username).
		Scan(&id, &hash, &role)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Session{}, "", err
	}
	if errors.Is(err, sql.ErrNoRows) {
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		s.limiter.fail(username, client)
		return Session{}, "", apperr.LoginFailed
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		s.limiter.fail(username, client)
		s.log.Warn("failed staff sign-in", "username", username, "client", client)
		return Session{}, "", apperr.LoginFailed
	}
	s.limiter.succeed(username)
	sess := Session{ID: randomID(), Kind: KindStaff, Actor: access.Actor{ID: id, Role: role}, AccountID: id,
		Username: username, Role: role}
	tok, err := s.insertSession(ctx, sess, id)
	return sess, tok, err
}

func (s *Service) insertSession(ctx context.Context, sess Session, staffID string) (string, error) {
	tok := token()
	var staff any
	if staffID != "" {
		staff = staffID
	}
	err := s.store.DB().Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, id, kind, staff_id, role, created_at, seen_run)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, hashToken(tok), sess.ID, sess.Kind, staff, string(sess.Role),
			s.store.Clock().Now().UnixMilli(), s.store.RunTime().Milliseconds())
		return err
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// Logout ends the session of a token. Ending an unknown session is fine.
func (s *Service) Logout(ctx context.Context, tok string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", hashToken(tok))
		return err
	})
}

const sessionQuery = `SELECT s.id, s.kind, s.role, coalesce(s.staff_id, ''), coalesce(st.role, ''), coalesce(st.username, ''), s.seen_run
	FROM sessions s LEFT JOIN staff st ON st.id = s.staff_id WHERE `

// Session returns the session of a cookie token, refusing one that has
// idled out. Using it now and then records that it is still in use.
func (s *Service) Session(ctx context.Context, tok string) (Session, error) {
	if tok == "" {
		return Session{}, apperr.Unauthorized
	}
	h := hashToken(tok)
	if sess, ok := s.sessions.get(h, s.store.RunTime(), s.StaffIdle); ok {
		return sess, nil
	}
	gen := s.sessions.generation() // before the read: see sessionCache
	sess, seen, err := s.lookup(ctx, "s.token_hash = ?", h)
	if err == nil {
		s.sessions.keep(gen, h, sess, seen)
	}
	return sess, err
}

func (s *Service) sessionByID(ctx context.Context, id string) (Session, error) {
	sess, _, err := s.lookup(ctx, "s.id = ?", id)
	return sess, err
}

// lookup reads a session, and returns it with the running time its use was
// last recorded.
func (s *Service) lookup(ctx context.Context, where, arg string) (Session, time.Duration, error) {
	var sess Session
	var staffID, staffRole string
	var seen int64
	err := s.store.DB().Read().QueryRowContext(ctx, sessionQuery+where, arg).
		Scan(&sess.ID, &sess.Kind, &sess.Role, &staffID, &staffRole, &sess.Username, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, 0, apperr.SessionExpired
	}
	if err != nil {
		return Session{}, 0, err
	}
	now := s.store.RunTime()
	last := time.Duration(seen) * time.Millisecond
	switch sess.Kind {
	case KindStaff:
		if now-last > s.StaffIdle {
			s.write(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE id = ?", sess.ID)
				return err
			})
			return Session{}, 0, apperr.SessionExpired
		}
		// The account's current role counts, not the one at sign-in.
		sess.Role = access.Role(staffRole)
		sess.Actor = access.Actor{ID: staffID, Role: sess.Role}
		sess.AccountID = staffID
	case KindDisplay:
		sess.Actor = access.Actor{ID: "display-" + sess.ID[:8], Role: access.Display}
	}
	if now-last > touchEvery && s.touch(ctx, sess.ID, now) {
		last = now
	}
	return sess, last, nil
}

// touch records that a session is in use, as of the running time now.
func (s *Service) touch(ctx context.Context, id string, now time.Duration) bool {
	err := s.store.DB().Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE sessions SET seen_run = ? WHERE id = ?", now.Milliseconds(), id)
		return err
	})
	if err != nil {
		s.log.Warn("could not record session use", "err", err)
	}
	return err == nil
}

// write runs a write that may end sessions or change the accounts they
// belong to, and has every session kept in memory read again once it is
// committed.
func (s *Service) write(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.store.DB().WriteThen(ctx, fn, s.sessions.forget)
}

// NewDisplaySession opens a display session. The caller decides it may:
// the box's own screen over loopback, or a paired display.
func (s *Service) NewDisplaySession(ctx context.Context) (Session, string, error) {
	sess := Session{ID: randomID(), Kind: KindDisplay, Role: access.Display}
	tok, err := s.insertSession(ctx, sess, "")
	if err != nil {
		return Session{}, "", err
	}
	sess.Actor = access.Actor{ID: "display-" + sess.ID[:8], Role: access.Display}
	return sess, tok, nil
}

// CreatePairing gives an admin a one-time code that signs a display in
// when opened on it, within PairingLife.
func (s *Service) CreatePairing(ctx context.Context, actor access.Actor) (string, error) {
	if err := access.Require(actor, access.Admin); err != nil {
		return "", err
	}
	code := randomID()
	err := s.store.DB().Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM pairings WHERE expires_run < ?", s.store.RunTime().Milliseconds()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO pairings (code_hash, created_by, expires_run) VALUES (?, ?, ?)",
			hashToken(code), actor.ID, (s.store.RunTime() + PairingLife).Milliseconds())
		return err
	})
	return code, err
}

// Pair spends a pairing code and opens a display session.
func (s *Service) Pair(ctx context.Context, code string) (Session, string, error) {
	ok := false
	err := s.store.DB().Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM pairings WHERE code_hash = ? AND expires_run >= ?",
			hashToken(code), s.store.RunTime().Milliseconds())
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		ok = n == 1
		return nil
	})
	if err != nil {
		return Session{}, "", err
	}
	if !ok {
		return Session{}, "", apperr.PairingInvalid
	}
	return s.NewDisplaySession(ctx)
}

// EndDisplaySessions signs every display out. Admins only.
func (s *Service) EndDisplaySessions(ctx context.Context, actor access.Actor) error {
	if err := access.Require(actor, access.Admin); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE kind = 'display'")
		return err
	})
}
