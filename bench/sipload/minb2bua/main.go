// Command minb2bua is a bound for bench/sipload, not part of clearline and
// not a SIP stack to build on: the least work a back-to-back user agent in
// Go can do for the bench's call, so the bench can say how high any Go SIP
// layer under clearline's gateway could take the call rate on this machine.
//
// It handles exactly the bench's call on one UDP socket, in one goroutine:
// the caller's INVITE gets a 100 and a new INVITE goes to the answerer; the
// answerer's 180 and 200 go back to the caller (the 200 is ACKed at once);
// the caller's BYE gets its 200 and a BYE goes to the answerer. With -media
// it anchors the media with clearline's own media package, as the gateway
// does (two legs, each an RTP and an RTCP port, SDP parsed and rewritten, a
// relay running until the BYE). It keeps no transactions: no
// retransmissions, no timers, nothing for forks, CANCEL, re-INVITE,
// authentication or TCP. So its rate is an upper bound, not a target.
//
//	minb2bua -listen 127.0.0.1:5060 -next 127.0.0.1:5070 [-media] [-pprof 127.0.0.1:16060]
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"time"

	"github.com/clearline/clearline/bench/sipload/targetflag"
	"github.com/clearline/clearline/internal/media"
)

func main() {
	t := targetflag.Define()
	withMedia := flag.Bool("media", false, "anchor media with clearline's media package, as the gateway does")
	t.Parse()
	log := t.Log
	b, err := newB2BUA(t.Listen, t.Next, *withMedia, t.Buffer, log)
	if err == nil {
		err = b.serve(context.Background())
	}
	if err != nil {
		log.Error("minb2bua", "error", err)
		os.Exit(1)
	}
}

type b2bua struct {
	conn  *net.UDPConn
	self  string // host:port of conn, for Via and Contact
	next  netip.AddrPort
	ports *media.Allocator // nil without -media
	log   *slog.Logger

	byCaller   map[string]*call // the caller's Call-ID
	byAnswerer map[string]*call // the Call-ID clearline made
	seq        uint64           // makes Call-IDs, tags and branches
	out        []byte           // the message being written
}

// call is one call's state: what the caller's INVITE said (its own copy),
// and what the answerer's 200 said.
type call struct {
	caller      netip.AddrPort
	invite      msg    // parsed from inviteBuf
	inviteBuf   []byte // a copy of the caller's INVITE
	tag         string // our tag towards the caller, and our From tag to the answerer
	calleeID    string // Call-ID towards the answerer
	calleeUser  string
	calleeTo    []byte // the answerer's To (with its tag), from its 200
	calleeURI   []byte // the answerer's Contact URI: where ACK and BYE go
	answered    bool
	inLeg       *media.Leg
	outLeg      *media.Leg
	codecs      []media.Codec
	callerEvent uint8 // the caller's telephone-event payload type
	stopRelay   context.CancelFunc
}

