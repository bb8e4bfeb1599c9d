package media

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Why ParseSDP has its own reader: cost per call. The gateway parses two
// bodies per call (the offer and the answer), and pion/sdp's Unmarshal
// builds the whole description (every line, attribute, media section and
// time description on the heap) to hand back a few fields: 5.6% of the
// gateway's CPU at 1500 calls/s. This reader walks the body once and keeps
// only what SessionDesc needs: BenchmarkParseSDP/baresip went from 2.6 µs,
// 2.2 kB and 27 allocations to 0.75 µs, 560 B and 3 (the body as a string,
// the SessionDesc, its codecs).
//
// It is strict the way pion/sdp v3 is, because that is what ParseSDP was
// built on and far ends have been accepted or refused by it: the same line
// order (RFC 4566 §5, with pion's tolerance of a/k/b/c/i in any order
// inside a media section), the same checks on the fields of v=, o=, c=,
// b=, t=, r=, z=, u= and m= lines, and pion's lexer's quirks (a line read
// as text loses one byte per '\r' in it; numbers read as fields wrap
// around; a body may end after any complete line, or one stray byte
// after it).
// FuzzParseSDPMatchesPion (sdp_pion_test.go) checks that it returns what
// the pion-based parser returned, and errors where that one did.

// sdpState is where the parser is in the grammar. Its comments name the
// states of pion/sdp's unmarshal table.
type sdpState int

const (
	sdpStart   sdpState = iota // s1: v= first
	sdpVersion                 // s2: o= next
	sdpOrigin                  // s3: s= next
	sdpName                    // s4
	sdpConn                    // s5: after c= or b=
	sdpEmail                   // s6
	sdpInfo                    // s7
	sdpPhone                   // s8
	sdpTime                    // s9: after t= or r=
	sdpURI                     // s10
	sdpAttr                    // s11: after a session a= or k=
	sdpZone                    // s13
	sdpMedia                   // s12, s14, s15, s16: inside a media section
)

// sdpAllowed lists the line types each state accepts.
var sdpAllowed = [...]string{
	sdpStart:   "v",
	sdpVersion: "o",
	sdpOrigin:  "s",
	sdpName:    "iuepcbt",
	sdpConn:    "bt",
	sdpEmail:   "pcbt",
	sdpInfo:    "uepcbt",
	sdpPhone:   "cbt",
	sdpTime:    "zkartm",
	sdpURI:     "epcbt",
	sdpAttr:    "am",
	sdpZone:    "akm",
	sdpMedia:   "akbcim",
}

// sdpNext is the state after a line of type key: it depends on the type
// alone, except that inside a media section every line keeps it there.
func sdpNext(state sdpState, key byte) sdpState {
	if state == sdpMedia {
		return sdpMedia
	}
	switch key {
	case 'v':
		return sdpVersion
	case 'o':
		return sdpOrigin
	case 's':
		return sdpName
	case 'i':
		return sdpInfo
	case 'u':
		return sdpURI
	case 'e':
		return sdpEmail
	case 'p':
		return sdpPhone
	case 'c', 'b':
		return sdpConn
	case 't', 'r':
		return sdpTime
	case 'z':
		return sdpZone
	case 'k', 'a':
		return sdpAttr
	default: // 'm'
		return sdpMedia
	}
}

// sdpParser collects what SessionDesc needs while sdpLexer walks the body.
type sdpParser struct {
	sdpLexer

	sessConn  connAddr
	direction string // session-level, then the audio section's
	ptime     int    // likewise

	// The audio stream: the first m=audio with a non-zero port.
	audio     bool
	inAudio   bool // the current media section is the audio stream
	port      int
	proto     string
	formats   string     // the payload types of its m= line, space-separated
	mediaConn connAddr   // its last c=
	rtpmaps   rtpmapList // its valid a=rtpmap lines
}

// rtpmapList holds a stream's rtpmaps in order, the first eight inside
// the parser (which then stays off the heap).
type rtpmapList struct {
	first [8]Codec
	n     int
	more  []Codec
}

