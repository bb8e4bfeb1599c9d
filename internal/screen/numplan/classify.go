package numplan

import (
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
	"google.golang.org/protobuf/proto"
)

// Kind is what the numbering plan says a number is. Invalid means the plan
// has no such number: it is not allocated, or has the wrong length.
type Kind uint8

// Kinds, in the library's order (phonenumbers.PhoneNumberType + 1).
const (
	Invalid Kind = iota
	FixedLine
	Mobile
	FixedLineOrMobile
	TollFree
	PremiumRate
	SharedCost
	VoIP
	PersonalNumber
	Pager
	UAN
	Voicemail
)

var kindNames = [...]string{
	Invalid:           "invalid number",
	FixedLine:         "landline",
	Mobile:            "mobile",
	FixedLineOrMobile: "landline or mobile",
	TollFree:          "freephone",
	PremiumRate:       "premium-rate",
	SharedCost:        "shared-cost",
	VoIP:              "internet telephony (VoIP)",
	PersonalNumber:    "personal number",
	Pager:             "pager",
	UAN:               "non-geographic (UAN)",
	Voicemail:         "voicemail access",
}

// String returns the kind in plain English ("mobile", "landline").
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

func kindOf(t phonenumbers.PhoneNumberType) Kind {
	if t >= phonenumbers.UNKNOWN || t < 0 {
		return Invalid
	}
	return Kind(t + 1)
}

// Class is the numbering plan's verdict on one number.
type Class struct {
	Kind   Kind
	Region string // ISO 3166 region ("GB", "JE"), "001" for global services; "" when invalid
}

// Valid reports whether the numbering plan allocates such a number.
func (c Class) Valid() bool { return c.Kind != Invalid }

// Classify says whether n is a valid number and of what kind, with exactly
// the answer of the library's IsValidNumber and GetNumberType. It walks a
// per-country automaton built from the library's metadata on first use of
// each country calling code (see dfa.go); a country whose automaton would be
// too large is answered by the library itself.
func (p *Parser) Classify(n Number) Class {
	var buf [20]byte
	cc, nsn := n.split(&buf)
	if cc == 0 || len(nsn) < 2 || len(nsn) > maxNSN {
		return Class{}
	}
	t := p.table(cc)
	if t.valid == nil {
		return libraryClass(cc, nsn)
	}
	r, ok := t.valid.walk(nsn)
	if !ok || r == 0 {
		return Class{}
	}
	return Class{Kind: Kind(r & 0xff), Region: t.regions[r>>8]}
}

// Valid reports whether the numbering plan allocates n: exactly
// Classify(n).Valid(), without looking up the region.
func (p *Parser) Valid(n Number) bool {
	var buf [20]byte
	return p.ValidDigits(n.digits(&buf))
}

// ValidDigits is Valid for the number whose digits (country code first,
// as AppendE164 writes them after the "+") are d, for a caller that has
// them at hand.
func (p *Parser) ValidDigits(d []byte) bool {
	cc, nsn := splitDigitsIn(p.codes, d)
	if cc == 0 || len(nsn) < 2 || len(nsn) > maxNSN {
		return false
	}
	t := p.table(cc)
	if t.valid == nil {
		return libraryClass(cc, nsn).Valid()
	}
	r, ok := t.valid.walk(nsn)
	return ok && Kind(r&0xff) != Invalid
}

// libraryClass asks the library directly.
func libraryClass(cc int, nsn []byte) Class {
	pn := libraryNumber(cc, nsn)
	k := kindOf(phonenumbers.GetNumberType(pn))
	if k == Invalid {
		return Class{}
	}
	return Class{Kind: k, Region: phonenumbers.GetRegionCodeForNumber(pn)}
}

// libraryNumber builds the library's representation of cc and nsn, with
// leading zeros recorded as the library's parser records them.
func libraryNumber(cc int, nsn []byte) *phonenumbers.PhoneNumber {
	v, _ := strconv.ParseUint(string(nsn), 10, 64)
	pn := &phonenumbers.PhoneNumber{CountryCode: proto.Int32(int32(cc)), NationalNumber: proto.Uint64(v)}
	if len(nsn) >= 2 && nsn[0] == '0' {
		pn.ItalianLeadingZero = proto.Bool(true)
		z := 1
		for z < len(nsn)-1 && nsn[z] == '0' {
			z++
		}
		if z != 1 {
			pn.NumberOfLeadingZeros = proto.Int32(int32(z))
		}
	}
	return pn
}

