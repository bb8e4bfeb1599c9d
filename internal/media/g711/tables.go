package g711

import "math/bits"

// The reference algorithms below run only while the tables are built.

// encodeULawRef is the ITU-T G.191 µ-law compressor on a 16-bit sample: the
// magnitude (one's complement for negative samples) is cut to 14 bits,
// biased by 33, clipped, and split into a 3-bit segment and 4-bit step.
func encodeULawRef(s int16) byte {
	sign := ((^s) >> 8) & 0x80 // 0x80 for s >= 0
	if sign == 0 {
		s = ^s
	}
	v := (s >> 2) + 33
	if v > 0x1FFF {
		v = 0x1FFF
	}
	seg := int16(16 - bits.LeadingZeros16(uint16(v>>5)))
	low := 0x0F - ((v >> seg) & 0x0F)
	return byte(sign | (8-seg)<<4 | low)
}

// decodeULawRef expands a µ-law byte to a 16-bit sample.
func decodeULawRef(u byte) int16 {
	u = ^u
	t := (int32(u&0x0F) << 3) + 0x84
	t <<= (u & 0x70) >> 4
	if u&0x80 != 0 {
		return int16(0x84 - t)
	}
	return int16(t - 0x84)
}

// encodeALawRef is the ITU-T G.191 A-law compressor on a 16-bit sample
// (12 significant magnitude bits, even bits inverted with 0x55).
func encodeALawRef(s int16) byte {
	sign := ((^s) >> 8) & 0x80
	if sign == 0 {
		s = ^s
	}
	c := s >> 4
	if c > 15 {
		seg := int16(12 - bits.LeadingZeros16(uint16(c)))
		c >>= seg - 1
		c -= 16
		c += seg << 4
	}
	return byte((sign | c) ^ 0x55)
}

// decodeALawRef expands an A-law byte to a 16-bit sample.
func decodeALawRef(a byte) int16 {
	a ^= 0x55
	t := int32(a&0x0F) << 4
	switch seg := (a & 0x70) >> 4; seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

func buildULawDecode() (t [256]int16) {
	for i := range t {
		t[i] = decodeULawRef(byte(i))
	}
	return t
}

func buildALawDecode() (t [256]int16) {
	for i := range t {
		t[i] = decodeALawRef(byte(i))
	}
	return t
}

// buildULawEncode indexes by uint16(sample)>>2: µ-law depends only on the
// top 14 bits of the sample.
func buildULawEncode() (t [1 << 14]byte) {
	for i := range t {
		t[i] = encodeULawRef(int16(uint16(i) << 2))
	}
	return t
}

// buildALawEncode indexes by uint16(sample)>>4: A-law depends only on the
// top 12 bits of the sample.
func buildALawEncode() (t [1 << 12]byte) {
	for i := range t {
		t[i] = encodeALawRef(int16(uint16(i) << 4))
	}
	return t
}

// The transcoding maps re-encode the decoded value: the nearest code of the
// other law, which is what decoding and encoding in two steps would give.
func buildULawToALaw() (t [256]byte) {
	for i := range t {
		t[i] = encodeALawRef(decodeULawRef(byte(i)))
	}
	return t
}

func buildALawToULaw() (t [256]byte) {
	for i := range t {
		t[i] = encodeULawRef(decodeALawRef(byte(i)))
	}
	return t
}
