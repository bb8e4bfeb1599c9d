package numplan

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Parser reads telephone numbers as people and networks write them and
// classifies them against the numbering plan. It is safe for concurrent use.
//
// Parsing follows github.com/nyaruka/phonenumbers exactly. Common forms
// (digits with an optional "+", the international prefix "00" or the trunk
// prefix "0", separated by spaces, dashes or dots) take a hand-written fast
// path that gives the same result without the library's regular
// expressions; anything else ("+44 (0)20…", letters, "tel:" URIs, unusual
// digits) goes to the library. The fuzz test FuzzParseAgreesWithLibrary
// holds the two to the same answers.
type Parser struct {
	region string
	cc     int
	ccStr  string
	meta   *phonenumbers.PhoneMetadata

	// iddPlain is the home region's international prefix when it is a plain
	// digit string ("00"); otherwise idd matches its pattern.
	iddPlain string
	idd      *dfa
	// trunk is the home trunk prefix ("0") when numbers written with it can
	// take the fast path, otherwise "".
	trunk string
	// npfp says whether the home region's national-prefix-for-parsing
	// pattern can match a prefix of a national number (nil: it has none).
	npfp *dfa
	// possible and local are the home region's possible number lengths.
	possible, local []int32
	// codes is callingCodes(), kept at hand for the fast path.
	codes *[1000]bool

	ccs [1000]ccSlot
}

type ccSlot struct {
	once sync.Once
	t    *ccTable
}

// New returns a Parser for numbers written as dialled in region (an ISO
// 3166 code such as "GB").
func New(region string) (*Parser, error) {
	region = strings.ToUpper(strings.TrimSpace(region))
	cc := phonenumbers.GetCountryCodeForRegion(region)
	if cc == 0 {
		return nil, fmt.Errorf("numplan: unknown region %q", region)
	}
	idx, err := metadataIndex()
	if err != nil {
		return nil, fmt.Errorf("numplan: %w", err)
	}
	meta := idx.byRegion[region]
	if meta == nil {
		return nil, fmt.Errorf("numplan: no metadata for region %q", region)
	}
	p := &Parser{region: region, cc: cc, ccStr: fmt.Sprint(cc), meta: meta, codes: callingCodes()}
	gen := meta.GetGeneralDesc()
	p.possible, p.local = gen.PossibleLength, gen.PossibleLengthLocalOnly
	if len(p.possible) == 0 {
		return p, nil // no length data: the library handles everything
	}
	if ip := meta.GetInternationalPrefix(); ip != "" {
		if isDigits(ip) {
			p.iddPlain = ip
		} else if p.idd, err = prefixDFA(ip); err != nil {
			return nil, fmt.Errorf("numplan: region %s: %w", region, err)
		}
	}
	if np := meta.GetNationalPrefixForParsing(); np != "" {
		if p.npfp, err = prefixDFA(np); err != nil {
			return nil, fmt.Errorf("numplan: region %s: %w", region, err)
		}
		p.trunk = fastTrunk(meta)
	}
	return p, nil
}

// Region returns the home region the parser reads national numbers for.
func (p *Parser) Region() string { return p.region }

// CountryCode returns the home region's country calling code.
func (p *Parser) CountryCode() int { return p.cc }

// fastTrunk returns the trunk prefix when the fast path can strip it exactly
// as the library does: it is plain digits; the prefix-for-parsing pattern is
// that prefix or begins with it as its first alternative (so the library's
// leftmost-first match removes exactly it); there is no transform rule; and
// no valid national number begins with it (so the library never keeps it).
func fastTrunk(meta *phonenumbers.PhoneMetadata) string {
	np, npfp := meta.GetNationalPrefix(), meta.GetNationalPrefixForParsing()
	if np == "" || !isDigits(np) || meta.GetNationalPrefixTransformRule() != "" {
		return ""
	}
	if npfp != np && !strings.HasPrefix(npfp, np+"|") {
		return ""
	}
	gen, err := compileTrack(meta.GetGeneralDesc().GetNationalNumberPattern(), false)
	if err != nil {
		return ""
	}
	s := gen.start()
	for _, c := range np {
		s = gen.step(s, c)
	}
	if len(s.pcs) > 0 {
		return ""
	}
	return np
}

func prefixDFA(pattern string) (*dfa, error) {
	t, err := compileTrack(pattern, true)
	if err != nil {
		return nil, err
	}
	return buildDFA([]*track{t}, []bool{true}, maxNSN+4, 1<<12, func(_ int, ends []bool) uint16 {
		if ends[0] {
			return 1
		}
		return 0
	})
}

