package transcript

import (
	"errors"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	good := `{"id":"a","label":"scam","turns":[{"speaker":"caller","text":"hi"}]}`
	tests := []struct {
		name    string
		in      string
		n       int
		errLine int
		errText string
	}{
		{"one", good + "\n", 1, 0, ""},
		{"no trailing newline, blank lines", "\n" + good + "\n\n" + strings.Replace(good, `"a"`, `"b"`, 1), 2, 0, ""},
		{"crlf", good + "\r\n", 1, 0, ""},
		{"bad json", good + "\n{not json\n", 1, 2, "not a call object"},
		{"unknown field", `{"id":"a","turns":[{"speaker":"caller","text":"x"}],"x":1}`, 0, 1, "unknown field"},
		{"missing id", `{"turns":[{"speaker":"caller","text":"x"}]}`, 0, 1, `missing "id"`},
		{"bad label", `{"id":"a","label":"maybe","turns":[{"speaker":"caller","text":"x"}]}`, 0, 1, "label"},
		{"no turns", `{"id":"a","turns":[]}`, 0, 1, "no turns"},
		{"bad speaker", `{"id":"a","turns":[{"speaker":"bob","text":"x"}]}`, 0, 1, "speaker"},
		{"duplicate id", good + "\n" + good, 1, 2, "already used on line 1"},
		{"two values", good + good, 0, 1, "more than one"},
		{"array", `[1,2]`, 0, 1, "not a call object"},
		{"too long", good + "\n" + `{"id":"` + strings.Repeat("x", MaxLine) + `"}` + "\n" + good, 1, 2, "longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			err := Read(strings.NewReader(tc.in), func(c Call) error { n++; return nil })
			if n != tc.n {
				t.Errorf("read %d calls, want %d", n, tc.n)
			}
			if tc.errLine == 0 {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var le *LineError
			if !errors.As(err, &le) || le.Line != tc.errLine || !strings.Contains(err.Error(), tc.errText) {
				t.Fatalf("error %v, want line %d containing %q", err, tc.errLine, tc.errText)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"id":"a","label":"scam","turns":[{"speaker":"caller","text":"hi"}]}`))
	f.Add([]byte(`{"id":"","turns":null}`))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err == nil && (c.ID == "" || len(c.Turns) == 0) {
			t.Fatalf("accepted invalid call %+v", c)
		}
		_ = Read(strings.NewReader(string(b)), func(Call) error { return nil })
	})
}
