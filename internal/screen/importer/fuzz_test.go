package importer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func addTestdataSeeds(f *testing.F, ext string) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*"+ext))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
}

// checkSummary holds the invariants every import keeps.
func checkSummary(t *testing.T, in string, n int, sum Summary, err error) {
	t.Helper()
	if err != nil && n != 0 {
		t.Fatalf("failed import returned %d entries", n)
	}
	if err == nil && (n == 0 || sum.Added != n) {
		t.Fatalf("successful import: %d entries, Added %d", n, sum.Added)
	}
	if sum.RejectedTotal < len(sum.Rejected) {
		t.Fatalf("RejectedTotal %d < %d listed", sum.RejectedTotal, len(sum.Rejected))
	}
	lines := strings.Count(in, "\n") + 1
	for _, r := range sum.Rejected {
		if r.Line < 1 || r.Line > lines || r.Reason == "" {
			t.Fatalf("rejection %+v: line outside 1..%d or no reason", r, lines)
		}
	}
}

func FuzzReadNumbers(f *testing.F) {
	addTestdataSeeds(f, ".csv")
	f.Add("07400 123456\n\"unterminated\n07400 123457")
	f.Add("a\"b,c\n07400 123456")
	p := gb(f)
	f.Fuzz(func(t *testing.T, in string) {
		nums, sum, err := ReadNumbers(context.Background(), strings.NewReader(in), Options{Parser: p})
		checkSummary(t, in, len(nums), sum, err)
		for i, n := range nums {
			if !p.Classify(n).Valid() || (i > 0 && nums[i-1] >= n) {
				t.Fatalf("number %v invalid or out of order", n)
			}
		}
	})
}

func FuzzReadContacts(f *testing.F) {
	addTestdataSeeds(f, ".vcf")
	addTestdataSeeds(f, ".csv")
	f.Add("BEGIN:VCARD\r\nFN;ENCODING=QUOTED-PRINTABLE:=\r\n=\r\nTEL:07400123456\r\nEND:VCARD")
	f.Add("BEGIN:VCARD\nBEGIN:VCARD\nTEL:07400123456\nEND:VCARD\nEND:VCARD\n")
	p := gb(f)
	f.Fuzz(func(t *testing.T, in string) {
		for _, format := range []Format{Auto, VCard, CSV} {
			cs, sum, err := ReadContacts(context.Background(), strings.NewReader(in), format, Options{Parser: p})
			checkSummary(t, in, len(cs), sum, err)
			seen := map[uint64]bool{}
			for _, c := range cs {
				if !p.Classify(c.Number).Valid() || seen[uint64(c.Number)] {
					t.Fatalf("contact %+v invalid or repeated", c)
				}
				seen[uint64(c.Number)] = true
			}
		}
	})
}
