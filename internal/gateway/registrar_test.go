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
