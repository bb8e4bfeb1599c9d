package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
)

// ErrNoPorts is returned by Allocator.Open when every port pair in the
// range is in use or cannot be bound.
var ErrNoPorts = errors.New("no free media port")

// Allocator hands out RTP ports from a range on one local IP. Each leg gets
// an even RTP port and the odd port above it for RTCP, which clearline binds
// (so a far end's RTCP never draws ICMP errors) but never reads. Ports are
// handed out round-robin over the whole range, so a port is not reused until
// every other free pair has been: a new call never inherits an old call's
// port while the old far end may still be sending to it.
type Allocator struct {
	ip    netip.Addr
	first int // first RTP port (even)
	pairs int // number of RTP/RTCP pairs in the range
	log   *slog.Logger
	// legLog is what new legs log with: shared, so opening a leg makes no
	// logger.
	legLog *lineLog

	mu    sync.Mutex
	free  []int        // free pair indices, least recently used first
	inUse map[int]bool // pair index -> open leg
}

// AllocatorOption configures an Allocator.
type AllocatorOption func(*Allocator)

// WithLogger sets the logger legs start with (they log dropped packets);
// Leg.SetLogger and NewRelay can refine it per call. The default discards.
func WithLogger(l *slog.Logger) AllocatorOption {
	return func(a *Allocator) {
		if l != nil {
			a.log = l
		}
	}
}

// NewAllocator returns an allocator of the even ports p in
// [minPort, maxPort] with p+1 <= maxPort, bound on ip.
func NewAllocator(ip netip.Addr, minPort, maxPort int, opts ...AllocatorOption) (*Allocator, error) {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsUnspecified() {
		return nil, fmt.Errorf("new allocator: media ip %q must be a specific address", ip)
	}
	first := minPort + minPort&1
	if minPort < 1 || maxPort > 65535 || first+1 > maxPort {
		return nil, fmt.Errorf("new allocator: port range %d-%d holds no even/odd port pair", minPort, maxPort)
	}
	a := &Allocator{
		ip:    ip,
		first: first,
		pairs: (maxPort - first + 1) / 2,
		log:   slog.New(slog.DiscardHandler),
		inUse: make(map[int]bool),
	}
	for _, o := range opts {
		o(a)
	}
	a.legLog = &lineLog{base: a.log}
	// A random rotation, so a restarted process does not start on the ports
	// it just used; from then on a released pair goes to the back.
	start := rand.IntN(a.pairs)
	a.free = make([]int, 0, a.pairs)
	for i := range a.pairs {
		a.free = append(a.free, (start+i)%a.pairs)
	}
	return a, nil
}

// IP is the address legs are bound on and advertise in SDP.
func (a *Allocator) IP() netip.Addr { return a.ip }

// Open binds the next free port pair and returns a leg on it. The leg's
// reader runs until Leg.Close. Pairs that cannot be bound (another program
// holds them) are skipped.
func (a *Allocator) Open(ctx context.Context) (*Leg, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for range len(a.free) {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("open leg: %w", err)
		}
		i := a.free[0]
		a.free = a.free[1:]
		local := netip.AddrPortFrom(a.ip, uint16(a.first+2*i))
		rtp, rtcp, err := a.bind(local)
		if err != nil {
			a.free = append(a.free, i) // held by another program: try it later
			continue
		}
		a.inUse[i] = true
		return newLeg(rtp, rtcp, local, a.legLog, a, i), nil
	}
	return nil, fmt.Errorf("open leg on %s: %w", a.ip, ErrNoPorts)
}

// InUse is the number of open legs.
func (a *Allocator) InUse() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.inUse)
}

// release returns a pair to the back of the free list: it is the last to
// be handed out again.
func (a *Allocator) release(i int) {
	a.mu.Lock()
	if a.inUse[i] {
		delete(a.inUse, i)
		a.free = append(a.free, i)
	}
	a.mu.Unlock()
}

// bind binds the RTP port local and the RTCP port above it. The RTP
// socket is read through Go's netpoller; the RTCP one only holds its port
// (see rtcpSocket).
func (a *Allocator) bind(local netip.AddrPort) (*net.UDPConn, rtcpSocket, error) {
	rtp, err := net.ListenUDP(udpNetwork(a.ip), net.UDPAddrFromAddrPort(local))
	if err != nil {
		return nil, rtcpSocket{}, fmt.Errorf("bind rtp: %w", err)
	}
	rtcp, err := bindRTCP(a.ip, int(local.Port())+1)
	if err != nil {
		rtp.Close()
		return nil, rtcpSocket{}, err
	}
	return rtp, rtcp, nil
}

// udpNetwork is the network net.ListenUDP binds ip on: "udp4" or "udp6".
func udpNetwork(ip netip.Addr) string {
	if ip.Is6() {
		return "udp6"
	}
	return "udp4"
}
