package testpeer

import (
	"fmt"
	"net"
)

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free when it was chosen.
// The kernel picks it from the ephemeral range, so parallel test packages get
// different ports; there is an unavoidable small window in which another
// process could take it before the caller binds it.
func FreeUDPPort() (int, error) {
	return freePortGroup(portNeed{udp: true})
}

// FreeTCPPort returns a TCP port on 127.0.0.1 that was free when it was chosen.
func FreeTCPPort() (int, error) {
	return freePortGroup(portNeed{tcp: true})
}

// portNeed says which protocols must be free at base+offset.
type portNeed struct {
	offset   int
	udp, tcp bool
}

// freePortGroup returns a base port such that every need (a protocol at
// base+offset) could be bound at the same moment. The base is asked from the
// kernel for the protocol of the first need.
func freePortGroup(needs ...portNeed) (int, error) {
	network := "udp"
	if !needs[0].udp {
		network = "tcp"
	}
	for attempt := 0; attempt < 50; attempt++ {
		base, err := kernelPort(network)
		if err != nil {
			return 0, err
		}
		if base+maxOffset(needs) > 65535 {
			continue
		}
		if holdAll(base, needs) {
			return base, nil
		}
	}
	return 0, fmt.Errorf("testpeer: no free port group %+v found after 50 attempts", needs)
}

func maxOffset(needs []portNeed) int {
	m := 0
	for _, n := range needs {
		m = max(m, n.offset)
	}
	return m
}

// kernelPort asks the kernel for a free ephemeral port on 127.0.0.1.
func kernelPort(network string) (int, error) {
	switch network {
	case "udp":
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("testpeer: pick free udp port: %w", err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port, nil
	case "tcp":
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("testpeer: pick free tcp port: %w", err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port, nil
	}
	return 0, fmt.Errorf("testpeer: unknown network %q", network)
}

// holdAll reports whether every need can be bound at once (then releases them).
func holdAll(base int, needs []portNeed) bool {
	var closers []func() error
	defer func() {
		for _, c := range closers {
			_ = c()
		}
	}()
	for _, n := range needs {
		addr := fmt.Sprintf("127.0.0.1:%d", base+n.offset)
		if n.udp {
			c, err := net.ListenPacket("udp4", addr)
			if err != nil {
				return false
			}
			closers = append(closers, c.Close)
		}
		if n.tcp {
			l, err := net.Listen("tcp4", addr)
			if err != nil {
				return false
			}
			closers = append(closers, l.Close)
		}
	}
	return true
}