func newB2BUA(listen, next string, withMedia bool, buffer int, log *slog.Logger) (*b2bua, error) {
	nextAddr, err := netip.ParseAddrPort(next)
	if err != nil {
		return nil, fmt.Errorf("next: %w", err)
	}
	laddr, err := netip.ParseAddrPort(listen)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(laddr))
	if err != nil {
		return nil, err
	}
	if err := errors.Join(conn.SetReadBuffer(buffer), conn.SetWriteBuffer(buffer)); err != nil {
		return nil, err
	}
	b := &b2bua{conn: conn, self: listen, next: nextAddr, log: log,
		byCaller: map[string]*call{}, byAnswerer: map[string]*call{}}
	if withMedia {
		// The bench's clearline uses the same range.
		if b.ports, err = media.NewAllocator(laddr.Addr(), 10000, 31999); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (b *b2bua) serve(ctx context.Context) error {
	buf := make([]byte, 65535)
	for {
		n, src, err := b.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		var m msg
		if err := m.parse(buf[:n]); err != nil {
			b.log.Warn("malformed message", "source", src, "error", err)
			continue
		}
		if m.request {
			b.onRequest(ctx, &m, src)
		} else {
			b.onResponse(ctx, &m)
		}
	}
}

func (b *b2bua) onRequest(ctx context.Context, m *msg, src netip.AddrPort) {
	switch m.method {
	case "INVITE":
		if _, ok := b.byCaller[string(m.callID)]; ok {
			return // a retransmission: the 100 is on its way
		}
		b.invite(ctx, m, src)
	case "ACK": // of our 200: the answerer was ACKed when it answered
	case "BYE":
		c, ok := b.byCaller[string(m.callID)]
		if !ok {
			b.respond(m, src, 481, "Call/Transaction Does Not Exist", "", nil)
			return
		}
		b.respond(m, src, 200, "OK", "", nil)
		b.request(c, "BYE", 2)
		b.end(c)
	case "OPTIONS":
		b.respond(m, src, 200, "OK", "", nil)
	default:
		b.respond(m, src, 501, "Not Implemented", "", nil)
	}
}

// invite answers 100, opens the media legs and sends the INVITE on.
func (b *b2bua) invite(ctx context.Context, m *msg, src netip.AddrPort) {
	b.respond(m, src, 100, "Trying", "", nil)
	b.seq++
	c := &call{caller: src, inviteBuf: bytes.Clone(m.raw), tag: "mb" + strconv.FormatUint(b.seq, 36),
		calleeID: "mb" + strconv.FormatUint(b.seq, 36) + "@" + b.self}
	_ = c.invite.parse(c.inviteBuf) // parsed once already
	c.calleeUser = string(userOf(m.uri))
	body := c.invite.body
	if b.ports != nil {
		var err error
		if body, err = b.openMedia(ctx, c); err != nil {
			b.log.Warn("media", "error", err)
			b.respond(&c.invite, src, 488, "Not Acceptable Here", c.tag, nil)
			return
		}
	}
	b.byCaller[string(m.callID)] = c
	b.byAnswerer[c.calleeID] = c
	o := b.out[:0]
	o = fmt.Appendf(o, "INVITE sip:%s@%s SIP/2.0\r\n", c.calleeUser, b.next)
	o = fmt.Appendf(o, "Via: SIP/2.0/UDP %s;branch=z9hG4bK%s-1\r\n", b.self, c.tag)
	o = append(o, "Max-Forwards: 70\r\n"...)
	o = fmt.Appendf(o, "From: <sip:%s@%s>;tag=%s\r\n", userOf(c.invite.from), b.self, c.tag)
	o = fmt.Appendf(o, "To: <sip:%s@%s>\r\n", c.calleeUser, b.next)
	o = fmt.Appendf(o, "Call-ID: %s\r\nCSeq: 1 INVITE\r\nContact: <sip:minb2bua@%s>\r\n", c.calleeID, b.self)
	o = fmt.Appendf(o, "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n", len(body))
	o = append(o, body...)
	b.send(o, b.next)
}

// openMedia opens both legs and returns the offer for the answerer.
func (b *b2bua) openMedia(ctx context.Context, c *call) ([]byte, error) {
	offer, err := media.ParseSDP(c.invite.body)
	if err != nil {
		return nil, err
	}
	if c.codecs, err = media.Negotiate(offer, []media.Codec{media.PCMU, media.PCMA}); err != nil {
		return nil, err
	}
	c.callerEvent = offer.EventPT()
	if c.inLeg, err = b.ports.Open(ctx); err != nil {
		return nil, err
	}
	if c.outLeg, err = b.ports.Open(ctx); err != nil {
		c.inLeg.Close()
		return nil, err
	}
	c.inLeg.SetRemote(offer.Addr(), offer.Codecs, offer.EventPT())
	return c.outLeg.SDP(c.codecs, 101, "sendrecv"), nil
}

func (b *b2bua) onResponse(ctx context.Context, m *msg) {
	c, ok := b.byAnswerer[string(m.callID)]
	if !ok || m.method != "INVITE" {
		return // 100s, 200s to our BYEs, strays
	}
	switch {
	case m.code == 180:
		b.respond(&c.invite, c.caller, 180, "Ringing", c.tag, nil)
	case m.code == 200 && c.answered:
		b.request(c, "ACK", 1) // a retransmitted 200: our ACK was lost
	case m.code == 200:
		c.answered = true
		c.calleeTo = bytes.Clone(m.to)
		c.calleeURI = bytes.Clone(uriOf(m.contact))
		b.request(c, "ACK", 1)
		body := m.body
		if b.ports != nil {
			answer, err := media.ParseSDP(m.body)
			if err != nil {
				b.log.Warn("answer sdp", "error", err)
				return
			}
			c.outLeg.SetRemote(answer.Addr(), answer.Codecs, answer.EventPT())
			relay := media.NewRelay(c.inLeg, c.outLeg, media.RelayOptions{Inactivity: 120 * time.Second})
			var rctx context.Context
			rctx, c.stopRelay = context.WithCancel(ctx)
			go func() { _ = relay.Run(rctx) }()
			body = c.inLeg.SDP(c.codecs, c.callerEvent, "sendrecv")
		}
		b.respond(&c.invite, c.caller, 200, "OK", c.tag, body)
	case m.code >= 300:
		b.respond(&c.invite, c.caller, 502, "Bad Gateway", c.tag, nil)
		b.end(c)
	}
}

// end forgets the call and closes its media.
func (b *b2bua) end(c *call) {
	delete(b.byCaller, string(c.invite.callID))
	delete(b.byAnswerer, c.calleeID)
	if c.stopRelay != nil {
		c.stopRelay()
	}
	if c.inLeg != nil {
		c.inLeg.Close()
		c.outLeg.Close()
	}
}

// request sends ACK or BYE to the answerer, in its dialog.
func (b *b2bua) request(c *call, method string, cseq int) {
	o := b.out[:0]
	o = fmt.Appendf(o, "%s %s SIP/2.0\r\n", method, c.calleeURI)
	o = fmt.Appendf(o, "Via: SIP/2.0/UDP %s;branch=z9hG4bK%s-%s\r\n", b.self, c.tag, method)
	o = append(o, "Max-Forwards: 70\r\n"...)
	o = fmt.Appendf(o, "From: <sip:%s@%s>;tag=%s\r\n", userOf(c.invite.from), b.self, c.tag)
	o = fmt.Appendf(o, "To: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\nContent-Length: 0\r\n\r\n", c.calleeTo, c.calleeID, cseq, method)
	b.send(o, b.next)
}

// respond answers request m (from src) with its Via, From, To (with tag
// added when it has none), Call-ID and CSeq.
func (b *b2bua) respond(m *msg, src netip.AddrPort, code int, reason, tag string, body []byte) {
	o := b.out[:0]
	o = fmt.Appendf(o, "SIP/2.0 %d %s\r\n", code, reason)
	for _, v := range m.vias {
		o = append(o, "Via: "...)
		o = append(o, v...)
		o = append(o, "\r\n"...)
	}
	o = fmt.Appendf(o, "From: %s\r\nTo: %s", m.from, m.to)
	if tag != "" && !bytes.Contains(m.to, []byte(";tag=")) {
		o = append(o, ";tag="...)
		o = append(o, tag...)
	}
	o = fmt.Appendf(o, "\r\nCall-ID: %s\r\nCSeq: %s\r\n", m.callID, m.cseq)
	if code >= 180 && code < 300 && m.method == "INVITE" {
		o = fmt.Appendf(o, "Contact: <sip:minb2bua@%s>\r\n", b.self)
	}
	if len(body) > 0 {
		o = append(o, "Content-Type: application/sdp\r\n"...)
	}
	o = fmt.Appendf(o, "Content-Length: %d\r\n\r\n", len(body))
	o = append(o, body...)
	b.send(o, src)
}

func (b *b2bua) send(o []byte, to netip.AddrPort) {
	b.out = o // keep the grown buffer
	if _, err := b.conn.WriteToUDPAddrPort(o, to); err != nil {
		b.log.Warn("send", "to", to, "error", err)
	}
}

// msg is a SIP message cut into the parts minb2bua uses; every slice
// points into raw.
type msg struct {
	raw     []byte
	request bool
	method  string // the request's method, or a response's CSeq method
	uri     []byte // Request-URI
	code    int
	vias    [][]byte
	from    []byte
	to      []byte
	callID  []byte
	cseq    []byte
	contact []byte
	body    []byte
}

var errMalformed = errors.New("malformed SIP message")

func (m *msg) parse(raw []byte) error {
	*m = msg{raw: raw, vias: m.vias[:0]}
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		return errMalformed
	}
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	if status, ok := bytes.CutPrefix(line, []byte("SIP/2.0 ")); ok {
		code, _, _ := bytes.Cut(status, []byte(" "))
		n, err := strconv.Atoi(string(code))
		if err != nil {
			return errMalformed
		}
		m.code = n
	} else {
		method, r, ok := bytes.Cut(line, []byte(" "))
		uri, _, ok2 := bytes.Cut(r, []byte(" "))
		if !ok || !ok2 {
			return errMalformed
		}
		m.request, m.method, m.uri = true, string(method), uri
	}
	length := -1
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return errMalformed
		}
		value = bytes.TrimSpace(value)
		name = bytes.TrimSpace(name)
		is := func(long, short string) bool {
			return bytes.EqualFold(name, []byte(long)) || bytes.EqualFold(name, []byte(short))
		}
		switch {
		case is("Via", "v"):
			m.vias = append(m.vias, value)
		case is("From", "f"):
			m.from = value
		case is("To", "t"):
			m.to = value
		case is("Call-ID", "i"):
			m.callID = value
		case is("CSeq", "CSeq"):
			m.cseq = value
			if !m.request {
				_, method, _ := bytes.Cut(value, []byte(" "))
				m.method = string(method)
			}
		case is("Contact", "m"):
			m.contact = value
		case is("Content-Length", "l"):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 {
				return errMalformed
			}
			length = n
		}
	}
	if len(m.callID) == 0 || len(m.cseq) == 0 || len(m.vias) == 0 {
		return errMalformed
	}
	if length >= 0 && length <= len(body) {
		body = body[:length]
	}
	m.body = body
	return nil
}

// uriOf is the URI in a name-addr ("<sip:...>;params"), or the value.
func uriOf(v []byte) []byte {
	if i := bytes.IndexByte(v, '<'); i >= 0 {
		if j := bytes.IndexByte(v[i:], '>'); j > 0 {
			return v[i+1 : i+j]
		}
	}
	return v
}

// userOf is the user part of the URI in v ("" when it has none).
func userOf(v []byte) []byte {
	u := uriOf(v)
	_, u, _ = bytes.Cut(u, []byte(":"))
	user, _, ok := bytes.Cut(u, []byte("@"))
	if !ok {
		return nil
	}
	return user
}
