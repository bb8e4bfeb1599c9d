package numplan

import (
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Number is a telephone number in international (E.164) form, held as the
// integer value of its digits: +44 7700 900123 is 447700900123. Country
// calling codes never begin with 0, so digits and value map one to one and
// numbers sort by their digits' value. The zero Number is "no number".
//
// A Number carries no validity: parse errors are reported by Parse, and
// (*Parser).Classify says whether the numbering plan allows it.
type Number uint64

// maxDigits is the most digits a Number can hold (uint64 holds every
// 19-digit value). Real numbers have at most 15 (ITU-T E.164).
const maxDigits = 19

// String returns the number as "+" followed by its digits, or "" for the
// zero Number.
func (n Number) String() string {
	if n == 0 {
		return ""
	}
	var buf [maxDigits + 2]byte
	return string(n.AppendE164(buf[:0]))
}

// AppendE164 appends the number's "+digits" form to b.
func (n Number) AppendE164(b []byte) []byte {
	if n == 0 {
		return b
	}
	b = append(b, '+')
	return strconv.AppendUint(b, uint64(n), 10)
}

// digits writes the number's digits into buf and returns them.
func (n Number) digits(buf *[20]byte) []byte {
	i := len(buf)
	v := uint64(n)
	for v > 0 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return buf[i:]
}

// split returns the country calling code and the national significant
// number's digits (within buf), or cc 0 when no known code starts n.
func (n Number) split(buf *[20]byte) (cc int, nsn []byte) {
	return splitDigits(n.digits(buf))
}

// splitDigits splits a number's digits d (country code first) into the
// country calling code and the national significant number, or cc 0 when
// no known code starts d.
func splitDigits(d []byte) (cc int, nsn []byte) {
	return splitDigitsIn(callingCodes(), d)
}

// splitDigitsIn is splitDigits with the calling codes at hand.
func splitDigitsIn(codes *[1000]bool, d []byte) (cc int, nsn []byte) {
	v := 0
	for i := 0; i < 3 && i < len(d); i++ {
		v = v*10 + int(d[i]-'0')
		if codes[v] {
			return v, d[i+1:]
		}
	}
	return 0, nil
}

// CountryCode returns the number's country calling code (44 for the UK),
// or 0 if its leading digits are no known code.
func (n Number) CountryCode() int {
	var buf [20]byte
	cc, _ := n.split(&buf)
	return cc
}

// National returns the national significant number: the digits after the
// country calling code, without any trunk prefix ("7700900123").
func (n Number) National() string {
	var buf [20]byte
	_, nsn := n.split(&buf)
	return string(nsn)
}

// callingCodes is the set of country calling codes the library knows,
// indexed by code. It is computed once and never changes.
var callingCodes = sync.OnceValue(func() *[1000]bool {
	var t [1000]bool
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		if cc > 0 && cc < 1000 {
			t[cc] = true
		}
	}
	return &t
})
