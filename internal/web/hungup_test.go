package web

import "testing"

func TestHungUpBy(t *testing.T) {
	tests := []struct{ direction, by, want string }{
		{"inbound", "caller", "the caller"},
		{"inbound", "callee", "the person"},
		{"outbound", "caller", "the person"},
		{"outbound", "callee", "the other end"},
		{"inbound", "clearline", "clearline"},
		{"outbound", "clearline", "clearline"},
		{"inbound", "", ""},
		{"inbound", "someone", ""},
	}
	for _, tt := range tests {
		if got := hungUpBy(tt.direction, tt.by); got != tt.want {
			t.Errorf("hungUpBy(%q, %q) = %q, want %q", tt.direction, tt.by, got, tt.want)
		}
	}
}
