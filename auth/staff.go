package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
)

// Account is a staff account as admins see it; never its hash.
type Account struct {
	ID        string      `json:"id"`
	Username  string      `json:"username"`
	Role      access.Role `json:"role"`
	CreatedAt time.Time   `json:"createdAt"`
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// bcryptCost keeps a sign-in well under a second on a Raspberry Pi 3. Tests
// lower it: the race detector makes bcrypt very slow.
var bcryptCost = 10

// dummyHash is compared against when the account does not exist, so a
// wrong name takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("no such account here"), bcryptCost)
	return h
})

func checkUsername(u string) (string, error) {
	u = strings.ToLower(strings.TrimSpace(u))
	if !usernamePattern.MatchString(u) {
		return "", apperr.AccountInvalid.With("A name is 2 to 32 lower-case letters, digits, dots, dashes or underscores.")
	}
	return u, nil
}

func checkPassword(p string) error {
	if len(p) < MinPasswordLen || len(p) > 72 {
		return apperr.AccountInvalid.With("A password is %d to 72 characters long.", MinPasswordLen)
	}
	return nil
}

func checkRole(r access.Role) error {
	if r != access.Admin && r != access.Barista {
		return apperr.AccountInvalid.With("A role is admin or barista.")
	}
	return nil
}

// GeneratePassword returns a password that is easy to read off a log line
// and type on a tablet: 4 groups of 4 lower-case letters and digits, without
// look-alikes.
func GeneratePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := randomBytes(16)
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}

// EnsureAdmin creates the first admin account, named "admin", when there is
// no account at all. With an empty password it generates one and returns
// it, to be shown once; otherwise it returns "".
func (s *Service) EnsureAdmin(ctx context.Context, password string) (created bool, generated string, err error) {
	var n int
	if err := s.store.DB().Read().QueryRowContext(ctx, "SELECT count(*) FROM staff").Scan(&n); err != nil {
		return false, "", err
	}
	if n > 0 {
		return false, "", nil
	}
	if password == "" {
		password = GeneratePassword()
		generated = password
	}
	if err := checkPassword(password); err != nil {
		return false, "", err
	}
	if _, err := s.insertAccount(ctx, "admin", access.Admin, password); err != nil {
		if errors.Is(err, apperr.UsernameTaken) {
			return false, "", nil // another start won the race
		}
		return false, "", err
	}
	return true, generated, nil
}

func (s *Service) insertAccount(ctx context.Context, username string, role access.Role, password string) (Account, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return Account{}, err
	}
	a := Account{ID: randomID(), Username: username, Role: role, CreatedAt: s.store.Clock().Now().UTC().Truncate(time.Millisecond)}
	err = s.store.DB().Write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM staff WHERE username = ?", username).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.UsernameTaken
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO staff (id, username, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
			a.ID, a.Username, string(a.Role), string(hash), a.CreatedAt.UnixMilli())
		return err
	})
	return a, err
}

// CreateAccount adds a staff account. Admins only.
func (s *Service) CreateAccount(ctx context.Context, actor access.Actor, username string, role access.Role, password string) (Account, error) {
	if err := access.Require(actor, access.Admin); err != nil {
		return Account{}, err
	}
	username, err := checkUsername(username)
	if err != nil {
		return Account{}, err
	}
	if err := checkRole(role); err != nil {
		return Account{}, err
	}
	if err := checkPassword(password); err != nil {
		return Account{}, err
	}
	return s.insertAccount(ctx, username, role, password)
}

// Accounts lists the staff accounts. Admins only.
func (s *Service) Accounts(ctx context.Context, actor access.Actor) ([]Account, error) {
	if err := access.Require(actor, access.Admin); err != nil {
		return nil, err
	}
	rows, err := s.store.DB().Read().QueryContext(ctx, "SELECT id, username, role, created_at FROM staff ORDER BY username")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Account{}
	for rows.Next() {
		var a Account
		var created int64
		if err := rows.Scan(&a.ID, &a.Username, &a.Role, &created); err != nil {
			return nil, err
		}
		a.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// AccountChange is an admin's edit of an account; nil fields stay as they are.
type AccountChange struct {
	Role     *access.Role `json:"role"`
	Password *string      `json:"password"`
}

// UpdateAccount changes an account's role or password. Admins only. The last
// admin cannot be demoted. A new password ends the account's sessions.
func (s *Service) UpdateAccount(ctx context.Context, actor access.Actor, id string, c AccountChange) (Account, error) {
	if err := access.Require(actor, access.Admin); err != nil {
		return Account{}, err
	}
	var hash []byte
	if c.Role != nil {
		if err := checkRole(*c.Role); err != nil {
			return Account{}, err
		}
	}
	if c.Password != nil {
		if err := checkPassword(*c.Password); err != nil {
			return Account{}, err
		}
		var err error
		if hash, err = bcrypt.GenerateFromPassword([]byte(*c.Password), bcryptCost); err != nil {
			return Account{}, err
		}
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var role access.Role
		if err := tx.QueryRowContext(ctx, "SELECT role FROM staff WHERE id = ?", id).Scan(&role); errors.Is(err, sql.ErrNoRows) {
			return apperr.AccountUnknown
		} else if err != nil {
			return err
		}
		if c.Role != nil && role == access.Admin && *c.Role != access.Admin {
			if err := lastAdminGuard(ctx, tx); err != nil {
				return err
			}
		}
		if c.Role != nil {
			if _, err := tx.ExecContext(ctx, "UPDATE staff SET role = ? WHERE id = ?", string(*c.Role), id); err != nil {
				return err
			}
		}
		if hash != nil {
			if _, err := tx.ExecContext(ctx, "UPDATE staff SET password_hash = ? WHERE id = ?", string(hash), id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE staff_id = ?", id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	return s.account(ctx, id)
}

func lastAdminGuard(ctx context.Context, tx *sql.Tx) error {
	var admins int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM staff WHERE role = 'admin'").Scan(&admins); err != nil {
		return err
	}
	if admins <= 1 {
		return apperr.LastAdmin
	}
	return nil
}

// DeleteAccount removes a staff account and its sessions. Admins only; the
// last admin stays.
func (s *Service) DeleteAccount(ctx context.Context, actor access.Actor, id string) error {
	if err := access.Require(actor, access.Admin); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var role access.Role
		if err := tx.QueryRowContext(ctx, "SELECT role FROM staff WHERE id = ?", id).Scan(&role); errors.Is(err, sql.ErrNoRows) {
			return apperr.AccountUnknown
		} else if err != nil {
			return err
		}
		if role == access.Admin {
			if err := lastAdminGuard(ctx, tx); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM staff WHERE id = ?", id)
		return err
	})
}

func (s *Service) account(ctx context.Context, id string) (Account, error) {
	var a Account
	var created int64
	err := s.store.DB().Read().QueryRowContext(ctx, "SELECT id, username, role, created_at FROM staff WHERE id = ?", id).
		Scan(&a.ID, &a.Username, &a.Role, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, apperr.AccountUnknown
	}
	if err != nil {
		return Account{}, fmt.Errorf("read account: %w", err)
	}
	a.CreatedAt = time.UnixMilli(created).UTC()
	return a, nil
}

// SetTestCost lowers the bcrypt cost for tests of other packages, where the
// race detector would make every sign-in take seconds. Never call it in the
// kiosk itself.
func SetTestCost(cost int) { bcryptCost = cost }
