package redact

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"card number written", "my card is 4929 1234 5678 9012 ok", "my card is [number] ok"},
		{"card number dashes", "4929-1234-5678-9012", "[number]"},
		{"spoken digits", "it's four nine two nine one two three four", "it's [number]"},
		{"pin spoken", "My PIN is one two three four.", "My PIN is [redacted]."},
		{"pin short number", "the pin is twenty twelve and that's it", "the pin is [redacted] and that's it"},
		{"otp code", "the code is 583921, read it to me", "the code is [redacted], read it to me"},
		{"sort code words", "sort code twenty forty one, account number 12345678", "sort code [redacted], account number [redacted]"},
		{"double nine", "oh seven seven double nine one two", "[number]"},
		{"money kept", "withdraw £5,000 or 3000 pounds today", "withdraw £5,000 or 3000 pounds today"},
		{"short numbers kept", "come at 3 on the 22nd, flat 12", "come at 3 on the 22nd, flat 12"},
		{"words kept", "one of our officers will come round", "one of our officers will come round"},
		{"phone number", "call 0800 123 4567", "call [number]"},
		{"cvv", "and the CVV is 123", "and the CVV is [redacted]"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Text(tc.in); got != tc.want {
				t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzText: never panics, and no run of four or more digits survives
// unless it is a sum of money.
func FuzzText(f *testing.F) {
	for _, s := range []string{"4929 1234 5678 9012", "pin 1234", "£5000", "one two three four", "\xff1234"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if strings.ContainsAny(s, "£$€") || strings.Contains(strings.ToLower(s), "pound") ||
			strings.Contains(strings.ToLower(s), "dollar") || strings.Contains(strings.ToLower(s), "quid") ||
			strings.Contains(strings.ToLower(s), "euro") || strings.Contains(strings.ToLower(s), "gbp") {
			return
		}
		for _, w := range words(out) {
			if countDigits(w.norm) >= 4 {
				t.Fatalf("Text(%q) = %q keeps the number %q", s, out, w.norm)
			}
		}
	})
}
