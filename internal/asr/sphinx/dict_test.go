package sphinx

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
)

const cmuSample = `a AH
a(2) EY
cash K AE SH
courier K ER IY ER
courier's K ER IY ER Z
withdraw W IH DH D R AO
withdraw(2) W IH TH D R AO
withdrawal W IH DH D R AO AH L
`

func TestReduceDict(t *testing.T) {
	tests := []struct {
		name        string
		words       []string
		wantLines   []string
		wantMissing []string
	}{
		{"alternates kept, prefixes not matched", []string{"withdraw", "cash"},
			[]string{"cash K AE SH", "withdraw W IH DH D R AO", "withdraw(2) W IH TH D R AO"}, nil},
		{"variant names reduce to their word", []string{"courier(2)", "A"},
			[]string{"a AH", "a(2) EY", "courier K ER IY ER"}, nil},
		{"missing words reported sorted", []string{"keypad", "cash", "anydesk"},
			[]string{"cash K AE SH"}, []string{"anydesk", "keypad"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			missing, err := ReduceDict(&out, strings.NewReader(cmuSample), tt.words)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if !slices.Equal(lines, tt.wantLines) || !slices.Equal(missing, tt.wantMissing) {
				t.Errorf("lines %q missing %q, want %q and %q", lines, missing, tt.wantLines, tt.wantMissing)
			}
		})
	}
}

func TestWriteKeyphrases(t *testing.T) {
	var b bytes.Buffer
	err := WriteKeyphrases(&b, []Keyphrase{{"withdraw  cash", 1e-20}, {"courier(2)", 1e3}, {"pin number", 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "withdraw cash /1e-20/\ncourier(2) /1e+03/\npin number /5e-01/\n"; b.String() != want {
		t.Errorf("got %q", b.String())
	}
	for _, bad := range []Keyphrase{{" ", 1e-5}, {"cash", 0}, {"cash", -1}} {
		if err := WriteKeyphrases(&b, []Keyphrase{bad}); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestBasePhrase(t *testing.T) {
	for in, want := range map[string]string{"courier(2)": "courier", "a courier(2) will": "a courier will", "pin": "pin", "(2)": "(2)"} {
		if got := BasePhrase(in); got != want {
			t.Errorf("BasePhrase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKWSScoreScale(t *testing.T) {
	// A detection exactly at a threshold of 1e-20 is reported with
	// prob = threshold units - KWS_MAX: logmath_log(1e-20) >> 10.
	units := int(math.Log(1e-20)/math.Log(1.0001)) >> 10
	if got := kwsLog10(units - kwsMax); got < -20.05 || got > -19.95 {
		t.Errorf("kwsLog10 at the 1e-20 threshold = %v, want -20", got)
	}
}