func (l *rtpmapList) add(c Codec) {
	if l.n < len(l.first) {
		l.first[l.n] = c
		l.n++
		return
	}
	l.more = append(l.more, c)
}

// last returns the last rtpmap for pt: a later line wins.
func (l *rtpmapList) last(pt uint8) (Codec, bool) {
	for i := len(l.more) - 1; i >= 0; i-- {
		if l.more[i].PT == pt {
			return l.more[i], true
		}
	}
	for i := l.n - 1; i >= 0; i-- {
		if l.first[i].PT == pt {
			return l.first[i], true
		}
	}
	return Codec{}, false
}

// connAddr is the address of a c= line ("" when the line has none).
type connAddr struct {
	addr string
	set  bool // there is a c= line
}

// parseSDP parses an SDP body (see ParseSDP).
func parseSDP(body string) (*SessionDesc, error) {
	p := &sdpParser{sdpLexer: sdpLexer{s: body}, direction: SendRecv}
	state := sdpStart
	for {
		start := p.pos
		key, end, err := p.lineType()
		if end {
			return p.result()
		}
		if err == nil {
			err = p.line(state, key)
		}
		if err != nil {
			return nil, fmt.Errorf("parse sdp: line %d: %w", p.lineNumber(start), err)
		}
		state = sdpNext(state, key)
	}
}

// line reads the rest of a line of type key met in state.
func (p *sdpParser) line(state sdpState, key byte) error {
	if strings.IndexByte(sdpAllowed[state], key) < 0 {
		return fmt.Errorf("%w: %q line not allowed here", errSDPSyntax, key)
	}
	media := state == sdpMedia
	switch key {
	case 'v':
		v, err := p.uintField()
		if err != nil {
			return err
		}
		if v != 0 {
			return fmt.Errorf("version %d", v)
		}
		p.nextLine()
		return nil
	case 'o':
		return p.origin()
	case 's', 'i', 'e', 'p', 'k':
		_, err := p.text()
		return err
	case 'u':
		v, err := p.text()
		if err == nil {
			_, err = url.Parse(v)
		}
		return err
	case 'c':
		addr, err := p.connection()
		if err != nil {
			return err
		}
		if !media {
			p.sessConn = connAddr{addr, true}
		} else if p.inAudio {
			p.mediaConn = connAddr{addr, true}
		}
		return nil
	case 'b':
		v, err := p.text()
		if err == nil {
			err = checkBandwidth(v)
		}
		return err
	case 't':
		return p.timing()
	case 'r':
		return p.repeat()
	case 'z':
		return p.zones()
	case 'a':
		v, err := p.text()
		if err == nil && (!media || p.inAudio) {
			p.attribute(v)
		}
		return err
	default: // 'm'
		return p.mediaLine()
	}
}

// origin checks o=<username> <sess-id> <sess-version> IN <IP4|IP6>
// <address>; pion lets the last two be missing.
func (p *sdpParser) origin() error {
	if _, err := p.field(); err != nil {
		return err
	}
	for range 2 {
		if _, err := p.uintField(); err != nil {
			return err
		}
	}
	nettype, err := p.field()
	if err != nil {
		return err
	}
	if nettype != "IN" {
		return fmt.Errorf("network type %q", nettype)
	}
	addrtype, err := p.field()
	if err != nil {
		return err
	}
	if addrtype != "" && addrtype != "IP4" && addrtype != "IP6" {
		return fmt.Errorf("address type %q", addrtype)
	}
	if _, err := p.field(); err != nil {
		return err
	}
	p.nextLine()
	return nil
}

