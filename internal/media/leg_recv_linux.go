//go:build linux

package media

import (
	"net"
	"syscall"
)

// awaitDatagram returns when a datagram is waiting on conn, without reading
// it, or with an error when conn is closed. It lets a leg's reader put off
// making its receive buffer until the first packet: many calls end before
// any media, and the buffer is the biggest thing a leg would allocate.
//
// It costs what a first read would: one recvfrom that fails with EAGAIN
// before the goroutine parks in the netpoller. The error, net's *OpError
// naming the operation and socket, is returned as it is: the reader only
// tests it, and most legs end here, so formatting it into a wrapper would
// be paid per call.
func awaitDatagram(conn *net.UDPConn) error {
	rc, err := conn.SyscallConn()
	if err != nil {
		return err
	}
	return rc.Read(peekDatagram)
}

// peekDatagram reports whether the socket is worth reading: a zero-length
// peek fails with EAGAIN only while the queue is empty. Any other outcome
// (a datagram, an error the real read will report) ends the wait. Every
// argument is a number, so the call needs no buffer and allocates nothing.
func peekDatagram(fd uintptr) bool {
	_, _, errno := syscall.Syscall6(syscall.SYS_RECVFROM, fd, 0, 0, syscall.MSG_PEEK|syscall.MSG_DONTWAIT, 0, 0)
	return errno != syscall.EAGAIN
}