// ccTable is what the parser knows about one country calling code.
type ccTable struct {
	valid   *dfa     // validity automaton; nil: ask the library
	regions []string // regions sharing the code, in the library's order
	npfp    *dfa     // main region's national-prefix-for-parsing (prefix match); nil: none
	err     error    // the fast path must not be used for this code
}

// maxStates bounds one country's automaton (10 transitions of 4 bytes and
// 2 bytes of result per state: 42 bytes a state).
const maxStates = 1 << 17

// Prepare builds the automata of every country calling code now, rather
// than on each code's first use (about 0.2 s and 1 MB in all), so that no
// call pays for it.
func (p *Parser) Prepare() {
	for cc, ok := range callingCodes() {
		if ok {
			p.table(cc)
		}
	}
}

func (p *Parser) table(cc int) *ccTable {
	slot := &p.ccs[cc]
	slot.once.Do(func() { slot.t = buildTable(cc) })
	return slot.t
}

func buildTable(cc int) *ccTable {
	t := &ccTable{regions: phonenumbers.GetRegionCodesForCountryCode(cc)}
	idx, err := metadataIndex()
	if err != nil {
		t.err = err
		return t
	}
	metaFor := func(region string) *phonenumbers.PhoneMetadata {
		if region == "001" {
			return idx.nonGeo[cc]
		}
		return idx.byRegion[region]
	}
	main := metaFor(phonenumbers.GetRegionCodeForCountryCode(cc))
	if main == nil {
		t.err = fmt.Errorf("no metadata for country code %d", cc)
		return t
	}
	if np := main.GetNationalPrefixForParsing(); np != "" {
		if t.npfp, err = prefixDFA(np); err != nil {
			t.err = err
		}
	}
	metas := make([]*phonenumbers.PhoneMetadata, len(t.regions))
	for i, r := range t.regions {
		metas[i] = metaFor(r)
	}
	if len(t.regions) > 255 {
		return t
	}
	t.valid, _ = validityDFA(metas) // on error, nil: the library answers
	return t
}

// descOrder is the order in which the library's getNumberTypeHelper tests a
// region's number descriptions after the general one.
var descOrder = [...]phonenumbers.PhoneNumberType{
	phonenumbers.PREMIUM_RATE, phonenumbers.TOLL_FREE, phonenumbers.SHARED_COST,
	phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
	phonenumbers.UAN, phonenumbers.VOICEMAIL,
}

func descFor(m *phonenumbers.PhoneMetadata, t phonenumbers.PhoneNumberType) *phonenumbers.PhoneNumberDesc {
	switch t {
	case phonenumbers.PREMIUM_RATE:
		return m.GetPremiumRate()
	case phonenumbers.TOLL_FREE:
		return m.GetTollFree()
	case phonenumbers.SHARED_COST:
		return m.GetSharedCost()
	case phonenumbers.VOIP:
		return m.GetVoip()
	case phonenumbers.PERSONAL_NUMBER:
		return m.GetPersonalNumber()
	case phonenumbers.PAGER:
		return m.GetPager()
	case phonenumbers.UAN:
		return m.GetUan()
	case phonenumbers.VOICEMAIL:
		return m.GetVoicemail()
	case phonenumbers.FIXED_LINE:
		return m.GetFixedLine()
	case phonenumbers.MOBILE:
		return m.GetMobile()
	}
	return nil
}

// descRef is one number description inside the automaton: its track and
// the lengths it allows (none listed: any length).
type descRef struct {
	track   int
	lengths []int32
}

func (d descRef) matches(pos int, ends []bool) bool {
	if !ends[d.track] {
		return false
	}
	return len(d.lengths) == 0 || slices.Contains(d.lengths, int32(pos))
}