// connection reads c=IN <IP4|IP6> <address> and returns the address ("" if
// missing: an error only if the audio stream ends up using it).
func (p *sdpParser) connection() (string, error) {
	nettype, err := p.field()
	if err != nil {
		return "", err
	}
	if nettype != "IN" {
		return "", fmt.Errorf("network type %q", nettype)
	}
	addrtype, err := p.field()
	if err != nil {
		return "", err
	}
	if addrtype != "IP4" && addrtype != "IP6" {
		return "", fmt.Errorf("address type %q", addrtype)
	}
	addr, err := p.field()
	if err != nil {
		return "", err
	}
	p.nextLine()
	return addr, nil
}

// checkBandwidth checks b=<CT|AS|TIAS|RS|RR|X-...>:<number>.
func checkBandwidth(v string) error {
	typ, n, ok := strings.Cut(v, ":")
	if !ok || strings.Contains(n, ":") {
		return fmt.Errorf("bandwidth %q", v)
	}
	switch {
	case strings.HasPrefix(typ, "X-"):
	case typ == "CT", typ == "AS", typ == "TIAS", typ == "RS", typ == "RR":
	default:
		return fmt.Errorf("bandwidth type %q", typ)
	}
	if _, err := strconv.ParseUint(n, 10, 64); err != nil {
		return fmt.Errorf("bandwidth %q", v)
	}
	return nil
}

// timing checks t=<start> <stop>.
func (p *sdpParser) timing() error {
	for range 2 {
		if _, err := p.uintField(); err != nil {
			return err
		}
	}
	p.nextLine()
	return nil
}

// repeat checks r=<interval> <duration> <offset>...: at least two times.
func (p *sdpParser) repeat() error {
	for i := 0; ; i++ {
		f, err := p.field()
		if err != nil {
			return err
		}
		if f == "" && i >= 2 {
			break
		}
		if err := checkTimeUnits(f); err != nil {
			return err
		}
	}
	p.nextLine()
	return nil
}

// zones checks z=<adjustment time> <offset>...
func (p *sdpParser) zones() error {
	for {
		if _, err := p.uintField(); err != nil {
			return err
		}
		offset, err := p.field()
		if err != nil {
			return err
		}
		if offset == "" {
			break
		}
		if err := checkTimeUnits(offset); err != nil {
			return err
		}
	}
	p.nextLine()
	return nil
}

// checkTimeUnits checks a time, a signed number with an optional d, h, m
// or s after it.
func checkTimeUnits(v string) error {
	n := v
	if n != "" && strings.IndexByte("dhms", n[len(n)-1]) >= 0 {
		n = n[:len(n)-1]
	}
	if _, err := strconv.ParseInt(n, 10, 64); err != nil {
		return fmt.Errorf("time %q", v)
	}
	return nil
}

// sdpMediaTypes and sdpProtos are the values pion accepts in m= lines.
var (
	sdpMediaTypes = []string{"audio", "video", "text", "application", "message"}
	sdpProtos     = []string{"UDP", "RTP", "AVP", "SAVP", "SAVPF", "TLS", "DTLS", "SCTP", "AVPF", "TCP", "MSRP", "BFCP", "UDT", "IX", "MRCPv2", "FEC"}
)

// mediaLine reads m=<media> <port>[/<count>] <proto> <fmt>... and starts a
// media section; the first audio one with a non-zero port is the stream.
func (p *sdpParser) mediaLine() error {
	p.inAudio = false
	media, err := p.field()
	if err != nil {
		return err
	}
	if !slices.Contains(sdpMediaTypes, media) {
		return fmt.Errorf("media %q", media)
	}
	port, err := p.portField()
	if err != nil {
		return err
	}
	proto, err := p.field()
	if err != nil {
		return err
	}
	for rest, more := proto, true; more; {
		var part string
		part, rest, more = strings.Cut(rest, "/")
		if !slices.Contains(sdpProtos, part) {
			return fmt.Errorf("transport %q", proto)
		}
	}
	start := p.pos
	for {
		f, err := p.field()
		if err != nil {
			return err
		}
		if f == "" {
			break
		}
	}
	formats := p.s[start:p.pos]
	p.nextLine()
	if !p.audio && media == "audio" && port != 0 {
		p.audio, p.inAudio = true, true
		p.port, p.proto, p.formats = port, proto, formats
	}
	return nil
}

