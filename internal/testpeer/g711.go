package testpeer

// G.711 (ITU-T G.711) µ-law and A-law, enough for test media: encoding speech
// and tones for SIPp and decoding the RTP a peer received.

const (
	mulawBias = 0x84
	mulawClip = 32635
)

// MulawEncode encodes one 16-bit linear sample as G.711 µ-law (PCMU).
func MulawEncode(s int16) byte {
	v := int(s)
	sign := 0
	if v < 0 {
		v = -v
		sign = 0x80
	}
	if v > mulawClip {
		v = mulawClip
	}
	v += mulawBias
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0f
	return ^byte(sign | exp<<4 | mant)
}

// MulawDecode decodes one G.711 µ-law (PCMU) byte to a 16-bit linear sample.
func MulawDecode(u byte) int16 {
	u = ^u
	sign := u & 0x80
	exp := int(u>>4) & 0x07
	mant := int(u & 0x0f)
	v := ((mant << 3) + mulawBias) << exp
	v -= mulawBias
	if sign != 0 {
		return int16(-v)
	}
	return int16(v)
}

// AlawEncode encodes one 16-bit linear sample as G.711 A-law (PCMA).
func AlawEncode(s int16) byte {
	v := int(s)
	mask := 0xd5
	if v < 0 {
		mask = 0x55
		v = -v - 1
	}
	v >>= 3 // 13-bit magnitude
	var out int
	if v < 32 {
		out = v >> 1
	} else {
		seg := 1
		for t := v >> 6; t > 0 && seg < 7; t >>= 1 {
			seg++
		}
		out = seg<<4 | (v>>seg)&0x0f
	}
	return byte(out ^ mask)
}

// AlawDecode decodes one G.711 A-law (PCMA) byte to a 16-bit linear sample.
func AlawDecode(a byte) int16 {
	a ^= 0x55
	seg := int(a&0x70) >> 4
	v := int(a&0x0f)<<4 + 8
	if seg != 0 {
		v = (v + 0x100) << (seg - 1)
	}
	if a&0x80 != 0 {
		return int16(v)
	}
	return int16(-v)
}

// EncodePCMU encodes linear samples as µ-law bytes.
func EncodePCMU(pcm []int16) []byte {
	out := make([]byte, len(pcm))
	for i, s := range pcm {
		out[i] = MulawEncode(s)
	}
	return out
}

// DecodePCMU decodes µ-law bytes to linear samples.
func DecodePCMU(b []byte) []int16 {
	out := make([]int16, len(b))
	for i, u := range b {
		out[i] = MulawDecode(u)
	}
	return out
}

// EncodePCMA encodes linear samples as A-law bytes.
func EncodePCMA(pcm []int16) []byte {
	out := make([]byte, len(pcm))
	for i, s := range pcm {
		out[i] = AlawEncode(s)
	}
	return out
}

// DecodePCMA decodes A-law bytes to linear samples.
func DecodePCMA(b []byte) []int16 {
	out := make([]int16, len(b))
	for i, a := range b {
		out[i] = AlawDecode(a)
	}
	return out
}
