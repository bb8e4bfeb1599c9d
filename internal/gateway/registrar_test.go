package gateway

import (
	"io"
	"log/slog"
	"testing"
	"time"
)

// A line's phones come back in the order they are configured, every time
// (an inbound call rings the first), never in Go's random map order, and
// other lines' phones are left out.
func TestLookupKeepsConfiguredOrder(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }
	auth, err := newDigestAuth("clearline", now)
	if err != nil {
		t.Fatal(err)
	}
	accounts := []PhoneAccount{
		{Username: "kitchen", Password: "k", LineID: "mum", Contact: "sip:kitchen@127.0.0.1:5071"},
		{Username: "dad-hall", Password: "d", LineID: "dad", Contact: "sip:dad@127.0.0.1:5072"},
		{Username: "bedroom", Password: "b", LineID: "mum", Contact: "sip:bedroom@127.0.0.1:5073"},
		{Username: "attic", Password: "a", LineID: "mum", Contact: "sip:attic@127.0.0.1:5074"},
	}
	r, err := newRegistrar(auth, accounts, now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		var got []string
		for _, b := range r.lookup("mum") {
			got = append(got, b.contact.User)
		}
		if len(got) != 3 || got[0] != "kitchen" || got[1] != "bedroom" || got[2] != "attic" {
			t.Fatalf("lookup(mum) = %v, want [kitchen bedroom attic]", got)
		}
	}
}

// The source index follows the bindings: a source stays known while any
// phone registered from it has a live binding, re-registering from a new
// address moves it, and expiry (noticed by lookup) or unregistering drops
// it. Static contacts never count as registered sources.
func TestBindingSourceIndex(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	auth, err := newDigestAuth("clearline", clock)
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRegistrar(auth, []PhoneAccount{
		{Username: "kitchen", Password: "k", LineID: "mum"},
		{Username: "hall", Password: "h", LineID: "mum"},
		{Username: "ata", Password: "a", LineID: "dad", Contact: "sip:ata@192.0.2.9:5060"},
	}, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	nat := "198.51.100.7:5060"
	reg := func(user, src string, ttl time.Duration) {
		r.mu.Lock()
		r.bind(user, binding{source: src, expires: now.Add(ttl)})
		r.mu.Unlock()
	}
	steps := []struct {
		name string
		do   func()
		want map[string]bool
	}{
		{"static contact is not a registered source", func() {}, map[string]bool{"192.0.2.9:5060": false, nat: false}},
		{"two phones behind one NAT", func() { reg("kitchen", nat, time.Hour); reg("hall", nat, time.Minute) }, map[string]bool{nat: true}},
		{"one moves to a new address", func() { reg("kitchen", "203.0.113.4:5060", time.Hour) }, map[string]bool{nat: true, "203.0.113.4:5060": true}},
		{"the other expires", func() { now = now.Add(2 * time.Minute); r.lookup("mum") }, map[string]bool{nat: false, "203.0.113.4:5060": true}},
		{"unregister", func() { r.mu.Lock(); r.unbind("kitchen"); r.mu.Unlock() }, map[string]bool{"203.0.113.4:5060": false}},
	}
	for _, s := range steps {
		s.do()
		for src, want := range s.want {
			if got := r.isBindingSource(src); got != want {
				t.Errorf("%s: isBindingSource(%s) = %v, want %v", s.name, src, got, want)
			}
		}
	}
	if got := len(r.lookup("dad")); got != 1 {
		t.Errorf("static phone of dad: lookup gave %d bindings, want 1", got)
	}
}