// portField reads <port>[/<count>]: a port 0-65535, and a count that need
// only be a number.
func (p *sdpParser) portField() (int, error) {
	f, err := p.field()
	if err != nil {
		return 0, err
	}
	portText, rest, hasCount := strings.Cut(f, "/")
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return 0, fmt.Errorf("port %q", portText)
	}
	if hasCount {
		count, _, _ := strings.Cut(rest, "/")
		if _, err := strconv.Atoi(count); err != nil {
			return 0, fmt.Errorf("port count %q", f)
		}
	}
	return port, nil
}

// attribute takes a session-level a= line, or one of the audio stream's.
// Only the name before the first ':' counts for directions, as in pion.
func (p *sdpParser) attribute(v string) {
	name, value := v, ""
	if i := strings.IndexByte(v, ':'); i > 0 {
		name, value = v[:i], v[i+1:]
	}
	switch name {
	case SendRecv, SendOnly, RecvOnly, Inactive:
		p.direction = name
	case "ptime":
		if n, err := strconv.Atoi(strings.TrimSpace(value)); err == nil && n > 0 && n <= 1000 {
			p.ptime = n
		}
	case "rtpmap":
		if p.inAudio {
			if c, ok := parseRTPMap(value); ok {
				p.rtpmaps.add(c)
			}
		}
	}
}

// parseRTPMap reads the value of a=rtpmap:<pt> <name>/<rate>[/<channels>];
// ok is false for a bad one, which is ignored.
func parseRTPMap(v string) (c Codec, ok bool) {
	ptText, enc, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return Codec{}, false
	}
	pt, err := strconv.ParseUint(ptText, 10, 7)
	if err != nil {
		return Codec{}, false
	}
	name, rest, ok := strings.Cut(strings.TrimSpace(enc), "/")
	if !ok || name == "" {
		return Codec{}, false
	}
	rateText, _, _ := strings.Cut(rest, "/")
	rate, err := strconv.Atoi(rateText)
	if err != nil || rate <= 0 {
		return Codec{}, false
	}
	return Codec{PT: uint8(pt), Name: name, ClockRate: rate}, true
}

// result is the SessionDesc of a body read to its end.
func (p *sdpParser) result() (*SessionDesc, error) {
	if !p.audio {
		return nil, fmt.Errorf("parse sdp: %w", ErrNoAudio)
	}
	conn := p.mediaConn
	if !conn.set {
		conn = p.sessConn
	}
	if conn.addr == "" {
		return nil, fmt.Errorf("parse sdp: no connection address for audio")
	}
	addr, err := netip.ParseAddr(conn.addr)
	if err != nil {
		return nil, fmt.Errorf("parse sdp: connection address %q is not an IP address", conn.addr)
	}
	out := &SessionDesc{
		Conn:      addr.Unmap(),
		Port:      p.port,
		Proto:     p.proto,
		Direction: p.direction,
		Ptime:     p.ptime,
	}
	n := 1 + strings.Count(p.formats, " ") + strings.Count(p.formats, "\t") // at most this many codecs
	for rest := p.formats; ; {
		var f string
		if f, rest = nextSDPField(rest); f == "" {
			break
		}
		v, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			return nil, fmt.Errorf("parse sdp: payload type %q", f)
		}
		pt := uint8(v)
		c, ok := p.rtpmaps.last(pt)
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
			if out.Codecs == nil {
				out.Codecs = make([]Codec, 0, n)
			}
			out.Codecs = append(out.Codecs, c)
		}
	}
	return out, nil
}

// nextSDPField splits the first field off a list separated by spaces and
// tabs.
func nextSDPField(s string) (field, rest string) {
	i := 0
	for i < len(s) && isSDPSpace(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSDPSpace(s[j]) {
		j++
	}
	return s[i:j], s[j:]
}
