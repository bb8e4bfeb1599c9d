package auth

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestHashVerify(t *testing.T) {
	h := Hasher{Cost: bcrypt.MinCost}
	hash, err := h.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$2a$") || strings.Contains(hash, "correct") {
		t.Fatalf("hash %q", hash)
	}
	if !h.Verify(hash, "correct horse battery") {
		t.Error("right password refused")
	}
	if h.Verify(hash, "correct horse batter") || h.Verify(hash, "") {
		t.Error("wrong password accepted")
	}
	h2, _ := h.Hash("correct horse battery")
	if h2 == hash {
		t.Error("two hashes of one password are equal: no salt")
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name, pw string
		ok       bool
	}{
		{"good", "a long enough password", true},
		{"short", "short", false},
		{"spaces", "             ", false},
		{"too long for bcrypt", strings.Repeat("x", 73), false},
		{"exactly 72 bytes", strings.Repeat("x", 72), true},
		{"invalid utf-8", "abcdefghij\xff", false},
		{"ten runes", "ééééééééééé", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckPassword(tt.pw); (err == nil) != tt.ok {
				t.Errorf("CheckPassword(%q) = %v, want ok=%v", tt.pw, err, tt.ok)
			}
		})
	}
}

func TestCheckUsername(t *testing.T) {
	tests := []struct {
		u  string
		ok bool
	}{
		{"admin", true}, {"jo.smith@example.org", true}, {"a", false}, {"has space", false},
		{"<script>", false}, {strings.Repeat("a", 41), false}, {"Zoë", true},
	}
	for _, tt := range tests {
		if err := CheckUsername(tt.u); (err == nil) != tt.ok {
			t.Errorf("CheckUsername(%q) = %v, want ok=%v", tt.u, err, tt.ok)
		}
	}
}

func TestTokens(t *testing.T) {
	a, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewToken()
	if a == b || len(a) < 40 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if HashToken(a) == a || HashToken(a) != HashToken(a) || len(HashToken(a)) != 64 {
		t.Fatal("HashToken")
	}
	if !Equal(a, a) || Equal(a, b) || Equal("", "") {
		t.Fatal("Equal")
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	l := NewLimiter(3, time.Minute, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("son"); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
		l.Fail("son")
		now = now.Add(10 * time.Second)
	}
	ok, wait := l.Allow("son")
	if ok || wait != 30*time.Second {
		t.Fatalf("after 3 failures: ok=%v wait=%v, want refused for 30s", ok, wait)
	}
	if ok, _ := l.Allow("daughter"); !ok {
		t.Fatal("another key refused")
	}
	now = now.Add(30 * time.Second) // the first failure leaves the window
	if ok, _ := l.Allow("son"); !ok {
		t.Fatal("still refused once the first failure left the window")
	}
	l.Fail("son")
	if ok, _ := l.Allow("son"); ok {
		t.Fatal("a fresh failure did not refill the limit")
	}
	l.Succeed("son")
	if ok, _ := l.Allow("son"); !ok {
		t.Fatal("success did not clear the key")
	}
}