type regionRef struct {
	ok      bool // metadata present
	general descRef
	types   [len(descOrder)]descRef
	fixed   descRef
	mobile  descRef
	same    bool
	leading int // track of leading digits, -1 if none
}

// validityDFA builds the automaton answering IsValidNumber and
// GetNumberType for national significant numbers of one country code
// shared by the regions in metas (in the library's order). The result is
// Kind | regionIndex<<8, 0 when invalid.
func validityDFA(metas []*phonenumbers.PhoneMetadata) (*dfa, error) {
	var tracks []*track
	var gate []bool
	seen := map[string]int{}
	add := func(pattern string, prefix bool) (int, error) {
		k := fmt.Sprintf("%v:%s", prefix, pattern)
		if i, ok := seen[k]; ok {
			return i, nil
		}
		t, err := compileTrack(pattern, prefix)
		if err != nil {
			return 0, err
		}
		seen[k] = len(tracks)
		tracks = append(tracks, t)
		gate = append(gate, !prefix)
		return len(tracks) - 1, nil
	}
	ref := func(d *phonenumbers.PhoneNumberDesc) (descRef, error) {
		i, err := add(d.GetNationalNumberPattern(), false)
		return descRef{track: i, lengths: d.GetPossibleLength()}, err
	}
	refs := make([]regionRef, len(metas))
	for i, m := range metas {
		r := &refs[i]
		r.leading = -1
		if m == nil {
			continue
		}
		r.ok = true
		var err error
		if r.general, err = ref(m.GetGeneralDesc()); err != nil {
			return nil, err
		}
		for j, t := range descOrder {
			if r.types[j], err = ref(descFor(m, t)); err != nil {
				return nil, err
			}
		}
		if r.fixed, err = ref(m.GetFixedLine()); err != nil {
			return nil, err
		}
		if r.mobile, err = ref(m.GetMobile()); err != nil {
			return nil, err
		}
		r.same = m.GetSameMobileAndFixedLinePattern()
		if ld := m.GetLeadingDigits(); ld != "" && len(metas) > 1 {
			if r.leading, err = add(ld, true); err != nil {
				return nil, err
			}
		}
	}
	typeOf := func(r *regionRef, pos int, ends []bool) Kind {
		if !r.ok || !r.general.matches(pos, ends) {
			return Invalid
		}
		for j, t := range descOrder {
			if r.types[j].matches(pos, ends) {
				return kindOf(t)
			}
		}
		if r.fixed.matches(pos, ends) {
			if r.same || r.mobile.matches(pos, ends) {
				return FixedLineOrMobile
			}
			return FixedLine
		}
		if !r.same && r.mobile.matches(pos, ends) {
			return Mobile
		}
		return Invalid
	}
	eval := func(pos int, ends []bool) uint16 {
		pick := 0
		if len(refs) > 1 {
			pick = -1
			for i := range refs {
				r := &refs[i]
				if r.leading >= 0 {
					if ends[r.leading] {
						pick = i
						break
					}
				} else if typeOf(r, pos, ends) != Invalid {
					pick = i
					break
				}
			}
			if pick < 0 {
				return 0
			}
		}
		k := typeOf(&refs[pick], pos, ends)
		if k == Invalid {
			return 0
		}
		return uint16(k) | uint16(pick)<<8
	}
	return buildDFA(tracks, gate, maxNSN, maxStates, eval)
}

// metadata indexes the library's metadata by region code and, for global
// services (region "001"), by country calling code.
type metadata struct {
	byRegion map[string]*phonenumbers.PhoneMetadata
	nonGeo   map[int]*phonenumbers.PhoneMetadata
}

// metadataIndex builds the index once; it never changes afterwards.
var metadataIndex = sync.OnceValues(func() (*metadata, error) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil, fmt.Errorf("load phone-number metadata: %w", err)
	}
	m := &metadata{byRegion: map[string]*phonenumbers.PhoneMetadata{}, nonGeo: map[int]*phonenumbers.PhoneMetadata{}}
	for _, md := range coll.GetMetadata() {
		if md.GetId() == "001" {
			m.nonGeo[int(md.GetCountryCode())] = md
		} else {
			m.byRegion[md.GetId()] = md
		}
	}
	return m, nil
})
