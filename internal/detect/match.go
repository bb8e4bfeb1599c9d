package detect

import (
	"fmt"
	"sort"
	"strings"
)

// A pattern is written in a small notation so the rule table reads like
// the phrases it stands for:
//
//	"withdraw|draw out|take out .. cash|money|savings"
//
// Slots are separated by " . " (the next slot starts within one word:
// "need to . verify" also takes "need to quickly verify"), " .. " (within nearGap words
// of the end of the previous one), " ... " (within farGap words) or
// " .... " (within wideGap words, for a clause that frames a whole
// sentence: "if anyone ... that's a scam").
// Alternatives in a slot are separated by "|"; an alternative may be
// several words, which must then be adjacent. Words are written in their
// base form: the tokenizer folds "collected" and "collecting" to "collect".
// "#num" stands for any figure. A pattern may start with markers (see
// NewModel): "~" it names its own addressee, so the tactic's directedness
// check is skipped ("I need your card number"); "^" a denial whose scope
// runs to the end of its clause ("we will never ask you to ... or ...");
// "!" it does not count when the speaker says it of themselves ("I'll pop
// round to get it", "when you collect them").
const (
	nearGap = 6
	farGap  = 14
	wideGap = 30
)

type phrase []int32

type slot struct {
	gap   int // words allowed between the previous slot and this one
	alts  []phrase
	first []uint64 // bitset of the alternatives' first word ids: a quick reject
}

func (s *slot) index() {
	// Alternatives sorted by first word, so matchAt only tries those
	// that start with the word at hand (longest first within a word,
	// as before: earlier-listed alternatives win ties).
	sort.SliceStable(s.alts, func(i, j int) bool { return s.alts[i][0] < s.alts[j][0] })
	for _, p := range s.alts {
		id := int(p[0])
		for len(s.first) <= id/64 {
			s.first = append(s.first, 0)
		}
		s.first[id/64] |= 1 << (id % 64)
	}
}

// pattern is one compiled phrase pattern of a tactic.
type pattern struct {
	tactic int // index into the catalogue
	src    string
	slots  []slot
	// directed patterns only count when spoken to the listener ("you need
	// to withdraw cash"), not about someone else ("I'm taking cash out").
	directed bool
	// negatable patterns are cancelled by a negation just before them
	// ("we will never ask for your PIN"); the match then counts as
	// reassurance instead.
	negatable bool
	// scoped reassurance ("we will never ask ...") covers the rest of its
	// clause, not just its own words; see clauseEnd.
	scoped bool
	// other patterns do not count when the speaker is the subject.
	other bool
}

// compile parses a pattern in the notation above.
func compile(lex *lexicon, src string) ([]slot, error) {
	var slots []slot
	cur := slot{}
	var words []string
	flushAlt := func() error {
		if len(words) == 0 {
			return fmt.Errorf("pattern %q: empty alternative", src)
		}
		p := make(phrase, len(words))
		for i, w := range words {
			p[i] = lex.add(w)
		}
		cur.alts = append(cur.alts, p)
		words = words[:0]
		return nil
	}
	for _, f := range strings.Fields(src) {
		switch {
		case f == "." || f == ".." || f == "..." || f == "....":
			if err := flushAlt(); err != nil {
				return nil, err
			}
			slots = append(slots, cur)
			cur = slot{gap: nearGap}
			switch f {
			case ".":
				cur.gap = 1
			case "...":
				cur.gap = farGap
			case "....":
				cur.gap = wideGap
			}
		case strings.Contains(f, "|"):
			parts := strings.Split(f, "|")
			for k, w := range parts {
				if w != "" {
					words = append(words, w)
				}
				if k < len(parts)-1 {
					if err := flushAlt(); err != nil {
						return nil, err
					}
				}
			}
		default:
			words = append(words, f)
		}
	}
	if err := flushAlt(); err != nil {
		return nil, err
	}
	slots = append(slots, cur)
	for i := range slots {
		slots[i].index()
	}
	return slots, nil
}

