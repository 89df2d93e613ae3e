// Package auth says who is asking, with no internet to lean on: staff sign in
// with a name and password against accounts kept in SQLite (bcrypt hashes,
// server-side sessions); customers get an identity of their own without any
// account, a random id in a signed cookie; the overhead display signs in
// with a session that an admin pairs or that the box's own screen gets over
// loopback. It also issues and checks the credentials browsers use on the
// MQTT broker, so the HttpOnly session cookie never reaches page scripts.
//
// Nothing here uses the wall clock for validity: sessions idle out on the
// kiosk's running time, cookies carry Max-Age, never a date.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/events"
)

// Service is the sign-in service.
type Service struct {
	store   *events.Store
	secret  []byte
	log     *slog.Logger
	limiter *limiter
	// sessions keeps the sessions in use, so that a tablet's every tap
	// does not read its session again.
	sessions sessionCache

	// StaffIdle is how long a staff session lasts unused, on running time.
	StaffIdle time.Duration
}

// Lifetimes and limits.
const (
	// DefaultStaffIdle keeps a tablet signed in through a long booth day.
	DefaultStaffIdle = 16 * time.Hour
	// PairingLife is how long an admin's display pairing code works.
	PairingLife = 10 * time.Minute
	// MinPasswordLen is the shortest staff password accepted.
	MinPasswordLen = 8
)

const secretKey = "auth_secret"

// New loads (creating on first start) the secret that signs customer ids and
// MQTT credentials, and returns the service.
func New(ctx context.Context, store *events.Store, log *slog.Logger) (*Service, error) {
	if log == nil {
		log = slog.Default()
	}
	var secretHex string
	err := store.DB().Write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", secretKey).Scan(&secretHex)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		secretHex = hex.EncodeToString(randomBytes(32))
		_, err = tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?)", secretKey, secretHex)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load the signing secret: %w", err)
	}
	secret, err := hex.DecodeString(secretHex)
	if err != nil || len(secret) < 32 {
		return nil, errors.New("the signing secret in the database is damaged")
	}
	return &Service{store: store, secret: secret, log: log, limiter: newLimiter(store.Clock()),
		sessions: newSessionCache(), StaffIdle: DefaultStaffIdle}, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return b
}

// randomID is an unguessable id: 20 random bytes as 32 lower-case base32
// characters.
func randomID() string {
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(randomBytes(20)))
}

// token is a bearer secret for a cookie: 32 random bytes, URL-safe.
func token() string { return base64.RawURLEncoding.EncodeToString(randomBytes(32)) }

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

func (s *Service) sign(purpose, value string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Service) verify(purpose, value, sig string) bool {
	return hmac.Equal([]byte(s.sign(purpose, value)), []byte(sig))
}

// NewCustomer makes a new customer identity and the cookie value that
// carries it.
func (s *Service) NewCustomer() (id, cookie string) {
	id = randomID()
	return id, id + "." + s.sign("customer", id)
}

// Customer checks a customer cookie and returns the customer's id.
func (s *Service) Customer(cookie string) (string, bool) {
	id, sig, ok := strings.Cut(cookie, ".")
	if !ok || len(id) != 32 || !s.verify("customer", id, sig) {
		return "", false
	}
	return id, true
}

// MQTT usernames name what signed the client in.
const (
	mqttCustomer = "customer:"
	mqttSession  = "session:"
)

// CustomerMQTT returns a customer's broker credentials.
func (s *Service) CustomerMQTT(customerID string) (username, password string) {
	username = mqttCustomer + customerID
	return username, s.sign("mqtt", username)
}

// SessionMQTT returns the broker credentials of a staff or display session.
// They stop working when the session ends.
func (s *Service) SessionMQTT(sess Session) (username, password string) {
	username = mqttSession + sess.ID
	return username, s.sign("mqtt", username)
}

// AuthenticateMQTT checks a broker client's credentials and says who it is.
func (s *Service) AuthenticateMQTT(ctx context.Context, username, password string) (access.Actor, bool) {
	if username == "" || !s.verify("mqtt", username, password) {
		return access.Actor{}, false
	}
	if id, ok := strings.CutPrefix(username, mqttCustomer); ok {
		return access.Actor{ID: id, Role: access.Customer}, true
	}
	if id, ok := strings.CutPrefix(username, mqttSession); ok {
		sess, err := s.sessionByID(ctx, id)
		if err != nil {
			return access.Actor{}, false
		}
		return sess.Actor, true
	}
	return access.Actor{}, false
}
