package media

import (
	"encoding/binary"
	"errors"
)

// Event is one RFC 4733 telephone-event packet (RFC 4733 §2.3): a key
// press or other named event in progress or ending.
type Event struct {
	Code     uint8  // event code: 0-9 digits, 10 '*', 11 '#', 12-15 'A'-'D', 16 flash
	End      bool   // the E bit: this packet ends the event
	Volume   uint8  // power level, in -dBm0 (0-63)
	Duration uint16 // length so far, in RTP timestamp units (1/8000 s)
	// Timestamp is the RTP timestamp the far end gave the event (its start);
	// all packets of one event share it, so it identifies the event.
	Timestamp uint32
}

// eventPayloadLen is the size of one event in an RTP payload.
const eventPayloadLen = 4

var errEventShort = errors.New("telephone-event: payload shorter than 4 bytes")

// eventDigits maps event codes 0-15 to keys.
const eventDigits = "0123456789*#ABCD"

// ParseEvent parses the first event of an RFC 4733 payload. Timestamp is
// left zero (it is in the RTP header).
func ParseEvent(payload []byte) (Event, error) {
	if len(payload) < eventPayloadLen {
		return Event{}, errEventShort
	}
	return Event{
		Code:     payload[0],
		End:      payload[1]&0x80 != 0,
		Volume:   payload[1] & 0x3f,
		Duration: binary.BigEndian.Uint16(payload[2:]),
	}, nil
}

// Digit returns the key of a DTMF event ('0'-'9', '*', '#', 'A'-'D'), or 0
// for other events.
func (e Event) Digit() rune {
	if int(e.Code) < len(eventDigits) {
		return rune(eventDigits[e.Code])
	}
	return 0
}
