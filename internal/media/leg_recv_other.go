//go:build !linux

package media

import "net"

// awaitDatagram returns at once outside Linux: the reader makes its buffer
// before its first read (see leg_recv_linux.go for the waiting version).
func awaitDatagram(*net.UDPConn) error { return nil }
