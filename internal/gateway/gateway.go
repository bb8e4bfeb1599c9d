// Package gateway is clearline's SIP back-to-back user agent: the registrar
// for protected phones, the legs towards the line's provider (the trunk),
// call state, and hang-up propagation. It anchors every call's media in an
// internal/media relay and records every call in the call log.
//
// It owns SIP signalling only. Screening decisions, scam detection and the
// keypad guard plug in through the Hooks interface; the gateway never decides
// on its own whether a caller is trustworthy. Emergency numbers dialled by a
// phone are never screened, prompted or delayed.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/clearline/clearline/internal/media"
)

// Config is everything the gateway needs, already validated by the caller.
type Config struct {
	// Host is the address clearline advertises in Via and Contact headers
	// (an IP address or a host name the peers can reach).
	Host string
	// Realm is the digest realm for phones.
	Realm string
	// MediaIP is the local address RTP ports are bound on and advertised in
	// SDP; MediaPortMin..MediaPortMax is the port range.
	MediaIP                    netip.Addr
	MediaPortMin, MediaPortMax int
	// RTPTimeout ends a call when no RTP has arrived on either leg for this long.
	RTPTimeout time.Duration
	// RingTimeout ends an unanswered call (the caller gets 480).
	RingTimeout time.Duration
	// TransactionLinger is how long finished SIP transactions absorb
	// retransmissions (timers J, L, M, D); see setTransactionLinger.
	TransactionLinger time.Duration

	Trunk     Trunk
	Lines     []Line
	Emergency []string // numbers that always go straight to the trunk, e.g. 999, 112
}

// Trunk describes the line provider.
type Trunk struct {
	// Address is host:port where calls to the outside world are sent.
	Address string
	// Transport towards the provider: "udp" (default) or "tcp".
	Transport string
	// Domain is used in Request-URI/From/To of calls to the provider;
	// defaults to Address's host.
	Domain string
	// AllowedSources are the only addresses inbound calls are accepted
	// from: "ip", "ip:port" or a CIDR prefix.
	AllowedSources []string
	// Username/Password for digest authentication towards the provider.
	Username, Password string
	// Register makes clearline register to the provider as Username.
	Register       bool
	RegisterExpiry time.Duration
}

// Line is one protected line: the numbers the provider delivers for it and
// the phones that ring for it.
type Line struct {
	ID      string
	Numbers []string // DIDs as the provider presents them in the Request-URI/To
	Phones  []PhoneAccount
}

// Hooks lets the screening and in-call protection layers act on calls.
// Every method must return quickly; long work belongs in goroutines tied to
// the call's context.
type Hooks interface {
	// ScreenInbound decides, before the phone rings, what to do with an
	// inbound call. It is never called for outbound calls.
	ScreenInbound(ctx context.Context, c *Call) Screening
	// CallConnected is called when an inbound or outbound call is bridged
	// (media flowing both ways). ctx ends when the call ends.
	CallConnected(ctx context.Context, c *Call)
}

// Screening is a pre-ring decision.
type Screening struct {
	Action  string // "allow", "block" or "challenge"
	Reasons []string
	// Challenge, when Action is "challenge", runs the caller challenge on
	// the answered caller leg and reports whether to ring the phone.
	Challenge func(ctx context.Context, caller *media.Leg) (bool, error)
	// Announce, if set, runs on the phone's leg once it has answered and
	// before the legs are joined (e.g. "Call from <name>, press 1 to
	// accept"); false ends the call instead of connecting it.
	Announce func(ctx context.Context, phone *media.Leg) (bool, error)
}

// CallRecord is the first entry the gateway writes for a call.
type CallRecord struct {
	ID, LineID, Direction string
	From, To, CallerName  string
	StartedAt             time.Time
	Emergency             bool
	// Decision and Reasons: the screening decision when it is known as
	// the call starts (inbound calls), so the first row already has it.
	Decision string
	Reasons  []string
}

// CallLog is what the gateway records calls in (the store, in production).
type CallLog interface {
	StartCall(ctx context.Context, c CallRecord) error
	AnswerCall(ctx context.Context, id string, at time.Time) error
	EndCall(ctx context.Context, id string, at time.Time, outcome, hangupBy, reason string) error
	SetCallDecision(ctx context.Context, id, decision string, reasons []string) error
}

