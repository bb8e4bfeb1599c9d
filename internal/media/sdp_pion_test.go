package media

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/pion/sdp/v3"
)

// parseSDPPion is ParseSDP as it was before the hand-written reader: the
// body parsed by pion/sdp, then the first audio stream read from pion's
// description. It is the reference the reader is held to.
func parseSDPPion(b []byte) (*SessionDesc, error) {
	var sd sdp.SessionDescription
	if err := sd.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("parse sdp: %w", err)
	}
	var md *sdp.MediaDescription
	for _, m := range sd.MediaDescriptions {
		if m != nil && m.MediaName.Media == "audio" && m.MediaName.Port.Value != 0 {
			md = m
			break
		}
	}
	if md == nil {
		return nil, fmt.Errorf("parse sdp: %w", ErrNoAudio)
	}
	out := &SessionDesc{
		Port:      md.MediaName.Port.Value,
		Proto:     strings.Join(md.MediaName.Protos, "/"),
		Direction: SendRecv,
	}
	if out.Port < 1 || out.Port > 65535 {
		return nil, fmt.Errorf("parse sdp: audio port %d out of range", out.Port)
	}
	ci := md.ConnectionInformation
	if ci == nil {
		ci = sd.ConnectionInformation
	}
	if ci == nil || ci.Address == nil {
		return nil, fmt.Errorf("parse sdp: no connection address for audio")
	}
	addr, err := netip.ParseAddr(ci.Address.Address)
	if err != nil {
		return nil, fmt.Errorf("parse sdp: connection address %q is not an IP address", ci.Address.Address)
	}
	out.Conn = addr.Unmap()

	maps := pionRTPMaps(md.Attributes)
	for _, f := range md.MediaName.Formats {
		v, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			return nil, fmt.Errorf("parse sdp: payload type %q", f)
		}
		pt := uint8(v)
		c, ok := maps[pt]
		if !ok {
			c = staticPT[pt] // zero Name for an unmapped dynamic type
			c.PT = pt
		}
		switch {
		case strings.EqualFold(c.Name, TelephoneEvent):
			if c.ClockRate == SampleRate && out.TelephoneEvent.Name == "" {
				out.TelephoneEvent = c
			}
		case strings.EqualFold(c.Name, "CN"):
			out.ComfortNoise = true
		default:
			out.Codecs = append(out.Codecs, c)
		}
	}
	for _, attrs := range [][]sdp.Attribute{sd.Attributes, md.Attributes} { // media level wins
		for _, a := range attrs {
			switch a.Key {
			case SendRecv, SendOnly, RecvOnly, Inactive:
				out.Direction = a.Key
			case "ptime":
				if p, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil && p > 0 && p <= 1000 {
					out.Ptime = p
				}
			}
		}
	}
	return out, nil
}

// pionRTPMaps reads a=rtpmap:<pt> <name>/<rate>[/<channels>] attributes; bad
// ones are ignored.
func pionRTPMaps(attrs []sdp.Attribute) map[uint8]Codec {
	m := make(map[uint8]Codec)
	for _, a := range attrs {
		if a.Key != "rtpmap" {
			continue
		}
		ptText, enc, ok := strings.Cut(strings.TrimSpace(a.Value), " ")
		if !ok {
			continue
		}
		pt, err := strconv.ParseUint(ptText, 10, 7)
		if err != nil {
			continue
		}
		parts := strings.Split(strings.TrimSpace(enc), "/")
		if len(parts) < 2 || parts[0] == "" {
			continue
		}
		rate, err := strconv.Atoi(parts[1])
		if err != nil || rate <= 0 {
			continue
		}
		m[uint8(pt)] = Codec{PT: uint8(pt), Name: parts[0], ClockRate: rate}
	}
	return m
}

