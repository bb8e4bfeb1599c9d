package media

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// sdpLines joins lines with CRLF.
func sdpLines(lines ...string) []byte { return []byte(strings.Join(lines, "\r\n") + "\r\n") }

var (
	baresipOffer = sdpLines(
		"v=0",
		"o=- 1227419556 1539512043 IN IP4 192.168.1.20",
		"s=-",
		"c=IN IP4 192.168.1.20",
		"t=0 0",
		"m=audio 10028 RTP/AVP 9 0 8 101",
		"a=rtpmap:9 G722/8000",
		"a=rtpmap:0 PCMU/8000",
		"a=rtpmap:8 PCMA/8000",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-15",
		"a=ptime:20",
		"a=sendrecv",
	)
	sippOffer = sdpLines( // SIPp's uac_pcap: static types without rtpmap for PCMA
		"v=0",
		"o=user1 53655765 2353687637 IN IP4 127.0.0.1",
		"s=-",
		"c=IN IP4 127.0.0.1",
		"t=0 0",
		"m=audio 6000 RTP/AVP 8 101",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-11,16",
	)
)

func TestParseSDP(t *testing.T) {
	tests := []struct {
		name string
		sdp  []byte
		want SessionDesc
	}{
		{"baresip offer", baresipOffer, SessionDesc{
			Conn: netip.MustParseAddr("192.168.1.20"), Port: 10028, Proto: "RTP/AVP",
			Codecs:         []Codec{{9, "G722", 8000}, PCMU, PCMA},
			TelephoneEvent: Codec{101, "telephone-event", 8000},
			Direction:      SendRecv, Ptime: 20,
		}},
		{"static types without rtpmap", sippOffer, SessionDesc{
			Conn: netip.MustParseAddr("127.0.0.1"), Port: 6000, Proto: "RTP/AVP",
			Codecs:         []Codec{PCMA},
			TelephoneEvent: Codec{101, "telephone-event", 8000},
			Direction:      SendRecv,
		}},
		{"media-level connection and direction win, hold", sdpLines(
			"v=0", "o=- 1 2 IN IP4 10.0.0.1", "s=-", "c=IN IP4 10.0.0.1", "t=0 0",
			"a=recvonly",
			"m=video 5000 RTP/AVP 96",
			"m=audio 0 RTP/AVP 0",
			"m=audio 7078 RTP/AVP 0 13 96 97",
			"c=IN IP4 0.0.0.0",
			"a=rtpmap:96 telephone-event/48000",
			"a=rtpmap:97 telephone-event/8000",
			"a=ptime:30",
			"a=inactive",
		), SessionDesc{
			Conn: netip.MustParseAddr("0.0.0.0"), Port: 7078, Proto: "RTP/AVP",
			Codecs:         []Codec{PCMU},
			TelephoneEvent: Codec{97, "telephone-event", 8000},
			ComfortNoise:   true, Direction: Inactive, Ptime: 30,
		}},
		{"session-level direction, ipv6, unknown dynamic type", sdpLines(
			"v=0", "o=- 1 2 IN IP6 ::1", "s=-", "c=IN IP6 2001:db8::5", "t=0 0", "a=sendonly",
			"m=audio 4000 RTP/SAVP 0 120",
		), SessionDesc{
			Conn: netip.MustParseAddr("2001:db8::5"), Port: 4000, Proto: "RTP/SAVP",
			Codecs: []Codec{PCMU, {PT: 120}}, Direction: SendOnly,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSDP(tt.sdp)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestParseSDPErrors(t *testing.T) {
	tests := []struct {
		name string
		sdp  []byte
		want error // nil: any error
	}{
		{"not sdp", []byte("INVITE sip:x SIP/2.0\r\n"), nil},
		{"empty", nil, nil},
		{"no audio", sdpLines("v=0", "o=- 1 2 IN IP4 1.2.3.4", "s=-", "c=IN IP4 1.2.3.4", "t=0 0", "m=video 5000 RTP/AVP 96"), ErrNoAudio},
		{"audio rejected", sdpLines("v=0", "o=- 1 2 IN IP4 1.2.3.4", "s=-", "c=IN IP4 1.2.3.4", "t=0 0", "m=audio 0 RTP/AVP 0"), ErrNoAudio},
		{"no connection", sdpLines("v=0", "o=- 1 2 IN IP4 1.2.3.4", "s=-", "t=0 0", "m=audio 5000 RTP/AVP 0"), nil},
		{"hostname connection", sdpLines("v=0", "o=- 1 2 IN IP4 1.2.3.4", "s=-", "c=IN IP4 pbx.example.com", "t=0 0", "m=audio 5000 RTP/AVP 0"), nil},
		{"bad payload type", sdpLines("v=0", "o=- 1 2 IN IP4 1.2.3.4", "s=-", "c=IN IP4 1.2.3.4", "t=0 0", "m=audio 5000 RTP/AVP 0 200"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sd, err := ParseSDP(tt.sdp)
			if err == nil {
				t.Fatalf("parsed %+v, want an error", sd)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSessionDescHold(t *testing.T) {
	tests := []struct {
		dir  string
		conn string
		want bool
	}{
		{SendRecv, "10.0.0.1", false},
		{SendOnly, "10.0.0.1", false}, // music on hold still arrives
		{RecvOnly, "10.0.0.1", true},
		{Inactive, "10.0.0.1", true},
		{SendRecv, "0.0.0.0", true},
	}
	for _, tt := range tests {
		sd := SessionDesc{Direction: tt.dir, Conn: netip.MustParseAddr(tt.conn)}
		if got := sd.Hold(); got != tt.want {
			t.Errorf("%s %s: Hold() = %v", tt.dir, tt.conn, got)
		}
	}
}

func TestNegotiate(t *testing.T) {
	supported := []Codec{PCMU, PCMA}
	tests := []struct {
		name     string
		offer    SessionDesc
		want     []Codec
		noCommon bool
	}{
		{"offer order kept", SessionDesc{Proto: "RTP/AVP", Codecs: []Codec{{9, "G722", 8000}, PCMA, PCMU}}, []Codec{PCMA, PCMU}, false},
		{"case-insensitive names", SessionDesc{Proto: "RTP/AVP", Codecs: []Codec{{0, "pcmu", 8000}}}, []Codec{PCMU}, false},
		{"G.711 under a dynamic type is not relayed", SessionDesc{Proto: "RTP/AVP", Codecs: []Codec{{96, "PCMU", 8000}}}, nil, true},
		{"only wideband", SessionDesc{Proto: "RTP/AVP", Codecs: []Codec{{9, "G722", 8000}, {111, "opus", 48000}}}, nil, true},
		{"srtp refused", SessionDesc{Proto: "RTP/SAVP", Codecs: []Codec{PCMU}}, nil, true},
		{"nothing offered", SessionDesc{Proto: "RTP/AVP"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Negotiate(&tt.offer, supported)
			if tt.noCommon {
				if !errors.Is(err, ErrNoCommonCodec) {
					t.Fatalf("err = %v, want ErrNoCommonCodec", err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestBuildSDPParsesBack(t *testing.T) {
	tests := []struct {
		name    string
		addr    netip.AddrPort
		codecs  []Codec
		eventPT uint8
		dir     string
	}{
		{"pcmu with events", netip.MustParseAddrPort("192.0.2.7:20000"), []Codec{PCMU}, 101, ""},
		{"both codecs, no events, recvonly", netip.MustParseAddrPort("192.0.2.7:20002"), []Codec{PCMA, PCMU}, 0, RecvOnly},
		{"ipv6", netip.MustParseAddrPort("[2001:db8::1]:30000"), []Codec{PCMU}, 96, Inactive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := BuildSDP(tt.addr, tt.codecs, tt.eventPT, tt.dir)
			sd, err := ParseSDP(b)
			if err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			wantDir := tt.dir
			if wantDir == "" {
				wantDir = SendRecv
			}
			if sd.Addr() != tt.addr || !reflect.DeepEqual(sd.Codecs, tt.codecs) || sd.EventPT() != tt.eventPT || sd.Direction != wantDir || sd.Ptime != 20 {
				t.Errorf("parsed back %+v from\n%s", sd, b)
			}
			if !strings.HasSuffix(string(b), "\r\n") || strings.Contains(string(b), "\n\n") {
				t.Errorf("bad line endings:\n%q", b)
			}
		})
	}
}

func FuzzParseSDP(f *testing.F) {
	f.Add(baresipOffer)
	f.Add(sippOffer)
	f.Add(BuildSDP(netip.MustParseAddrPort("[::1]:4000"), []Codec{PCMU, PCMA}, 101, Inactive))
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := ParseSDP(b)
		if err != nil {
			return
		}
		if sd.Port < 1 || sd.Port > 65535 || !sd.Conn.IsValid() {
			t.Fatalf("accepted port %d conn %v", sd.Port, sd.Conn)
		}
		switch sd.Direction {
		case SendRecv, SendOnly, RecvOnly, Inactive:
		default:
			t.Fatalf("direction %q", sd.Direction)
		}
		for _, c := range sd.Codecs {
			if c.PT > 127 {
				t.Fatalf("pt %d", c.PT)
			}
		}
		// Whatever was accepted can be answered and parsed back.
		if codecs, err := Negotiate(sd, []Codec{PCMU, PCMA}); err == nil {
			back, err := ParseSDP(BuildSDP(sd.Addr(), codecs, sd.EventPT(), sd.Direction))
			if err != nil {
				t.Fatalf("our own answer does not parse: %v", err)
			}
			if !reflect.DeepEqual(back.Codecs, codecs) {
				t.Fatalf("answer codecs %v, parsed back %v", codecs, back.Codecs)
			}
		}
	})
}
