package testpeer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"
)

// udpRecord is one UDP datagram of a pcap file.
type udpRecord struct {
	Time     time.Time
	Src, Dst netip.AddrPort
	Payload  []byte
}

// pcap link types handled by readPCAP.
const (
	linkNull     = 0   // BSD loopback
	linkEthernet = 1   // what tcpdump -i lo writes on Linux
	linkRaw      = 101 // raw IP
	linkSLL      = 113 // Linux cooked (-i any)
	linkSLL2     = 276 // Linux cooked v2
)

// writePCAP writes IPv4 UDP datagrams as a microsecond pcap with Ethernet
// framing, which SIPp's play_pcap_audio reads.
func writePCAP(path string, recs []udpRecord) error {
	var buf bytes.Buffer
	le := binary.LittleEndian
	for _, v := range []any{uint32(0xa1b2c3d4), uint16(2), uint16(4), int32(0), uint32(0), uint32(65535), uint32(linkEthernet)} {
		_ = binary.Write(&buf, le, v)
	}
	for _, r := range recs {
		if !r.Src.Addr().Is4() || !r.Dst.Addr().Is4() {
			return errors.New("testpeer: pcap writer handles IPv4 only")
		}
		frame := ethernetIPv4UDP(r)
		us := r.Time.UnixMicro()
		for _, v := range []uint32{uint32(us / 1e6), uint32(us % 1e6), uint32(len(frame)), uint32(len(frame))} {
			_ = binary.Write(&buf, le, v)
		}
		buf.Write(frame)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("testpeer: write pcap: %w", err)
	}
	return nil
}

// ethernetIPv4UDP frames r with Ethernet, IPv4 and UDP headers (checksums set).
func ethernetIPv4UDP(r udpRecord) []byte {
	be := binary.BigEndian
	udpLen := 8 + len(r.Payload)
	ipLen := 20 + udpLen
	f := make([]byte, 14+ipLen)
	be.PutUint16(f[12:], 0x0800) // IPv4; MAC addresses stay zero
	ip := f[14:]
	ip[0] = 0x45
	be.PutUint16(ip[2:], uint16(ipLen))
	ip[8] = 64 // TTL
	ip[9] = 17 // UDP
	src, dst := r.Src.Addr().As4(), r.Dst.Addr().As4()
	copy(ip[12:16], src[:])
	copy(ip[16:20], dst[:])
	be.PutUint16(ip[10:], ^onesSum(ip[:20], 0))
	udp := ip[20:]
	be.PutUint16(udp[0:], r.Src.Port())
	be.PutUint16(udp[2:], r.Dst.Port())
	be.PutUint16(udp[4:], uint16(udpLen))
	copy(udp[8:], r.Payload)
	pseudo := make([]byte, 12)
	copy(pseudo[0:4], src[:])
	copy(pseudo[4:8], dst[:])
	pseudo[9] = 17
	be.PutUint16(pseudo[10:], uint16(udpLen))
	sum := ^onesSum(udp, onesSum(pseudo, 0))
	if sum == 0 {
		sum = 0xffff
	}
	be.PutUint16(udp[6:], sum)
	return f
}

// onesSum adds b to the 16-bit one's complement sum init.
func onesSum(b []byte, init uint16) uint16 {
	sum := uint32(init)
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return uint16(sum)
}

// readPCAP returns the IPv4 UDP datagrams of a pcap file (micro- or
// nanosecond, either byte order); other packets are skipped.
func readPCAP(path string) ([]udpRecord, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("testpeer: read pcap: %w", err)
	}
	if len(b) < 24 {
		return nil, nil // tcpdump stopped before writing its header
	}
	var order binary.ByteOrder
	nano := false
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4:
		order = binary.LittleEndian
	case 0xa1b23c4d:
		order, nano = binary.LittleEndian, true
	case 0xd4c3b2a1:
		order = binary.BigEndian
	case 0x4d3cb2a1:
		order, nano = binary.BigEndian, true
	default:
		return nil, fmt.Errorf("testpeer: %s is not a pcap file", path)
	}
	link := order.Uint32(b[20:]) & 0x0fffffff
	var out []udpRecord
	for off := 24; off+16 <= len(b); {
		sec, frac := order.Uint32(b[off:]), order.Uint32(b[off+4:])
		incl := int(order.Uint32(b[off+8:]))
		off += 16
		if incl < 0 || off+incl > len(b) {
			break // truncated last record
		}
		data := b[off : off+incl]
		off += incl
		ns := int64(frac) * 1000
		if nano {
			ns = int64(frac)
		}
		if rec, ok := decodeUDP(link, data); ok {
			rec.Time = time.Unix(int64(sec), ns)
			out = append(out, rec)
		}
	}
	return out, nil
}

// decodeUDP extracts an IPv4 UDP datagram from a link-layer frame.
func decodeUDP(link uint32, f []byte) (udpRecord, bool) {
	be := binary.BigEndian
	var ip []byte
	switch link {
	case linkEthernet:
		if len(f) < 14 {
			return udpRecord{}, false
		}
		et, off := be.Uint16(f[12:]), 14
		if et == 0x8100 && len(f) >= 18 { // VLAN tag
			et, off = be.Uint16(f[16:]), 18
		}
		if et != 0x0800 {
			return udpRecord{}, false
		}
		ip = f[off:]
	case linkSLL:
		if len(f) < 16 || be.Uint16(f[14:]) != 0x0800 {
			return udpRecord{}, false
		}
		ip = f[16:]
	case linkSLL2:
		if len(f) < 20 || be.Uint16(f[0:]) != 0x0800 {
			return udpRecord{}, false
		}
		ip = f[20:]
	case linkNull:
		if len(f) < 4 {
			return udpRecord{}, false
		}
		ip = f[4:]
	case linkRaw:
		ip = f
	default:
		return udpRecord{}, false
	}
	if len(ip) < 20 || ip[0]>>4 != 4 || ip[9] != 17 {
		return udpRecord{}, false
	}
	ihl := int(ip[0]&0x0f) * 4
	total := int(be.Uint16(ip[2:]))
	if total > len(ip) || ihl+8 > total {
		return udpRecord{}, false
	}
	udp := ip[ihl:total]
	src := netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[12:16])), be.Uint16(udp[0:]))
	dst := netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[16:20])), be.Uint16(udp[2:]))
	ulen := int(be.Uint16(udp[4:]))
	if ulen < 8 || ulen > len(udp) {
		ulen = len(udp)
	}
	return udpRecord{Src: src, Dst: dst, Payload: append([]byte(nil), udp[8:ulen]...)}, true
}