// Gateway is a running B2BUA.
type Gateway struct {
	cfg    Config
	log    *slog.Logger
	calls  CallLog
	hooks  Hooks
	now    func() time.Time
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	client *sipgo.Client
	ports  *media.Allocator
	reg    *registrar
	auth   *digestAuth

	uasDialogs *sipgo.DialogServerCache
	uacDialogs *sipgo.DialogClientCache

	listenPort   int
	udpLocal     *net.UDPAddr // the SIP UDP socket's address, if UDP is served
	lineByNumber map[string]string
	lines        map[string]Line

	mu     sync.Mutex
	active map[string]*Call // by clearline call ID
	wg     sync.WaitGroup

	// Observers for tests and the demo's timeline.
	events func(Event)
}

// Event is a notable moment in a call, for timelines and tests.
type Event struct {
	At     time.Time
	CallID string
	What   string // e.g. "invite", "ringing", "answered", "bye-sent", "ended"
	Detail string
}

// Option adjusts a Gateway.
type Option func(*Gateway)

// WithHooks installs screening/protection hooks.
func WithHooks(h Hooks) Option { return func(g *Gateway) { g.hooks = h } }

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) Option { return func(g *Gateway) { g.now = now } }

// WithEvents receives a copy of every call event.
func WithEvents(f func(Event)) Option { return func(g *Gateway) { g.events = f } }

// New builds a gateway. It binds nothing until Serve.
func New(cfg Config, calls CallLog, log *slog.Logger, opts ...Option) (*Gateway, error) {
	g := &Gateway{
		cfg: cfg, calls: calls, log: log, now: time.Now,
		active:       map[string]*Call{},
		lineByNumber: map[string]string{},
		lines:        map[string]Line{},
	}
	for _, o := range opts {
		o(g)
	}
	if g.hooks == nil {
		g.hooks = allowAll{}
	}
	if cfg.Host == "" {
		return nil, errors.New("gateway: host is required")
	}
	if cfg.RingTimeout == 0 {
		g.cfg.RingTimeout = 60 * time.Second
	}
	if cfg.RTPTimeout == 0 {
		g.cfg.RTPTimeout = 60 * time.Second
	}
	if g.cfg.Trunk.Transport == "" {
		g.cfg.Trunk.Transport = "udp"
	}
	if g.cfg.Trunk.Domain == "" && cfg.Trunk.Address != "" {
		h, _, err := net.SplitHostPort(cfg.Trunk.Address)
		if err != nil {
			return nil, fmt.Errorf("gateway: trunk address %q: %w", cfg.Trunk.Address, err)
		}
		g.cfg.Trunk.Domain = h
	}
	for _, s := range cfg.Trunk.AllowedSources {
		if _, err := parseSource(s); err != nil {
			return nil, fmt.Errorf("gateway: trunk allowed source: %w", err)
		}
	}
	var accounts []PhoneAccount
	for _, l := range cfg.Lines {
		g.lines[l.ID] = l
		for _, n := range l.Numbers {
			g.lineByNumber[numberKey(n)] = l.ID
		}
		for _, p := range l.Phones {
			p.LineID = l.ID
			accounts = append(accounts, p)
		}
	}
	var err error
	if g.auth, err = newDigestAuth(cfg.Realm, g.now); err != nil {
		return nil, err
	}
	if g.reg, err = newRegistrar(g.auth, accounts, g.now, log); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	// Before anything in the process sends SIP: sipgo reads these timers
	// whenever it makes a transaction.
	setTransactionLinger(cfg.TransactionLinger, log)
	if g.ports, err = media.NewAllocator(cfg.MediaIP, cfg.MediaPortMin, cfg.MediaPortMax, media.WithLogger(log.With("layer", "media"))); err != nil {
		return nil, fmt.Errorf("gateway: media ports: %w", err)
	}
	return g, nil
}

// sipSocketBuffer is the SIP UDP socket's kernel buffer size asked for.
const sipSocketBuffer = 4 << 20

// Serve runs the gateway on the given bound sockets (either may be nil)
// until ctx ends; then it hangs up every call and returns.

