package numplan

import (
	"errors"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestParse(t *testing.T) {
	p := newGB(t)
	tests := []struct {
		name, in string
		want     string // E.164, "" when an error is expected
		err      error
	}{
		{"E.164", "+447700900123", "+447700900123", nil},
		{"national mobile", "07700900123", "+447700900123", nil},
		{"national with spaces", "07700 900 123", "+447700900123", nil},
		{"E.164 without plus", "447700900123", "+447700900123", nil},
		{"international prefix", "00447700900123", "+447700900123", nil},
		{"international prefix spaced", "0044 7700 900123", "+447700900123", nil},
		{"CSV landline with spaces", "01632 960 123", "+441632960123", nil},
		{"dashes and dots", "020-7946.0123", "+442079460123", nil},
		{"bracketed trunk zero (library path)", "+44 (0)20 7946 0123", "+442079460123", nil},
		{"plus and trunk zero (library path)", "+4407700900123", "+447700900123", nil},
		{"short national", "999", "+44999", nil},
		{"Irish number", "+353 85 123 4567", "+353851234567", nil},
		{"US number via 00", "0012015550123", "+12015550123", nil},
		{"Italian leading zero", "+39 02 3661 8300", "+390236618300", nil},
		{"letters only", "abc", "", ErrNotNumber},
		{"empty", "", "", ErrNotNumber},
		{"anonymous", "anonymous", "", ErrNotNumber},
		{"unknown country code", "+999 1234", "", ErrCountryCode},
		{"truncated international parses, Classify rejects it", "+4420", "+4420", nil},
		{"too short after plus", "+44", "", ErrNotNumber},
		{"one digit", "7", "", ErrNotNumber},
		{"too long", "+44123456789012345678", "", ErrTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := p.Parse(tc.in)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("Parse(%q) = %v, %v; want error %v", tc.in, n, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if n.String() != tc.want {
				t.Errorf("Parse(%q) = %s, want %s", tc.in, n, tc.want)
			}
		})
	}
}

func TestFastPathCoversCommonForms(t *testing.T) {
	p := newGB(t)
	for _, in := range []string{"+447700900123", "07700900123", "447700900123", "00447700900123", "01632 960 123", "+1 201 555 0123", "020-7946-0123"} {
		t.Run(in, func(t *testing.T) {
			if _, ok := p.fast(in); !ok {
				t.Errorf("fast(%q) declined; common caller-ID forms must not need the library", in)
			}
		})
	}
}

func TestNumberParts(t *testing.T) {
	tests := []struct {
		n        Number
		cc       int
		national string
		e164     string
	}{
		{447700900123, 44, "7700900123", "+447700900123"},
		{12015550123, 1, "2015550123", "+12015550123"},
		{390236618300, 39, "0236618300", "+390236618300"},
		{80012345678, 800, "12345678", "+80012345678"},
		{0, 0, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.e164, func(t *testing.T) {
			if got := tc.n.CountryCode(); got != tc.cc {
				t.Errorf("CountryCode = %d, want %d", got, tc.cc)
			}
			if got := tc.n.National(); got != tc.national {
				t.Errorf("National = %q, want %q", got, tc.national)
			}
			if got := tc.n.String(); got != tc.e164 {
				t.Errorf("String = %q, want %q", got, tc.e164)
			}
		})
	}
}

// fuzzRegions are home regions with different trunk and international
// prefixes: GB (0, 00), US (1, 011), DE (0, 00), IT (no trunk prefix),
// AR (a national-prefix transform rule), RU (8, 810).
var fuzzRegions = []string{"GB", "US", "DE", "IT", "AR", "RU"}

// FuzzParseAgreesWithLibrary checks that whenever the fast path accepts an
// input, the library reads the same number from it, and that Parse never
// panics.
func FuzzParseAgreesWithLibrary(f *testing.F) {
	for _, s := range []string{
		"+447700900123", "07700900123", "447700900123", "00447700900123", "01632 960 123",
		"0161-496-0000", "+44 (0)20 7946 0123", "4407700900123", "+0044 7700 900123", "anonymous",
		"", "unavailable", "Restricted", "abc", "+4420", "999", "112", "  07700 900123 ", "0800 FLOWERS",
		"1800201632960123", "+1 201 555 0123", "011 44 7700 900123", "8 495 123 45 67", "+7 8 495 1234567",
		"+39 02 3661 8300", "0041 44 668 1800", "000447700900123", "44", "+44", "00", "-07700900123",
		"07700900123#", "tel:+44-7700-900123", "0 0 4 4 7 7", "+54 9 11 1234 5678", "011 15 1234 5678",
	} {
		f.Add(s)
	}
	parsers := map[string]*Parser{}
	for _, r := range fuzzRegions {
		p, err := New(r)
		if err != nil {
			f.Fatal(err)
		}
		parsers[r] = p
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range fuzzRegions {
			p := parsers[r]
			n, err := p.Parse(s)
			if err == nil {
				_ = p.Classify(n)
				if n == 0 {
					t.Fatalf("%s: Parse(%q) returned no number and no error", r, s)
				}
			}
			fast, ok := p.fast(s)
			if !ok {
				continue
			}
			lib, err := phonenumbers.Parse(s, r)
			if err != nil {
				t.Fatalf("%s: fast path read %q as %s, library rejects it: %v", r, s, fast, err)
			}
			want := "+" + phonenumbers.Format(lib, phonenumbers.E164)[1:]
			if got := fast.String(); got != want {
				t.Fatalf("%s: fast path read %q as %s, library as %s", r, s, got, want)
			}
		}
	})
}

// FuzzClassifyAgreesWithLibrary checks the automata against the library on
// arbitrary national numbers of arbitrary country codes.
func FuzzClassifyAgreesWithLibrary(f *testing.F) {
	f.Add(uint16(44), "7700900123")
	f.Add(uint16(44), "2079460123")
	f.Add(uint16(1), "2015550123")
	f.Add(uint16(39), "0236618300")
	f.Add(uint16(800), "12345678")
	f.Add(uint16(49), "30123456")
	p := newGB(f)
	codes := callingCodes()
	f.Fuzz(func(t *testing.T, cc uint16, nsn string) {
		if int(cc) >= len(codes) || !codes[cc] || len(nsn) < 2 || len(nsn) > maxNSN || !isDigits(nsn) {
			return
		}
		n, ok := join(int(cc), []byte(nsn))
		if !ok {
			return
		}
		if got, want := p.Classify(n), libraryVerdict(int(cc), nsn); got != want {
			t.Fatalf("+%d %s: Classify = %v/%q, library = %v/%q", cc, nsn, got.Kind, got.Region, want.Kind, want.Region)
		}
		if got := p.Valid(n); got != p.Classify(n).Valid() || got != p.ValidDigits(n.AppendE164(nil)[1:]) {
			t.Fatalf("+%d %s: Valid = %v, Classify disagrees", cc, nsn, got)
		}
	})
}