// mayMatch reports whether the prefix pattern d matches some prefix of digits.
func mayMatch(d *dfa, digits []byte) bool {
	if d == nil {
		return false
	}
	if len(digits) > maxNSN+4 {
		return true // beyond the table: assume the worst, use the library
	}
	r, _ := d.walk(digits)
	return r != 0
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Errors returned by Parse, wrapped with the input. Their text is plain
// English, fit to show a carer.
var (
	ErrNotNumber   = errors.New("not a telephone number")
	ErrCountryCode = errors.New("no such country calling code")
	ErrTooShort    = errors.New("too short to be a telephone number")
	ErrTooLong     = errors.New("too long to be a telephone number")
)

// Parse reads one telephone number written as dialled from the parser's
// region ("07700 900123", "+44 7700 900123", "00 44 7700 900123",
// "447700900123") and returns it in international form. It does not judge
// validity; see Classify. Errors wrap ErrNotNumber, ErrCountryCode,
// ErrTooShort or ErrTooLong.
func (p *Parser) Parse(s string) (Number, error) {
	if n, ok := p.fast(s); ok {
		return n, nil
	}
	return p.slow(s)
}

// fast handles the common forms without regular expressions. ok is false
// when the input needs the library.
func (p *Parser) fast(s string) (n Number, ok bool) {
	if len(p.possible) == 0 {
		return 0, false
	}
	var buf [maxDigits + 4]byte
	nd := 0
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	plus := i < len(s) && s[i] == '+'
	if plus {
		i++
	}
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			if nd == len(buf) {
				return 0, false
			}
			buf[nd] = c
			nd++
		case c == ' ' || c == '-' || c == '.':
		default:
			return 0, false
		}
	}
	d := buf[:nd]
	if len(d) < 3 {
		return 0, false
	}
	if plus {
		return p.international(d)
	}
	if p.iddPlain != "" {
		if strings.HasPrefix(string(d), p.iddPlain) {
			rest := d[len(p.iddPlain):]
			if len(rest) == 0 || rest[0] == '0' {
				return 0, false
			}
			return p.international(rest)
		}
	} else if p.idd != nil && mayMatch(p.idd, d) {
		return 0, false
	}
	// The library looks for the home country code before any trunk prefix.
	if strings.HasPrefix(string(d), p.ccStr) {
		// "447700900123": the library strips the home country code when the
		// whole is too long for a national number.
		if p.testLength(len(d)) != lengthTooLong {
			return 0, false
		}
		nsn := d[len(p.ccStr):]
		if mayMatch(p.npfp, nsn) {
			return 0, false
		}
		return join(p.cc, nsn)
	}
	if p.trunk != "" && strings.HasPrefix(string(d), p.trunk) {
		nsn := d[len(p.trunk):]
		switch p.testLength(len(nsn)) {
		case lengthPossible, lengthTooLong:
		default:
			return 0, false
		}
		return join(p.cc, nsn)
	}
	if d[0] == '0' {
		return 0, false // a trunk prefix the fast path does not know
	}
	if mayMatch(p.npfp, d) {
		return 0, false
	}
	return join(p.cc, d)
}

// international handles digits after "+" or the international prefix.
func (p *Parser) international(d []byte) (Number, bool) {
	if d[0] == '0' {
		return 0, false
	}
	cc := 0
	for i := 0; i < 3 && i < len(d); i++ {
		cc = cc*10 + int(d[i]-'0')
		if p.codes[cc] {
			nsn := d[i+1:]
			t := p.table(cc)
			if t.err != nil || mayMatch(t.npfp, nsn) {
				return 0, false
			}
			return join(cc, nsn)
		}
	}
	return 0, false
}

// join builds the Number for cc and nsn, refusing what the library would
// reject or a Number cannot hold.
func join(cc int, nsn []byte) (Number, bool) {
	if len(nsn) < 2 || len(nsn) > maxNSN {
		return 0, false
	}
	if ccLen(cc)+len(nsn) > maxDigits {
		return 0, false
	}
	v := uint64(cc)
	for _, c := range nsn {
		v = v*10 + uint64(c-'0')
	}
	return Number(v), true
}

func ccLen(cc int) int {
	switch {
	case cc < 10:
		return 1
	case cc < 100:
		return 2
	default:
		return 3
	}
}

type lengthResult int

const (
	lengthPossible lengthResult = iota
	lengthLocalOnly
	lengthTooShort
	lengthTooLong
	lengthInvalid
)

// testLength is the library's testNumberLength for the home region's
// general description.
func (p *Parser) testLength(n int) lengthResult {
	if p.possible[0] == -1 {
		return lengthInvalid
	}
	for _, l := range p.local {
		if int(l) == n {
			return lengthLocalOnly
		}
	}
	switch {
	case int(p.possible[0]) == n:
		return lengthPossible
	case int(p.possible[0]) > n:
		return lengthTooShort
	case int(p.possible[len(p.possible)-1]) < n:
		return lengthTooLong
	}
	for _, l := range p.possible[1:] {
		if int(l) == n {
			return lengthPossible
		}
	}
	return lengthInvalid
}

// slow parses with the library.
func (p *Parser) slow(s string) (Number, error) {
	var pn phonenumbers.PhoneNumber
	if err := phonenumbers.ParseToNumber(s, p.region, &pn); err != nil {
		switch {
		case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
			err = ErrCountryCode
		case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
			err = ErrTooShort
		case errors.Is(err, phonenumbers.ErrNumTooLong):
			err = ErrTooLong
		default:
			err = ErrNotNumber
		}
		return 0, fmt.Errorf("%q: %w", s, err)
	}
	nsn := phonenumbers.GetNationalSignificantNumber(&pn)
	cc := int(pn.GetCountryCode())
	if cc <= 0 || cc >= 1000 || !isDigits(nsn) {
		return 0, fmt.Errorf("%q: %w", s, ErrNotNumber)
	}
	n, ok := join(cc, []byte(nsn))
	if !ok {
		if len(nsn) < 2 {
			return 0, fmt.Errorf("%q: %w", s, ErrTooShort)
		}
		return 0, fmt.Errorf("%q: %w", s, ErrTooLong)
	}
	return n, nil
}
