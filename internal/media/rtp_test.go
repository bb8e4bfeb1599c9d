package media

import (
	"bytes"
	"errors"
	"testing"

	"github.com/pion/rtp"
)

func TestParseRTP(t *testing.T) {
	base := []byte{0x80, 0x80 | 8, 0x12, 0x34, 0, 0, 0x01, 0x40, 0xde, 0xad, 0xbe, 0xef}
	tests := []struct {
		name    string
		pkt     []byte
		want    rtpHeader
		payload []byte
		err     error
	}{
		{"plain", cat(base, []byte{1, 2, 3}), rtpHeader{marker: true, pt: 8, seq: 0x1234, ts: 320, ssrc: 0xdeadbeef}, []byte{1, 2, 3}, nil},
		{"csrc skipped", cat([]byte{0x82}, base[1:], make([]byte, 8), []byte{9}), rtpHeader{marker: true, pt: 8, seq: 0x1234, ts: 320, ssrc: 0xdeadbeef}, []byte{9}, nil},
		{"extension skipped", cat([]byte{0x90}, base[1:], []byte{0xbe, 0xde, 0, 1, 1, 2, 3, 4}, []byte{7, 7}), rtpHeader{marker: true, pt: 8, seq: 0x1234, ts: 320, ssrc: 0xdeadbeef}, []byte{7, 7}, nil},
		{"padding removed", cat([]byte{0xa0}, base[1:], []byte{5, 6, 0, 0, 3}), rtpHeader{marker: true, pt: 8, seq: 0x1234, ts: 320, ssrc: 0xdeadbeef}, []byte{5, 6}, nil},
		{"short", base[:11], rtpHeader{}, nil, errRTPShort},
		{"version 1", cat([]byte{0x40}, base[1:], []byte{1}), rtpHeader{}, nil, errRTPVersion},
		{"csrc beyond end", cat([]byte{0x8f}, base[1:], []byte{1}), rtpHeader{}, nil, errRTPShort},
		{"extension beyond end", cat([]byte{0x90}, base[1:], []byte{0xbe, 0xde, 0, 9}), rtpHeader{}, nil, errRTPShort},
		{"zero padding", cat([]byte{0xa0}, base[1:], []byte{5, 0}), rtpHeader{}, nil, errRTPPadding},
		{"padding longer than payload", cat([]byte{0xa0}, base[1:], []byte{5, 9}), rtpHeader{}, nil, errRTPPadding},
		{"no payload", base, rtpHeader{}, nil, errRTPNoPayload},
		{"rtcp sender report is not audio", []byte{0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0}, rtpHeader{marker: true, pt: 72, seq: 6, ts: 1, ssrc: 2}, []byte{0, 0, 0, 0}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, payload, err := parseRTP(tt.pkt)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if h != tt.want || !bytes.Equal(payload, tt.payload) {
				t.Errorf("got %+v %v, want %+v %v", h, payload, tt.want, tt.payload)
			}
		})
	}
}

func TestPutRTPHeaderRoundTrip(t *testing.T) {
	want := rtpHeader{marker: true, pt: 101, seq: 65535, ts: 0xfffffff0, ssrc: 42}
	b := make([]byte, rtpHeaderLen+1)
	putRTPHeader(b, want)
	var p rtp.Packet
	if err := p.Unmarshal(b); err != nil {
		t.Fatal(err)
	}
	if p.Version != 2 || !p.Marker || p.PayloadType != 101 || p.SequenceNumber != 65535 || p.Timestamp != 0xfffffff0 || p.SSRC != 42 {
		t.Errorf("pion reads %+v", p.Header)
	}
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// FuzzParseRTP checks the parser never panics, that what it accepts is
// self-consistent, and that it agrees with pion/rtp on every packet pion
// accepts (pion does not check the version; it also parses extension
// elements, which the relay skips, so it may refuse what we accept).
func FuzzParseRTP(f *testing.F) {
	f.Add([]byte{0x80, 0, 0, 1, 0, 0, 0, 160, 0, 0, 0, 1, 0xff, 0xff})
	f.Add([]byte{0xa0, 8, 0, 1, 0, 0, 0, 160, 0, 0, 0, 1, 1, 2, 2})
	f.Add([]byte{0x91, 101, 0, 1, 0, 0, 0, 160, 0, 0, 0, 1, 0, 0, 0, 0, 0xbe, 0xde, 0, 1, 0x10, 1, 0, 0, 1, 0x8a, 0, 160})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, payload, err := parseRTP(b)
		if err == nil {
			if len(payload) == 0 || len(payload) > len(b)-rtpHeaderLen {
				t.Fatalf("payload length %d of %d-byte packet", len(payload), len(b))
			}
			if h.pt > 127 {
				t.Fatalf("pt %d", h.pt)
			}
		}
		var p rtp.Packet
		if perr := p.Unmarshal(b); perr == nil && p.Version == 2 && len(p.Payload) > 0 {
			if err != nil {
				t.Fatalf("pion accepts, we refuse: %v", err)
			}
			if h.pt != p.PayloadType || h.seq != p.SequenceNumber || h.ts != p.Timestamp || h.ssrc != p.SSRC || h.marker != p.Marker || !bytes.Equal(payload, p.Payload) {
				t.Fatalf("we read %+v %x, pion %+v %x", h, payload, p.Header, p.Payload)
			}
		}
	})
}

func BenchmarkParseRTP(b *testing.B) {
	pkt := cat([]byte{0x80, 0, 0, 1, 0, 0, 0, 160, 0, 0, 0, 1}, make([]byte, 160))
	for b.Loop() {
		if _, _, err := parseRTP(pkt); err != nil {
			b.Fatal(err)
		}
	}
}