func (g *Gateway) Serve(ctx context.Context, udp net.PacketConn, tcp net.Listener) error {
	if udp == nil && tcp == nil {
		return errors.New("gateway: no listener")
	}
	if u, ok := udp.(*net.UDPConn); ok {
		g.udpLocal = u.LocalAddr().(*net.UDPAddr)
		// One goroutine reads the SIP socket; a burst arriving while it
		// waits for the CPU must queue in the kernel, not be dropped (the
		// default 208 kB holds about 80 ms at 800 calls/s). The kernel
		// caps this at net.core.rmem_max.
		if err := u.SetReadBuffer(sipSocketBuffer); err != nil {
			g.log.Warn("sip socket receive buffer", "error", err)
		}
		if err := u.SetWriteBuffer(sipSocketBuffer); err != nil {
			g.log.Warn("sip socket send buffer", "error", err)
		}
	}
	var err error
	g.ua, err = sipgo.NewUA(sipgo.WithUserAgent("clearline"), sipgo.WithUserAgentHostname(g.cfg.Host))
	if err != nil {
		return fmt.Errorf("gateway: user agent: %w", err)
	}
	defer g.ua.Close()
	g.srv, err = sipgo.NewServer(g.ua, sipgo.WithServerLogger(g.log.With("layer", "sip")))
	if err != nil {
		return fmt.Errorf("gateway: server: %w", err)
	}
	port := 5060
	if udp != nil {
		port = udp.LocalAddr().(*net.UDPAddr).Port
	} else {
		port = tcp.Addr().(*net.TCPAddr).Port
	}
	g.listenPort = port
	g.client, err = sipgo.NewClient(g.ua, sipgo.WithClientLogger(g.log.With("layer", "sip")),
		sipgo.WithClientHostname(g.cfg.Host), sipgo.WithClientPort(port))
	if err != nil {
		return fmt.Errorf("gateway: client: %w", err)
	}
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "clearline", Host: g.cfg.Host, Port: port}}
	g.uasDialogs = sipgo.NewDialogServerCache(g.client, contact)
	g.uacDialogs = sipgo.NewDialogClientCache(g.client, contact)

	g.srv.OnInvite(g.onInvite)
	g.srv.OnAck(g.onAck)
	g.srv.OnBye(g.onBye)
	g.srv.OnCancel(func(req *sip.Request, tx sip.ServerTransaction) {
		// A CANCEL matching a pending INVITE is answered by the transaction
		// layer; one that matches nothing gets 481.
		respond(tx, req, 481, "Call/Transaction Does Not Exist")
	})
	g.srv.OnRegister(g.reg.handleRegister)
	g.srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER"))
		_ = tx.Respond(res)
	})
	g.srv.OnNoRoute(func(req *sip.Request, tx sip.ServerTransaction) {
		g.log.Info("method not allowed", "method", req.Method, "source", req.Source())
		res := sip.NewResponseFromRequest(req, 405, "Method Not Allowed", nil)
		res.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER"))
		_ = tx.Respond(res)
	})

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	if udp != nil {
		go func() { errc <- g.srv.ServeUDP(udp) }()
	}
	if tcp != nil {
		go func() { errc <- g.srv.ServeTCP(tcp) }()
	}
	go g.reg.expireLoop(ctx)
	if g.cfg.Trunk.Register {
		go g.registerLoop(ctx)
	}
	g.log.Info("gateway listening", "udp", addrString(udp), "tcp", listenerString(tcp),
		"media", fmt.Sprintf("%s:%d-%d", g.cfg.MediaIP, g.cfg.MediaPortMin, g.cfg.MediaPortMax))

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	g.hangupAll()
	g.wg.Wait()
	if udp != nil {
		udp.Close()
	}
	if tcp != nil {
		tcp.Close()
	}
	if serveErr != nil && ctx.Err() == nil {
		return fmt.Errorf("gateway: serve: %w", serveErr)
	}
	return nil
}

// sipgo keeps its transaction timers in package variables, so the linger
// is set once per process, when the first gateway is built.
var lingerOnce sync.Once

