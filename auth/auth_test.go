package auth

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/testkit"
)

func TestMain(m *testing.M) {
	bcryptCost = bcrypt.MinCost
	os.Exit(m.Run())
}

func setup(t *testing.T) (*testkit.Env, *Service) {
	t.Helper()
	env := testkit.New(t)
	s, err := New(context.Background(), env.Store, testkit.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	return env, s
}

func adminActor(t *testing.T, s *Service) access.Actor {
	t.Helper()
	sess, _, err := s.Login(context.Background(), "10.0.0.9", "admin", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	return sess.Actor
}

func TestFirstAdminIsCreatedOnceWithAGeneratedPassword(t *testing.T) {
	_, s := setup(t)
	ctx := context.Background()
	created, pw, err := s.EnsureAdmin(ctx, "")
	if err != nil || !created || len(pw) != 19 {
		t.Fatalf("EnsureAdmin = %v %q %v", created, pw, err)
	}
	if _, _, err := s.Login(ctx, "ip", "admin", pw); err != nil {
		t.Fatalf("generated password does not work: %v", err)
	}
	created, pw2, err := s.EnsureAdmin(ctx, "other password")
	if err != nil || created || pw2 != "" {
		t.Fatalf("second EnsureAdmin = %v %q %v", created, pw2, err)
	}
}

func TestLoginAndSessions(t *testing.T) {
	env, s := setup(t)
	ctx := context.Background()
	s.EnsureAdmin(ctx, "correct horse")
	admin := adminActor(t, s)
	if _, err := s.CreateAccount(ctx, admin, "Barista.Bo", access.Barista, "espresso!"); err != nil {
		t.Fatal(err)
	}
	sess, tok, err := s.Login(ctx, "ip", "barista.bo", "espresso!")
	if err != nil || sess.Role != access.Barista || sess.Actor.Role != access.Barista {
		t.Fatalf("login: %+v %v", sess, err)
	}
	if _, _, err := s.Login(ctx, "ip", "barista.bo", "latte!!!!"); !errors.Is(err, apperr.LoginFailed) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, _, err := s.Login(ctx, "ip", "nobody", "latte!!!!"); !errors.Is(err, apperr.LoginFailed) {
		t.Fatalf("unknown account: %v", err)
	}
	got, err := s.Session(ctx, tok)
	if err != nil || got.Actor != sess.Actor {
		t.Fatalf("session: %+v %v", got, err)
	}
	// A wall-clock jump does not end it; idling on running time does.
	env.Clock.Jump(200 * 24 * time.Hour)
	env.Clock.Advance(15 * time.Hour)
	if _, err := s.Session(ctx, tok); err != nil {
		t.Fatalf("session ended early: %v", err)
	}
	env.Clock.Advance(DefaultStaffIdle + time.Minute)
	if _, err := s.Session(ctx, tok); !errors.Is(err, apperr.SessionExpired) {
		t.Fatalf("idle session: %v", err)
	}
	_, tok, _ = s.Login(ctx, "ip", "barista.bo", "espresso!")
	if err := s.Logout(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, tok); !errors.Is(err, apperr.SessionExpired) {
		t.Fatalf("after logout: %v", err)
	}
	if _, err := s.Session(ctx, "forged"); !errors.Is(err, apperr.SessionExpired) {
		t.Fatalf("forged token: %v", err)
	}
}

func TestRoleAndPasswordChangesApplyToSessions(t *testing.T) {
	_, s := setup(t)
	ctx := context.Background()
	s.EnsureAdmin(ctx, "correct horse")
	admin := adminActor(t, s)
	acc, _ := s.CreateAccount(ctx, admin, "bo", access.Barista, "espresso!")
	_, tok, _ := s.Login(ctx, "ip", "bo", "espresso!")
	role := access.Admin
	if _, err := s.UpdateAccount(ctx, admin, acc.ID, AccountChange{Role: &role}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Session(ctx, tok); got.Role != access.Admin {
		t.Fatalf("role after promotion: %s", got.Role)
	}
	pw := "new password"
	if _, err := s.UpdateAccount(ctx, admin, acc.ID, AccountChange{Password: &pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, tok); !errors.Is(err, apperr.SessionExpired) {
		t.Fatalf("session survived a password change: %v", err)
	}
	if _, _, err := s.Login(ctx, "ip", "bo", pw); err != nil {
		t.Fatal(err)
	}
}

func TestLoginIsThrottledPerAccountAndPerClient(t *testing.T) {
	env, s := setup(t)
	ctx := context.Background()
	s.EnsureAdmin(ctx, "correct horse")
	for range maxAccountFails {
		s.Login(ctx, "10.0.0.1", "admin", "guess")
	}
	if _, _, err := s.Login(ctx, "10.0.0.2", "admin", "correct horse"); !errors.Is(err, apperr.TooMany) {
		t.Fatalf("right password during lockout: %v", err)
	}
	env.Clock.Jump(-time.Hour) // a wall jump does not lift it
	if _, _, err := s.Login(ctx, "10.0.0.2", "admin", "correct horse"); !errors.Is(err, apperr.TooMany) {
		t.Fatalf("after a wall jump: %v", err)
	}
	env.Clock.Advance(failWindow)
	if _, _, err := s.Login(ctx, "10.0.0.2", "admin", "correct horse"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	// One client trying many accounts is stopped too.
	for i := range maxClientFails {
		s.Login(ctx, "10.0.0.66", "user"+string(rune('a'+i)), "guess")
	}
	if _, _, err := s.Login(ctx, "10.0.0.66", "admin", "correct horse"); !errors.Is(err, apperr.TooMany) {
		t.Fatalf("busy client: %v", err)
	}
	if _, _, err := s.Login(ctx, "10.0.0.67", "admin", "correct horse"); err != nil {
		t.Fatalf("another client: %v", err)
	}
}

func TestAccountRules(t *testing.T) {
	_, s := setup(t)
	ctx := context.Background()
	s.EnsureAdmin(ctx, "correct horse")
	admin := adminActor(t, s)
	barista := access.Actor{ID: "b", Role: access.Barista}
	if _, err := s.CreateAccount(ctx, barista, "x1", access.Barista, "espresso!"); !errors.Is(err, apperr.Forbidden) {
		t.Errorf("barista created an account: %v", err)
	}
	if _, err := s.Accounts(ctx, barista); !errors.Is(err, apperr.Forbidden) {
		t.Errorf("barista listed accounts: %v", err)
	}
	for _, c := range []struct {
		user, pw string
		role     access.Role
		want     error
	}{
		{"admin", "espresso!", access.Barista, apperr.UsernameTaken},
		{"ADMIN", "espresso!", access.Barista, apperr.UsernameTaken},
		{"<script>", "espresso!", access.Barista, apperr.AccountInvalid},
		{"bo", "short", access.Barista, apperr.AccountInvalid},
		{"bo", "espresso!", access.Display, apperr.AccountInvalid},
		{"bo", "espresso!", "root", apperr.AccountInvalid},
	} {
		if _, err := s.CreateAccount(ctx, admin, c.user, c.role, c.pw); !errors.Is(err, c.want) {
			t.Errorf("%+v: err = %v", c, err)
		}
	}
	list, _ := s.Accounts(ctx, admin)
	if len(list) != 1 {
		t.Fatalf("accounts: %+v", list)
	}
	role := access.Barista
	if _, err := s.UpdateAccount(ctx, admin, list[0].ID, AccountChange{Role: &role}); !errors.Is(err, apperr.LastAdmin) {
		t.Errorf("demoted the last admin: %v", err)
	}
	if err := s.DeleteAccount(ctx, admin, list[0].ID); !errors.Is(err, apperr.LastAdmin) {
		t.Errorf("deleted the last admin: %v", err)
	}
	if err := s.DeleteAccount(ctx, admin, "nope"); !errors.Is(err, apperr.AccountUnknown) {
		t.Errorf("deleted a ghost: %v", err)
	}
}

func TestCustomerCookiesAndMQTTCredentials(t *testing.T) {
	_, s := setup(t)
	ctx := context.Background()
	id, cookie := s.NewCustomer()
	if got, ok := s.Customer(cookie); !ok || got != id {
		t.Fatalf("cookie %q → %q %v", cookie, got, ok)
	}
	other, _ := s.NewCustomer()
	forged := other + cookie[strings.Index(cookie, "."):]
	if _, ok := s.Customer(forged); ok {
		t.Fatal("a signature of one customer worked for another")
	}
	if _, ok := s.Customer("garbage"); ok {
		t.Fatal("garbage accepted")
	}
	user, pass := s.CustomerMQTT(id)
	if a, ok := s.AuthenticateMQTT(ctx, user, pass); !ok || a != (access.Actor{ID: id, Role: access.Customer}) {
		t.Fatalf("customer MQTT: %+v %v", a, ok)
	}
	if _, ok := s.AuthenticateMQTT(ctx, "customer:"+other, pass); ok {
		t.Fatal("one customer's password worked for another")
	}
	if _, ok := s.AuthenticateMQTT(ctx, "", ""); ok {
		t.Fatal("anonymous accepted")
	}

	s.EnsureAdmin(ctx, "correct horse")
	sess, tok, _ := s.Login(ctx, "ip", "admin", "correct horse")
	user, pass = s.SessionMQTT(sess)
	if a, ok := s.AuthenticateMQTT(ctx, user, pass); !ok || a.Role != access.Admin {
		t.Fatalf("staff MQTT: %+v %v", a, ok)
	}
	s.Logout(ctx, tok)
	if _, ok := s.AuthenticateMQTT(ctx, user, pass); ok {
		t.Fatal("MQTT credentials outlived the session")
	}
	if strings.Contains(pass, tok) || strings.Contains(user, tok) {
		t.Fatal("the cookie token leaks into MQTT credentials")
	}
}

func TestDisplayPairing(t *testing.T) {
	env, s := setup(t)
	ctx := context.Background()
	s.EnsureAdmin(ctx, "correct horse")
	admin := adminActor(t, s)
	if _, err := s.CreatePairing(ctx, access.Actor{ID: "b", Role: access.Barista}); !errors.Is(err, apperr.Forbidden) {
		t.Fatalf("barista paired: %v", err)
	}
	code, err := s.CreatePairing(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	sess, tok, err := s.Pair(ctx, code)
	if err != nil || sess.Actor.Role != access.Display {
		t.Fatalf("pair: %+v %v", sess, err)
	}
	if got, err := s.Session(ctx, tok); err != nil || got.Actor.Role != access.Display {
		t.Fatalf("display session: %+v %v", got, err)
	}
	if _, _, err := s.Pair(ctx, code); !errors.Is(err, apperr.PairingInvalid) {
		t.Fatalf("code used twice: %v", err)
	}
	late, _ := s.CreatePairing(ctx, admin)
	env.Clock.Advance(PairingLife + time.Second)
	if _, _, err := s.Pair(ctx, late); !errors.Is(err, apperr.PairingInvalid) {
		t.Fatalf("expired code: %v", err)
	}
	// Displays do not idle out, but an admin can sign them all out.
	env.Clock.Advance(100 * time.Hour)
	if _, err := s.Session(ctx, tok); err != nil {
		t.Fatalf("display idled out: %v", err)
	}
	s.EndDisplaySessions(ctx, admin)
	if _, err := s.Session(ctx, tok); err == nil {
		t.Fatal("display still signed in")
	}
}

// A session in use is kept in memory; every change that ends it or its
// account's rights applies at once all the same.
func TestKeptSessionsFollowEveryChange(t *testing.T) {
	env, s := setup(t)
	ctx := context.Background()
	s.EnsureAdmin(ctx, "correct horse")
	admin := adminActor(t, s)
	acc, _ := s.CreateAccount(ctx, admin, "bo", access.Barista, "espresso!")
	login := func() string {
		t.Helper()
		_, tok, err := s.Login(ctx, "ip", "bo", "espresso!")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	kept := func(tok string) bool {
		s.sessions.mu.Lock()
		defer s.sessions.mu.Unlock()
		_, ok := s.sessions.byToken[hashToken(tok)]
		return ok
	}
	use := func(tok string) (Session, error) {
		t.Helper()
		sess, err := s.Session(ctx, tok)
		if err == nil && !kept(tok) {
			t.Fatal("a session in use is not kept in memory")
		}
		return sess, err
	}

	tok := login()
	if got, err := use(tok); err != nil || got.Role != access.Barista {
		t.Fatalf("session: %+v %v", got, err)
	}
	for _, role := range []access.Role{access.Admin, access.Barista} {
		if _, err := s.UpdateAccount(ctx, admin, acc.ID, AccountChange{Role: &role}); err != nil {
			t.Fatal(err)
		}
		if got, err := use(tok); err != nil || got.Role != role || got.Actor.Role != role {
			t.Fatalf("after the change to %s: %+v %v", role, got, err)
		}
	}
	if err := s.Logout(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := use(tok); !errors.Is(err, apperr.SessionExpired) {
		t.Fatalf("after sign-out: %v", err)
	}

	tok = login()
	use(tok)
	pw := "espresso!" // the same password, set anew, still ends the sessions
	if _, err := s.UpdateAccount(ctx, admin, acc.ID, AccountChange{Password: &pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := use(tok); !errors.Is(err, apperr.SessionExpired) {
		t.Fatalf("after a new password: %v", err)
	}

	// Recorded in use once a minute, from memory or not.
	tok = login()
	use(tok)
	env.Clock.Advance(touchEvery + time.Second)
	if _, err := use(tok); err != nil {
		t.Fatal(err)
	}
	var seen int64
	if err := env.Store.DB().Read().QueryRow("SELECT seen_run FROM sessions WHERE token_hash = ?", hashToken(tok)).Scan(&seen); err != nil {
		t.Fatal(err)
	}
	if want := env.Store.RunTime().Milliseconds(); seen != want {
		t.Fatalf("recorded in use at %d ms, want %d", seen, want)
	}
	// Idling out counts from the last use recorded, kept or not.
	s.StaffIdle = 30 * time.Second
	env.Clock.Advance(31 * time.Second)
	if _, err := use(tok); !errors.Is(err, apperr.SessionExpired) {
		t.Fatalf("idled out: %v", err)
	}
	s.StaffIdle = DefaultStaffIdle

	tok = login()
	use(tok)
	if err := s.DeleteAccount(ctx, admin, acc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := use(tok); !errors.Is(err, apperr.SessionExpired) {
		t.Fatalf("after the account was removed: %v", err)
	}

	_, dtok, err := s.NewDisplaySession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := use(dtok); err != nil {
		t.Fatal(err)
	}
	s.EndDisplaySessions(ctx, admin)
	if _, err := use(dtok); err == nil {
		t.Fatal("display still signed in")
	}
}

// A session read that began before a change committed is not kept: it may
// be the session as it was.
func TestAReadOlderThanAChangeIsNotKept(t *testing.T) {
	c := newSessionCache()
	gen := c.generation()
	c.forget() // a sign-out commits while the read is under way
	c.keep(gen, "h", Session{Kind: KindStaff}, 0)
	if _, ok := c.get("h", 0, time.Hour); ok {
		t.Fatal("kept a session read before a sign-out")
	}
	c.keep(c.generation(), "h", Session{Kind: KindStaff}, 0)
	if _, ok := c.get("h", 0, time.Hour); !ok {
		t.Fatal("a current read was not kept")
	}
}
