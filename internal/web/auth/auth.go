// Package auth holds the dashboard's account security, free of HTTP:
// password hashing (bcrypt), password rules, random session and CSRF
// tokens, and the login rate limiter (with an injected clock). It never
// logs and never touches the store.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Cost is the bcrypt work factor for new passwords.
const Cost = 12

// MinPasswordLen and MaxPasswordLen bound a password (bcrypt reads at most
// 72 bytes; longer passwords are refused rather than silently cut).
const (
	MinPasswordLen = 10
	MaxPasswordLen = 72
)

// CheckPassword reports, in plain English, why a new password is not
// acceptable, or nil.
func CheckPassword(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return errors.New("the password is not valid text")
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return fmt.Errorf("the password must be at least %d characters long", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		return fmt.Errorf("the password must be at most %d bytes long", MaxPasswordLen)
	case strings.TrimSpace(pw) == "":
		return errors.New("the password cannot be only spaces")
	}
	return nil
}

// CheckUsername reports why a username is not acceptable, or nil: 2 to 40
// letters, digits, '.', '-', '_' or '@'.
func CheckUsername(u string) error {
	if n := utf8.RuneCountInString(u); n < 2 || n > 40 {
		return errors.New("the username must be 2 to 40 characters long")
	}
	for _, r := range u {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(".-_@", r) {
			return fmt.Errorf("the username may only hold letters, digits and . - _ @ (not %q)", r)
		}
	}
	return nil
}

// Hasher hashes and verifies passwords with bcrypt.
type Hasher struct {
	// Cost is the bcrypt cost (default Cost; tests use bcrypt.MinCost).
	Cost int
}

// Hash returns the bcrypt hash of pw.
func (h Hasher) Hash(pw string) (string, error) {
	c := h.Cost
	if c == 0 {
		c = Cost
	}
	b, err := bcrypt.GenerateFromPassword([]byte(pw), c)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(b), nil
}

// Verify reports whether pw matches hash.
func (Hasher) Verify(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// dummyHash is compared against when a username does not exist, so a
// failed login takes as long either way.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("clearline-dummy-password"), bcrypt.MinCost)

// VerifyMissing spends about the time Verify would on a user who does not
// exist.
func (h Hasher) VerifyMissing(pw string) {
	_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(pw))
}

// NewToken returns 32 random bytes, base64url-encoded.
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// HashToken is what the store keeps of a session token: a stolen database
// does not hold working cookies.
func HashToken(tok string) string {
	s := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(s[:])
}

// Equal compares two tokens in constant time.
func Equal(a, b string) bool {
	return len(a) > 0 && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Limiter limits failed logins: after Max failures for one key (a
// username, or a client address) within Window, that key is refused until
// the oldest failure leaves the window. A success clears the key.
type Limiter struct {
	Max    int
	Window time.Duration
	Now    func() time.Time

	mu    sync.Mutex
	fails map[string][]time.Time
}

// NewLimiter returns a limiter of max failures per window.
func NewLimiter(max int, window time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{Max: max, Window: window, Now: now, fails: map[string][]time.Time{}}
}

func (l *Limiter) prune(key string, now time.Time) []time.Time {
	fs := l.fails[key]
	i := 0
	for i < len(fs) && !fs[i].After(now.Add(-l.Window)) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.fails, key)
	} else {
		l.fails[key] = fs
	}
	return fs
}

// Allow reports whether key may try again, and if not how long until it may.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	fs := l.prune(key, now)
	if len(fs) < l.Max {
		return true, 0
	}
	return false, fs[0].Add(l.Window).Sub(now)
}

// Fail records a failed attempt for key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	l.prune(key, now)
	l.fails[key] = append(l.fails[key], now)
}

// Succeed clears key's failures.
func (l *Limiter) Succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}
