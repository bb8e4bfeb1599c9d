//go:build linux

package media

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
)

// rtcpSocket holds a leg's RTCP port. clearline binds it only so that a
// far end's RTCP draws no ICMP port-unreachable errors, and never reads
// it. On Linux it is a bare socket that Go's netpoller never sees: socket
// and bind to open it, close to free it. net.ListenUDP would add a
// setsockopt, a getsockname and two epoll_ctl calls (and a dozen
// allocations) to every leg, and legs are opened at the call rate.
type rtcpSocket struct{ fd int }

// bindRTCP binds a UDP socket on ip:port.
func bindRTCP(ip netip.Addr, port int) (rtcpSocket, error) {
	family, sa, err := sockaddrOf(ip, port)
	if err != nil {
		return rtcpSocket{}, fmt.Errorf("bind rtcp: %w", err)
	}
	// Non-blocking like every socket Go makes, though nothing reads it;
	// close-on-exec so that no child process inherits the port.
	fd, err := syscall.Socket(family, syscall.SOCK_DGRAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, syscall.IPPROTO_UDP)
	if err != nil {
		return rtcpSocket{}, fmt.Errorf("bind rtcp: %w", os.NewSyscallError("socket", err))
	}
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		return rtcpSocket{}, fmt.Errorf("bind rtcp %s: %w", netip.AddrPortFrom(ip, uint16(port)), os.NewSyscallError("bind", err))
	}
	return rtcpSocket{fd: fd}, nil
}

// close frees the port. It is called once, from Leg.Close.
func (s rtcpSocket) close() error {
	if err := syscall.Close(s.fd); err != nil {
		return fmt.Errorf("close rtcp: %w", os.NewSyscallError("close", err))
	}
	return nil
}

// sockaddrOf is ip:port as the kernel takes it. A zone (an IPv6 link-local
// address) is an interface name or index, as in net.ListenUDP.
func sockaddrOf(ip netip.Addr, port int) (family int, sa syscall.Sockaddr, err error) {
	if ip.Is4() {
		return syscall.AF_INET, &syscall.SockaddrInet4{Port: port, Addr: ip.As4()}, nil
	}
	sa6 := &syscall.SockaddrInet6{Port: port, Addr: ip.As16()}
	if zone := ip.Zone(); zone != "" {
		if ifi, err := net.InterfaceByName(zone); err == nil {
			sa6.ZoneId = uint32(ifi.Index)
		} else if n, nerr := strconv.ParseUint(zone, 10, 32); nerr == nil {
			sa6.ZoneId = uint32(n)
		} else {
			return 0, nil, fmt.Errorf("zone of %s: %w", ip, errors.Join(err, nerr))
		}
	}
	return syscall.AF_INET6, sa6, nil
}
