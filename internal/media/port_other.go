//go:build !linux

package media

import (
	"fmt"
	"net"
	"net/netip"
)

// rtcpSocket holds a leg's RTCP port, bound so that a far end's RTCP draws
// no ICMP port-unreachable errors and never read. Outside Linux it is a
// plain net.UDPConn (see port_linux.go for why Linux does without one).
type rtcpSocket struct{ conn *net.UDPConn }

// bindRTCP binds a UDP socket on ip:port.
func bindRTCP(ip netip.Addr, port int) (rtcpSocket, error) {
	c, err := net.ListenUDP(udpNetwork(ip), net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
	if err != nil {
		return rtcpSocket{}, fmt.Errorf("bind rtcp: %w", err)
	}
	return rtcpSocket{conn: c}, nil
}

// close frees the port. It is called once, from Leg.Close.
func (s rtcpSocket) close() error {
	if err := s.conn.Close(); err != nil {
		return fmt.Errorf("close rtcp: %w", err)
	}
	return nil
}