// matchAt reports the length of the first alternative of s that starts at
// toks[i], or 0.
func (s *slot) matchAt(toks []token, i int) int {
	id := int(toks[i].id)
	if id/64 >= len(s.first) || s.first[id/64]&(1<<(id%64)) == 0 {
		return 0
	}
	want := toks[i].id
	lo, hi := 0, len(s.alts)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if s.alts[h][0] < want {
			lo = h + 1
		} else {
			hi = h
		}
	}
	for _, p := range s.alts[lo:] {
		if p[0] != toks[i].id {
			break
		}
		if i+len(p) > len(toks) {
			continue
		}
		ok := true
		for k, id := range p {
			if toks[i+k].id != id {
				ok = false
				break
			}
		}
		if ok {
			return len(p)
		}
	}
	return 0
}

// matchFrom tries to match the pattern with its first slot at toks[i]
// (already known to start there, with length n). It returns the end of
// the match (exclusive) or -1.
func (p *pattern) matchFrom(toks []token, i, n int) int {
	end := i + n
	for _, s := range p.slots[1:] {
		found := -1
		for j := end; j <= end+s.gap && j < len(toks); j++ {
			if m := s.matchAt(toks, j); m > 0 {
				found = j + m
				break
			}
		}
		if found < 0 {
			return -1
		}
		end = found
	}
	return end
}

// matcher finds pattern matches in a turn through an index from the first
// word of each pattern to the patterns that can start with it.
type matcher struct {
	patterns []pattern
	first    map[int32][]int // lexicon id -> pattern indexes
	byID     [][]int         // the same, indexed by id (built by seal)
}

// seal turns the first-word map into a slice for the hot path.
func (m *matcher) seal(n int) {
	m.byID = make([][]int, n+1)
	for id, ps := range m.first {
		m.byID[id] = ps
	}
}

func (m *matcher) add(p pattern) {
	idx := len(m.patterns)
	m.patterns = append(m.patterns, p)
	seen := map[int32]bool{}
	for _, alt := range p.slots[0].alts {
		if !seen[alt[0]] {
			seen[alt[0]] = true
			m.first[alt[0]] = append(m.first[alt[0]], idx)
		}
	}
}

// hit is one pattern match in a turn.
type hit struct {
	pattern    int
	start, end int
}

// scratch is per-call matching state: the words present in the turn and
// which patterns could still match it.
type scratch struct {
	present  []uint64 // bitset of lexicon ids in the turn
	feasible []int8   // per pattern: 0 unknown, 1 yes, -1 no
}

// possible reports whether every slot after the first has a first word
// that occurs somewhere in the turn; if not, the pattern cannot match and
// its gaps need not be scanned.
func (p *pattern) possible(present []uint64) bool {
	for k := 1; k < len(p.slots); k++ {
		f := p.slots[k].first
		ok := false
		for w := 0; w < len(f) && w < len(present); w++ {
			if f[w]&present[w] != 0 {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// find appends to hits every place a pattern matches in toks (one match
// per pattern and start word).
func (m *matcher) find(toks []token, hits []hit, sc *scratch) []hit {
	words := (len(m.byID) + 63) / 64
	if cap(sc.present) < words {
		sc.present = make([]uint64, words)
	}
	sc.present = sc.present[:words]
	clear(sc.present)
	for _, t := range toks {
		sc.present[t.id/64] |= 1 << (t.id % 64)
	}
	if cap(sc.feasible) < len(m.patterns) {
		sc.feasible = make([]int8, len(m.patterns))
	}
	sc.feasible = sc.feasible[:len(m.patterns)]
	clear(sc.feasible)
	for i, t := range toks {
		if t.id == 0 {
			continue
		}
		if int(t.id) >= len(m.byID) {
			continue
		}
		for _, pi := range m.byID[t.id] {
			p := &m.patterns[pi]
			switch sc.feasible[pi] {
			case 0:
				sc.feasible[pi] = -1
				if p.possible(sc.present) {
					sc.feasible[pi] = 1
				} else {
					continue
				}
			case -1:
				continue
			}
			n := p.slots[0].matchAt(toks, i)
			if n == 0 {
				continue
			}
			if end := p.matchFrom(toks, i, n); end > 0 {
				hits = append(hits, hit{pattern: pi, start: i, end: end})
			}
		}
	}
	return hits
}
