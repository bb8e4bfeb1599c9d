package numplan

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// libraryVerdict is what the library itself says about cc+nsn.
func libraryVerdict(cc int, nsn string) Class {
	return libraryClass(cc, []byte(nsn))
}

// mustJoin builds a Number from a country code and national digits.
func mustJoin(t testing.TB, cc int, nsn string) Number {
	t.Helper()
	n, ok := join(cc, []byte(nsn))
	if !ok {
		t.Fatalf("join(%d, %q) failed", cc, nsn)
	}
	return n
}

func TestClassifyUKNumbers(t *testing.T) {
	p := newGB(t)
	tests := []struct {
		name, in string
		want     Kind
		region   string
	}{
		{"London landline", "+442079460000", FixedLine, "GB"},
		{"Manchester landline", "+441614960000", FixedLine, "GB"},
		{"mobile", "+447400123456", Mobile, "GB"},
		{"Guernsey mobile", "+447911123456", Mobile, "GG"},
		{"drama mobile range is unallocated", "+447700900123", Invalid, ""},
		{"drama no-area range is unallocated", "+441632960123", Invalid, ""},
		{"freephone 0800", "+448001111", TollFree, "GB"},
		{"premium rate 0909", "+449098790000", PremiumRate, "GB"},
		{"UK-wide 03", "+443069990000", UAN, "GB"},
		{"personal 070", "+447012345678", PersonalNumber, "GB"},
		{"VoIP 056", "+445612345678", VoIP, "GB"},
		{"Jersey mobile", "+447797123456", Mobile, "JE"},
		{"Isle of Man landline", "+441624756789", FixedLine, "IM"},
		{"too short", "+44161496", Invalid, ""},
		{"too long", "+4416149600001", Invalid, ""},
		{"US number", "+12015550123", FixedLineOrMobile, "US"},
		{"Irish mobile", "+353851234567", Mobile, "IE"},
		{"Italian landline keeps its zero", "+390236618300", FixedLine, "IT"},
		{"global freephone", "+80012345678", TollFree, "001"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := p.Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			got := p.Classify(n)
			if got.Kind != tc.want || got.Region != tc.region {
				t.Errorf("Classify(%s) = %v/%q, want %v/%q", n, got.Kind, got.Region, tc.want, tc.region)
			}
			var buf [20]byte
			cc, nsn := n.split(&buf)
			if lib := libraryVerdict(cc, string(nsn)); lib != got {
				t.Errorf("library says %v/%q", lib.Kind, lib.Region)
			}
		})
	}
}

// TestClassifyAgreesWithLibrary compares the automata with the library on
// numbers near every example number of every region (so that most are
// valid) and on random digit strings, for every country calling code.
func TestClassifyAgreesWithLibrary(t *testing.T) {
	p := newGB(t)
	rng := rand.New(rand.NewPCG(1, 2))
	codes := make([]int, 0, 300)
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		codes = append(codes, cc)
	}
	slices.Sort(codes)
	perCode := 300
	if testing.Short() {
		perCode = 40
	}
	checked, valid := 0, 0
	for _, cc := range codes {
		var seeds []string
		for _, region := range phonenumbers.GetRegionCodesForCountryCode(cc) {
			for typ := phonenumbers.FIXED_LINE; typ < phonenumbers.UNKNOWN; typ++ {
				var ex *phonenumbers.PhoneNumber
				if region == "001" {
					ex = phonenumbers.GetExampleNumberForNonGeoEntity(cc)
				} else {
					ex = phonenumbers.GetExampleNumberForType(region, typ)
				}
				if ex != nil {
					seeds = append(seeds, phonenumbers.GetNationalSignificantNumber(ex))
				}
			}
		}
		for i := 0; i < perCode; i++ {
			var nsn []byte
			if len(seeds) > 0 && i%4 != 0 {
				// keep a prefix of an example, randomise the rest, sometimes
				// change the length by one
				s := seeds[rng.IntN(len(seeds))]
				keep := rng.IntN(len(s) + 1)
				nsn = append(nsn, s[:keep]...)
				l := len(s) + rng.IntN(3) - 1
				for len(nsn) < l {
					nsn = append(nsn, byte('0'+rng.IntN(10)))
				}
			} else {
				l := 2 + rng.IntN(maxNSN-1)
				for range l {
					nsn = append(nsn, byte('0'+rng.IntN(10)))
				}
			}
			if len(nsn) < 2 || len(nsn) > maxNSN || ccLen(cc)+len(nsn) > maxDigits {
				continue
			}
			n := mustJoin(t, cc, string(nsn))
			got, want := p.Classify(n), libraryVerdict(cc, string(nsn))
			checked++
			if want.Valid() {
				valid++
			}
			if got != want {
				t.Errorf("+%d %s: Classify = %v/%q, library = %v/%q", cc, nsn, got.Kind, got.Region, want.Kind, want.Region)
			}
			if p.Valid(n) != want.Valid() || p.ValidDigits(n.AppendE164(nil)[1:]) != want.Valid() {
				t.Errorf("+%d %s: Valid = %v, library's class %v", cc, nsn, p.Valid(n), want.Kind)
			}
		}
	}
	t.Logf("%d numbers in %d country codes checked, %d valid", checked, len(codes), valid)
	if valid < checked/10 {
		t.Errorf("only %d of %d sample numbers valid: the sample does not exercise validity", valid, checked)
	}
}

func newGB(t testing.TB) *Parser {
	t.Helper()
	p, err := New("GB")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAutomatonSizes keeps the validity automata small: they are built on
// first use of each country code and held for the process's life.
func TestAutomatonSizes(t *testing.T) {
	p := newGB(t)
	p.Prepare()
	total := 0
	for cc, ok := range callingCodes() {
		if !ok {
			continue
		}
		tb := p.table(cc)
		if tb.valid == nil {
			t.Errorf("+%d: no automaton, every number goes to the library", cc)
			continue
		}
		total += tb.valid.states()
	}
	if gb := p.table(44).valid.states(); gb > 5000 {
		t.Errorf("UK automaton has %d states, want at most 5000", gb)
	}
	if total > 100000 {
		t.Errorf("%d states in all, want at most 100000 (42 bytes each)", total)
	}
	t.Logf("%d states in all, %d for +44", total, p.table(44).valid.states())
}