// setTransactionLinger sets how long sipgo keeps a finished transaction
// to answer retransmissions of its request: Timer J (a non-INVITE server
// transaction, e.g. BYE), L (an INVITE server transaction after its 2xx),
// M (an INVITE client transaction after its 2xx) and D (after a final
// error). RFC 3261 and 6026 give 64×T1, 32 s, over UDP; every finished
// call then holds its messages, dialogs and call state for 32 s, over a
// gigabyte at 2000 calls a second, and the collector has to mark it all.
// Kamailio's tm keeps finished transactions 5 s (wt_timer). Retransmissions
// stop long before either: a request is retransmitted only while no
// response arrives, and a lost 2xx or ACK is retransmitted within a few
// seconds. A later second would be answered as new (a BYE with 481).
// Zero keeps sipgo's own.
func setTransactionLinger(d time.Duration, log *slog.Logger) {
	if d <= 0 {
		return
	}
	set := false
	lingerOnce.Do(func() {
		sip.Timer_J, sip.Timer_L, sip.Timer_M, sip.Timer_D = d, d, d, d
		set = true
	})
	if !set && sip.Timer_L != d {
		log.Warn("sip transaction linger is set once per process; keeping the first", "kept", sip.Timer_L, "asked", d)
	}
}

func (g *Gateway) emit(callID, what, detail string) {
	if g.events != nil {
		g.events(Event{At: g.now(), CallID: callID, What: what, Detail: detail})
	}
}

func (g *Gateway) hangupAll() {
	g.mu.Lock()
	calls := make([]*Call, 0, len(g.active))
	for _, c := range g.active {
		calls = append(calls, c)
	}
	g.mu.Unlock()
	for _, c := range calls {
		c.end("clearline", "shutdown")
	}
}

// ActiveCalls returns the number of calls in progress.
func (g *Gateway) ActiveCalls() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.active)
}

// Registered reports whether any phone of the line is registered.
func (g *Gateway) Registered(lineID string) bool { return len(g.reg.lookup(lineID)) > 0 }

// isTrunkSource reports whether a request's source address is one of the
// provider's allowed sources.
func (g *Gateway) isTrunkSource(src string) bool {
	ap, err := netip.ParseAddrPort(src)
	if err != nil {
		return false
	}
	return trunkPortOK(g.cfg.Trunk.AllowedSources, ap)
}

// parseSource turns "ip", "ip:port" or "cidr" into a prefix (the port, if
// any, is checked separately by trunkPortOK).
func parseSource(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return netip.PrefixFrom(ap.Addr(), ap.Addr().BitLen()), nil
	}
	return netip.Prefix{}, fmt.Errorf("%q is not an IP address, ip:port or CIDR prefix", s)
}

// trunkPortOK applies the port part of "ip:port" sources: a source address
// matches when some allowed entry covers it and, if that entry names a port,
// the port is equal.
func trunkPortOK(allowed []string, src netip.AddrPort) bool {
	for _, s := range allowed {
		s = strings.TrimSpace(s)
		if ap, err := netip.ParseAddrPort(s); err == nil {
			if ap.Addr().Unmap() == src.Addr().Unmap() && ap.Port() == src.Port() {
				return true
			}
			continue
		}
		if p, err := parseSource(s); err == nil && p.Contains(src.Addr().Unmap()) {
			return true
		}
	}
	return false
}

// numberKey normalises a dialled or presented number for comparisons:
// digits and a leading '+' only.
func numberKey(n string) string {
	var b strings.Builder
	for i, r := range n {
		if r >= '0' && r <= '9' || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (g *Gateway) isEmergency(number string) bool {
	k := numberKey(number)
	for _, e := range g.cfg.Emergency {
		if k == numberKey(e) {
			return true
		}
	}
	return false
}

func addrString(c net.PacketConn) string {
	if c == nil {
		return ""
	}
	return c.LocalAddr().String()
}

func listenerString(l net.Listener) string {
	if l == nil {
		return ""
	}
	return l.Addr().String()
}

// allowAll is the default when no screening is configured.
type allowAll struct{}

func (allowAll) ScreenInbound(context.Context, *Call) Screening {
	return Screening{Action: "allow", Reasons: []string{"no screening configured"}}
}
func (allowAll) CallConnected(context.Context, *Call) {}
