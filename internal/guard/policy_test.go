package guard

import "testing"

func TestSetOnScam(t *testing.T) {
	pols := map[string]LinePolicy{"mum": {Listen: true, OnScam: WarnAndEnd}}
	g, err := New(Config{Listening: Listening{Policies: pols}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, line, onScam string
		ok                 bool
		want               string // mum's policy afterwards
	}{
		{"continue", "mum", WarnAndContinue, true, WarnAndContinue},
		{"unknown policy changes nothing", "mum", "shout", false, WarnAndContinue},
		{"unknown line", "dad", WarnAndEnd, false, WarnAndContinue},
		{"back to end", "mum", WarnAndEnd, true, WarnAndEnd},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := g.SetOnScam(tc.line, tc.onScam); got != tc.ok {
				t.Fatalf("SetOnScam(%q, %q) = %v, want %v", tc.line, tc.onScam, got, tc.ok)
			}
			if p, _ := g.policy("mum"); p.OnScam != tc.want || !p.Listen {
				t.Fatalf("mum's policy = %+v, want OnScam %q", p, tc.want)
			}
			if _, ok := g.policy("dad"); ok {
				t.Fatal("SetOnScam created a policy for an unknown line")
			}
		})
	}
	if pols["mum"].OnScam != WarnAndEnd {
		t.Fatal("the guard changed the caller's map instead of its own copy")
	}
}
