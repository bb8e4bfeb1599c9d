package importer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearline/clearline/internal/screen"
	"github.com/clearline/clearline/internal/screen/numplan"
)

func gb(t testing.TB) *numplan.Parser {
	t.Helper()
	p, err := numplan.New("GB")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func openTestdata(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func e164(nums []numplan.Number) []string {
	out := make([]string, len(nums))
	for i, n := range nums {
		out[i] = n.String()
	}
	return out
}

func rejectedLines(s Summary) []int {
	var out []int
	for _, r := range s.Rejected {
		out = append(out, r.Line)
	}
	return out
}

func TestReadNumbers(t *testing.T) {
	tests := []struct {
		file       string
		want       []string
		duplicates int
		rejected   []int
		reasons    []string
	}{
		{
			file:       "blocklist.csv",
			want:       []string{"+33123456789", "+447400999111", "+447400999112", "+447400999113"},
			duplicates: 1,
			rejected:   []int{8, 9, 10},
			reasons:    []string{"not a valid number", "not a telephone number", "country calling code"},
		},
		{file: "dno.csv", want: []string{"+443456001234", "+443457345345", "+448001234567"}, duplicates: 1},
		{file: "semicolon.csv", want: []string{"+447400999111", "+447400999112"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			var calls int
			nums, sum, err := ReadNumbers(context.Background(), openTestdata(t, tc.file), Options{
				Parser:   gb(t),
				Progress: func(Progress) { calls++ },
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := e164(nums); !slices.Equal(got, tc.want) {
				t.Errorf("numbers %v, want %v", got, tc.want)
			}
			if sum.Added != len(tc.want) || sum.Duplicates != tc.duplicates {
				t.Errorf("added %d duplicates %d, want %d and %d", sum.Added, sum.Duplicates, len(tc.want), tc.duplicates)
			}
			if got := rejectedLines(sum); !slices.Equal(got, tc.rejected) {
				t.Errorf("rejected lines %v, want %v (%+v)", got, tc.rejected, sum.Rejected)
			}
			for i, r := range tc.reasons {
				if i >= len(sum.Rejected) {
					break
				}
				if !strings.Contains(sum.Rejected[i].Reason, r) {
					t.Errorf("line %d reason %q lacks %q", sum.Rejected[i].Line, sum.Rejected[i].Reason, r)
				}
			}
			if sum.RejectedTotal != len(tc.rejected) {
				t.Errorf("RejectedTotal %d, want %d", sum.RejectedTotal, len(tc.rejected))
			}
			if calls == 0 {
				t.Error("progress never reported")
			}
		})
	}
}

func TestReadNumbersRejectsUselessFiles(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"only header", "number\n"},
		{"no numbers", "name,notes\nfoo,bar\nbaz,qux\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nums, _, err := ReadNumbers(context.Background(), strings.NewReader(tc.in), Options{Parser: gb(t)})
			if err == nil || nums != nil {
				t.Fatalf("ReadNumbers(%q) = %v, %v; want an error and nothing", tc.in, nums, err)
			}
		})
	}
}

func TestReadNumbersStopsWhenCancelled(t *testing.T) {
	var b strings.Builder
	for i := range ProgressEvery + 10 {
		b.WriteString("+4474001")
		b.WriteString(strings.Repeat("0", 5-len(itoa(i%100000))) + itoa(i%100000))
		b.WriteByte('\n')
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := ReadNumbers(ctx, strings.NewReader(b.String()), Options{Parser: gb(t)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}

type wantContact struct{ name, number string }

func contacts(cs []screen.Contact) []wantContact {
	out := make([]wantContact, len(cs))
	for i, c := range cs {
		out[i] = wantContact{c.Name, c.Number.String()}
	}
	return out
}

func TestReadContacts(t *testing.T) {
	tests := []struct {
		file       string
		want       []wantContact
		duplicates int
		skipped    int // contacts without numbers, blank lines, headers
		rejected   []int
	}{
		{
			file: "android-2.1.vcf",
			want: []wantContact{
				{"Máire Hughes (daughter)", "+447400123456"},
				{"Máire Hughes (daughter)", "+441142345678"},
				{"Surgery", "+441213456789"},
				{"Seán Brénnan", "+447400654321"},
			},
			skipped:  2, // the blank line ending the photo, the e-mail-only card
			rejected: []int{28},
		},
		{
			file: "iphone-3.0.vcf",
			want: []wantContact{
				{"Peter Smith", "+447911012345"},
				{"Peter Smith", "+441142345679"},
				{"Dr Patel Surgery", "+441213456780"},
				{"Ann Jones", "+447400123456"},
			},
			rejected: []int{24},
		},
		{
			file: "rfc6350-4.0.vcf",
			want: []wantContact{
				{"Carol White", "+447400111222"},
				{"Carol White", "+441142345670"},
				{"Marie Dupont", "+33612345678"},
			},
		},
		{
			file: "google-contacts.csv",
			want: []wantContact{
				{"Máire Hughes", "+447400123456"},
				{"Máire Hughes", "+441142345678"},
				{"Peter Smith", "+447911012345"},
				{"Peter Smith", "+441142345679"},
				{"Dr Patel Surgery", "+441213456780"},
			},
			skipped:  2, // header, the phoneless contact
			rejected: []int{6},
		},
		{
			file: "outlook-contacts.csv",
			want: []wantContact{
				{"Ann Jones", "+447400123457"},
				{"Tom Baker", "+441142345671"},
				{"Tom Baker", "+441213456781"},
			},
			duplicates: 1,
			skipped:    1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, sum, err := ReadContacts(context.Background(), openTestdata(t, tc.file), FormatFor(tc.file), Options{Parser: gb(t)})
			if err != nil {
				t.Fatalf("%v (%+v)", err, sum)
			}
			if g := contacts(got); !slices.Equal(g, tc.want) {
				t.Errorf("contacts\n got %v\nwant %v", g, tc.want)
			}
			if r := rejectedLines(sum); !slices.Equal(r, tc.rejected) {
				t.Errorf("rejected lines %v, want %v (%+v)", r, tc.rejected, sum.Rejected)
			}
			if sum.Duplicates != tc.duplicates || sum.Skipped != tc.skipped || sum.Added != len(tc.want) {
				t.Errorf("added %d duplicates %d skipped %d; want %d, %d, %d", sum.Added, sum.Duplicates, sum.Skipped, len(tc.want), tc.duplicates, tc.skipped)
			}
		})
	}
}

func TestReadContactsReasons(t *testing.T) {
	_, sum, err := ReadContacts(context.Background(), openTestdata(t, "android-2.1.vcf"), Auto, Options{Parser: gb(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Rejected) != 1 || !strings.Contains(sum.Rejected[0].Reason, "drama") || !strings.Contains(sum.Rejected[0].Text, "07700 900123") {
		t.Fatalf("rejections %+v: want the drama number with its reason", sum.Rejected)
	}
}

func TestReadContactsMalformed(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		format   Format
		wantErr  bool
		rejected []int
		added    int
	}{
		{name: "not a vCard", in: "hello\nworld\n", format: VCard, wantErr: true, rejected: []int{1, 2}},
		{name: "unfinished card", in: "BEGIN:VCARD\nVERSION:3.0\nFN:A\nTEL:07400123456\n", format: Auto, rejected: []int{1}, added: 1},
		{name: "line outside a card", in: "TEL:07400123456\nBEGIN:VCARD\nFN:A\nTEL:07400123457\nEND:VCARD\n", format: VCard, rejected: []int{1}, added: 1},
		{name: "END without BEGIN", in: "BEGIN:VCARD\nTEL:07400123456\nEND:VCARD\nEND:VCARD\n", format: VCard, rejected: []int{4}, added: 1},
		{name: "garbage line in card", in: "BEGIN:VCARD\nthis is not a property\nTEL:07400123456\nEND:VCARD\n", format: VCard, rejected: []int{2}, added: 1},
		{name: "no usable numbers", in: "BEGIN:VCARD\nTEL:999\nEND:VCARD\n", format: VCard, wantErr: true, rejected: []int{2}},
		{name: "csv without header", in: "Mum,07400 123456\n07400 123457,Dad\nnobody here\n", format: CSV, rejected: []int{3}, added: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, sum, err := ReadContacts(context.Background(), strings.NewReader(tc.in), tc.format, Options{Parser: gb(t)})
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && got != nil {
				t.Fatal("a failed import returned contacts")
			}
			if r := rejectedLines(sum); !slices.Equal(r, tc.rejected) {
				t.Errorf("rejected %v, want %v (%+v)", r, tc.rejected, sum.Rejected)
			}
			if len(got) != tc.added {
				t.Errorf("%d contacts, want %d", len(got), tc.added)
			}
		})
	}
}

func TestNeedsParser(t *testing.T) {
	if _, _, err := ReadNumbers(context.Background(), strings.NewReader("07400123456"), Options{}); err == nil {
		t.Error("ReadNumbers without a parser succeeded")
	}
	if _, _, err := ReadContacts(context.Background(), strings.NewReader("07400123456"), CSV, Options{}); err == nil {
		t.Error("ReadContacts without a parser succeeded")
	}
}
