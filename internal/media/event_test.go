package media

import (
	"encoding/binary"
	"errors"
	"testing"
)

func TestParseEvent(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    Event
		digit   rune
		err     error
	}{
		{"digit 5 in progress", []byte{5, 10, 0x01, 0x40}, Event{Code: 5, Volume: 10, Duration: 320}, '5', nil},
		{"star ends", []byte{10, 0x80 | 7, 0x03, 0x20}, Event{Code: 10, End: true, Volume: 7, Duration: 800}, '*', nil},
		{"hash, reserved bit ignored", []byte{11, 0x40 | 63, 0, 0}, Event{Code: 11, Volume: 63}, '#', nil},
		{"D", []byte{15, 0, 0, 160}, Event{Code: 15, Duration: 160}, 'D', nil},
		{"flash has no digit", []byte{16, 0, 0, 160}, Event{Code: 16, Duration: 160}, 0, nil},
		{"extra bytes ignored", []byte{1, 0, 0, 160, 9, 9, 9, 9}, Event{Code: 1, Duration: 160}, '1', nil},
		{"short", []byte{1, 0, 0}, Event{}, 0, errEventShort},
		{"empty", nil, Event{}, 0, errEventShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := ParseEvent(tt.payload)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if ev != tt.want {
				t.Errorf("got %+v, want %+v", ev, tt.want)
			}
			if d := ev.Digit(); d != tt.digit {
				t.Errorf("Digit() = %q, want %q", d, tt.digit)
			}
		})
	}
}

func FuzzParseEvent(f *testing.F) {
	f.Add([]byte{5, 10, 0x01, 0x40})
	f.Add([]byte{11, 0x80, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseEvent(b)
		if err != nil {
			if len(b) >= eventPayloadLen {
				t.Fatalf("refused %d bytes: %v", len(b), err)
			}
			return
		}
		if ev.Volume > 63 {
			t.Fatalf("volume %d", ev.Volume)
		}
		var out [eventPayloadLen]byte
		putEvent(out[:], ev)
		again, err := ParseEvent(out[:])
		if err != nil || again != ev {
			t.Fatalf("round trip %+v -> %x -> %+v, %v", ev, out, again, err)
		}
	})
}

// putEvent writes e's 4-byte payload into b (the far ends in the tests
// send key presses with it).
func putEvent(b []byte, e Event) {
	_ = b[eventPayloadLen-1]
	b[0] = e.Code
	b[1] = e.Volume & 0x3f
	if e.End {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], e.Duration)
}
