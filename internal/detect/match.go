package detect

import (
	"fmt"
	"strings"
)

// A pattern is written in a small notation so the rule table reads like
// the phrases it stands for:
//
//	"withdraw|draw out|take out .. cash|money|savings"
//
// Slots are separated by " .. " (the next slot starts within nearGap words
// of the end of the previous one) or " ... " (within farGap words).
// Alternatives in a slot are separated by "|"; an alternative may be
// several words, which must then be adjacent. Words are written in their
// base form: the tokenizer folds "collected" and "collecting" to "collect".
const (
	nearGap = 6
	farGap  = 14
)

type phrase []int32

type slot struct {
	gap   int // words allowed between the previous slot and this one
	alts  []phrase
	first []uint64 // bitset of the alternatives' first word ids: a quick reject
}

func (s *slot) index() {
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
		case f == ".." || f == "...":
			if err := flushAlt(); err != nil {
				return nil, err
			}
			slots = append(slots, cur)
			cur = slot{gap: nearGap}
			if f == "..." {
				cur.gap = farGap
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
	for _, p := range s.alts {
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

// find appends to hits every place a pattern matches in toks (one match
// per pattern and start word).
func (m *matcher) find(toks []token, hits []hit) []hit {
	for i, t := range toks {
		if t.id == 0 {
			continue
		}
		for _, pi := range m.first[t.id] {
			p := &m.patterns[pi]
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
