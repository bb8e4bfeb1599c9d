// Package g711 converts between 16-bit linear PCM and ITU-T G.711 µ-law
// (PCMU, RTP payload type 0) and A-law (PCMA, payload type 8).
//
// Every conversion is a table lookup: decoding uses 256-entry tables,
// encoding indexes a table by the top bits of the sample (µ-law depends on
// the top 14 bits, A-law on the top 12), and µ-law<->A-law transcoding is a
// 256-entry byte map, so no sample ever goes through branches or shifts in
// the hot path. The tables are computed once when the package is loaded
// from the ITU-T G.191 reference algorithms (the same ones
// github.com/zaf/g711 implements; the tests check every input against it)
// and are never written afterwards.
//
// The package owns only the sample arithmetic; it never allocates, logs or
// touches the network.
package g711

// Silence bytes: the code of linear zero in each law.
const (
	ULawSilence byte = 0xFF
	ALawSilence byte = 0xD5
)

// Lookup tables (read-only after package initialisation).
var (
	ulawDecode = buildULawDecode()
	alawDecode = buildALawDecode()
	ulawEncode = buildULawEncode()
	alawEncode = buildALawEncode()
	ulawToALaw = buildULawToALaw()
	alawToULaw = buildALawToULaw()
)

// DecodeULaw decodes µ-law bytes from src into dst and returns the number
// of samples written (the shorter of the two lengths).
func DecodeULaw(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, b := range src {
		dst[i] = ulawDecode[b]
	}
	return n
}

// DecodeALaw decodes A-law bytes from src into dst and returns the number
// of samples written (the shorter of the two lengths).
func DecodeALaw(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, b := range src {
		dst[i] = alawDecode[b]
	}
	return n
}

// EncodeULaw encodes linear samples from src as µ-law into dst and returns
// the number of bytes written (the shorter of the two lengths).
func EncodeULaw(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, s := range src {
		dst[i] = ulawEncode[uint16(s)>>2]
	}
	return n
}

// EncodeALaw encodes linear samples from src as A-law into dst and returns
// the number of bytes written (the shorter of the two lengths).
func EncodeALaw(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, s := range src {
		dst[i] = alawEncode[uint16(s)>>4]
	}
	return n
}

// ULawToALaw transcodes µ-law bytes to A-law (dst may be src) and returns
// the number of bytes written.
func ULawToALaw(dst, src []byte) int { return mapBytes(dst, src, &ulawToALaw) }

// ALawToULaw transcodes A-law bytes to µ-law (dst may be src) and returns
// the number of bytes written.
func ALawToULaw(dst, src []byte) int { return mapBytes(dst, src, &alawToULaw) }

func mapBytes(dst, src []byte, t *[256]byte) int {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, b := range src {
		dst[i] = t[b]
	}
	return n
}

// DecodeULawSample decodes one µ-law byte.
func DecodeULawSample(b byte) int16 { return ulawDecode[b] }

// DecodeALawSample decodes one A-law byte.
func DecodeALawSample(b byte) int16 { return alawDecode[b] }

// EncodeULawSample encodes one linear sample as µ-law.
func EncodeULawSample(s int16) byte { return ulawEncode[uint16(s)>>2] }

// EncodeALawSample encodes one linear sample as A-law.
func EncodeALawSample(s int16) byte { return alawEncode[uint16(s)>>4] }