// sdpQuirks are bodies at the edges of pion's grammar and lexer, as seeds
// for FuzzParseSDPMatchesPion and cases for TestParseSDPMatchesPion.
var sdpQuirks = [][]byte{
	nil,
	[]byte("v=0\r\n"),
	[]byte("v=\r\n"),
	[]byte("v=18446744073709551616\r\n"), // wraps around to 0
	[]byte("v=0\r\n\x00"),
	[]byte("v=0\r\nx"),
	[]byte("v=0\r\nxy"),
	[]byte("v=0\r\no=- 1 2 IN\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"),
	[]byte("v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0"),
	[]byte("v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0"),
	[]byte("v=0\no=- 1 2 IN IP4 10.0.0.1\ns=-\ni=x\nu=http://x/\ne=a@b\np=+1\nc=IN IP4 10.0.0.1\nb=AS:64\nt=0 0\nr=7d 1h 0 25h\nz=0 -1h 1 0\nk=clear:x\na=ptime:30\na=recvonly\n" +
		"m=audio 4000/2 RTP/AVP 0 8\ni=t\nc=IN IP4 10.0.0.2\nb=X-YZ:1\nk=prompt\na=rtpmap:8 pcma/8000/1\na=sendrecv:x\nc=IN IP4 10.0.0.3\n"),
	[]byte("v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8\r\na=sendonly\r\r\na=ptime:20\r\r\n"),
	[]byte("v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio +4000 RTP/AVP 0 \t 8\r\nc=IN IP4\r\n"),
	[]byte("v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP6 fe80::1%eth0\r\nt=0 0\r\nm=audio 4000 RTP/AVP 96 96\r\na=rtpmap:96 telephone-event/8000\r\na=rtpmap:96 PCMU/8000\r\n"),
	[]byte("v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 8\r\nc=IN IP4 10.0.0.1\r\n"),
	[]byte("v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:1 a/1\r\na=rtpmap:2 a/1\r\na=rtpmap:3 a/1\r\na=rtpmap:4 a/1\r\n" +
		"a=rtpmap:5 a/1\r\na=rtpmap:6 a/1\r\na=rtpmap:7 a/1\r\na=rtpmap:0 X/1\r\na=rtpmap:0 Y/2\r\na=rtpmap:0 Z/x\r\n"),
	[]byte("v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nb=AS:x\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"),
	[]byte("v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nu=%zz\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"),
	[]byte("v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000/x RTP/AVP 0\r\n"),
	[]byte("v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/ 0\r\n"),
	[]byte("v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1 a=sendonly\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"),
	[]byte("v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0 a=inactive\r\nm=audio 4000 RTP/AVP 0\r\n"),
}

// checkMatchesPion fails t unless ParseSDP and the pion-based parser agree
// on b: both fail (and agree on ErrNoAudio), or both return the same
// SessionDesc.
func checkMatchesPion(t *testing.T, b []byte) {
	t.Helper()
	got, err := ParseSDP(b)
	want, wantErr := parseSDPPion(b)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("ParseSDP(%q)\n = %+v, %v\npion: %+v, %v", b, got, err, want, wantErr)
	case wantErr != nil:
		if errors.Is(err, ErrNoAudio) != errors.Is(wantErr, ErrNoAudio) {
			t.Fatalf("ParseSDP(%q) = %v, pion: %v", b, err, wantErr)
		}
	case !reflect.DeepEqual(got, want):
		t.Fatalf("ParseSDP(%q)\n = %+v\npion: %+v", b, *got, *want)
	}
}

func TestParseSDPMatchesPion(t *testing.T) {
	for i, b := range append([][]byte{baresipOffer, sippOffer}, sdpQuirks...) {
		t.Run(strconv.Itoa(i), func(t *testing.T) { checkMatchesPion(t, b) })
	}
}

// FuzzParseSDPMatchesPion holds ParseSDP's hand-written reader to the
// pion/sdp-based parser it replaced: same SessionDesc for every body pion
// accepts, an error for every body it refuses, and never a panic.
func FuzzParseSDPMatchesPion(f *testing.F) {
	f.Add(baresipOffer)
	f.Add(sippOffer)
	f.Add(BuildSDP(netip.MustParseAddrPort("[::1]:4000"), []Codec{PCMU, PCMA}, 101, Inactive))
	for _, b := range sdpQuirks {
		f.Add(b)
	}
	f.Fuzz(checkMatchesPion)
}
